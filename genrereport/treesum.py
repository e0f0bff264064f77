"""A forest's class probabilities summed over its trees in a fixed order.

scikit-learn's forests add their trees' probabilities in whatever order the threads finish, so
with more than one thread the last bits of the mean vary from run to run, and where two classes
tie (common with few trees) the predicted class can flip. Here the trees are summed in fixed
blocks, each block in tree order and the blocks in block order: the same bits whatever the
number of threads, the scheduling, or joblib's backend (the threads are our own, so a Dask
`parallel_config` cannot send the trees to a cluster just to predict).
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

# Trees summed one after another within a block; more blocks than threads keeps them all busy.
BLOCK = 8


@dataclass(frozen=True)
class Trees:
    """Some of a forest's trees, summed as a forest of them would be (`proba_sum`)."""

    estimators_: list
    classes_: np.ndarray


def _as_input(X):
    # What a tree predicts on without checking again: float32, CSR when sparse.
    if sp.issparse(X):
        return sp.csr_matrix(X, dtype=np.float32)
    return np.ascontiguousarray(X, dtype=np.float32)


def proba_sum(model, X, n_jobs: int = 1) -> np.ndarray:
    """Sum over `model.estimators_` of each tree's class probabilities (columns: the model's
    classes), computed on up to `n_jobs` threads, identical bit for bit for any `n_jobs`."""
    X = _as_input(X)
    trees = list(model.estimators_)
    n_classes = len(model.classes_)

    def block(start: int) -> np.ndarray:
        out = np.zeros((X.shape[0], n_classes))
        for tree in trees[start:start + BLOCK]:
            out[:, _columns(tree, model)] += tree.predict_proba(X, check_input=False)
        return out

    starts = range(0, len(trees), BLOCK)
    total = np.zeros((X.shape[0], n_classes))
    if n_jobs > 1 and len(starts) > 1:
        # Each block's sum is added, in block order, as soon as the blocks before it are, and
        # no more than `n_jobs` blocks are under way or waiting: a chunk of 48 trees on 68,000
        # songs of 114 genres would otherwise hold six 62 MB block sums beside its trees.
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            waiting: deque = deque()
            for start in starts:
                if len(waiting) == n_jobs:
                    total += waiting.popleft().result()
                waiting.append(pool.submit(block, start))
            while waiting:
                total += waiting.popleft().result()
    else:
        for start in starts:
            total += block(start)
    return total


def _columns(tree, model):
    # A forest's trees know every class of the forest; a tree grown alone (the study's
    # bootstrap) knows the classes it saw, as codes into the forest's.
    classes = getattr(tree, "classes_", None)
    if classes is None or len(classes) == len(model.classes_):
        return slice(None)
    return np.asarray(classes, dtype=int)


def predict(model, X, n_jobs: int = 1) -> np.ndarray:
    """The class with the highest mean probability (ties: the first), as the forest predicts."""
    return np.asarray(model.classes_)[proba_sum(model, X, n_jobs).argmax(axis=1)]
