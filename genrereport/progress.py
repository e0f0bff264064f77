"""Tell the user what the build is doing: one line per stage with its time, and a summary."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class StageRecord:
    name: str
    status: str  # "ran", "cached" or "failed"
    seconds: float


@dataclass
class Reporter:
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    quiet: bool = False
    records: list[StageRecord] = field(default_factory=list)

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    @contextmanager
    def stage(self, name: str):
        """Time a stage that runs; the body may call `cached()` on the yielded record instead."""
        start = time.perf_counter()
        record = StageRecord(name, "ran", 0.0)
        self.say(f"▸ {name} …")
        try:
            yield record
        except BaseException:
            record.status = "failed"
            raise
        finally:
            record.seconds = time.perf_counter() - start
            self.records.append(record)
            if record.status != "failed":
                self.say(f"  {name}: {record.status} in {record.seconds:.1f}s")

    def cached(self, name: str, seconds: float) -> None:
        self.records.append(StageRecord(name, "cached", seconds))
        self.say(f"▸ {name}: cached ({seconds:.2f}s to load)")

    def bar(self, total: int, desc: str):
        """A progress bar for a long loop inside a stage."""
        from tqdm.auto import tqdm

        return tqdm(total=total, desc=f"  {desc}", file=self.stream, disable=self.quiet,
                    leave=False, dynamic_ncols=True)

    def summary(self) -> str:
        ran = [r for r in self.records if r.status == "ran"]
        total = sum(r.seconds for r in self.records)
        width = max((len(r.name) for r in self.records), default=5)
        lines = ["", "stage".ljust(width) + "  status   seconds"]
        lines += [f"{r.name.ljust(width)}  {r.status.ljust(7)}  {r.seconds:7.1f}" for r in self.records]
        if not ran:
            lines.append("nothing changed: every stage was reused from the cache")
        lines.append(f"total {total:.1f}s")
        return "\n".join(lines)
