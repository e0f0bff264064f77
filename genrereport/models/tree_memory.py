"""What a forest's trees weigh: the bound each forest keeps its chunks under, and the estimate
by which the build lets forest stages grow side by side.

A fully grown tree keeps, for each node, a fixed record and one value per genre: on 114 genres
and 68,000 songs a tree weighs tens of MB. A forest never holds more than one chunk of trees
(forest.grow_forest), kept under `CHUNK_BYTES`. Stages run in processes of their own, so two
forests each kept to that bound could hold twice as much together; instead the build starts a
stage that grows forests only when its chunk's estimated weight fits beside those of the forest
stages already running (`BUDGET`, scheduler.run_tasks). Only when stages start depends on this,
never a chunk's size, which decides the order in which its trees' probabilities are added and
with it the last bits of the results.
"""

from __future__ import annotations

import math

# Memory one chunk of trees may take. Chunking never changes the trees, only how many are held
# at once.
CHUNK_BYTES = 1.0e9
# What the forest stages running at once may hold together: what one forest may hold alone
# (two forests of 1 GB each took the 114-genre build to 4.57 GB).
BUDGET = CHUNK_BYTES
# A node's fixed record in scikit-learn's tree arrays (the per-class values come on top).
NODE_RECORD_BYTES = 64
# A bootstrap sample holds about 1 - 1/e of the distinct rows, and a fully grown tree has at most
# one leaf per distinct row it was grown on, and one split fewer than leaves.
BOOTSTRAP_DISTINCT = 1 - math.exp(-1)


def tree_bytes_bound(n_rows: int, n_classes: int) -> float:
    """The most a fully grown tree on `n_rows` rows can weigh: a binary tree has at most
    2n - 1 nodes, each with its record and one value per class."""
    return (2 * n_rows - 1) * (NODE_RECORD_BYTES + 8 * n_classes)


def chunk_within_budget(chunk: int, tree_bytes: float, budget: float | None = None) -> int:
    """How many trees of `tree_bytes` each to grow at a time: `chunk`, or fewer (at least one)
    when `chunk` of them would exceed `budget` (default `CHUNK_BYTES`)."""
    budget = CHUNK_BYTES if budget is None else budget
    if tree_bytes <= 0:
        return chunk
    return max(1, min(chunk, int(budget // tree_bytes)))


def stage_bytes(n_songs: int, n_classes: int, chunk_trees: int) -> float:
    """The weight a forest stage's chunk of trees can be expected to reach, for admission: a
    chunk of `chunk_trees` trees grown on the training songs (the study's split keeps 9/16 of
    them), never more than `CHUNK_BYTES`. The 2018 study's trees (12 genres, 20,000 training
    songs) are estimated at 4 MB and weigh about 2 MB."""
    from genrereport.splitting import TEST_SIZE

    train = n_songs * (1 - TEST_SIZE) ** 2
    per_tree = tree_bytes_bound(max(1, round(BOOTSTRAP_DISTINCT * train)), n_classes)
    return min(CHUNK_BYTES, chunk_trees * per_tree)
