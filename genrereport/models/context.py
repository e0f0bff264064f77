"""What every model step receives: the splits, the settings, the reporter and the baseline."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Union

from genrereport.models.splits import Splits
from genrereport.progress import Reporter
from genrereport.settings import Settings

# A number of workers, or a function that says how many a stage may start now (its share of
# the build's cores, `Settings.share`).
Jobs = Union[int, Callable[[], int]]


def jobs_now(n_jobs: Jobs) -> int:
    """The workers to start for the next parallel step."""
    return max(1, int(n_jobs() if callable(n_jobs) else n_jobs))


@dataclass(frozen=True)
class Context:
    splits: Splits
    settings: Settings
    reporter: Reporter
    baseline_test: float  # the majority-class accuracy on test, which every record compares to

    @property
    def seed(self) -> int:
        return self.settings.seed

    @property
    def n_jobs(self) -> int:
        """The stage's share of the cores now, for a step that runs at one size to its end."""
        return self.settings.jobs_now()

    @property
    def jobs(self) -> Callable[[], int]:
        """The share, read again before each chunk of a long step (see forest.grow_forest)."""
        return self.settings.share()

    @property
    def profile(self):
        return self.settings.profile


class Stopwatch:
    """Seconds since creation, and a context manager that times one block."""

    def __init__(self):
        self.start = time.perf_counter()
        self.last = 0.0

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    @contextmanager
    def time(self):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.last = time.perf_counter() - start
