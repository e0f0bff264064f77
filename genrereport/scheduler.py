"""Run the stages of a build side by side, within the cores (`--jobs`).

A stage becomes ready when every stage it reads has a value. Ready stages start in order of
their rank: the expected seconds from them to the end of the build (their own plus the longest
chain after them), so the long chains (the forests) start first and the short independent
stages (the audit's retrainings, exploration, clustering) fill the cores around them. At most
`jobs` stages run at once, and each running stage starts its parallel steps with an equal share
of the cores (`Cores.share`), read again before each step (each chunk of a forest's trees): a
stage running alone has every core, beside another stage half of them. A forest's stage counts
only while it grows a chunk of trees (`Cores.aside`, `Cores.counted`), so that while it waits
for memory that another forest's trees hold, the stages working have its cores. Stages run in
threads: their heavy work (trees, k-means, xgboost, TensorFlow, liblinear) runs in native code
that releases the GIL, and values pass between them without copies.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Callable


class Cores:
    """The build's cores, shared equally among the stages running at the moment."""

    def __init__(self, total: int):
        self.total = max(1, int(total))
        self.running = 0
        self._lock = threading.Lock()

    def share(self) -> int:
        """The workers one running stage may start now."""
        with self._lock:
            return max(1, self.total // max(1, self.running))

    def enter(self) -> None:
        with self._lock:
            self.running += 1

    def leave(self) -> None:
        with self._lock:
            self.running -= 1

    @contextmanager
    def aside(self):
        """Around a stretch of a running stage that mostly waits: the stage does not count in
        it, so the stages working beside it start their next steps with its cores."""
        self.leave()
        try:
            yield
        finally:
            self.enter()

    @contextmanager
    def counted(self):
        """Around the work inside an `aside` block: the stage counts again while it works."""
        self.enter()
        try:
            yield
        finally:
            self.leave()


class Share:
    """A stage's share of the build's cores (`Cores`), as a long step reads it.

    Called, it is the workers the step may start now; the step calls it again before each of
    its parts (each chunk of a forest). A step that waits between its parts (a forest waiting
    for tree memory, see forest.grow_forest) runs `aside()` and does each part `counted()`, so
    that while it waits, the stage working beside it has its cores."""

    def __init__(self, cores, n_jobs: int):
        self._cores = cores  # None outside a build: a stage then has all n_jobs
        self._n_jobs = n_jobs

    def __call__(self) -> int:
        return self._cores.share() if self._cores is not None else self._n_jobs

    def aside(self):
        return self._cores.aside() if self._cores is not None else nullcontext()

    def counted(self):
        return self._cores.counted() if self._cores is not None else nullcontext()


@dataclass
class Task:
    name: str
    deps: tuple[str, ...]
    run: Callable[[], object]  # computes and stores the stage's value
    cost: float = 1.0  # expected seconds, for the order only


@dataclass
class _State:
    done: set = field(default_factory=set)
    running: set = field(default_factory=set)
    failed: BaseException | None = None


def ranks(tasks: dict[str, Task]) -> dict[str, float]:
    """Each task's expected seconds to the end of the build through its longest chain of
    dependents (the "upward rank" of list scheduling)."""
    dependents: dict[str, list[str]] = {n: [] for n in tasks}
    for t in tasks.values():
        for d in t.deps:
            if d in dependents:
                dependents[d].append(t.name)
    out: dict[str, float] = {}
    visiting: set[str] = set()

    def rank(name: str) -> float:
        if name not in out:
            if name in visiting:
                raise RuntimeError(f"stages wait on each other: {', '.join(sorted(visiting))}")
            visiting.add(name)
            out[name] = tasks[name].cost + max((rank(c) for c in dependents[name]), default=0.0)
            visiting.discard(name)
        return out[name]

    for name in tasks:
        rank(name)
    return out


def run_tasks(tasks: dict[str, Task], jobs: int, *, wrap=None, poll: float = 0.2) -> None:
    """Run every task after its dependencies (those outside `tasks` are already done), at most
    `jobs` at a time. The first failure is raised as soon as it happens; stages still running
    then are abandoned (their threads are daemons: the process does not wait for them).
    `wrap(task)` may return a context manager entered around each task in its thread."""
    order = ranks(tasks)
    position = {name: i for i, name in enumerate(tasks)}
    state = _State()
    changed = threading.Condition()

    def work(task: Task) -> None:
        try:
            if wrap is None:
                task.run()
            else:
                with wrap(task):
                    task.run()
        except BaseException as exc:  # reported by the main thread, which raises it
            with changed:
                state.failed = state.failed or exc
                changed.notify_all()
            return
        with changed:
            state.running.discard(task.name)
            state.done.add(task.name)
            changed.notify_all()

    pending = dict(tasks)
    with changed:
        while pending or state.running:
            if state.failed is not None:
                raise state.failed
            ready = [t for t in pending.values()
                     if all(d in state.done or d not in tasks for d in t.deps)]
            ready.sort(key=lambda t: (-order[t.name], position[t.name]))
            for task in ready[: max(0, jobs - len(state.running))]:
                del pending[task.name]
                state.running.add(task.name)
                threading.Thread(target=work, args=(task,), name=f"stage-{task.name}",
                                 daemon=True).start()
            if pending and not state.running and not ready:
                raise RuntimeError(f"stages wait on each other: {', '.join(sorted(pending))}")
            # A timeout, so that Ctrl-C reaches the main thread while stages run.
            changed.wait(poll)
        if state.failed is not None:
            raise state.failed


@contextmanager
def share(settings):
    """Around one stage in its thread: it counts as running for the share of the cores, and
    joblib uses the build's backend."""
    from genrereport import backends

    cores = settings.cores
    if cores is not None:
        cores.enter()
    try:
        with backends.stage_backend(settings):
            yield
    finally:
        if cores is not None:
            cores.leave()
