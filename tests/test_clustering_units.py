"""Clustering building blocks on small hand-made data: scores, relabelling, crosstab, claims."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score, v_measure_score

from genrereport import clustering
from genrereport.clustering import agreement, conclusion, describe, forest, labels, scan
from genrereport.errors import DataError
from genrereport.settings import PROFILES, Settings

# Six songs, two genres, three clusters: worked through by hand below.
GENRES = ["a", "a", "a", "b", "b", "b"]
CLUSTERS = [0, 0, 1, 1, 2, 2]


def _entropy(*probs: float) -> float:
    return -sum(p * math.log(p) for p in probs if p > 0)


# --- agreement ------------------------------------------------------------------------------

def test_identical_partitions_score_one_whatever_the_names():
    scores = agreement.agreement(GENRES, ["x", "x", "x", "y", "y", "y"])
    assert scores == pytest.approx({m: 1.0 for m in agreement.METRICS})


def test_adjusted_rand_by_hand():
    # Pairs together in both: 1 (songs 0,1) + 1 (songs 4,5) = 2. Pairs together in the genres:
    # 3 + 3 = 6; in the clusters: 1 + 1 + 1 = 3; all pairs: 15. Expected by chance: 6 * 3 / 15
    # = 1.2; maximum: (6 + 3) / 2 = 4.5. ARI = (2 - 1.2) / (4.5 - 1.2) = 8/33.
    assert agreement.agreement(GENRES, CLUSTERS)["ari"] == pytest.approx(8 / 33)


def test_homogeneity_completeness_by_hand():
    # H(genre) = ln 2; given the cluster, only cluster 1 (one a, one b; a third of the songs) is
    # mixed: H(genre | cluster) = ln 2 / 3, so homogeneity = 1 - 1/3.
    # H(cluster) = ln 3; given the genre, clusters are split 2:1: H(cluster | genre) = H(2/3, 1/3).
    s = agreement.agreement(GENRES, CLUSTERS)
    h = 2 / 3
    c = 1 - _entropy(2 / 3, 1 / 3) / math.log(3)
    assert s["homogeneity"] == pytest.approx(h)
    assert s["completeness"] == pytest.approx(c)
    assert s["v_measure"] == pytest.approx(2 * h * c / (h + c))
    # mutual information = h * H(genre) = c * H(cluster); over the geometric mean → sqrt(h c)
    assert s["nmi"] == pytest.approx(math.sqrt(h * c))


def test_nmi_is_geometric_because_arithmetic_would_repeat_the_v_measure():
    assert normalized_mutual_info_score(GENRES, CLUSTERS, average_method="arithmetic") == \
        pytest.approx(v_measure_score(GENRES, CLUSTERS))
    assert agreement.agreement(GENRES, CLUSTERS)["nmi"] != \
        pytest.approx(agreement.agreement(GENRES, CLUSTERS)["v_measure"])


def test_scores_ignore_how_clusters_and_genres_are_named():
    rng = np.random.default_rng(0)
    genres = rng.integers(0, 4, 300)
    clusters = rng.integers(0, 5, 300)
    base = agreement.agreement(genres, clusters)
    renamed_clusters = np.array([3, 0, 4, 1, 2])[clusters]
    renamed_genres = np.array(["w", "x", "y", "z"])[genres]
    assert agreement.agreement(renamed_genres, renamed_clusters) == pytest.approx(base)
    # reordering the songs (the same permutation on both sides) changes nothing either
    order = rng.permutation(300)
    assert agreement.agreement(genres[order], clusters[order]) == pytest.approx(base)


def test_homogeneity_and_completeness_swap_with_the_roles():
    forward = agreement.agreement(GENRES, CLUSTERS)
    backward = agreement.agreement(CLUSTERS, GENRES)
    assert forward["homogeneity"] == pytest.approx(backward["completeness"])
    assert forward["completeness"] == pytest.approx(backward["homogeneity"])
    assert forward["ari"] == pytest.approx(backward["ari"])


def test_shuffled_clusters_score_near_zero():
    genres = np.repeat(np.arange(4), 500)
    chance = agreement.chance_agreement(genres, genres.copy(), seed=24)
    assert abs(chance["ari"]) < 0.01
    assert chance["v_measure"] < 0.01


def test_purity_by_hand():
    # cluster 0: a a → 2; cluster 1: a b → 1; cluster 2: b b → 2; 5 of 6 songs
    assert agreement.purity(GENRES, CLUSTERS) == pytest.approx(5 / 6)


# --- relabelling ----------------------------------------------------------------------------

def test_relabel_orders_by_size_then_centroid():
    raw = np.array([2, 2, 0, 1, 1, 1, 3, 0])
    centers = np.array([[5.0], [0.0], [9.0], [1.0]])
    new, new_centers = labels.relabel(raw, centers)
    # sizes: old 1 → 3 songs, old 0 and old 2 → 2 each (centroid 5 before 9), old 3 → 1
    assert new.tolist() == [2, 2, 1, 0, 0, 0, 3, 1]
    assert new_centers.ravel().tolist() == [0.0, 5.0, 9.0, 1.0]


def test_relabel_ignores_kmeans_numbering():
    rng = np.random.default_rng(3)
    raw = rng.integers(0, 5, 200)
    centers = rng.normal(size=(5, 2))
    perm = np.array([4, 2, 0, 3, 1])  # the same partition under other ids
    other_centers = np.empty_like(centers)
    other_centers[perm] = centers
    a, _ = labels.relabel(raw, centers)
    b, _ = labels.relabel(perm[raw], other_centers)
    assert a.tolist() == b.tolist()
    assert np.all(np.diff(np.bincount(a)) <= 0)


# --- descriptions ---------------------------------------------------------------------------

def test_crosstab_shares_sum_to_one_and_leaders_break_ties_alphabetically():
    genres = np.array(["rock", "pop", "pop", "rock", "jazz", "jazz", "jazz"])
    clusters = np.array([0, 0, 1, 1, 2, 2, 2])
    cross = describe.crosstab(genres, clusters, 4, sorted(set(genres)))
    for c in range(3):
        assert sum(r["share"] for r in cross if r["cluster"] == c) == pytest.approx(1.0)
    for g in set(genres):
        assert sum(r["share_of_genre"] for r in cross if r["genre"] == g) == pytest.approx(1.0)
    assert not [r for r in cross if r["cluster"] == 3]  # the empty cluster: no cell has songs
    assert all(r["count"] > 0 for r in cross) and len(cross) == 5
    leads = describe.leaders(cross, 4)
    assert [r["genre"] for r in leads] == ["pop", "pop", "jazz", None]  # pop before rock on a tie
    assert leads[0]["runner_up"] == "rock" and leads[2]["runner_up"] is None


def test_histograms_are_shares_of_each_cluster():
    frame = pd.DataFrame({"energy": [0.0, 0.1, 0.5, 1.0, 0.95]})
    rows = describe.histograms(frame, np.array([0, 0, 1, 1, 1]), ("energy",), 2, bins=4)
    assert {r["bin_start"] for r in rows} == {0.0, 0.25, 0.5, 0.75}
    for c in (0, 1):
        assert sum(r["share"] for r in rows if r["cluster"] == c) == pytest.approx(1.0)
        assert sum(r["count"] for r in rows if r["cluster"] == c) == (2 if c == 0 else 3)


# --- forest splits --------------------------------------------------------------------------

def test_split_is_the_study_scheme():
    y = np.repeat(np.arange(4), 100)
    X = np.arange(400).reshape(-1, 1)
    X_train, X_val, X_test, *_, stratified = forest.split(X, y, seed=24)
    assert stratified
    assert (len(X_train), len(X_val), len(X_test)) == (225, 75, 100)


def test_split_falls_back_when_a_cluster_is_a_single_song():
    y = np.array([0] * 50 + [1])
    *_, stratified = forest.split(np.zeros((51, 1)), y, seed=24)
    assert not stratified


def test_silhouette_reading():
    assert [scan.structure(v) for v in (0.8, 0.6, 0.3, 0.25, 0.1, None)] == \
        ["strong", "reasonable", "weak", "no", "no", None]


# --- conclusion facts -----------------------------------------------------------------------

def _exp(number: int, leaders: list[tuple[str, int]], v: float = 0.1) -> dict:
    return {"id": f"e{number}", "number": number, "standardized": False,
            "agreement": {"v_measure": v, "ari": v / 2}, "purity": 0.4, "majority_share": 0.35,
            "leading_genres": [{"genre": g, "clusters": n, "songs": 10 * n, "cluster_ids": []}
                               for g, n in leaders],
            "leaders": [], "profiles": [], "forest": {"importances": []}}


REF = {"leaders_experiment": "zero_to_one", "leaders": ["classical", "dance", "pop"],
       "majority": "pop", "majority_share": 0.35, "share_tolerance": 0.02}


def test_leaders_claim_agrees_only_with_exactly_the_studys_genres():
    same = {"zero_to_one": _exp(3, [("pop", 8), ("classical", 2), ("dance", 2)])}
    assert conclusion.leaders_claim(same, REF)["agrees"]
    more = {"zero_to_one": _exp(3, [("pop", 8), ("classical", 2), ("dance", 1), ("rock", 1)])}
    claim = conclusion.leaders_claim(more, REF)
    assert not claim["agrees"] and claim["extra"] == ["rock"] and claim["missing"] == []
    fewer = {"zero_to_one": _exp(3, [("pop", 10), ("classical", 2)])}
    claim = conclusion.leaders_claim(fewer, REF)
    assert not claim["agrees"] and claim["missing"] == ["dance"]
    # a study that published no such conclusion gets no comparison
    assert conclusion.leaders_claim(same, None) is None


def test_balance_claim():
    genres = pd.Series(["pop"] * 35 + ["rock"] * 60 + ["jazz"] * 5)
    claim = conclusion.balance_claim(genres, REF)
    assert claim["majority_genre"] == "rock" and not claim["agrees"]
    genres = pd.Series(["pop"] * 35 + ["rock"] * 33 + ["jazz"] * 32)
    assert conclusion.balance_claim(genres, REF)["agrees"]
    genres = pd.Series(["pop"] * 45 + ["rock"] * 30 + ["jazz"] * 25)  # pop, but not about 35 %
    assert not conclusion.balance_claim(genres, REF)["agrees"]
    claim = conclusion.balance_claim(genres, None)
    assert claim["agrees"] is None and claim["majority_share"] == 0.45


def test_overlap_claim_uses_the_threshold():
    weak = {"a": _exp(1, [("pop", 12)], v=0.1), "b": _exp(2, [("pop", 12)], v=0.2)}
    claim = conclusion.overlap_claim(weak, ["a", "b"])
    assert claim["agrees"] and claim["best_number"] == 2
    strong = {"a": _exp(1, [("pop", 12)], v=0.1), "b": _exp(2, [("pop", 12)], v=0.6)}
    assert not conclusion.overlap_claim(strong, ["a", "b"])["agrees"]


# --- the whole analysis on a small synthetic set --------------------------------------------

def _songs(n: int = 360, with_time_signature: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    genre = rng.choice(["pop", "rock", "classical", "dance"], n)
    loud = np.where(genre == "classical", -20.0, -6.0)
    frame = pd.DataFrame({
        "acousticness": np.clip(np.where(genre == "classical", 0.9, 0.2) + rng.normal(0, 0.1, n), 0, 1),
        "danceability": rng.random(n), "energy": rng.random(n),
        "instrumentalness": rng.random(n), "liveness": rng.random(n),
        "loudness": loud + rng.normal(0, 2, n), "mode": rng.integers(0, 2, n),
        "speechiness": rng.random(n) / 5, "tempo": rng.uniform(60, 180, n),
        "time_signature": rng.choice([3, 4, 4, 4], n), "valence": rng.random(n), "target": genre,
    })
    return frame if with_time_signature else frame.drop(columns="time_signature")


def _settings() -> Settings:
    return Settings(profile=PROFILES["quick"], n_jobs=1)


def test_run_gives_plain_json_for_each_experiment():
    result = clustering.run(_songs(), _settings())
    json.dumps(result, allow_nan=False)  # no NaN, no numpy types
    assert result["experiment_ids"] == ["all_features", "no_tempo", "zero_to_one", "standardized"]
    assert [len(result[e]["features"]) for e in result["experiment_ids"]] == [11, 10, 7, 11]
    for e in result["experiment_ids"]:
        exp = result[e]
        sizes = [s["size"] for s in exp["sizes"]]
        assert sum(sizes) == 360 and sizes == sorted(sizes, reverse=True)
        assert exp["baseline"] == pytest.approx(max(sizes) / 360)
        assert sum(r["importance"] for r in exp["forest"]["importances"]) == pytest.approx(1.0)
    assert result["scan"]["silhouette_sample"] == 360  # fewer songs than the profile's sample
    assert [r["k"] for r in result["scan"]["rows"]] == list(range(2, PROFILES["quick"].scan_k_max + 1))


def test_run_without_time_signature():
    result = clustering.run(_songs(with_time_signature=False), _settings())
    assert "time_signature" not in result["all_features"]["features"]
    assert len(result["standardized"]["features"]) == 10


def test_run_refuses_too_few_songs():
    with pytest.raises(DataError):
        clustering.run(_songs(20), _settings())
