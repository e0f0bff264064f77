"""Tell the user what the build is doing: one line per stage with its time, and a summary.

Long loops inside a stage get a progress bar that fits where it is shown: a live tqdm bar (with
its estimate of the time left) on a terminal, and in a log or CI, where carriage returns pile up
into thousands of fragments, a plain line every `LOG_EVERY` seconds and one when the loop ends.

Stages run in processes of their own, and only the build's process writes to the terminal: a
stage reports through a `StageReporter`, which sends its lines and its bars' ticks over a local
socket to the build's `Reporter` (`Reporter.listening`). A stage that cannot reach the socket (on
a cluster's machine) works on in silence.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Listener
from typing import Callable, Iterator, TextIO

# How often a log (not a terminal) hears about a long loop.
LOG_EVERY = 30.0
# How long the build waits for a stage's first message, or for its last lines once it ended.
WAIT_SECONDS = 5.0


@dataclass
class StageRecord:
    name: str
    status: str  # "ran", "cached" or "failed"
    seconds: float  # wall seconds
    # When it started, in seconds since the reporter was made: stages run side by side, and the
    # summary shows which overlapped.
    started: float = 0.0
    # What the stage's process used (its own rusage and its worker processes'), when it ran in
    # a process of its own; None for a stage of the build's process or one read from the cache.
    cpu_seconds: float | None = None
    peak_mb: float | None = None
    # The Dask worker that ran it, if any.
    where: str | None = None


class LineBar:
    """Progress as plain lines: at most one every `every` seconds, and one at the end."""

    def __init__(self, total: int, desc: str, stream: TextIO, every: float = LOG_EVERY,
                 clock: Callable[[], float] = time.monotonic, initial: int = 0):
        self.total, self.desc, self.stream, self.every, self.clock = (
            total, desc, stream, every, clock)
        self.n = self.initial = initial  # `initial`: done before this run (a resumed scrape)
        self.start = self.last = clock()
        self.closed = False
        # Ticks may come from several threads at once (the threads that receive the stages'
        # reports, the threads that receive a search's ticks from its worker processes).
        self._lock = threading.Lock()

    def update(self, n: int = 1) -> None:
        with self._lock:
            if self.closed:  # a late tick (a worker's, after a failure) writes nothing
                return
            self.n += n
            now = self.clock()
            done = self.n - self.initial  # what this run did: the pace the estimate goes by
            if now - self.last >= self.every and 0 < done and self.n < self.total:
                self.last = now
                elapsed = now - self.start
                left = elapsed / done * (self.total - self.n)
                self._line(f"after {elapsed:.0f}s, about {left:.0f}s left")

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self.closed = True
                self._line(f"in {self.clock() - self.start:.0f}s")

    def _line(self, when: str) -> None:
        share = self.n / self.total if self.total else 1.0
        print(f"{self.desc}: {self.n:,}/{self.total:,} ({share:.0%}) {when}",
              file=self.stream, flush=True)

    def __enter__(self) -> "LineBar":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is not None:
            # A failed loop ends in the build's one-line error, not in a progress line.
            self.closed = True
        self.close()


def make_bar(total: int, desc: str, stream: TextIO, *, quiet: bool = False, initial: int = 0,
             leave: bool = False, clock: Callable[[], float] = time.monotonic):
    """A live tqdm bar on a terminal, a `LineBar` in a log; nothing at all when `quiet`."""
    if not quiet and not _is_terminal(stream):
        return LineBar(total, desc, stream, clock=clock, initial=initial)
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, desc=desc, file=stream, disable=quiet,
                leave=leave, dynamic_ncols=True)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or unusual stream is not a terminal
        return False


@dataclass
class Reporter:
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    quiet: bool = False
    records: list[StageRecord] = field(default_factory=list)
    # The clock of the log lines (tests pass their own).
    clock: Callable[[], float] = time.monotonic
    born: float = field(default_factory=time.perf_counter)
    # The stage a bar belongs to, for its label ("rf: forest of 5000 trees"); a stage's own
    # reporter (StageReporter) sets it.
    stage_name: str | None = None

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    @contextmanager
    def stage(self, name: str):
        """Time a stage that runs in this process (the data stages, rendering)."""
        record = self.started(name)
        try:
            yield record
        except BaseException:
            self.finished(record, "failed")
            raise
        self.finished(record, record.status)

    def started(self, name: str, where: str | None = None) -> StageRecord:
        """A stage starts (in this process or another); `finished` ends its record."""
        start = time.perf_counter()
        self.say(f"▸ {name} …" + (f" (on {where})" if where else ""))
        return StageRecord(name, "ran", 0.0, start - self.born)

    def finished(self, record: StageRecord, status: str = "ran", *,
                 cpu_seconds: float | None = None, peak_mb: float | None = None,
                 where: str | None = None) -> None:
        """The end of a stage `started` began, with what its process used if it had one."""
        record.status = status
        record.seconds = time.perf_counter() - self.born - record.started
        record.cpu_seconds, record.peak_mb, record.where = cpu_seconds, peak_mb, where
        self.records.append(record)
        if status == "failed":
            return
        used = (f" (CPU {cpu_seconds:.1f}s, peak {peak_mb:,.0f} MB)"
                if cpu_seconds is not None and peak_mb is not None else "")
        self.say(f"  {record.name}: {status} in {record.seconds:.1f}s{used}"
                 + (f" on {where}" if where else ""))

    def cached(self, name: str, seconds: float) -> None:
        self.records.append(StageRecord(name, "cached", seconds,
                                        time.perf_counter() - seconds - self.born))
        self.say(f"▸ {name}: cached ({seconds:.2f}s to load)")

    def bar(self, total: int, desc: str):
        """A progress bar for a long loop inside a stage: live on a terminal, lines in a log.
        A stage's bar is labelled with the stage's name."""
        label = f"{self.stage_name}: {desc}" if self.stage_name else desc
        return make_bar(total, f"  {label}", self.stream, quiet=self.quiet, clock=self.clock)

    def summary(self) -> str:
        """Every stage with its status, wall and CPU seconds, peak memory and start; the total
        is the build's wall time (stages overlap, so it is not their sum)."""
        ran = [r for r in self.records if r.status == "ran"]
        width = max((len(r.name) for r in self.records), default=5)
        lines = ["", "stage".ljust(width) + "  status    wall s    CPU s  peak MB  started"]
        for r in self.records:
            cpu = f"{r.cpu_seconds:8.1f}" if r.cpu_seconds is not None else " " * 8
            peak = f"{r.peak_mb:7,.0f}" if r.peak_mb is not None else " " * 7
            lines.append(f"{r.name.ljust(width)}  {r.status.ljust(7)}  {r.seconds:7.1f}  {cpu}  "
                         f"{peak}  {r.started:7.1f}" + (f"  {r.where}" if r.where else ""))
        if not ran:
            lines.append("nothing changed: every stage was reused from the cache")
        cpu = sum(r.cpu_seconds or 0.0 for r in self.records)
        lines.append(f"total {time.perf_counter() - self.born:.1f}s wall; stages in processes "
                     f"of their own used {cpu:.1f} CPU s")
        return "\n".join(lines)

    @contextmanager
    def listening(self) -> Iterator["Inbox | None"]:
        """A local socket on which stages in other processes report (see `StageReporter`):
        yields its `Inbox`, or None when nothing would be shown (quiet) or no socket can be
        made."""
        if self.quiet:
            yield None
            return
        try:
            inbox = Inbox(self)
        except OSError:
            yield None
            return
        try:
            yield inbox
        finally:
            inbox.close()


