"""Forests growing side by side in one process keep their trees, together, within one budget:
each forest's own chunk budget alone let two of them hold twice the memory."""

from __future__ import annotations

import threading
import time

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
