"""Permutation importance on held-out songs: how much test accuracy a model loses when one
feature's values are shuffled among the test songs, repeated, with an interval.

Impurity importances (a forest's own) favour continuous features with many values (Strobl et
al. 2007); shuffling a feature on songs the model never saw measures what it relies on for
them. It is computed inside the stage that trains the model, because the cache holds data, not
fitted models: a stage of its own would have to train the 5,000-tree forest again. The forest
sums its trees' probabilities on the shuffled copies chunk by chunk, as it does on the test
songs, so the importances are those of the whole forest.

To stay within a few percent of the build, the shuffles use a fixed sample of the test songs
(`SONGS`) and `REPEATS` shuffles per feature, all drawn from the build's seed.
"""

from __future__ import annotations

import math
import time

import numpy as np

SONGS = 1000
REPEATS = 5
LEVEL = 0.95
BASE = "perm:base"


def shuffled_sets(X_test, y_test, seed: int, songs: int = SONGS,
                  repeats: int = REPEATS) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The sampled test songs as they are (`BASE`) and, for each feature and repeat, a copy
    with that feature's column shuffled (`perm:<feature>:<repeat>`); and their labels."""
    rng = np.random.RandomState(seed)
    X = np.asarray(X_test.toarray() if hasattr(X_test, "toarray") else X_test, dtype=np.float64)
    y = np.asarray(y_test)
    rows = np.sort(rng.choice(len(y), size=min(songs, len(y)), replace=False))
    X, y = X[rows], y[rows]
    sets = {BASE: X}
    for j in range(X.shape[1]):
        for r in range(repeats):
            copy = X.copy()
            copy[:, j] = X[rng.permutation(len(y)), j]
            sets[f"perm:{j}:{r}"] = copy
    return sets, y


def summarise(features, predictions: dict[str, np.ndarray], y: np.ndarray, seconds: float,
              repeats: int = REPEATS) -> dict:
    """Each feature's mean drop in accuracy over its shuffles, with a `LEVEL` interval of that
    mean (Student's t over the repeats), most important first."""
    from scipy import stats

    base = float(np.mean(predictions[BASE] == y))
    t = stats.t.ppf(0.5 + LEVEL / 2, repeats - 1) if repeats > 1 else 0.0
    rows = []
    for j, feature in enumerate(features):
        drops = np.array([base - float(np.mean(predictions[f"perm:{j}:{r}"] == y))
                          for r in range(repeats)])
        half = t * drops.std(ddof=1) / math.sqrt(repeats) if repeats > 1 else 0.0
        rows.append({"feature": feature, "mean": float(drops.mean()),
                     "low": float(drops.mean() - half), "high": float(drops.mean() + half)})
    rows.sort(key=lambda r: -r["mean"])
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return {"songs": int(len(y)), "repeats": repeats, "level": LEVEL, "accuracy": base,
            "seconds": seconds, "features": rows}


def stacked(sets: dict[str, np.ndarray]) -> np.ndarray:
    """All the sets as one matrix (one prediction call instead of one per set)."""
    return np.vstack(list(sets.values()))


def unstacked(sets: dict[str, np.ndarray], predicted: np.ndarray) -> dict[str, np.ndarray]:
    """The predictions of `stacked(sets)`, set by set."""
    n = len(next(iter(sets.values())))
    return {name: predicted[i * n:(i + 1) * n] for i, name in enumerate(sets)}


def of_model(predict, features, X_test, y_test, seed: int) -> dict:
    """Permutation importances of a fitted model, given its `predict` (a model held whole:
    XGBoost, the logistic regression)."""
    start = time.perf_counter()
    sets, y = shuffled_sets(X_test, y_test, seed)
    predictions = unstacked(sets, np.asarray(predict(stacked(sets))))
    return summarise(features, predictions, y, time.perf_counter() - start)
