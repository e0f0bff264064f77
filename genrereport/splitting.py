"""The study's split scheme (protocol §4), shared by the classifiers and the cluster forests:
25 % of the songs for test, then 25 % of the rest for validation, both stratified on the label,
random_state 24. Splitting row positions draws the same permutation as splitting the feature
matrix itself: the shuffle depends only on the number of rows, the labels and the seed.
"""

from __future__ import annotations

import numpy as np

TEST_SIZE = 0.25  # train_test_split's default, which the study relied on for both cuts


def can_stratify(y: np.ndarray) -> bool:
    """Whether a stratified cut is possible: two songs of every class, and enough rows."""
    _, counts = np.unique(y, return_counts=True)
    return bool(counts.size) and int(counts.min()) >= 2 and len(y) >= 4 * len(counts)


def study_split(y: np.ndarray, seed: int, *, strict: bool = True):
    """Row positions (train, val, test) and whether both cuts were stratified.

    With `strict`, a label set that cannot be stratified is an error (the classifiers need the
    study's cuts); otherwise the cut falls back to an unstratified one (tiny test data)."""
    # Imported here: the build's own process reads TEST_SIZE (tree_memory.py), not the split.
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(y))
    stratified = strict or can_stratify(y)
    rest, test = train_test_split(rows, test_size=TEST_SIZE, stratify=y if stratified else None,
                                  random_state=seed)
    stratified = stratified and (strict or can_stratify(y[rest]))
    train, val = train_test_split(rest, test_size=TEST_SIZE,
                                  stratify=y[rest] if stratified else None, random_state=seed)
    return train, val, test, stratified
