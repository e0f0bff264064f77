"""200 labels in 2,000 songs (10 songs each) must make a light site: a user's build of such a
data set wrote 134 MB, with a 38 MB results.json, because what a page shows per pair of genres,
per genre and cluster or per genre and bin was stored and drawn cell by cell. Here the parts of
the results that grew so are made at that size, without a build, and what the site writes for
them is weighed: it must grow with the songs, not with the square of the labels."""

import json

import numpy as np
import pandas as pd
import pytest

from genrereport import eda
from genrereport.charts import external
from genrereport.charts import eda as eda_charts
from genrereport.charts import models as model_charts
from genrereport.clustering import describe

LABELS, SONGS, TEST_SONGS = 200, 2_000, 400
FEATURES = ["acousticness", "danceability", "duration_ms", "energy", "instrumentalness", "key",
            "liveness", "loudness", "mode", "speechiness", "tempo", "time_signature", "valence"]
GENRES = [f"genre {i:03d}" for i in range(LABELS)]


def _bytes(value) -> int:
    return len(json.dumps(value, separators=(",", ":")))


def _written(chart) -> int:
    """What the site writes for a chart, SVG aside: the spec in its page, the data files it
    fetches, the CSV download."""
    from genrereport import render

    files = external(chart, "assets/charts")
    return (_bytes(chart.page_spec or chart.spec) + sum(len(b) for b in files.values())
            + len(render._csv(chart.data)))


@pytest.fixture(scope="module")
def songs() -> pd.DataFrame:
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.rand(SONGS, len(FEATURES)), columns=FEATURES)
    frame["target"] = [GENRES[i % LABELS] for i in range(SONGS)]
    return frame


@pytest.fixture(scope="module")
def confusion() -> dict:
    rng = np.random.RandomState(1)
    matrix = np.zeros((LABELS, LABELS), dtype=int)
    for s in range(TEST_SONGS):
        true = s % LABELS
        matrix[true, true if rng.rand() < 0.8 else rng.randint(LABELS)] += 1
    return {"labels": GENRES, "matrix": matrix.tolist()}


@pytest.fixture(scope="module")
def overlap() -> dict:
    rng = np.random.RandomState(2)
    pairs = [{"a": a, "b": b, "balanced_accuracy": 0.5 + rng.rand() / 2, "classifier": None,
              "estimate": 0.5 + rng.rand() / 2, "features_overlapping": 7,
              "measured_by": "estimate", "sampled_a": 10, "sampled_b": 10, "songs_a": 10,
              "songs_b": 10, "overlap": {f: rng.rand() for f in FEATURES}}
             for i, a in enumerate(GENRES) for b in GENRES[i + 1:]]
    order = list(GENRES)
    rng.shuffle(order)
    return {"genres": GENRES, "order": order, "pairs": pairs}


def test_views_of_genre_pairs_and_cells_grow_with_the_songs(songs, confusion, overlap):
    # A crosstab of 200 clusters by 200 genres lists the cells that hold songs.
    clusters = np.random.RandomState(3).randint(0, LABELS, SONGS)
    cells = describe.crosstab(songs["target"].to_numpy(), clusters, LABELS, GENRES)
    assert len(cells) <= SONGS

    # A confusion matrix draws the cells with test songs, and keeps every genre on its axes.
    chart = model_charts._confusion({"id": "rf", "name": "Random forest",
                                     "confusion": confusion}, overlap["order"])
    assert len(chart.data) <= TEST_SONGS
    assert chart.spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == overlap["order"]
    assert _written(chart) < 100_000

    # Separability against confusion: the pairs never confused are counted, not drawn each.
    results = {"eda": {"overlap": overlap, "shares": [{"genre": GENRES[0]}]},
               "models": {"summary": {"best_val": "rf"},
                          "rf": {"name": "Random forest", "confusion": confusion}}}
    chart = model_charts._confusion_overlap(results)
    assert len(chart.data) <= TEST_SONGS + 100
    assert _written(chart) < 100_000

    # The overlap heatmap draws all 19,900 pairs, at most 40 bytes each in the page's data.
    chart = eda_charts._overlap({"overlap": overlap})
    external(chart, "assets/charts")
    data = sum(_bytes(v) for v in chart.spec["datasets"].values())
    assert data < 40 * len(overlap["pairs"])


def test_histograms_of_200_genres_are_a_list_of_counts_per_genre(songs):
    out = eda.histograms(songs, FEATURES)
    assert _bytes(out) < 400_000  # a record per bin: 7 MB
    rows, edges = out
    assert len(rows) == LABELS * len(FEATURES)
    assert all(sum(r["counts"]) == r["songs"] == SONGS // LABELS for r in rows)
    chart = eda_charts._histograms({"histograms": rows, "hist_edges": edges})
    assert _bytes(chart.spec) < 400_000  # a record per bin: 7 MB
    # the download: a row per bin that holds songs
    assert len(chart.data) == sum(n > 0 for r in rows for n in r["counts"])
    # one chart, a menu of the genres
    params = {p["name"]: p for p in chart.spec["params"]}
    assert params["hist_genre"]["bind"]["options"] == GENRES


def test_results_json_of_200_labels_is_light_and_reads_back(tmp_path, songs, confusion, overlap):
    from genrereport import resultsfile

    clusters = np.random.RandomState(3).randint(0, LABELS, SONGS)
    rows, edges = eda.histograms(songs, FEATURES)
    experiment = {"crosstab": describe.crosstab(songs["target"].to_numpy(), clusters, LABELS,
                                                GENRES)}
    results = {
        "eda": {"genres": GENRES, "histograms": rows, "hist_edges": edges, "overlap": overlap},
        "clustering": {"all_features": experiment, "standardized": experiment},
        "models": {m: {"confusion": confusion} for m in ("rf", "xgb", "logreg", "sgd", "nn",
                                                          "nn_study", "ovr_logreg",
                                                          "rf_weighted_norm", "rf_weighted_pred")},
    }
    files = resultsfile.files(results)
    assert len(files["results.json"]) < 2_000_000
    assert sum(len(t) for t in files.values()) < 4_000_000
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    # No page draws each pair's overlap on every feature beyond 30 genres: it is left out;
    # the rest reads back as it was.
    assert resultsfile.read(tmp_path) == resultsfile.slim(results)
    assert "overlap" not in resultsfile.slim(results)["eda"]["overlap"]["pairs"][0]
