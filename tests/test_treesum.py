"""A forest's probabilities are summed in a fixed order: the same bits, and so the same predicted
class where two classes tie, whatever the number of threads."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.ensemble import RandomForestClassifier

from genrereport import treesum
from genrereport.models.study_bootstrap import UniformBootstrapForest


def _data(n=600, classes=5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, 6)
    y = rng.randint(0, classes, n)
    return X, y


def test_the_sum_is_the_same_bits_for_any_number_of_threads():
    X, y = _data()
    forest = RandomForestClassifier(n_estimators=37, random_state=3, n_jobs=2).fit(X, y)
    sums = [treesum.proba_sum(forest, X, n_jobs) for n_jobs in (1, 2, 3, 8)]
    for other in sums[1:]:
        assert other.tobytes() == sums[0].tobytes()
    # and it is the forest's own mean, times its trees
    np.testing.assert_allclose(sums[0] / 37, forest.predict_proba(X), rtol=0, atol=1e-12)


def test_predictions_are_the_forests_and_ties_go_to_the_first_class():
    X, y = _data()
    forest = RandomForestClassifier(n_estimators=2, random_state=1).fit(X, y)
    mean = treesum.proba_sum(forest, X) / 2
    ties = np.sort(mean, axis=1)[:, -1] == np.sort(mean, axis=1)[:, -2]
    assert ties.any()  # two trees tie often: the case the fixed order is for
    pred = treesum.predict(forest, X, n_jobs=4)
    assert (pred == forest.classes_[mean.argmax(axis=1)]).all()
    assert (pred == forest.predict(X)).mean() > 0.99


def test_sparse_input_and_the_study_bootstrap_forest():
    X, y = _data(classes=3)
    Xs = sp.csr_matrix(np.where(X > 0.5, X, 0.0))
    forest = RandomForestClassifier(n_estimators=9, random_state=2).fit(Xs.tocsc(), y)
    np.testing.assert_allclose(treesum.proba_sum(forest, Xs, 2) / 9,
                               forest.predict_proba(Xs), atol=1e-12)
    study = UniformBootstrapForest(6, np.random.RandomState(4), {0: 1.0, 1: 2.0, 2: 0.5}).fit(X, y)
    np.testing.assert_allclose(treesum.proba_sum(study, X, 3) / 6, study.predict_proba(X),
                               atol=1e-12)


def test_only_a_few_block_sums_are_held_at_once():
    # A chunk of 48 trees predicting 68,000 songs of 114 genres used to hold all six of its
    # 62 MB block sums until the last was done, beside the chunk's trees (the 114-genre build's
    # peak). Now a block's sum is added as soon as the blocks before it are: at most one block
    # per thread waits. Numpy's allocations are traced by tracemalloc.
    import tracemalloc

    X, y = _data(n=300, classes=40)
    forest = RandomForestClassifier(n_estimators=12 * treesum.BLOCK, random_state=0).fit(X, y)
    big = np.random.RandomState(1).rand(20_000, 6)
    block_bytes = big.shape[0] * 40 * 8
    expected = treesum.proba_sum(forest, big, 1)
    tracemalloc.start()
    try:
        got = treesum.proba_sum(forest, big, 2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got.tobytes() == expected.tobytes()
    # the total, one block per thread being filled and its tree's output, one finished block
    # waiting, and the input's float32 copy: about 6 blocks; holding all of them would be 13
    assert peak < 8 * block_bytes, peak / block_bytes