class Inbox:
    """The build's end of the stages' reports: one thread per connected stage, which turns its
    messages into lines and bars of the build's reporter."""

    def __init__(self, reporter: Reporter):
        self.reporter = reporter
        self.authkey = os.urandom(32)
        self._listener = Listener(authkey=self.authkey, backlog=64)
        self.address = self._listener.address
        self._closed = False
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()
        self._accept = threading.Thread(target=self._serve, name="stage-reports", daemon=True)
        self._accept.start()

    def _serve(self) -> None:
        while True:
            try:
                conn = self._listener.accept()
            except (OSError, EOFError, AuthenticationError):
                if self._closed:
                    return
                time.sleep(0.01)  # a bad handshake must not end the listening, nor spin
                continue
            if self._closed:
                conn.close()
                return
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn) -> None:
        bars: dict[int, object] = {}
        stage = None
        try:
            with conn:
                if not conn.poll(WAIT_SECONDS):
                    return
                kind, stage = conn.recv()
                if kind != "hello":
                    return
                with self._lock:
                    self._threads[stage] = threading.current_thread()
                while True:
                    message = conn.recv()
                    kind = message[0]
                    if kind == "say":
                        self.reporter.say(message[1])
                    elif kind == "bar":
                        _, number, total, desc = message
                        label = f"{stage}: {desc}" if stage else desc
                        bars[number] = make_bar(total, f"  {label}", self.reporter.stream,
                                                quiet=self.reporter.quiet,
                                                clock=self.reporter.clock)
                    elif kind == "tick" and message[1] in bars:
                        bars[message[1]].update(message[2])
                    elif kind == "close" and message[1] in bars:
                        bar = bars.pop(message[1])
                        if message[2]:  # a failed loop ends in the error, not a closing line
                            bar.__exit__(RuntimeError, None, None)
                        else:
                            bar.close()
        except (EOFError, OSError):
            pass
        finally:
            for bar in bars.values():  # a stage that ended (or was ended) mid-loop
                bar.__exit__(RuntimeError, None, None)

    def drain(self, stage: str, timeout: float = WAIT_SECONDS) -> None:
        """Wait until the lines a stage sent before it ended are written (its process closes
        its end first), so that they come before the line that says it finished."""
        with self._lock:
            thread = self._threads.pop(stage, None)
        if thread is not None:
            thread.join(timeout)

    def close(self) -> None:
        self._closed = True
        # Closing a listening socket does not wake a thread blocked in accept() on Linux: a
        # connection of our own does.
        try:
            Client(self.address, authkey=self.authkey).close()
        except (OSError, EOFError, AuthenticationError):
            pass
        self._accept.join(2.0)
        self._listener.close()


