"""One stage as its own process runs it: read the inputs, compute, store the result.

A `StageJob` says everything a stage needs, as data: the function to call, the cache keys of its
inputs, and the build's settings. `execute` runs in the stage's process (a fresh local process,
or one that a Dask worker starts, see processes.py and backends.py). It reads the inputs from
the stage cache by key (or takes them as given), calls the analysis, writes the result to the
cache, and returns an `Outcome`: the result's key, what the process used, or the error.

Everything that belongs to a process is set here, for this stage alone: the warnings the build
expects, where stray output goes, joblib's worker processes (ended before the stage returns).
"""

from __future__ import annotations

import importlib
import io
import pickle
import sys
import traceback
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any, Callable

from genrereport import cache
from genrereport.errors import GenreReportError
from genrereport.progress import StageReporter


@dataclass(frozen=True)
class StageJob:
    """A stage: `module.function(*inputs, settings=, reporter=, **options)`; for an analysis
    (`analysis`), `module.function(frame, *upstream, ...)`, where `frame` is the binned songs
    (the first input's frame) and `upstream` the values of the other inputs."""

    name: str
    key: str
    module: str
    function: str
    options: tuple[tuple[str, Any], ...]
    # (stage, key) of each input, in the order of the function's arguments.
    inputs: tuple[tuple[str, str], ...]
    settings: Any  # Settings, without the running build's share of the cores
    # Where the build's reporter listens (progress.Reporter.listening), or None.
    reports: tuple | None = None
    # Whether the stage writes its result to the cache (a Dask worker's stage hands it back).
    cache: bool = True
    analysis: bool = True
    # It reads files of the building machine (the data): it runs there under any backend.
    here: bool = False


@dataclass
class Outcome:
    """What a stage's process hands back."""

    name: str
    key: str
    # The result itself, only when the cache could not take it (otherwise it is read from there).
    value: Any = None
    in_cache: bool = True
    cpu_seconds: float | None = None
    peak_mb: float | None = None
    error: BaseException | None = None
    traceback: str | None = None
    where: str | None = None  # the Dask worker, if one ran it


class StageFailed(GenreReportError):
    """A stage's process ended without an outcome (killed, out of memory, a crash in C), or
    could not read its inputs."""


class RemoteTraceback(Exception):
    """The traceback of an error raised in a stage's process, shown with `--debug`."""

    def __str__(self) -> str:
        return self.args[0]


def execute(job: StageJob, given: dict[str, Any] | None = None,
            cores: Callable[[], int] | None = None, where: str | None = None) -> Outcome:
    """Run one stage here, in its own process. `given` holds inputs that are not in the cache
    (by stage name); `cores` says how many workers the stage may start now (its share of the
    build's cores), None for all of `settings.n_jobs`."""
    from threadpoolctl import threadpool_limits

    from genrereport import expected_warnings

    given = given or {}
    reporter = StageReporter(*(job.reports or (None, b"")), job.name)
    try:
        # The warnings the build expects are silenced in this process, for this stage alone;
        # native thread pools (BLAS, OpenMP) start with the stage's share of the cores: beside
        # other stages, more threads only wait for cores (the k scan's silhouettes took 32.5
        # CPU seconds on two threads and 22.8 on one, with the same scores).
        with expected_warnings.expected(expected_warnings.build_filters()), \
                threadpool_limits(limits=cores() if cores else job.settings.n_jobs), \
                _output_to(reporter):
            store = cache.StageCache(job.settings.cache_dir)
            values = [given[name] if name in given else _load(store, name, key)
                      for name, key in job.inputs]
            if job.analysis:
                values = [values[0][0], *values[1:]]
            function = getattr(importlib.import_module(job.module), job.function)
            value = function(*values, settings=job.settings.with_(cores=cores),
                             reporter=reporter, **dict(job.options))
            in_cache = job.cache and _store(store, job, value, reporter)
        _end_worker_pools()
        cpu, peak = usage()
        return Outcome(job.name, job.key, None if in_cache else value, in_cache, cpu, peak,
                       where=where)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the build
        return Outcome(job.name, job.key, error=_portable(exc), traceback=traceback.format_exc(),
                       where=where)
    finally:
        # Closed before the outcome is sent: the build writes the stage's last lines first.
        reporter.close()


def _load(store: cache.StageCache, name: str, key: str):
    try:
        return store.load(name, key)
    except cache.CacheMiss as miss:
        raise StageFailed(f"input {name} is not readable in the cache ({miss})") from None


def _store(store: cache.StageCache, job: StageJob, value, reporter) -> bool:
    from genrereport.codec import CodecError

    try:
        store.store(job.name, job.key, value)
        return True
    except (OSError, CodecError) as exc:
        # The result is computed: a cache that cannot take it costs the next build time, not
        # this one its site. The value then travels back to the build itself.
        reporter.say(f"▸ {job.name}: could not cache the result ({exc}); the next build will "
                     "compute it again")
        return False


def _end_worker_pools() -> None:
    """End the worker processes joblib started for this stage: none outlives the stage, and
    their CPU time counts in the stage's (a process's rusage holds the children it waited for).
    """
    reusable = sys.modules.get("joblib.externals.loky.reusable_executor")
    # loky has no public way to ask whether its executor exists, and get_reusable_executor()
    # would start one (and its resource tracker) just to end it.
    executor = getattr(reusable, "_executor", None)
    if executor is not None:
        executor.shutdown(wait=True)


def usage() -> tuple[float | None, float | None]:
    """CPU seconds of this process and the children it waited for, and the larger of its own
    and its largest child's peak resident memory, in MB (None where rusage does not exist)."""
    try:
        import resource
    except ImportError:  # Windows
        return None, None
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    unit = 1 if sys.platform == "darwin" else 1024
    return cpu, max(me.ru_maxrss, children.ru_maxrss) * unit / 1e6


def _portable(exc: BaseException) -> BaseException:
    # The error travels back to the build by pickle: one that cannot keeps its type's name and
    # message.
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def raise_error(outcome: Outcome) -> None:
    """Raise the stage's error in the build's process, with its own traceback as the cause."""
    error = outcome.error
    if not isinstance(error, GenreReportError):
        # Not an error this code foresaw: the one line the command prints names the stage.
        error.add_note(f"in stage {outcome.name}")
    if outcome.traceback:
        error.__cause__ = RemoteTraceback(f"\n\"\"\"\n{outcome.traceback}\"\"\"")
    raise error


class _Lines(io.TextIOBase):
    """A text stream that says each complete line through the stage's reporter."""

    def __init__(self, reporter: StageReporter):
        self._reporter, self._buffer = reporter, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._buffer += text
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            self._reporter.say(line)
        return len(text)

    def flush(self) -> None:
        if self._buffer:
            self._reporter.say(self._buffer)
            self._buffer = ""


@contextmanager
def _output_to(reporter: StageReporter):
    # A library's print or an unexpected warning goes where the build's lines go, a line at a
    # time, rather than into the middle of a progress bar on the terminal.
    lines = _Lines(reporter)
    try:
        with redirect_stdout(lines), redirect_stderr(lines):
            yield
    finally:
        lines.flush()

