"""Unit tests of the model stage's parts, on small hand-made data (no mirror needed)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

from genrereport.study import load_study
from sklearn.model_selection import RandomizedSearchCV

from genrereport import pipeline
from genrereport.models import (ORDER, PROFILE_FIELDS, changes, forest, logreg, metrics, ovr, sgd,
                                splits, study, titles, tree_memory, weights)
from genrereport.settings import PROFILES


@pytest.fixture(scope="module")
def small():
    X, y = make_classification(n_samples=500, n_features=8, n_informative=5, n_classes=4,
                               random_state=0)
    return X, y


# --- class weights -----------------------------------------------------------------------------

def test_norm_weights_are_majority_over_count():
    y = np.array([0] * 10 + [1] * 5 + [2] * 2 + [3] * 40)
    assert weights.norm_weights(y, 4).tolist() == pytest.approx([4.0, 8.0, 20.0, 1.0])


def test_pred_weights_count_an_unpredicted_class_as_one():
    pred = np.array([2] * 30 + [0] * 3)
    w = weights.pred_weights(pred, 4)
    assert w.tolist() == pytest.approx([10.0, 30.0, 1.0, 30.0])
    assert np.isfinite(w).all()


def test_weight_rows_put_the_study_value_beside_each_genre():
    rows = weights.weight_rows(np.array([2.0, 1.0]), [5, 10], ("classical", "mystery"),
                               study.weights({"weights_norm": {"classical": 4.5}}, "norm"))
    assert rows == [{"genre": "classical", "weight": 2.0, "count": 5, "study": 4.5},
                    {"genre": "mystery", "weight": 1.0, "count": 10, "study": None}]


# --- chunked forest ----------------------------------------------------------------------------

@pytest.mark.parametrize("chunk", [1, 4, 5, 15])
def test_chunked_forest_is_the_single_forest(small, chunk):
    """3 × 5 trees from one random stream = RandomForestClassifier(15 trees, same seed)."""
    X, y = small
    grown = forest.grow_forest(X[:400], y[:400], {"held": X[400:]}, 15, n_classes=4, seed=11,
                               chunk=chunk, n_jobs=2, params={"max_features": "sqrt"})
    whole = RandomForestClassifier(n_estimators=15, random_state=11, max_features="sqrt")
    whole.fit(X[:400], y[:400])
    assert grown.n_trees == 15
    np.testing.assert_allclose(grown.proba["held"], whole.predict_proba(X[400:]), atol=1e-12)
    np.testing.assert_array_equal(grown.predict("held"), whole.predict(X[400:]))
    np.testing.assert_allclose(grown.importances, whole.feature_importances_, atol=1e-12)


def test_chunks_stay_within_the_memory_budget(small, monkeypatch):
    """Trees that outgrow the budget are grown fewer at a time, and the forest is the same."""
    X, y = small
    sizes = []
    real = forest._chunk

    def spy(k, *args, **kwargs):
        sizes.append(k)
        return real(k, *args, **kwargs)

    monkeypatch.setattr(forest, "_chunk", spy)
    free = forest.grow_forest(X[:400], y[:400], {"held": X[400:]}, 12, n_classes=4, seed=2,
                              chunk=6, n_jobs=1)
    assert sizes == [6, 6]
    tree = free.forest_bytes / free.n_trees
    # A budget of about three measured trees; the first chunk goes by the (larger) upper bound.
    monkeypatch.setattr(tree_memory, "CHUNK_BYTES", 3.5 * tree)
    sizes.clear()
    tight = forest.grow_forest(X[:400], y[:400], {"held": X[400:]}, 12, n_classes=4, seed=2,
                               chunk=6, n_jobs=1)
    bound = tree_memory.tree_bytes_bound(400, 4)
    assert bound > tree
    assert sizes[0] == max(1, int(3.5 * tree // bound)) and max(sizes) <= 3
    assert sum(sizes) == 12 and len(sizes) >= 4
    np.testing.assert_allclose(tight.proba["held"], free.proba["held"], atol=1e-12)
    np.testing.assert_array_equal(tight.importances, free.importances)


def test_chunk_within_budget():
    assert tree_memory.chunk_within_budget(100, 2e6, budget=1e9) == 100
    assert tree_memory.chunk_within_budget(100, 40e6, budget=1e9) == 25
    assert tree_memory.chunk_within_budget(100, 5e9, budget=1e9) == 1
    # the bound: 2n - 1 nodes of a 64-byte record and a float64 per class
    assert tree_memory.tree_bytes_bound(3, 2) == 5 * (64 + 16)


def test_chunked_forest_differs_with_another_seed(small):
    # The comparison above can fail: another seed gives other trees.
    X, y = small
    grown = forest.grow_forest(X[:400], y[:400], {"held": X[400:]}, 15, n_classes=4, seed=12,
                               chunk=5, n_jobs=1)
    whole = RandomForestClassifier(n_estimators=15, random_state=11).fit(X[:400], y[:400])
    assert not np.allclose(grown.proba["held"], whole.predict_proba(X[400:]))


def test_checkpoints_see_the_first_trees(small):
    X, y = small
    seen = {}
    forest.grow_forest(X[:400], y[:400], {"held": X[400:]}, 12, n_classes=4, seed=3, chunk=5,
                       n_jobs=1, checkpoints=(3, 12), on_checkpoint=lambda n, p: seen.update(
                           {n: p["held"].copy()}))
    three = RandomForestClassifier(n_estimators=3, random_state=3).fit(X[:400], y[:400])
    np.testing.assert_allclose(seen[3], three.predict_proba(X[400:]), atol=1e-12)
    assert set(seen) == {3, 12}


def test_the_default_forest_is_read_off_the_first_trees_of_the_final_one(small):
    """The study's default forest of 10 trees, bit for bit, from the first chunk of a larger
    forest with the same seed; none when the first chunk holds fewer trees."""
    from genrereport import treesum

    X, y = small
    grown = forest.grow_forest(X[:400], y[:400], {"held": X[400:]}, 40, n_classes=4, seed=3,
                               chunk=20, n_jobs=2, prefix=10, params={"max_features": "sqrt"})
    default = RandomForestClassifier(n_estimators=10, random_state=3).fit(X[:400], y[:400])
    assert np.array_equal(grown.prefix["held"], treesum.proba_sum(default, X[400:], 2))
    assert not np.array_equal(grown.prefix["held"] / 10, grown.proba["held"])
    # Its time is its trees' part of the first chunk's (10 of 40), not the whole chunk's.
    one_chunk = forest.grow_forest(X[:400], y[:400], {"held": X[400:]}, 40, n_classes=4, seed=3,
                                   chunk=40, n_jobs=2, prefix=10)
    assert 0 < one_chunk.prefix_seconds <= one_chunk.seconds * 10 / 40
    small_chunks = forest.grow_forest(X[:400], y[:400], {"held": X[400:]}, 40, n_classes=4,
                                      seed=3, chunk=8, n_jobs=2, prefix=10)
    assert small_chunks.prefix is None


def test_forest_search_scores_like_randomized_search_cv(small):
    X, y = small
    dist = {"n_estimators": [1, 3, 8], "max_features": [None, "sqrt", "log2"]}
    ours = forest.search_forest(X, y, distributions=dist, n_iter=5, cv=3, seed=5, n_classes=4,
                                chunk=2, n_jobs=1)
    theirs = RandomizedSearchCV(RandomForestClassifier(random_state=5), dist, n_iter=5, cv=3,
                                random_state=5, refit=False).fit(X, y)
    assert [c["params"] for c in ours["candidates"]] == theirs.cv_results_["params"]
    np.testing.assert_allclose([c["mean"] for c in ours["candidates"]],
                               theirs.cv_results_["mean_test_score"], atol=1e-12)
    np.testing.assert_allclose([c["std"] for c in ours["candidates"]],
                               theirs.cv_results_["std_test_score"], atol=1e-12)
    assert [c["rank"] for c in ours["candidates"]] == theirs.cv_results_["rank_test_score"].tolist()
    assert ours["best_params"] == theirs.best_params_


def test_search_tree_count_shares_the_growing_forest():
    dist = {"n_estimators": [1, 10, 25, 50, 100, 500, 1000], "max_features": [None, "sqrt", "log2"]}
    # The study's search: 1000 + 500 trees without max_features share one 1000-tree forest; on
    # its 11 features, 100 trees of "log2" (3 features) are the first of 1000 of "sqrt" (3).
    assert forest.search_trees(dist, 10, 24, n_features=11) == 3 * (1000 + 1000)
    assert forest.search_trees(dist, 10, 24, n_features=8) == 3 * (1000 + 1000 + 100)


@pytest.mark.parametrize("n_features", range(1, 41))
def test_max_features_resolves_as_the_librarys_trees_resolve_it(n_features):
    from sklearn.tree import DecisionTreeClassifier

    X = np.random.RandomState(0).rand(20, n_features)
    y = np.arange(20) % 2
    for value in (None, "sqrt", "log2", 2, 0.5):
        if isinstance(value, int) and value > n_features:
            continue
        tree = DecisionTreeClassifier(max_features=value, random_state=0).fit(X, y)
        assert forest.resolved_max_features(value, n_features) == tree.max_features_


def test_a_search_reads_log2_off_the_trees_of_sqrt_where_they_resolve_alike():
    """On 11 features "sqrt" and "log2" both draw 3 features per split: their trees are the
    same, so the search grows them once, and scores as RandomizedSearchCV does."""
    X, y = make_classification(n_samples=450, n_features=11, n_informative=6, n_classes=3,
                               random_state=1)
    dist = {"n_estimators": [2, 5, 9], "max_features": ["sqrt", "log2"]}
    grown = []
    real = forest._chunk

    def spy(k, *args, **kwargs):
        grown.append(k)
        return real(k, *args, **kwargs)

    import unittest.mock

    with unittest.mock.patch.object(forest, "_chunk", spy):
        ours = forest.search_forest(X, y, distributions=dist, n_iter=6, cv=3, seed=2,
                                    n_classes=3, chunk=50, n_jobs=1)
    theirs = RandomizedSearchCV(RandomForestClassifier(random_state=2), dist, n_iter=6, cv=3,
                                random_state=2, refit=False).fit(X, y)
    assert sum(grown) == 3 * 9  # one forest of 9 trees per fold, not one per max_features
    assert [c["params"] for c in ours["candidates"]] == theirs.cv_results_["params"]
    assert [c["mean"] for c in ours["candidates"]] == theirs.cv_results_["mean_test_score"].tolist()
    assert [c["rank"] for c in ours["candidates"]] == theirs.cv_results_["rank_test_score"].tolist()


def test_forest_fits_sparse_input_without_densifying(small):
    X, y = small
    Xs = sp.csr_matrix(np.where(X > 0.5, X, 0.0))
    grown = forest.grow_forest(Xs[:400], y[:400], {"held": Xs[400:]}, 6, n_classes=4, seed=1,
                               chunk=3, n_jobs=1)
    dense = forest.grow_forest(Xs[:400].toarray(), y[:400], {"held": Xs[400:].toarray()}, 6,
                               n_classes=4, seed=1, chunk=3, n_jobs=1)
    np.testing.assert_allclose(grown.proba["held"], dense.proba["held"], atol=1e-12)


# --- title words -------------------------------------------------------------------------------

def test_title_matrix_is_sparse_with_audio_columns_first():
    frame = pd.DataFrame({"track_name": ["Love Song", "The Love Remix", None, "Sonata No. 2"],
                          "tempo": [120.0, 128.0, 60.0, 90.0], "energy": [0.5, 0.9, 0.1, 0.2]})
    matrix, names, vocabulary = titles.title_matrix(frame, ("tempo", "energy"))
    assert sp.issparse(matrix) and matrix.format == "csr"
    assert matrix.shape == (4, 2 + vocabulary)
    assert names[:2] == ["tempo", "energy"]
    assert "the" not in names  # English stop words are dropped
    assert {"love", "remix", "sonata", "song"} <= set(names)
    love = names.index("love")
    assert matrix[:, love].toarray().ravel().tolist() == [1, 1, 0, 0]
    assert matrix[0, 0] == 120.0


def test_top_importances_split_audio_and_words():
    names = ["tempo", "energy", "love", "remix", "op"]
    overall, words = titles.top_importances(names, [0.3, 0.1, 0.35, 0.05, 0.2], n_audio=2, n=3)
    assert [r["feature"] for r in overall] == ["love", "tempo", "op"]
    assert [r["kind"] for r in overall] == ["word", "audio", "word"]
    assert [r["feature"] for r in words] == ["love", "op", "remix"]


# --- splits, metrics, densities ----------------------------------------------------------------

def test_labels_are_alphabetical_codes():
    classes, codes = splits.encode_labels(["rock", "classical", "pop", "rock"])
    assert classes == ("classical", "pop", "rock")
    assert codes.tolist() == [2, 0, 1, 2]


def test_splits_are_the_studys_two_stratified_cuts():
    rng = np.random.default_rng(0)
    n = 1000
    frame = pd.DataFrame({f: rng.random(n) for f in ("acousticness", "danceability", "energy",
                                                       "instrumentalness", "liveness", "loudness",
                                                       "mode", "speechiness", "tempo", "valence")})
    frame["target"] = rng.choice(["pop", "rock", "jazz/blues"], n, p=[0.5, 0.3, 0.2])
    features = load_study().model_features(frame.columns)
    cut = splits.make_splits(frame, 24, features)
    assert (len(cut.train), len(cut.val), len(cut.test)) == (562, 188, 250)
    assert "time_signature" not in cut.features  # absent columns are skipped
    parts = np.concatenate([cut.train, cut.val, cut.test])
    assert sorted(parts.tolist()) == list(range(n))
    again = splits.make_splits(frame, 24, features)
    assert np.array_equal(cut.test, again.test)


def test_record_has_every_key_and_is_strict_json():
    classes = ("a", "b", "c")
    y = np.array([0, 0, 1, 1, 2, 2])
    pred = np.array([0, 0, 0, 1, 0, 2])
    rec = metrics.record("x", "X", classes=classes, y_val=y, pred_val=pred, y_test=y,
                         pred_test=pred, baseline_test=1 / 3, params={"alpha": np.float64(0.1)},
                         fit_seconds=1.0, total_seconds=2.0,
                         importances=metrics.importances(["f"], [float("nan")]))
    assert set(metrics.RECORD_KEYS) <= set(rec)
    predictions = rec.pop(metrics.PREDICTIONS)
    assert predictions["test"].tolist() == pred.tolist()
    json.dumps(rec, allow_nan=False)
    assert rec["importances"][0]["importance"] is None  # NaN became None
    assert rec["confusion"]["matrix"] == [[2, 0, 0], [1, 1, 0], [1, 0, 1]]
    assert rec["overpredicted"]["genre"] == "a"
    assert rec["never_predicted"] == []
    assert rec["shares"][0] == {"genre": "a", "actual": 1 / 3, "predicted": 2 / 3,
                                "actual_count": 2, "predicted_count": 4}
    assert [r["genre"] for r in rec["report"]] == list(classes)


def test_search_table_ranks_like_scikit_learn_and_puts_nan_last():
    table = metrics.search_table("grid", 2, [
        {"params": {"C": 1}, "scores": [0.5, 0.7]},
        {"params": {"C": 2}, "scores": [0.6, 0.6]},
        {"params": {"C": 3}, "scores": [float("nan"), 0.9]},
        {"params": {"C": 4}, "scores": [0.8, 0.8]},
    ], seconds=1.0)
    assert [c["rank"] for c in table["candidates"]] == [2, 2, 4, 1]
    assert table["best_params"] == {"C": 4}
    assert table["candidates"][2]["mean"] is None
    json.dumps(table, allow_nan=False)


def test_baseline_is_the_training_majority():
    y_train = np.array([1, 1, 1, 0, 2])
    base = metrics.baseline(y_train, np.array([1, 0]), np.array([1, 1, 0, 2]), ("a", "b", "c"))
    assert base["genre"] == "b"
    assert base["test_accuracy"] == 0.5
    assert base["balanced_accuracy"] == pytest.approx(1 / 3)


def test_densities_are_curves_not_raw_values():
    rng = np.random.default_rng(1)
    n = 6000
    decision = rng.normal(size=(n, 3))
    proba = rng.dirichlet(np.ones(3), size=n)
    chosen = ovr.panels(("classical", "pop", "rock"), [10, 50, 30], {})
    # without the study's panels: the largest genre against the next two
    assert chosen == (("decision", ("pop", "rock")), ("probability", ("pop", "rock")),
                      ("probability", ("pop", "classical")))
    rows = ovr.densities({"decision": decision, "probability": proba},
                         ("classical", "pop", "rock"), chosen)
    panels = {r["panel"] for r in rows}
    assert len(panels) == len(chosen)
    assert len(rows) == len(chosen) * 2 * ovr.GRID_POINTS  # far fewer than 6000 per genre
    assert all(r["density"] >= 0 for r in rows)
    assert all(0.0 <= r["x"] <= 1.0 for r in rows if r["output"] == "probability")


def test_density_curve_survives_constant_values():
    xs, ds = ovr.density_curve(np.zeros(50), -1.0, 1.0)
    assert len(xs) == len(ds) and np.isfinite(ds).all()


# --- settings, registry, changes ---------------------------------------------------------------

def test_the_alpha_grid_drops_zero_and_keeps_the_rest():
    grid = sgd.alpha_grid()
    assert grid[0] == 0.0001 and grid[-1] == 0.9999 and len(grid) == 9999


def test_profiles_have_the_models_fields_and_full_is_the_study():
    full, quick = PROFILES["full"], PROFILES["quick"]
    for field in PROFILE_FIELDS:
        assert hasattr(full, field) and hasattr(quick, field)
    assert (full.rf_final_trees, full.rf_weighted_trees, full.xgb_rounds, full.title_trees,
            full.nn_max_epochs, full.rf_search_iter, full.sgd_search_iter,
            full.xgb_search_iter, full.xgb_search_rounds) == (5000, 1000, 1000, 200, 100, 10, 10,
                                                                10, 100)
    assert full.rf_search_estimators == (1, 10, 25, 50, 100, 500, 1000)
    assert full.logreg_c_grid == (0.1, 1.0, 10.0)
    assert full.logreg_warm_start_grid == (True, False)


def test_order_lists_every_model_once():
    assert len(set(ORDER)) == len(ORDER)
    assert {"rf", "rf_weighted_norm", "rf_weighted_pred", "logreg", "sgd", "xgb", "ovr_logreg",
            "nn_study", "nn", "rf_titles"} == set(ORDER)


def test_changes_are_complete_rows():
    rows = changes.as_data()
    assert len(rows) >= 10
    for row in rows:
        assert set(row) == {"model", "setting", "study", "today", "here", "why"}
        assert all(isinstance(v, str) and v for v in row.values())


def test_importing_the_package_loads_no_ml_library():
    code = ("import sys, genrereport.models; "
            "print(any(m in sys.modules for m in ('sklearn', 'xgboost', 'tensorflow', 'keras')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_compare_best_finds_the_studys_choice_among_the_candidates():
    search = {"candidates": [
        {"params": {"penalty": "l1", "C": 10.0, "warm_start": True}, "mean": 0.40, "std": 0.01,
         "rank": 2},
        {"params": {"penalty": "l2", "C": 10.0, "warm_start": True}, "mean": 0.45, "std": 0.01,
         "rank": 1}],
        "best_params": {"penalty": "l2", "C": 10.0, "warm_start": True}, "best_score": 0.45}
    ref = {"search_best": {"logreg": {"penalty": "l1", "C": 10}}}
    out = study.compare_best("logreg", search, ref)
    assert out["matches_study_best"] is False
    assert out["study_best_score"] == 0.40
    assert out["study_best_gap"] == pytest.approx(-0.05)
    assert out["study_best_within_noise"] is False
    search["candidates"] = search["candidates"][1:]
    assert study.compare_best("logreg", search, ref)["study_best_score"] is None
    assert study.compare_best("logreg", search, {}) == {}


# --- logistic regression -------------------------------------------------------------------------

@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_one_vs_rest_in_parallel_is_the_same_model(small, penalty):
    """The genres' binary models fitted side by side (n_jobs=2) equal the one-at-a-time fit:
    what lets the build use both cores for liblinear without changing the study's model."""
    X, y = small
    one = logreg.one_vs_rest(C=0.5, penalty=penalty, seed=4).fit(X, y)
    two = logreg.one_vs_rest(C=0.5, penalty=penalty, seed=4, n_jobs=2).fit(X, y)
    assert two.n_jobs == 2
    for a, b in zip(one.estimators_, two.estimators_):
        np.testing.assert_array_equal(a.coef_, b.coef_)
        np.testing.assert_array_equal(a.intercept_, b.intercept_)
    np.testing.assert_array_equal(one.predict(X), two.predict(X))


