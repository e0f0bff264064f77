"""The scheduler starts stages after their inputs, at most `jobs` at once, long chains first,
admits forest stages by the memory of their trees, and reports a failure at once."""

from __future__ import annotations

import time

import pytest

from genrereport import scheduler
from genrereport.scheduler import Task


class Clock:
    """Stages that take `seconds` of a simulated clock: `collect` moves it to the next end."""

    def __init__(self, seconds: dict[str, float] | None = None, fail: str | None = None):
        self.seconds = seconds or {}
        self.fail = fail
        self.now = 0.0
        self.running: dict[str, float] = {}  # name -> when it ends
        self.events: list[tuple[str, str]] = []
        self.most = 0
        self.together: list[set[str]] = []

    def launch(self, task: Task, rank: float) -> None:
        self.events.append(("start", task.name))
        self.running[task.name] = self.now + self.seconds.get(task.name, 1.0)
        self.most = max(self.most, len(self.running))
        self.together.append(set(self.running))

    def collect(self, timeout: float) -> list[str]:
        end = min(self.running.values())
        self.now = end
        names = sorted(n for n, t in self.running.items() if t == end)
        for name in names:
            del self.running[name]
            self.events.append(("end", name))
            if name == self.fail:
                raise ValueError(f"{name} failed")
        return names

    def starts(self) -> list[str]:
        return [name for kind, name in self.events if kind == "start"]

    def when(self, kind: str, name: str) -> int:
        return self.events.index((kind, name))


def _run(tasks, jobs, clock, **kw):
    scheduler.run_tasks({t.name: t for t in tasks}, jobs, clock.launch, clock.collect, **kw)


def test_stages_start_after_their_inputs_and_never_more_than_jobs_at_once():
    clock = Clock()
    _run([Task("a", ()), Task("b", ()), Task("c", ()), Task("d", ()),
          Task("sum", ("a", "b", "c", "d")), Task("after", ("sum",))], 2, clock)
    assert clock.most == 2
    for dep in "abcd":
        assert clock.when("end", dep) < clock.when("start", "sum")
    assert clock.when("end", "sum") < clock.when("start", "after")


def test_one_job_runs_one_stage_at_a_time():
    clock = Clock()
    _run([Task(n, ()) for n in "abc"], 1, clock)
    assert clock.most == 1 and len(clock.starts()) == 3


def test_the_longest_chain_starts_first():
    # "short" is listed first and costs more on its own, but "head" leads a longer chain, and
    # once it is done its "tail" is still the longer way to the end.
    tasks = {t.name: t for t in (Task("short", (), 5.0), Task("head", (), 1.0),
                                 Task("tail", ("head",), 10.0))}
    assert scheduler.ranks(tasks) == {"short": 5.0, "head": 11.0, "tail": 10.0}
    clock = Clock()
    _run(list(tasks.values()), 1, clock)
    assert clock.starts() == ["head", "tail", "short"]


def test_a_failure_is_raised_before_later_stages_start():
    clock = Clock({"slow": 30.0}, fail="bad")
    with pytest.raises(ValueError, match="bad failed"):
        _run([Task("slow", ()), Task("bad", ()), Task("later", ("bad",))], 2, clock)
    assert "later" not in clock.starts()
    assert ("end", "slow") not in clock.events  # the caller ends it, not the scheduler


def test_a_cycle_is_an_error_not_a_hang():
    with pytest.raises(RuntimeError, match="wait on each other"):
        _run([Task("x", ("y",)), Task("y", ("x",))], 2, Clock())


def test_forests_start_only_when_their_trees_fit_beside_the_others():
    # Two forest stages of 0.6 each do not fit in a budget of 1.0 together: the second waits,
    # and the stage after it in the order starts in its place.
    clock = Clock({"rf": 10.0, "titles": 5.0, "xgb": 3.0})
    _run([Task("rf", (), 100.0, tree_bytes=0.6), Task("titles", (), 50.0, tree_bytes=lambda: 0.6),
          Task("xgb", (), 1.0)], 2, clock, tree_budget=1.0)
    assert clock.starts() == ["rf", "xgb", "titles"]
    assert all(not {"rf", "titles"} <= running for running in clock.together)
    assert clock.when("end", "rf") < clock.when("start", "titles")


def test_forests_that_fit_grow_side_by_side():
    clock = Clock()
    _run([Task("rf", (), 2.0, tree_bytes=0.4), Task("titles", (), 1.0, tree_bytes=0.4)], 2,
         clock, tree_budget=1.0)
    assert clock.most == 2


def test_a_forest_larger_than_the_budget_starts_once_no_other_forest_grows():
    clock = Clock({"small": 2.0})
    _run([Task("small", (), 5.0, tree_bytes=0.5), Task("huge", (), 1.0, tree_bytes=3.0)], 2,
         clock, tree_budget=1.0)
    assert clock.starts() == ["small", "huge"] and clock.most == 1


def test_the_budget_is_ignored_where_none_is_given():
    clock = Clock()
    _run([Task("a", (), tree_bytes=3.0), Task("b", (), tree_bytes=3.0)], 2, clock)
    assert clock.most == 2


def test_the_share_of_the_cores_follows_the_stages_running():
    from genrereport import processes

    running = processes.counter()
    share = processes.Share(running, 4)
    assert share() == 4  # no stage counted yet: a stage alone
    for n, expected in ((1, 4), (2, 2), (3, 1), (5, 1)):
        running.value = n
        assert share() == expected  # never less than one


def test_a_forest_takes_the_cores_other_stages_free_while_it_grows():
    """A long forest started beside another stage must not keep half the cores to the end:
    its share is read again before each chunk of trees."""
    import numpy as np

    from genrereport import processes
    from genrereport.models import forest

    running = processes.counter()
    running.value = 2
    share = processes.Share(running, 2)
    seen = []

    def jobs():
        seen.append(share())
        running.value = 1  # the other stage ends after the first chunk
        return seen[-1]

    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 3), rng.randint(0, 2, 60)
    forest.grow_forest(X, y, {"x": X}, 9, n_classes=2, seed=0, chunk=3, n_jobs=jobs)
    assert seen == [1, 2, 2]


def test_waiting_for_stages_is_not_a_busy_loop():
    # collect() is given the poll interval: a build waits on its stages' pipes, not a spin.
    waits = []

    def collect(timeout):
        waits.append(timeout)
        time.sleep(0.01)
        return ["a"] if len(waits) == 3 else []

    scheduler.run_tasks({"a": Task("a", ())}, 1, lambda t, r: None, collect, poll=0.25)
    assert waits == [0.25, 0.25, 0.25]
