"""Class-weighted forests: the study's semantics reproduced exactly, and today's library
behaviour tested directly (scikit-learn 1.9 changed it silently, see study_bootstrap.py).

The reference was fitted by scikit-learn 1.8 itself (tests/reference/make_forest_reference.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier

from genrereport.models import forest
from genrereport.models.study_bootstrap import UniformBootstrapForest, bootstrap_counts
from tests.reference.make_forest_reference import (CLASS_SIZES, CLASS_WEIGHT, SEED, TREES,
                                                   reference_data)

REFERENCE = json.loads((Path(__file__).parent / "reference" / "forest_sklearn_1_8.json")
                       .read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def data():
    X, y, X_eval = reference_data()
    return X, y, X_eval


def _proba(name: str) -> np.ndarray:
    return np.array(REFERENCE[name]["proba"])


def test_reference_was_made_by_scikit_learn_1_8():
    assert REFERENCE["sklearn"].startswith("1.8.")
    assert REFERENCE["trees"] == TREES and REFERENCE["seed"] == SEED


def test_study_semantics_reproduce_scikit_learn_1_8(data):
    X, y, X_eval = data
    grown = UniformBootstrapForest(TREES, np.random.RandomState(SEED), CLASS_WEIGHT, n_jobs=2,
                                   max_features="sqrt").fit(X.astype(np.float32), y)
    assert np.abs(grown.predict_proba(X_eval.astype(np.float32)) - _proba("weighted")).max() < 1e-9


@pytest.mark.parametrize("chunk", [1, 5, TREES])
def test_chunked_weighted_forest_is_the_same_forest(data, chunk):
    X, y, X_eval = data
    grown = forest.grow_forest(X, y, {"eval": X_eval}, TREES, n_classes=len(CLASS_SIZES),
                               seed=SEED, chunk=chunk, n_jobs=2,
                               params={"max_features": "sqrt"}, study_class_weight=CLASS_WEIGHT)
    assert np.abs(grown.proba["eval"] - _proba("weighted")).max() < 1e-9
    assert np.abs(grown.importances - np.array(REFERENCE["weighted"]["importances"])).max() < 1e-9


def test_unweighted_forests_did_not_change(data):
    """Where no weights are given, today's forest is the study's: the plain forests stay as
    they are (and are not re-implemented)."""
    X, y, X_eval = data
    today = RandomForestClassifier(n_estimators=TREES, random_state=SEED, max_features="sqrt")
    assert np.abs(today.fit(X, y).predict_proba(X_eval) - _proba("unweighted")).max() < 1e-9


def test_todays_library_draws_the_bootstrap_by_class_weight(data):
    """The behaviour this project depends on, tested directly: scikit-learn 1.9 and later draw a
    weighted forest's bootstrap in proportion to the weights. If this fails, the library changed
    again: re-check the weighted forests and study_bootstrap.py."""
    X, y, X_eval = data
    today = RandomForestClassifier(n_estimators=TREES, random_state=SEED, max_features="sqrt",
                                   class_weight=CLASS_WEIGHT).fit(X, y)
    assert np.abs(today.predict_proba(X_eval) - _proba("weighted")).max() > 0.1
    rare = int(np.argmax(list(CLASS_WEIGHT.values())))
    drawn = np.concatenate([y[idx] for idx in today.estimators_samples_])
    uniform_share = np.mean(y == rare)
    weighted_share = (CLASS_WEIGHT[rare] * CLASS_SIZES[rare]
                      / sum(CLASS_WEIGHT[c] * n for c, n in enumerate(CLASS_SIZES)))
    share = np.mean(drawn == rare)
    assert abs(share - weighted_share) < abs(share - uniform_share)


def test_bootstrap_counts_are_a_uniform_draw_of_n_rows():
    counts = bootstrap_counts(3, 1000)
    assert counts.sum() == 1000 and counts.min() >= 0
    # about 1/e of the rows are left out of a bootstrap sample
    assert 0.33 < np.mean(counts == 0) < 0.41


def test_a_weighted_tree_sees_counts_times_weights(data):
    """The weights reach the trees: doubling every weight changes nothing (only ratios matter),
    while changing one class's weight changes the forest."""
    X, y, X_eval = data
    Xf, Ef = X.astype(np.float32), X_eval.astype(np.float32)

    def proba(weights):
        return UniformBootstrapForest(4, np.random.RandomState(1), weights,
                                      max_features="sqrt").fit(Xf, y).predict_proba(Ef)

    base = proba(CLASS_WEIGHT)
    assert np.allclose(proba({c: 2 * w for c, w in CLASS_WEIGHT.items()}), base)
    assert not np.allclose(proba({**CLASS_WEIGHT, 3: 80.0}), base)


def test_forest_only_arguments_are_refused():
    with pytest.raises(TypeError, match="class_weight"):
        UniformBootstrapForest(2, np.random.RandomState(0), {}, class_weight={0: 1})


def test_the_weighted_forests_stage_passes_its_weights_to_the_trees():
    """weights.fit: equal weights grow the plain forest's trees; other weights change them; and
    today's semantics are a different forest again."""
    from sklearn.datasets import make_classification

    from genrereport.models import splits, weights
    from genrereport.models.context import Context
    from genrereport.progress import Reporter
    from genrereport.settings import PROFILES, Settings

    X, y = make_classification(n_samples=400, n_features=6, n_informative=4, n_classes=3,
                               weights=[0.7, 0.2, 0.1], random_state=2)
    cut = splits.Splits(tuple(f"f{i}" for i in range(6)), ("a", "b", "c"), X, y,
                        np.arange(0, 250), np.arange(250, 320), np.arange(320, 400))
    ctx = Context(cut, Settings(profile=PROFILES["quick"], n_jobs=1), Reporter(quiet=True), 0.7)
    plain = forest.final_forest(ctx, 8)
    equal = weights.fit(ctx, np.ones(3), trees=8)
    skewed = weights.fit(ctx, np.array([1.0, 4.0, 9.0]), trees=8)
    today = weights.fit(ctx, np.array([1.0, 4.0, 9.0]), trees=8, semantics=weights.TODAY_SEMANTICS)
    assert np.allclose(equal.proba["test"], plain.proba["test"])
    assert not np.allclose(skewed.proba["test"], plain.proba["test"])
    assert not np.allclose(today.proba["test"], skewed.proba["test"])
    with pytest.raises(ValueError, match="semantics"):
        weights.fit(ctx, np.ones(3), trees=2, semantics="other")
