"""Clustering on the mirror of the study's pulls: the experiments, their consistency, stable
cluster ids, the study's claims, and the three pages."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from genrereport import binning, clustering, pipeline, render, resources, sources
from genrereport.claims import build_claims
from genrereport.study import load_study
from genrereport.charts import build_charts
from genrereport.clustering import agreement, conclusion, experiments
from genrereport.progress import Reporter
from genrereport.schema import MODEL_FEATURES
from genrereport.tables import build_tables

pytestmark = pytest.mark.slow

SONGS = 35049
PAGES = ("clustering.md", "bins-vs-clusters.md", "conclusion.md")


@pytest.fixture(scope="module")
def setup(quick_build):
    """The binned mirror (through the pipeline's own stages: the session's quick build has
    them cached) and quick settings."""
    settings = quick_build[0]
    rules = pipeline.study_rules(settings)
    files = sources.resolve(settings, progress=False)
    build = pipeline.define_stages(settings, Reporter(quiet=True), files, rules)
    return build.get("bin")[0], settings


@pytest.fixture(scope="module")
def result(setup):
    frame, settings = setup
    return clustering.run(frame, settings)


def test_result_is_strict_json(result):
    assert json.loads(json.dumps(result, allow_nan=False)) == result


def test_the_four_experiments(result):
    assert result["experiment_ids"] == ["all_features", "no_tempo", "zero_to_one", "standardized"]
    assert result["all_features"]["features"] == list(MODEL_FEATURES)
    assert "tempo" not in result["no_tempo"]["features"]
    assert len(result["no_tempo"]["features"]) == 10
    assert result["zero_to_one"]["features"] == ["acousticness", "danceability", "energy",
                                                 "instrumentalness", "liveness", "speechiness",
                                                 "valence"]
    assert result["standardized"]["standardized"]
    assert (result["n_clusters"], result["n_init"], result["init"], result["seed"]) == \
        (12, 10, "k-means++", 24)


@pytest.mark.parametrize("exp_id", ["all_features", "no_tempo", "zero_to_one", "standardized"])
def test_each_experiment_is_consistent(result, exp_id):
    exp = result[exp_id]
    sizes = [s["size"] for s in exp["sizes"]]
    assert sum(sizes) == SONGS and len(sizes) == 12
    assert sizes == sorted(sizes, reverse=True)  # relabelled: cluster 0 is the largest
    assert exp["baseline"] == pytest.approx(sizes[0] / SONGS) and exp["largest_cluster"] == 0

    # crosstab: the cells with songs; shares within each cluster sum to 1, counts add up to
    # the cluster sizes
    assert all(r["count"] > 0 for r in exp["crosstab"])
    for c, size in enumerate(sizes):
        rows = [r for r in exp["crosstab"] if r["cluster"] == c]
        assert 0 < len(rows) <= 12
        assert sum(r["share"] for r in rows) == pytest.approx(1.0)
        assert sum(r["count"] for r in rows) == size
    for g in result["genres"]:
        assert sum(r["share_of_genre"] for r in exp["crosstab"] if r["genre"] == g) == \
            pytest.approx(1.0)

    # the leaders are the crosstab's row maxima
    for lead in exp["leaders"]:
        top = max(r["count"] for r in exp["crosstab"] if r["cluster"] == lead["cluster"])
        assert lead["count"] == top

    # the scores are those of the partition the crosstab describes
    genres, clusters = _expand(exp["crosstab"])
    assert exp["agreement"] == pytest.approx(agreement.agreement(genres, clusters))
    assert exp["purity"] == pytest.approx(agreement.purity(genres, clusters))

    f = exp["forest"]
    assert (f["train_rows"], f["val_rows"], f["test_rows"]) == (19714, 6572, 8763)
    assert f["stratified"]
    assert sum(r["support"] for r in f["report"]) == 8763
    assert sum(r["importance"] for r in f["importances"]) == pytest.approx(1.0)
    # clusters are a function of the features, so the forest beats the baseline by far
    assert f["val_accuracy"] > exp["baseline"] + 0.5 and f["test_accuracy"] > exp["baseline"] + 0.5

    # per-cluster ranges of every model feature
    assert len(exp["ranges"]) == 12 * 11
    assert all(r["min"] <= r["median"] <= r["max"] for r in exp["ranges"])


def _expand(cross):
    genres, clusters = [], []
    for r in cross:
        genres += [r["genre"]] * r["count"]
        clusters += [r["cluster"]] * r["count"]
    return np.array(genres), np.array(clusters)


def test_study_views(result):
    assert result["all_features"]["range_feature"] == "tempo"
    assert result["no_tempo"]["range_feature"] == "loudness"
    exp3 = result["zero_to_one"]
    assert exp3["histogram_features"] == ["valence", "acousticness", "instrumentalness", "energy"]
    for c in range(12):
        for f in exp3["histogram_features"]:
            rows = [r for r in exp3["histograms"] if r["cluster"] == c and r["feature"] == f]
            assert len(rows) == result["hist_bins"]
            assert sum(r["count"] for r in rows) == exp3["sizes"][c]["size"]


def test_the_studys_findings_reproduce(result):
    con = result["conclusion"]
    # tempo, then loudness, drive the unscaled clusterings
    assert [(d["study_feature"], d["top_feature"]) for d in con["dominance"]] == \
        [("tempo", "tempo"), ("loudness", "loudness")]
    # experiment 3: besides pop, only dance and classical lead a cluster
    led = {g["genre"] for g in result["zero_to_one"]["leading_genres"]}
    assert led == {"pop", "dance", "classical"}
    assert con["leaders"]["agrees"] == (
        led == set(load_study().reference["conclusion"]["leaders"]))
    assert con["balance"]["majority_genre"] == "pop" and con["balance"]["agrees"]
    assert con["overlap"]["agrees"]


def test_scan(result, setup):
    _, settings = setup
    scan = result["scan"]
    assert [r["k"] for r in scan["rows"]] == list(range(2, settings.profile.scan_k_max + 1))
    assert scan["silhouette_sample"] == settings.profile.silhouette_sample
    inertia = [r["inertia"] for r in scan["rows"]]
    assert inertia == sorted(inertia, reverse=True)
    assert all(-1 <= r["silhouette"] <= 1 for r in scan["rows"])


def test_cluster_ids_are_stable_between_builds(result, setup):
    frame, settings = setup
    for spec in experiments.plan(settings.study, frame.columns):
        again, clusters = experiments.run_experiment(
            frame.copy(), spec, seed=settings.seed, forest_trees=settings.profile.cluster_rf_trees,
            n_jobs=settings.n_jobs)
        first = result[spec.id]
        assert again.labels_sha256 == first["labels_sha256"]
        assert again.sizes == first["sizes"]
        assert again.leaders == first["leaders"]
        assert np.bincount(clusters).tolist() == [s["size"] for s in first["sizes"]]


# --- pages ------------------------------------------------------------------------------------

BUILD = {"profile": "quick", "data_sha256": "0" * 64, "rules_sha256": "0" * 64,
         "packages": {"genrereport": "test", "scikit-learn": "test"}}


# What the clustering pages read besides the clustering results.
CONTEXT = {"build": BUILD, "study": load_study().for_results(), "binning": {"mode": "rules"}}


def _render(results: dict, page: str) -> str:
    env = render.make_env(resources.templates_dir())
    return env.get_template(f"pages/{page}.j2").render(
        results=results, charts=build_charts(results), tables=build_tables(results),
        claims=build_claims(results))


def test_pages_render_and_state_the_claims(result):
    results = {**CONTEXT, "clustering": result}
    text = {p: _render(results, p) for p in PAGES}
    assert "silhouette" in text["clustering.md"]
    assert f"{result['scan']['silhouette_sample']:,}" in text["clustering.md"]
    assert "contradicts" not in text["conclusion.md"]
    assert text["conclusion.md"].count("This rerun agrees") >= 4
    assert "random forest classifier" not in text["conclusion.md"]  # no models results yet


def test_conclusion_says_when_the_build_contradicts_the_study(result):
    import copy

    changed = copy.deepcopy(result)
    exp3 = changed["zero_to_one"]
    exp3["leading_genres"].append({"genre": "rock", "clusters": 1, "songs": 1, "cluster_ids": [11],
                                   "best_share": 0.4, "holds_majority": False})
    changed["conclusion"]["leaders"] = conclusion.leaders_claim(
        changed, load_study().reference["conclusion"])
    results = {**CONTEXT, "clustering": changed, "models": {"rf": {"test_accuracy": 0.4321}}}
    page = _render(results, "conclusion.md")
    assert "This rerun contradicts the study" in page
    assert "rock" in page
    assert "43.2 %" in page  # the classifier's accuracy, once the models stage provides it


def test_quick_build_has_the_clustering_pages(quick_build):
    settings, results, _ = quick_build
    assert results["clustering"]["experiment_ids"]
    for page in PAGES:
        assert (Path(settings.out_dir) / page).is_file()
