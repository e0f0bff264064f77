"""Where the stages run: in processes of their own on this machine, or on a Dask cluster.

`runner(settings, store)` gives the build what starts its stages and collects their outcomes:

- `local` (processes.LocalRunner): a fresh process per stage on this machine;
- `dask` (DaskRunner): each stage is submitted to the Dask scheduler at `--scheduler ADDRESS`,
  or to a local cluster on 127.0.0.1 when none is given, with its rank as priority. Its inputs
  travel with it (the futures of the stages before it, or the values the build read from its
  cache), so workers need no shared disk, and its result comes back into the build's cache.
  On the worker, the stage runs in a fresh process of its own, as it would locally, and its
  fits use the worker's cores (its machine's cores, shared by the stages it runs at once).
  A stage that reads this machine's files (`load`, the data) runs here, in a process of its
  own, under either backend: the songs it reads travel to the cluster with the stages after it.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from contextlib import contextmanager
from typing import Any

from genrereport.errors import GenreReportError
from genrereport.stagejob import Outcome, StageJob

BACKENDS = ("local", "dask")
DASK_INSTALL = "pip install 'genrereport[dask]'"
# How long to wait for a cluster's scheduler to answer before giving up with an error.
CONNECT_SECONDS = 30
# A worker that runs as a daemon process cannot start a stage's process: Dask's setting for it.
DAEMON_SETTING = "DASK_DISTRIBUTED__WORKER__DAEMON=False"


class BackendError(GenreReportError):
    """The backend cannot be used: not installed, or its scheduler does not answer."""


@contextmanager
def runner(settings, store):
    """What runs the build's stages (see the module's docstring), closed when the build ends;
    `store` is the build's stage cache, into which a cluster's results come back."""
    if settings.backend == "local":
        from genrereport.processes import LocalRunner

        local = LocalRunner(settings.n_jobs)
        try:
            yield local
        finally:
            local.stop()
        return
    if settings.backend != "dask":
        raise BackendError(f"--backend {settings.backend}: not one of {', '.join(BACKENDS)}")
    from genrereport.processes import LocalRunner

    with _client(settings) as client:
        dask = DaskRunner(client, store, LocalRunner(settings.n_jobs))
        try:
            yield dask
        finally:
            dask.stop()


@contextmanager
def _client(settings):
    try:
        import dask
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise BackendError(f"--backend dask needs Dask's distributed scheduler ({DASK_INSTALL})"
                           ) from None
    cluster = None
    try:
        if settings.scheduler:
            client = Client(settings.scheduler, timeout=CONNECT_SECONDS)
        else:
            # One worker process for this machine, running up to --jobs stages at once; not a
            # daemon, so that it may start each stage's process.
            with dask.config.set({"distributed.worker.daemon": False}):
                cluster = LocalCluster(n_workers=1, threads_per_worker=settings.n_jobs,
                                       host="127.0.0.1", dashboard_address=None, processes=True)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        where = settings.scheduler or "a local cluster"
        raise BackendError(f"--backend dask: cannot reach {where} ({exc})") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class DaskRunner:
    """Submits each stage to a Dask cluster and brings its result back into the build's cache."""

    # The cluster orders stages by priority: the build starts each as soon as it is ready.
    jobs = 1 << 30

    def __init__(self, client, store, here):
        import uuid

        from dask.distributed import Event

        self.client, self._store = client, store
        self._here = here  # a processes.LocalRunner, for the stages that read this machine's files
        # This build's own names on the cluster: another build's stage of the same key is
        # another task, and stopping one build ends none of another's stages.
        self._build = uuid.uuid4().hex[:12]
        self._stop = Event(f"genrereport-stop-{self._build}", client=client)
        # The cluster's handle on each input: a stage run there, or a value sent once.
        self._futures: dict[str, Any] = {}
        self._running: dict[str, Any] = {}
        self._keys: dict[str, str] = {}

    def start(self, job: StageJob, given: dict[str, Any], priority: float = 0) -> None:
        """Submit `job`; its inputs are the futures of stages run on the cluster, else values
        (`given`, or read from the build's cache) sent along."""
        if job.here:
            self._here.start(job, given, priority)
            return
        args = []
        for name, key in job.inputs:
            if name not in self._futures:
                value = given[name] if name in given else self._store.load(name, key)
                self._futures[name] = self.client.scatter(value, hash=False)
            args.append(self._futures[name])
        future = self.client.submit(on_worker, job, *args, stop=self._stop.name,
                                    priority=priority, pure=False,
                                    key=f"{job.name}-{job.key[:16]}-{self._build}")
        self._futures[job.name] = self._running[job.name] = future
        self._keys[job.name] = job.key

    def running(self) -> int:
        return len(self._running) + self._here.running()

    def wait(self, timeout: float) -> list[Outcome]:
        """The outcomes of the stages that end within `timeout` seconds, their results stored
        in the build's cache."""
        if not self._running:
            return self._here.wait(timeout)
        here = self._here.wait(0) if self._here.running() else []
        return here + self._wait_cluster(0 if here else timeout)

    def _wait_cluster(self, timeout: float) -> list[Outcome]:
        from dask.distributed import wait

        try:
            finished = wait(list(self._running.values()), timeout=timeout,
                            return_when="FIRST_COMPLETED").done
        except TimeoutError:  # none ended in time
            return []
        except Exception:  # noqa: BLE001 - a task cancelled (lost with its worker): ended too
            finished = {f for f in self._running.values() if f.done()}
        outcomes = []
        for name in [n for n, f in self._running.items() if f in finished]:
            future = self._running.pop(name)
            try:
                outcome = future.result()
            except GenreReportError as exc:  # from on_worker: the worker cannot run stages
                outcome = Outcome(name, self._keys[name], error=exc)
            except BaseException as exc:  # noqa: BLE001 - a worker lost, a task cancelled
                why = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                outcome = Outcome(name, self._keys[name], error=BackendError(
                    f"stage {name} on the Dask cluster: {type(exc).__name__}"
                    + (f" ({why})" if why else "")))
            if outcome.error is None:
                outcome.in_cache = self._keep(outcome)
            outcomes.append(outcome)
        return outcomes

    def _keep(self, outcome: Outcome) -> bool:
        from genrereport.codec import CodecError

        try:
            self._store.store(outcome.name, outcome.key, outcome.value)
            return True
        except (OSError, CodecError):
            return False  # the build keeps the value in memory (see pipeline.Build)

    def stop(self) -> None:
        """End what still runs: the workers end the stages' processes (a cancelled task
        alone would leave them running), and the tasks are cancelled."""
        self._here.stop()
        if self._running:
            try:
                self._stop.set()
            except Exception:  # noqa: BLE001 - a scheduler gone: its workers' stages watch them
                pass
            self.client.cancel(list(self._running.values()))
        self._running.clear()


