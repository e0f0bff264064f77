"""The order in which a build starts its stages, and how many it runs at once.

A stage becomes ready when every stage it reads has a value. Ready stages start in order of
their rank: the expected seconds from them to the end of the build (their own plus the longest
chain after them), so the long chains (the forests) start first and the short independent
stages (the audit's retrainings, exploration, clustering) fill the cores around them. At most
`jobs` stages run at once (each in a process of its own, see processes.py), and a stage that
grows forests starts only when its trees fit beside those of the forests already growing
(`tree_budget`): a forest that does not fit waits, and stages after it in the order start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable


@dataclass
class Task:
    name: str
    deps: tuple[str, ...]
    cost: float = 1.0  # expected seconds, for the order only
    # The memory its forests' trees may take at once, in bytes (0: it grows none). A function,
    # read when the stage is ready: it depends on the songs, known once they are binned.
    tree_bytes: Callable[[], float] | float = 0.0

    def trees(self) -> float:
        return float(self.tree_bytes() if callable(self.tree_bytes) else self.tree_bytes)


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


def run_tasks(tasks: dict[str, Task], jobs: int, launch: Callable[[Task, float], None],
              collect: Callable[[float], Iterable[str]], *, tree_budget: float | None = None,
              poll: float = 0.5) -> None:
    """Run every task after its dependencies (those outside `tasks` are already done), at most
    `jobs` at a time, the highest rank first.

    `launch(task, rank)` starts a task; `collect(timeout)` waits up to `timeout` seconds and
    returns the names of the tasks that finished, raising the first failure. The caller ends
    what still runs if this raises."""
    order = ranks(tasks)
    position = {name: i for i, name in enumerate(tasks)}
    pending = dict(tasks)
    running: dict[str, float] = {}  # name -> the bytes of trees it was admitted with
    done: set[str] = set()
    while pending or running:
        ready = [t for t in pending.values()
                 if all(d in done or d not in tasks for d in t.deps)]
        ready.sort(key=lambda t: (-order[t.name], position[t.name]))
        for task in ready:
            if len(running) >= jobs:
                break
            trees = task.trees() if tree_budget is not None else 0.0
            held = sum(running.values())
            # A forest waits while others' trees would leave no room for its own; one larger
            # than the whole budget starts as soon as no other forest grows.
            if trees and held and held + trees > tree_budget:
                continue
            del pending[task.name]
            running[task.name] = trees
            launch(task, order[task.name])
        if pending and not running:
            raise RuntimeError(f"stages wait on each other: {', '.join(sorted(pending))}")
        for name in collect(poll):
            running.pop(name, None)
            done.add(name)