def test_logreg_refit_is_grid_search_refit(small):
    """The best candidate refitted by `fit_best` is GridSearchCV's own refit."""
    from types import SimpleNamespace

    from sklearn.model_selection import GridSearchCV

    X, y = small
    grid = {"estimator__l1_ratio": [1.0, 0.0], "estimator__C": [0.1, 1.0],
            "estimator__warm_start": [False]}
    theirs = GridSearchCV(logreg.one_vs_rest(seed=3), grid, cv=3, refit=True).fit(X, y)
    from genrereport.progress import Reporter

    ctx = SimpleNamespace(seed=3, n_jobs=2, reporter=Reporter(quiet=True),
                          splits=SimpleNamespace(X_train=X, y_train=y, classes=np.unique(y)))
    ours = logreg.fit_best(ctx, logreg._shown(theirs.best_params_))
    for a, b in zip(theirs.best_estimator_.estimators_, ours.estimators_):
        np.testing.assert_array_equal(a.coef_, b.coef_)


def test_the_logreg_grid_fits_each_warm_start_twin_once_and_reports_both():
    """liblinear ignores warm_start (and a search's fresh clones have nothing to start from):
    the study's whole grid and its (penalty, C) pairs fitted once, each reported for both
    warm_start values, give the same table apart from timings. Unscaled columns make the l1
    solver stop at its iteration limit, where its random draws show."""
    from sklearn.model_selection import GridSearchCV

    rng = np.random.RandomState(0)
    X = np.column_stack([rng.rand(600), rng.normal(120, 30, 600), rng.normal(-8, 4, 600),
                         rng.normal(2e5, 5e4, 600)])
    y = (X[:, 0] + X[:, 1] / 200 + rng.randn(600) > 1.0).astype(int) + (X[:, 0] > 0.7)
    pairs = {"estimator__l1_ratio": [1.0, 0.0], "estimator__C": [0.1, 1.0, 10.0]}

    def search(grid):
        return GridSearchCV(logreg.one_vs_rest(seed=24), grid, cv=3, refit=False).fit(X, y)

    whole = metrics.from_cv_results(
        "grid", 3, search({**pairs, "estimator__warm_start": [True, False]}), 0.0,
        rename=logreg._shown)
    once = search(pairs).cv_results_
    rows = [{"params": params, "scores": [once[f"split{k}_test_score"][i] for k in range(3)],
             "fit_seconds": 0.0} for i, params in enumerate(once["params"])]
    twins = metrics.search_table("grid", 3, logreg.twin_rows(pairs, rows, (True, False)), 0.0)
    for table in (whole, twins):
        for row in table["candidates"]:
            row.pop("fit_seconds")
    assert twins == whole
    assert len(twins["candidates"]) == 12 and twins["best_params"]["warm_start"] is True