# Per worker process: how many stages it runs now, which their processes read for their share of
# the machine's cores (processes.Share).
_WORKER_STAGES = None


def on_worker(job: StageJob, *inputs, stop: str | None = None) -> Outcome:
    """A stage on a Dask worker: run in a fresh process of its own, with the inputs given,
    until it ends or its build sets the event named `stop`."""
    from dask.distributed import Event, get_worker

    from genrereport import processes
    from genrereport.settings import available_cores

    global _WORKER_STAGES
    worker = get_worker()
    if multiprocessing.current_process().daemon:
        raise BackendError(f"the Dask worker {worker.address} runs as a daemon process and "
                           f"cannot start a stage's process: start it with {DAEMON_SETTING}")
    if _WORKER_STAGES is None:
        _WORKER_STAGES = processes.counter()
    given = {name: value.value if isinstance(value, Outcome) else value
             for (name, _), value in zip(job.inputs, inputs)}
    # A cluster of its own (no --scheduler) runs on the build's machine: --jobs holds there.
    cores = job.settings.n_jobs if job.settings.scheduler is None else available_cores()
    job = dataclasses.replace(job, settings=job.settings.with_(n_jobs=cores), cache=False)
    stopped = Event(stop) if stop else None
    local = processes.LocalRunner(cores, _WORKER_STAGES)
    try:
        local.start(job, given)
        outcomes: list[Outcome] = []
        while not outcomes:
            outcomes = local.wait(1.0)
            if not outcomes and stopped is not None and stopped.is_set():
                raise BackendError(f"stage {job.name}: its build stopped it")
    finally:
        local.stop()
    outcome = outcomes[0]
    outcome.where = worker.address
    return outcome
