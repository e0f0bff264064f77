"""Forests growing side by side in one process keep their trees, together, within one budget:
each forest's own chunk budget alone let two of them hold twice the memory."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import numpy as np
from sklearn.datasets import make_classification

from genrereport.models import forest, tree_memory


def _grow_two_side_by_side(monkeypatch, budget_total: float):
    X, y = make_classification(n_samples=600, n_features=8, n_informative=5, n_classes=3,
                               random_state=0)
    spans: list[tuple[str, float, float, float]] = []  # (forest, fit start, fit end, tree bytes)
    real_chunk = forest._chunk

    class Timed:
        def __init__(self, model):
            self.model = model

        def fit(self, X_fit, y_fit):
            start = time.perf_counter()
            self.model.fit(X_fit, y_fit)
            time.sleep(0.02)  # long enough that two unguarded chunks overlap
            held = sum(forest._bytes_per_node(t) * t.tree_.node_count
                       for t in self.model.estimators_)
            spans.append((threading.current_thread().name, start, time.perf_counter(), held))
            return self.model

    monkeypatch.setattr(forest, "_chunk", lambda *a, **k: Timed(real_chunk(*a, **k)))
    monkeypatch.setattr(forest, "TREES", tree_memory.TreeBudget(budget_total))
    grown = {}

    def grow(name: str, seed: int) -> None:
        grown[name] = forest.grow_forest(X[:400], y[:400], {"held": X[400:]}, 12, n_classes=3,
                                         seed=seed, chunk=4, n_jobs=1)

    threads = [threading.Thread(target=grow, args=(f"f{i}", i), name=f"f{i}") for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return spans, grown


def test_two_forests_never_hold_chunks_at_once_beyond_the_budget(monkeypatch):
    # A budget that one chunk of 4 small trees fits in, two do not.
    spans, _ = _grow_two_side_by_side(monkeypatch, budget_total=1.0)
    assert len(spans) == 6  # 3 chunks of 4 trees each, in each forest
    for name, start, end, _bytes in spans:
        for other, o_start, o_end, _ in spans:
            if other != name:
                assert end <= o_start or o_end <= start, "two forests held chunks at once"


def test_the_budget_changes_when_a_forest_grows_not_what_it_grows(monkeypatch):
    X, y = make_classification(n_samples=600, n_features=8, n_informative=5, n_classes=3,
                               random_state=0)
    _, grown = _grow_two_side_by_side(monkeypatch, budget_total=1.0)
    alone = forest.grow_forest(X[:400], y[:400], {"held": X[400:]}, 12, n_classes=3, seed=1,
                               chunk=4, n_jobs=1)
    assert np.array_equal(grown["f1"].proba["held"], alone.proba["held"])


def test_a_budget_waits_for_room_and_never_forever():
    budget = tree_memory.TreeBudget(10.0)
    order = []
    with budget.hold(8.0):
        waiter = threading.Thread(target=lambda: budget.hold(5.0).__enter__() or order.append(
            "second"))
        waiter.start()
        time.sleep(0.05)
        order.append("first released")
    waiter.join(2)
    assert order == ["first released", "second"]
    budget.held = 0.0
    with budget.hold(50.0):  # more than the whole budget, with nothing else held: granted
        assert budget.held == 50.0


def _take_turns(monkeypatch, other_stages: int = 0):
    """Two forests' stages in a build of 2 cores (plus `other_stages` working beside them),
    with room for one chunk of trees at a time. Returns, for each time a forest read its share
    of the cores, the share and whether the other forest was growing or waiting then (a stage
    counts while it works before and after its forest); and the stages counted at the end."""
    from genrereport.scheduler import Cores, Share

    X, y = make_classification(n_samples=300, n_features=6, n_informative=4, n_classes=3,
                               random_state=0)
    lock = threading.Lock()
    inside = [0]  # forests between the start and the end of grow_forest
    reads = []

    class Watched(Cores):
        @contextmanager
        def aside(self):
            # The real Cores.aside, with the count of forests inside kept in step with it.
            with lock:
                block = Cores.aside(self)
                block.__enter__()
                inside[0] += 1
            try:
                yield
            finally:
                with lock:
                    inside[0] -= 1
                    block.__exit__(None, None, None)

        def share(self):
            with lock:
                n = Cores.share(self)
                reads.append((n, inside[0] == 2))
                return n

    cores = Watched(2)
    for _ in range(other_stages):
        cores.enter()
    real_chunk = forest._chunk

    def chunk(*args):
        time.sleep(0.02)  # long enough for the other forest to be waiting
        return real_chunk(*args)

    monkeypatch.setattr(forest, "_chunk", chunk)
    monkeypatch.setattr(forest, "TREES", tree_memory.TreeBudget(1.0))
    both_in = threading.Barrier(2)

    grown = {}

    def stage(seed: int) -> None:
        cores.enter()  # as scheduler.share does around each stage
        try:
            both_in.wait(60)
            grown[seed] = forest.grow_forest(X, y, {"x": X}, 12, n_classes=3, seed=seed,
                                             chunk=2, n_jobs=Share(cores, 2))
        finally:
            cores.leave()

    threads = [threading.Thread(target=stage, args=(seed,)) for seed in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(grown) == [1, 2] and all(g.n_trees == 12 for g in grown.values())
    return [n for n, both in reads if both], len(reads), cores.running


def test_forests_taking_turns_grow_with_the_cores_of_the_one_waiting(monkeypatch):
    """On the 114-genre set, rf and the title-word forest took turns on the memory, each chunk
    on one core while the other core stood idle: the waiting forest still counted."""
    while_both, reads, running = _take_turns(monkeypatch)
    assert reads == 12  # six chunks of two trees in each forest
    assert while_both and while_both == [2] * len(while_both)
    assert running == 0  # every stage left as it entered


def test_a_waiting_forest_gives_its_cores_to_the_stages_working_not_to_one_forest(monkeypatch):
    while_both, reads, running = _take_turns(monkeypatch, other_stages=1)
    assert reads == 12
    # Beside the forest growing, another stage works: one core each.
    assert while_both and while_both == [1] * len(while_both)
    assert running == 1


def test_a_forest_outside_a_build_keeps_its_jobs(monkeypatch):
    from genrereport.scheduler import Share

    seen = []
    real_chunk = forest._chunk
    monkeypatch.setattr(forest, "_chunk", lambda k, rng, n_jobs, *a: seen.append(n_jobs)
                        or real_chunk(k, rng, n_jobs, *a))
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    forest.grow_forest(X, y, {"x": X}, 4, n_classes=2, seed=0, chunk=2, n_jobs=Share(None, 3))
    assert seen == [3, 3]
