"""Each stage in a fresh process of its own, on this machine.

A stage's process is forked from a clean server process (multiprocessing's forkserver, which has
imported the scientific libraries once and run nothing else; spawn where there is no
forkserver). So whatever process-wide state a library keeps (liblinear's generator, Keras' seed
and session, warning filters, thread pools, the allocator's free lists, TensorFlow's 0.7 GB)
belongs to one stage and ends with it. The stage reads its inputs from the stage cache and
writes its result there (stagejob.py); only the outcome comes back through a pipe.

Each stage's process leads a process group of its own, with the worker processes joblib starts
for it: ending a stage (Ctrl-C, SIGTERM, a failure elsewhere) ends the whole group at once.

The cores: every running stage may start `total // running` workers, read again before each
long step (each chunk of a forest's trees), so a stage left alone takes every core.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from contextlib import contextmanager
from multiprocessing.connection import wait
from typing import Any

from genrereport import stagejob
from genrereport.stagejob import Outcome, StageFailed, StageJob

# Imported once by the server process that stages are forked from, so a stage starts in
# milliseconds instead of importing them again. Third-party libraries only: this package's own
# modules are imported by each stage afresh.
PRELOAD = ("numpy", "pandas", "scipy.sparse", "sklearn.ensemble", "sklearn.linear_model",
           "sklearn.model_selection", "joblib", "pyarrow.parquet")
# How long an ended stage's process may take to go before the build stops waiting for it.
JOIN_SECONDS = 1.0
# glibc's malloc in the stages' processes, set through their environment where they start (it
# is read once, when a process starts; the build's own process keeps its defaults): blocks of
# 1 MB or more (a tree's arrays) are mapped on their own and given back when freed, and free
# memory at the top of a heap beyond 128 kB goes back at once. With glibc's defaults a forest
# keeps about a chunk of freed trees beside the next one: 600 trees of the 2018 study peaked at
# 725 MB, and at 539 MB with these. Other allocators ignore them; a user's own settings stay.
ALLOCATOR = {"MALLOC_MMAP_THRESHOLD_": str(1 << 20), "MALLOC_TRIM_THRESHOLD_": str(128 << 10)}


def context():
    """Fresh processes: forked from a clean server where the system has one, else spawned.
    Never a plain fork of the build, which holds threads (the reports' listener) and state."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(list(PRELOAD))
    return ctx


class Share:
    """A stage's share of the cores: `total // running`, where `running` counts the stages
    running now, in memory shared with their processes."""

    def __init__(self, running, total: int):
        self._running, self._total = running, total

    def __call__(self) -> int:
        return max(1, self._total // max(1, self._running.value))


def counter(ctx=None):
    """A count of running stages that their processes can read (`Share`). Without a lock: a
    stage killed while it read the count would hold it for good. Only the process that starts
    the stages writes it (`LocalRunner._count`), under `_COUNTING`."""
    return (ctx or context()).Value("i", 0, lock=False)


# The runners of one process (a Dask worker runs one per stage) share its count of stages.
_COUNTING = threading.Lock()


def _main(job: StageJob, given: dict, results, running, total: int) -> None:
    # First of all its own process group, which the workers it starts join.
    if hasattr(os, "setpgrp"):
        os.setpgrp()
        _leave_with_parent()
    outcome = stagejob.execute(job, given, Share(running, total))
    try:
        results.send(outcome)
    except Exception as exc:  # noqa: BLE001 - a result that cannot travel is this stage's error
        results.send(Outcome(job.name, job.key, error=StageFailed(
            f"stage {job.name}: its result cannot be sent to the build "
            f"({type(exc).__name__}: {exc})")))
    results.close()


def _leave_with_parent() -> None:
    # A build killed outright (SIGKILL, the out-of-memory killer, a closed terminal) cannot end
    # its stages, nor can a Dask worker that is shut down: the stage watches the process that
    # started it and, when that is gone, ends its own group (itself and its workers).
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, name="watch-build", daemon=True).start()


class LocalRunner:
    """Runs stages in processes of their own, at most as many at once as the build starts."""

    def __init__(self, cores: int, running=None):
        self.cores = max(1, int(cores))
        self._ctx = context()
        # Shared by every runner of a Dask worker's process, whose stages share its cores.
        self._running = running if running is not None else counter(self._ctx)
        self._stages: dict[str, tuple[Any, Any]] = {}  # name -> (process, results pipe)

    def _count(self, change: int) -> None:
        with _COUNTING:
            self._running.value += change

    def start(self, job: StageJob, given: dict[str, Any], priority: float = 0) -> None:
        """Start `job` in a fresh process; `given` are inputs the cache could not take. (The
        build starts stages in the order of their `priority` itself.)"""
        receive, send = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(target=_main, name=f"genrereport {job.name}",
                                    args=(job, given, send, self._running, self.cores))
        self._count(1)  # before it starts: it reads its share
        try:
            with _stage_environment():
                process.start()
        except BaseException:
            self._count(-1)
            raise
        send.close()
        self._stages[job.name] = (process, receive)

    def running(self) -> int:
        return len(self._stages)

    def wait(self, timeout: float) -> list[Outcome]:
        """The outcomes of the stages that end within `timeout` seconds (maybe none)."""
        handles = {}
        for name, (process, receive) in self._stages.items():
            handles[receive] = name
            handles[process.sentinel] = name
        ended = {handles[h] for h in wait(list(handles), timeout)}
        outcomes = []
        for name in ended:
            process, receive = self._stages.pop(name)
            outcome = None
            try:
                if receive.poll():
                    outcome = receive.recv()
            except (EOFError, OSError):
                pass
            if outcome is not None and outcome.error is None:
                # It ended its workers before it answered, and leaves now.
                process.join(JOIN_SECONDS)
            # Whatever the stage started and left (all of it, if it failed) goes now, and so
            # does a stage that does not leave.
            _end_group(process)
            process.join(JOIN_SECONDS)
            if outcome is None:
                code = process.exitcode
                how = (f"was killed by signal {-code}" if code is not None and code < 0
                       else f"exited with code {code}")
                hint = " (out of memory?)" if code == -signal.SIGKILL else ""
                outcome = Outcome(name, "", error=StageFailed(
                    f"stage {name}: its process {how}{hint}"))
            receive.close()
            self._count(-1)
            outcomes.append(outcome)
        return outcomes

    def stop(self) -> None:
        """End every running stage and the workers it started, at once."""
        for process, receive in self._stages.values():
            _end_group(process)
        for process, receive in self._stages.values():
            process.join(JOIN_SECONDS)
            receive.close()
            self._count(-1)
        self._stages.clear()


@contextmanager
def _stage_environment():
    # While a process starts (the forkserver, which the stages' processes are forked from, is
    # started with the first of them): the environment it inherits.
    added = {k: v for k, v in ALLOCATOR.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for k in added:
            os.environ.pop(k, None)


def _end_group(process) -> None:
    if process.pid is None:
        return
    if hasattr(os, "killpg"):
        try:
            # The stage's group: its process and what it started, which stays a group after
            # the process itself has left. Until the process has made its group, no group has
            # its pid, and the process alone is ended below.
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if process.exitcode is None:
        process.kill()
