"""Tell the user what the build is doing: one line per stage with its time, and a summary.

Long loops inside a stage get a progress bar that fits where it is shown: a live tqdm bar (with
its estimate of the time left) on a terminal, and in a log or CI, where carriage returns pile up
into thousands of fragments, a plain line every `LOG_EVERY` seconds and one when the loop ends.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, TextIO

# How often a log (not a terminal) hears about a long loop.
LOG_EVERY = 30.0


@dataclass
class StageRecord:
    name: str
    status: str  # "ran", "cached" or "failed"
    seconds: float
    # When it started, in seconds since the reporter was made: stages run side by side, and the
    # summary shows which overlapped.
    started: float = 0.0


class LineBar:
    """Progress as plain lines: at most one every `every` seconds, and one at the end."""

    def __init__(self, total: int, desc: str, stream: TextIO, every: float = LOG_EVERY,
                 clock: Callable[[], float] = time.monotonic, initial: int = 0):
        self.total, self.desc, self.stream, self.every, self.clock = (
            total, desc, stream, every, clock)
        self.n = self.initial = initial  # `initial`: done before this run (a resumed scrape)
        self.start = self.last = clock()
        self.closed = False
        # Ticks may come from several threads at once (two boosters training side by side,
        # the threads that receive a search's ticks from its worker processes).
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
    # The stage each thread is running: stages run side by side, so a bar names its stage.
    _running: threading.local = field(default_factory=threading.local, repr=False)

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    @contextmanager
    def stage(self, name: str):
        """Time a stage that runs; the body may call `cached()` on the yielded record instead."""
        start = time.perf_counter()
        record = StageRecord(name, "ran", 0.0, start - self.born)
        self.say(f"▸ {name} …")
        outer = getattr(self._running, "name", None)
        self._running.name = name
        try:
            yield record
        except BaseException:
            record.status = "failed"
            raise
        finally:
            self._running.name = outer
            record.seconds = time.perf_counter() - start
            self.records.append(record)
            if record.status != "failed":
                self.say(f"  {name}: {record.status} in {record.seconds:.1f}s")

    def cached(self, name: str, seconds: float) -> None:
        self.records.append(StageRecord(name, "cached", seconds,
                                        time.perf_counter() - seconds - self.born))
        self.say(f"▸ {name}: cached ({seconds:.2f}s to load)")

    def bar(self, total: int, desc: str):
        """A progress bar for a long loop inside a stage: live on a terminal, lines in a log.
        Made in a stage's thread, it is labelled with the stage's name."""
        stage = getattr(self._running, "name", None)
        label = f"{stage}: {desc}" if stage else desc
        return make_bar(total, f"  {label}", self.stream, quiet=self.quiet, clock=self.clock)

    def summary(self) -> str:
        ran = [r for r in self.records if r.status == "ran"]
        total = sum(r.seconds for r in self.records)
        width = max((len(r.name) for r in self.records), default=5)
        lines = ["", "stage".ljust(width) + "  status   seconds  started"]
        lines += [f"{r.name.ljust(width)}  {r.status.ljust(7)}  {r.seconds:7.1f}  {r.started:7.1f}"
                  for r in self.records]
        if not ran:
            lines.append("nothing changed: every stage was reused from the cache")
        lines.append(f"total {total:.1f}s")
        return "\n".join(lines)