class StageReporter(Reporter):
    """The reporter of a stage in a process of its own: its lines and bars go to the build's
    reporter over `address` (see `Reporter.listening`). Without an address, or if the build
    cannot be reached, it says nothing."""

    def __init__(self, address, authkey: bytes, stage: str):
        super().__init__(quiet=address is None, stage_name=stage)
        self._conn = None
        self._lock = threading.Lock()
        self._numbers = itertools.count()
        if address is not None:
            try:
                self._conn = Client(address, authkey=authkey)
                self._conn.send(("hello", stage))
            except (OSError, EOFError, AuthenticationError):
                self._conn = None
                self.quiet = True

    def _send(self, message: tuple) -> None:
        if self._conn is None:
            return
        # Ticks come from several threads (a search's ticks arrive on its own socket's thread).
        with self._lock:
            try:
                self._conn.send(message)
            except (OSError, EOFError, ValueError):
                self._conn = None  # the build is gone: work on in silence

    def say(self, message: str) -> None:
        self._send(("say", message))

    def bar(self, total: int, desc: str):
        if self._conn is None:
            return make_bar(total, desc, sys.stderr, quiet=True)
        number = next(self._numbers)
        self._send(("bar", number, total, desc))
        return _RemoteBar(self, number)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class _RemoteBar:
    """A stage's progress bar, drawn by the build's process."""

    def __init__(self, reporter: StageReporter, number: int):
        self._reporter, self._number = reporter, number
        self.closed = False

    def update(self, n: int = 1) -> None:
        if not self.closed:
            self._reporter._send(("tick", self._number, n))

    def close(self, failed: bool = False) -> None:
        if not self.closed:
            self.closed = True
            self._reporter._send(("close", self._number, failed))

    def __enter__(self) -> "_RemoteBar":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(failed=exc_type is not None)
