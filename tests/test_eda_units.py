"""The exploration's measures on small hand-made frames: genre separation and overlap
(separation.py), the profiler's figures (profiling.py) and the joins with the models (links.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genrereport import eda, links, profiling, separation
from genrereport.charts import eda as charts_eda

FEATURES = ["f1", "f2", "f3"]


def _genre(name: str, n: int, centre, rng, spread: float = 1.0) -> pd.DataFrame:
    x = rng.normal(centre, spread, size=(n, len(FEATURES)))
    return pd.DataFrame(x, columns=FEATURES).assign(target=name)


def _frame(parts) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def three_genres():
    """twin_a and twin_b: drawn from one distribution; far: 20 standard deviations away on f1
    (the same on f2 and f3)."""
    rng = np.random.default_rng(1)
    return _frame([_genre("twin_a", 400, [0, 0, 0], rng), _genre("twin_b", 400, [0, 0, 0], rng),
                   _genre("far", 400, [20, 0, 0], rng)])


def _pair(result: dict, a: str, b: str) -> dict:
    return next(p for p in result["pairs"] if {p["a"], p["b"]} == {a, b})


def test_identical_genres_cannot_be_told_apart_and_disjoint_ones_always_can(three_genres):
    result = separation.pair_separability(three_genres, FEATURES, seed=3)
    same, apart = _pair(result, "twin_a", "twin_b"), _pair(result, "twin_a", "far")
    assert same["measured_by"] == apart["measured_by"] == "classifier"
    # a coin toss, up to the noise of 800 songs' cross-validation
    assert abs(same["balanced_accuracy"] - 0.5) < 0.08
    assert apart["balanced_accuracy"] > 0.99
    assert abs(same["estimate"] - 0.5) < 0.08 and apart["estimate"] > 0.99
    # feature by feature: the twins overlap everywhere; far is disjoint on f1 only (up to the
    # one shared bin that straddles the gap: the coefficient's resolution is one bin)
    assert min(same["overlap"].values()) > 0.8
    assert apart["overlap"]["f1"] < 1 / separation.OVERLAP_BINS and apart["overlap"]["f2"] > 0.8
    assert same["features_overlapping"] == 3 and apart["features_overlapping"] == 2
    # pairs come hardest first
    assert result["pairs"][0] is same


def test_the_estimate_does_not_separate_small_identical_genres_by_chance():
    # Two samples of 30 songs from one distribution: their means differ by chance alone, which
    # uncorrected would read as a balanced accuracy near 0.59.
    estimates = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        frame = _frame([_genre("a", 30, [0, 0, 0], rng), _genre("b", 30, [0, 0, 0], rng)])
        moments = separation.genre_moments(frame, FEATURES, ["a", "b"])
        estimates.append(separation.gaussian_separability(moments, "a", "b"))
    assert np.mean(estimates) < 0.54


def test_each_genre_is_sampled_at_most_the_stated_number_of_songs(three_genres):
    result = separation.pair_separability(three_genres, FEATURES, seed=3, sample=50)
    assert result["sample_per_genre"] == 50
    assert {p["sampled_a"] for p in result["pairs"]} == {50}
    assert {p["songs_a"] for p in result["pairs"]} == {400}


def test_the_order_puts_confusable_genres_side_by_side():
    rng = np.random.default_rng(2)
    # alphabetical order interleaves the two groups (a, c) and (b, d)
    frame = _frame([_genre("a", 60, [0, 0, 0], rng), _genre("b", 60, [9, 9, 9], rng),
                    _genre("c", 60, [0, 0, 0], rng), _genre("d", 60, [9, 9, 9], rng)])
    order = separation.pair_separability(frame, FEATURES, seed=0)["order"]
    assert sorted(order) == ["a", "b", "c", "d"]
    assert abs(order.index("a") - order.index("c")) == 1
    assert abs(order.index("b") - order.index("d")) == 1


def test_many_genres_stay_within_the_budget_of_exact_pairs(monkeypatch):
    rng = np.random.default_rng(3)
    frame = _frame([_genre(f"g{i:02d}", 12, [i, 0, 0], rng) for i in range(25)])
    calls = []
    real = separation.classifier_separability
    monkeypatch.setattr(separation, "classifier_separability",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    result = separation.pair_separability(frame, FEATURES, seed=0, max_exact=10)
    assert len(result["pairs"]) == 25 * 24 // 2
    assert len(calls) == result["exact_pairs"] == 10
    assert result["estimated_pairs"] == 300 - 10
    assert all(p["balanced_accuracy"] is not None for p in result["pairs"])
    # the classifier went to the pairs the estimate finds hardest
    exact = [p["estimate"] for p in result["pairs"] if p["measured_by"] == "classifier"]
    others = [p["estimate"] for p in result["pairs"] if p["measured_by"] == "estimate"]
    assert max(exact) <= min(others)
    assert result["estimate_agreement"]["pairs"] == 10


def test_a_genre_too_small_to_measure_is_left_unmeasured():
    rng = np.random.default_rng(4)
    frame = _frame([_genre("big", 50, [0, 0, 0], rng), _genre("other", 50, [3, 0, 0], rng),
                    _genre("one", 1, [0, 0, 0], rng)])
    result = separation.pair_separability(frame, FEATURES, seed=0)
    lone = [p for p in result["pairs"] if "one" in (p["a"], p["b"])]
    assert all(p["balanced_accuracy"] is None and p["measured_by"] is None for p in lone)
    assert _pair(result, "big", "other")["measured_by"] == "classifier"
    assert sorted(result["order"]) == ["big", "one", "other"]


def test_feature_separation_ranks_the_informative_feature_first():
    rng = np.random.default_rng(5)
    n = 300
    genre = np.repeat(["x", "y", "z"], n)
    frame = pd.DataFrame({"signal": np.repeat([0.0, 5.0, 10.0], n) + rng.normal(0, 1, 3 * n),
                          "noise": rng.normal(0, 1, 3 * n), "flat": np.ones(3 * n),
                          "target": genre})
    result = separation.feature_separation(frame, ["noise", "signal", "flat"], seed=0)
    by = {r["feature"]: r for r in result["features"]}
    assert result["features"][0]["feature"] == "signal"
    assert by["signal"]["eta_squared"] > 0.9 and by["noise"]["eta_squared"] < 0.02
    assert by["signal"]["mutual_info"] > 0.5 > by["noise"]["mutual_info"]
    assert by["signal"]["epsilon_squared_rank"] == 1
    # a constant feature says nothing, and breaks nothing
    assert by["flat"]["eta_squared"] is None and by["flat"]["kruskal_h"] is None
    assert "flat" in result["discrete"]


# --- profiling ---------------------------------------------------------------------------------

def test_duplicates_count_groups_rows_and_extra_copies():
    rows = ([{"f1": 1, "f2": 1, "target": "g"}] * 3 + [{"f1": 2, "f2": 2, "target": "g"}] * 2
            + [{"f1": 1, "f2": 1, "target": "h"}, {"f1": 3, "f2": 3, "target": "g"}])
    d = profiling.duplicates(pd.DataFrame(rows), ["f1", "f2"])
    assert (d["groups"], d["rows_in_groups"], d["extra_copies"]) == (2, 5, 3)
    assert d["on"] == ["f1", "f2", "target"]


def _profiled():
    rng = np.random.default_rng(6)
    n = 400
    x = rng.normal(0, 1, n)
    return pd.DataFrame({
        "x": x, "y": 2 * x + rng.normal(0, 0.1, n), "z": rng.normal(0, 1, n),
        "sparse": np.where(np.arange(n) % 4 == 0, 0.0, rng.uniform(0.1, 1, n)),
        "binary": np.arange(n) % 2, "meter": np.where(np.arange(n) % 10 == 0, 3, 4),
        "same": np.full(n, 7.0),
        "target": np.where(np.arange(n) < 380, "big", "small"),
    })


def test_alerts_fire_where_the_data_call_for_them():
    frame = _profiled()
    features = ["x", "y", "z", "sparse", "binary", "meter", "same"]
    corr = profiling.correlations(frame, features)
    a = profiling.alerts(frame, features, corr)
    assert [(p["x"], p["y"]) for p in a["strong_correlations"]["pairs"]] == [("x", "y")]
    assert [r["feature"] for r in a["zeros"]["features"]] == ["sparse"]  # binary's 0 is a category
    assert a["zeros"]["features"][0]["share"] == pytest.approx(0.25)
    assert a["constant"]["features"] == ["same"]
    imb = a["imbalance"]
    assert imb["fired"] and imb["ratio"] == pytest.approx(19)
    dominated = {c["feature"]: c["fired"] for c in imb["categorical"]}
    assert dominated == {"binary": False, "meter": True}


def test_no_alerts_on_balanced_independent_features():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"x": rng.normal(0, 1, 200), "z": rng.normal(0, 1, 200),
                          "target": np.repeat(["a", "b"], 100)})
    a = profiling.alerts(frame, ["x", "z"], profiling.correlations(frame, ["x", "z"]))
    assert not a["strong_correlations"]["fired"] and not a["imbalance"]["fired"]
    assert a["zeros"]["features"] == [] and a["constant"] == {"features": [], "within_genre": []}
    assert a["duplicates"]["groups"] == 0


def test_correlations_cover_every_scope_and_both_methods():
    frame = _profiled()
    corr = profiling.correlations(frame, ["x", "y", "z"], max_genres=1)
    assert corr["scopes"] == ["all songs", "big"] and corr["genres_left_out"] == 1
    assert len(corr["rows"]) == 2 * 2 * 3  # scopes × methods × pairs of three features
    r = {(c["scope"], c["method"], c["x"], c["y"]): c["r"] for c in corr["rows"]}
    assert r[("all songs", "pearson", "x", "y")] > 0.99
    # Spearman is Pearson on ranks: a monotone transform leaves it at one
    frame["cube"] = frame["x"] ** 3
    corr = profiling.correlations(frame, ["x", "cube"])
    r = {(c["method"]): c["r"] for c in corr["rows"] if c["scope"] == "all songs"}
    assert r["spearman"] == pytest.approx(1.0) and r["pearson"] < 0.95


def test_common_and_extreme_values():
    frame = pd.DataFrame({"v": [0, 0, 0, 1, 1, 2, 5, 9], "target": ["g"] * 8})
    (v,) = profiling.values(frame, ["v"], top=2)
    assert [c["value"] for c in v["common"]] == [0, 1] and v["common"][0]["count"] == 3
    assert [c["value"] for c in v["smallest"]] == [0, 1]
    assert [c["value"] for c in v["largest"]] == [9, 5]
    assert v["distinct"] == 5 and v["zero_share"] == pytest.approx(3 / 8)


# --- the whole analysis and its joins ---------------------------------------------------------

def _songs(n_per_genre: int = 40) -> pd.DataFrame:
    """Songs with every column eda.run reads, in three genres with distinct profiles."""
    rng = np.random.default_rng(8)
    parts = []
    for i, genre in enumerate(["alpha", "beta", "gamma"]):
        n = n_per_genre
        parts.append(pd.DataFrame({
            "acousticness": rng.uniform(0, 1, n),
            "danceability": np.clip(rng.normal(0.2 + 0.3 * i, 0.1, n), 0, 1),
            "energy": rng.uniform(0, 1, n),
            "instrumentalness": np.where(rng.random(n) < 0.3, 0, rng.random(n)),
            "liveness": rng.uniform(0, 1, n), "loudness": rng.uniform(-20, -2, n),
            "mode": rng.integers(0, 2, n), "speechiness": rng.uniform(0, 0.3, n),
            "tempo": rng.uniform(60, 180, n), "time_signature": rng.choice([3, 4, 4, 4], n),
            "valence": rng.uniform(0, 1, n), "key": rng.integers(0, 12, n),
            "track_name": [f"t{i}-{j}" for j in range(n)], "artist_name": "a",
            "genre": "['x']", "target": genre}))
    return pd.concat(parts, ignore_index=True)


def test_the_analysis_returns_the_new_parts_as_plain_data():
    import json

    out = eda.run(_songs(), None)
    for key in ("features", "separation", "overlap", "correlations", "alerts", "values"):
        assert key in out
    json.dumps(out)  # JSON-able as it stands
    assert out["separation"]["features"][0]["feature"] == "danceability"
    assert len(out["overlap"]["pairs"]) == 3 and out["overlap"]["exact_pairs"] == 3


def test_overlap_charts_follow_the_order_and_carry_half_the_matrix():
    from genrereport.jsonsafe import plain

    out = plain(eda.run(_songs(), None))
    by_id = {c.id: c for c in charts_eda.overlap_charts(out)}
    assert set(by_id) == {"eda-separation", "eda-correlations", "eda-overlap",
                          "eda-overlap-features"}
    heat = by_id["eda-overlap"].spec
    assert heat["layer"][0]["encoding"]["x"]["scale"]["domain"] == out["overlap"]["order"]
    assert len(by_id["eda-overlap"].data) == 3  # the upper triangle only


def _confusion(labels, matrix):
    return {"labels": labels, "matrix": matrix}


def test_pair_confusion_weighs_each_true_genre_equally():
    c = links.pair_confusion(_confusion(["a", "b"], [[90, 10], [50, 50]]))
    assert c == {("a", "b"): pytest.approx((0.1 + 0.5) / 2)}


def test_confusions_against_overlap():
    overlap = {"pairs": [
        {"a": "a", "b": "b", "balanced_accuracy": 0.55},
        {"a": "a", "b": "c", "balanced_accuracy": 0.9},
        {"a": "b", "b": "c", "balanced_accuracy": 0.7}]}
    matches = links.confusion_vs_overlap(
        overlap, _confusion(["a", "b", "c"], [[50, 40, 10], [40, 50, 10], [1, 19, 80]]), top=1)
    assert matches["rank_correlation"] == pytest.approx(-1.0)
    assert matches["shared"][0]["a"] == "a" and matches["shared"][0]["b"] == "b"
    reverse = links.confusion_vs_overlap(
        overlap, _confusion(["a", "b", "c"], [[50, 0, 50], [0, 90, 10], [45, 5, 50]]), top=1)
    assert reverse["rank_correlation"] > 0 and reverse["shared"] == []


def test_importances_against_separation():
    sep = {"features": [{"feature": f, "mutual_info": v} for f, v in
                        (("a", 0.3), ("b", 0.2), ("c", 0.1), ("d", 0.0))]}
    same = links.importance_vs_separation(sep, [{"feature": f, "importance": v} for f, v in
                                                (("a", 0.4), ("b", 0.3), ("c", 0.2), ("d", 0.1))])
    assert same["rank_correlation"] == pytest.approx(1.0) and same["shared_top"] == ["a", "b", "c"]
    other = links.importance_vs_separation(sep, [{"feature": f, "importance": v} for f, v in
                                                 (("a", 0.1), ("b", 0.2), ("c", 0.3), ("d", 0.4))])
    assert other["rank_correlation"] == pytest.approx(-1.0) and other["top_important"][0] == "d"