@pytest.mark.slow
def test_one_training_gives_both_stopping_points_of_the_network():
    """The study's two networks differ only in what early stopping watches: trained once and
    taken at each one's stopping point, they have the weights, history and predictions of two
    trainings with Keras' EarlyStopping on validation and on test."""
    from genrereport.models import nn
    from genrereport.models.context import Context
    from genrereport.progress import Reporter
    from genrereport.settings import Settings
    from sklearn.preprocessing import StandardScaler

    rng = np.random.RandomState(1)
    n = 3000
    X = np.column_stack([rng.rand(n), rng.rand(n), rng.normal(120, 30, n), rng.normal(-8, 4, n),
                         rng.rand(n)])
    y = (X[:, 0] + X[:, 2] / 200 + rng.randn(n) > 1.0).astype(int) + (X[:, 1] > 0.7)
    rows = np.arange(n)
    cut = splits.Splits(tuple(f"f{i}" for i in range(5)), ("a", "b", "c"), X, y, rows[:2000],
                        rows[2000:2500], rows[2500:])
    max_epochs = 40
    profile = dataclasses.replace(PROFILES["quick"], nn_max_epochs=max_epochs)
    ctx = Context(cut, Settings.from_cli(environ={}).with_(profile=profile),
                  Reporter(quiet=True), 0.0)
    keras = nn.load_keras()
    both = nn.fit_predict(keras, ctx, ("test", "validation"))

    scaler = StandardScaler().fit(cut.X_train)
    scaled = {part: scaler.transform(cut.X[rows_]) for part, rows_ in
              (("train", cut.train), ("val", cut.val), ("test", cut.test))}
    onehot = {part: keras.utils.to_categorical(cut.y[rows_], 3) for part, rows_ in
              (("train", cut.train), ("val", cut.val), ("test", cut.test))}
    epochs = {}
    for watched, part in (("validation", "val"), ("test", "test")):
        keras.backend.clear_session()
        keras.utils.set_random_seed(ctx.seed)
        model = nn._network(keras, 5, 3)
        model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy",
                      metrics=["accuracy"], steps_per_execution=nn.STEPS_PER_EXECUTION)
        history = model.fit(scaled["train"], onehot["train"], batch_size=nn.BATCH,
                            epochs=max_epochs, validation_data=(scaled[part], onehot[part]),
                            verbose=0, shuffle=True,
                            callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss",
                                                                     min_delta=0)]).history
        ours = both[watched]
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            assert ours["history"][key] == history[key], (watched, key)
        pred = model.predict(scaled["test"], verbose=0, batch_size=1024).argmax(axis=1)
        assert np.array_equal(ours["pred_test"], pred)
        epochs[watched] = len(history["loss"])
    # The two runs stop at different epochs here, both before the last: one training served both.
    assert len({epochs["test"], epochs["validation"], max_epochs}) == 3


