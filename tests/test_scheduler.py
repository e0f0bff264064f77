"""The scheduler runs stages after their inputs, side by side within the cores, long chains
first, and reports a failure at once."""

from __future__ import annotations

import threading
import time

import pytest

from genrereport import scheduler
from genrereport.scheduler import Cores, Task


class Log:
    def __init__(self):
        self.lock = threading.Lock()
        self.events: list[tuple[str, str]] = []
        self.running = 0
        self.most = 0

    def task(self, name, deps=(), cost=1.0, seconds=0.05, fail=False):
        def run():
            with self.lock:
                self.events.append(("start", name))
                self.running += 1
                self.most = max(self.most, self.running)
            time.sleep(seconds)
            with self.lock:
                self.running -= 1
                self.events.append(("end", name))
            if fail:
                raise ValueError(f"{name} failed")

        return Task(name, tuple(deps), run, cost)

    def when(self, kind, name):
        return self.events.index((kind, name))


def test_stages_start_after_their_inputs_and_never_more_than_jobs_at_once():
    log = Log()
    tasks = {t.name: t for t in (
        log.task("a"), log.task("b"), log.task("c"), log.task("d"),
        log.task("sum", deps=("a", "b", "c", "d")), log.task("after", deps=("sum",)))}
    scheduler.run_tasks(tasks, jobs=2)
    assert log.most == 2
    for dep in "abcd":
        assert log.when("end", dep) < log.when("start", "sum")
    assert log.when("end", "sum") < log.when("start", "after")


def test_one_job_runs_one_stage_at_a_time():
    log = Log()
    scheduler.run_tasks({n: log.task(n) for n in "abc"}, jobs=1)
    assert log.most == 1


def test_independent_stages_overlap():
    log = Log()
    start = time.perf_counter()
    scheduler.run_tasks({n: log.task(n, seconds=0.3) for n in "ab"}, jobs=2)
    assert log.most == 2 and time.perf_counter() - start < 0.55


def test_the_longest_chain_starts_first():
    # "short" is listed first and costs more on its own, but "head" leads a longer chain, and
    # once it is done its "tail" is still the longer way to the end.
    log = Log()
    tasks = {t.name: t for t in (log.task("short", cost=5.0), log.task("head", cost=1.0),
                                 log.task("tail", deps=("head",), cost=10.0))}
    assert scheduler.ranks(tasks) == {"short": 5.0, "head": 11.0, "tail": 10.0}
    scheduler.run_tasks(tasks, jobs=1)
    assert [name for kind, name in log.events if kind == "start"] == ["head", "tail", "short"]


def test_a_failure_is_raised_without_waiting_for_long_stages():
    log = Log()
    tasks = {t.name: t for t in (log.task("slow", seconds=3.0),
                                 log.task("bad", fail=True), log.task("later", deps=("bad",)))}
    start = time.perf_counter()
    with pytest.raises(ValueError, match="bad failed"):
        scheduler.run_tasks(tasks, jobs=2)
    assert time.perf_counter() - start < 1.5
    assert ("start", "later") not in log.events


def test_a_cycle_is_an_error_not_a_hang():
    log = Log()
    with pytest.raises(RuntimeError, match="wait on each other"):
        scheduler.run_tasks({t.name: t for t in (log.task("x", deps=("y",)),
                                                 log.task("y", deps=("x",)))}, jobs=2)


def test_each_running_stage_gets_an_equal_share_of_the_cores():
    cores = Cores(4)
    assert cores.share() == 4
    cores.enter()
    assert cores.share() == 4
    cores.enter()
    assert cores.share() == 2
    for _ in range(3):
        cores.enter()
    assert cores.share() == 1  # never less than one
    for _ in range(4):
        cores.leave()
    assert cores.share() == 4


def test_a_forest_takes_the_cores_other_stages_free_while_it_grows(monkeypatch):
    """A long forest started beside another stage must not keep half the cores to the end:
    its share is read again before each chunk of trees."""
    import numpy as np

    from genrereport.models import forest

    cores = Cores(2)
    cores.enter()  # this stage
    cores.enter()  # another stage, which ends after the first chunk
    seen = []
    real_chunk = forest._chunk

    def chunk(k, rng, n_jobs, params, study_class_weight):
        seen.append(n_jobs)
        if len(seen) == 1:
            cores.leave()
        return real_chunk(k, rng, n_jobs, params, study_class_weight)

    monkeypatch.setattr(forest, "_chunk", chunk)
    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 3), rng.randint(0, 2, 60)
    forest.grow_forest(X, y, {"x": X}, 9, n_classes=2, seed=0, chunk=3, n_jobs=cores.share)
    assert seen == [1, 2, 2]


def test_a_forest_search_reads_the_share_before_each_forest(monkeypatch):
    import numpy as np

    from genrereport.models import forest

    cores = Cores(2)
    cores.enter()
    cores.enter()
    seen = []
    real_grow = forest.grow_forest

    def grow(*args, n_jobs, **kw):
        seen.append(n_jobs() if callable(n_jobs) else n_jobs)
        if len(seen) == 1:
            cores.leave()
        return real_grow(*args, n_jobs=n_jobs, **kw)

    monkeypatch.setattr(forest, "grow_forest", grow)
    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 3), rng.randint(0, 2, 60)
    forest.search_forest(X, y, distributions={"n_estimators": [2, 3], "max_features": [1, 2]},
                         n_iter=2, cv=2, seed=0, n_classes=2, chunk=2, n_jobs=cores.share)
    assert seen[0] == 1 and seen[-1] == 2