def _network_weights(threads: int) -> list:
    """The network trained on fixed data in a process whose TensorFlow has `threads` threads."""
    import os

    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    from genrereport.models import nn

    nn.THREADS = threads
    keras = nn.load_keras()
    rng = np.random.RandomState(3)
    X = rng.normal(size=(3000, 11)).astype("float32")
    Y = keras.utils.to_categorical((X[:, 0] + X[:, 3] > 0).astype(int) + (X[:, 5] > 1), 3)
    keras.utils.set_random_seed(24)
    model = nn._network(keras, 11, 3)
    model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy",
                  steps_per_execution=nn.STEPS_PER_EXECUTION)
    model.fit(X, Y, batch_size=nn.BATCH, epochs=5, verbose=0, shuffle=True)
    return model.get_weights() + [model.predict(X, verbose=0, batch_size=1024)]


@pytest.mark.slow
def test_the_networks_weights_do_not_depend_on_tensorflows_threads():
    """The network trains with one TensorFlow thread (nn.THREADS): on four, it ends with the
    very same weights, so the count is a matter of speed alone."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        one, four = pool.map(_network_weights, [1, 4], chunksize=1)
    assert len(one) == len(four) and all(np.array_equal(a, b) for a, b in zip(one, four))


def test_xgboost_needs_the_binary_objective_for_two_genres():
    """The library's behaviour the two-genre case rests on: its multi-class objective refuses
    two classes (the wrapper sets num_class 0), and study_params picks the binary one there
    while three or more genres keep multi:softprob."""
    from xgboost import XGBClassifier

    from genrereport.models import xgb

    X, y = make_classification(n_samples=200, n_features=5, n_informative=3, random_state=0)
    base = {"n_estimators": 5, "n_jobs": 1}
    with pytest.raises(Exception, match="num_class"):
        XGBClassifier(**{**xgb.study_params(0, 3), **base}).fit(X, y)
    model = XGBClassifier(**{**xgb.study_params(0, 2), **base}).fit(X, y)
    assert xgb.study_params(0, 2)["objective"] == "binary:logistic"
    assert model.predict_proba(X).shape == (200, 2) and set(model.predict(X)) == {0, 1}


def test_a_linear_model_of_two_genres_has_one_set_of_coefficients():
    X, y = make_classification(n_samples=200, n_features=4, n_informative=3, n_redundant=0,
                               random_state=0)
    model = logreg.one_vs_rest(C=1.0, penalty="l2", seed=0, n_jobs=1).fit(X, y)
    rows = logreg.linear_betas(model, ["country", "house"], list("abcd"))
    assert {r["genre"] for r in rows} == {"house against country"}
    assert [r["beta"] for r in rows[:4]] == list(model.estimators_[0].coef_[0])
    decision = model.decision_function(X)
    assert decision.ndim == 1  # one binary model, not one per genre


# --- permutation importance --------------------------------------------------------------------

def test_permutation_importance_finds_the_one_feature_a_model_reads():
    from genrereport.models import permutation

    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 4))
    y = (X[:, 2] > 0).astype(int)
    reads_feature_2 = lambda M: (M[:, 2] > 0).astype(int)  # noqa: E731 - a perfect model
    got = permutation.of_model(reads_feature_2, list("abcd"), X, y, seed=24)
    assert got["songs"] == 600 and got["repeats"] == permutation.REPEATS
    top, *rest = got["features"]
    assert top["feature"] == "c" and top["rank"] == 1 and top["low"] > 0.4
    # Shuffling a column the model never reads changes no prediction: exactly zero.
    assert all(r["mean"] == r["low"] == r["high"] == 0 for r in rest)
    # Same seed, same shuffles.
    again = permutation.of_model(reads_feature_2, list("abcd"), X, y, seed=24)
    assert again["features"] == got["features"]


@pytest.mark.parametrize("chunk", [4, 15])
def test_a_chunked_forest_scores_the_shuffled_songs_as_the_whole_forest(small, chunk):
    """The forest's permutation importances come from sums over its chunks: the same
    predictions as the whole forest on the shuffled copies, with their time kept apart."""
    from genrereport.models import permutation

    X, y = small
    sets, _ = permutation.shuffled_sets(X[400:], y[400:], seed=3, songs=60, repeats=2)
    grown = forest.grow_forest(X[:400], y[:400], {"perm": permutation.stacked(sets)}, 15,
                               n_classes=4, seed=11, chunk=chunk, n_jobs=2,
                               params={"max_features": "sqrt"}, apart=("perm",))
    whole = RandomForestClassifier(n_estimators=15, random_state=11, max_features="sqrt")
    whole.fit(X[:400], y[:400])
    np.testing.assert_array_equal(grown.predict("perm"), whole.predict(permutation.stacked(sets)))
    assert len(sets) == 1 + 8 * 2 and grown.apart_seconds["perm"] > 0
    assert grown.seconds >= 0
