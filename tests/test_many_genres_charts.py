"""Charts for data sets with many genres: every chart's data can be larger than Altair's
5,000-row default (a histogram per genre and feature, a 114 × 114 confusion matrix), and the
site must still build; large data goes to files beside the chart instead."""

import numpy as np
import pandas as pd
import altair as alt

from genrereport import charts, eda
from genrereport.charts import eda as eda_charts

FEATURES = ["acousticness", "danceability", "energy", "instrumentalness", "liveness",
            "loudness", "speechiness", "tempo", "valence", "mode"]


def many_genres(genres: int = 120, songs: int = 30, seed: int = 0) -> pd.DataFrame:
    rng = np.random.RandomState(seed)
    n = genres * songs
    frame = pd.DataFrame({f: rng.rand(n) for f in FEATURES})
    frame["loudness"] = -30 * frame["loudness"]
    frame["tempo"] = 60 + 120 * frame["tempo"]
    frame["mode"] = (frame["mode"] > 0.4).astype(int)
    frame["target"] = [f"genre {i:03d}" for i in range(genres) for _ in range(songs)]
    frame["track_id"] = [f"t{i}" for i in range(n)]
    frame["track_name"] = "song"
    frame["artist_name"] = "artist"
    return frame


def test_a_chart_with_more_rows_than_altairs_default_limit():
    chart = alt.Chart(pd.DataFrame({"x": range(6000)})).mark_tick().encode(x="x:Q")
    spec = charts.to_spec(chart)
    (values,) = spec["datasets"].values()
    assert len(values) == 6000


def test_exploration_charts_for_120_genres():
    results = {"eda": eda.run(many_genres())}
    built = {c.id: c for c in eda_charts.charts(results)}
    # The histograms carry a row per feature and genre (its bins' counts in a list), not a row
    # per bin: 1,200 rows here, not 30,000.
    hist = built["eda-histograms"].spec
    features = len(results["eda"]["hist_edges"])
    assert sum(len(v) for v in hist["datasets"].values()) == 120 * features
    assert len(built["eda-histograms"].data) <= 120 * 30 * features  # the download: bins with songs


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _confusion_record(genres: list[str], seed: int = 0) -> dict:
    rng = np.random.RandomState(seed)
    return {"id": "rf", "name": "Random forest",
            "confusion": {"labels": genres,
                          "matrix": rng.randint(0, 20, (len(genres), len(genres))).tolist()}}


def test_a_confusion_matrix_of_many_genres_follows_the_overlap_order_without_cell_labels():
    # 114 genres drew 13,000 cell labels 3 pixels apart, in alphabetical order (an 8 MB SVG).
    from genrereport.charts import models as model_charts

    genres = [f"genre {i:03d}" for i in range(40)]
    order = list(reversed(genres))
    spec = model_charts._confusion(_confusion_record(genres), order).spec
    marks = [layer["mark"]["type"] for layer in _layers(spec)]
    assert marks == ["rect"]
    (cells,) = _layers(spec)
    assert cells["encoding"]["y"]["sort"] == order
    assert cells["encoding"]["x"]["sort"] == order
    assert spec["height"] >= 14 * 40


def test_a_confusion_matrix_of_few_genres_keeps_its_labels_and_the_codes_order():
    # The 2018 study's 12 genres: cell labels, and the label codes' (alphabetical) order even
    # when the overlap page orders them otherwise.
    from genrereport.charts import models as model_charts

    genres = [f"genre {i:02d}" for i in range(12)]
    spec = model_charts._confusion(_confusion_record(genres), list(reversed(genres))).spec
    assert [layer["mark"]["type"] for layer in _layers(spec)] == ["rect", "text"]
    assert _layers(spec)[0]["encoding"]["y"]["sort"] == genres
    assert spec["height"] == 380


def test_a_crosstab_of_many_clusters_gives_each_cluster_room():
    from genrereport.charts import clustering as cluster_charts

    def experiment(k):
        rows = [{"cluster": c, "genre": f"g{g}", "count": 1, "share": 1 / k,
                 "share_of_genre": 1 / k} for c in range(k) for g in range(k)]
        return {"id": "all", "number": 1, "features": FEATURES, "standardized": False,
                "crosstab": rows, "n_clusters": k,
                "sizes": [{"cluster": c, "size": k} for c in range(k)],
                "leaders": [{"cluster": c, "genre": f"g{c}"} for c in range(k)]}

    def genres(k):
        return sorted(f"g{g}" for g in range(k))

    assert cluster_charts._crosstab(experiment(12), genres(12)).spec["height"] == 340
    assert cluster_charts._crosstab(experiment(60), genres(60)).spec["height"] >= 14 * 60


def test_the_static_svg_of_a_heatmap_draws_its_cells_without_describing_each(tmp_path):
    # In an <img> or a download, an SVG's ARIA text reaches no screen reader (the page's alt
    # text does), but Vega wrote a description for each of a 114 × 114 matrix's cells: 4 MB.
    from genrereport import render
    from genrereport.charts import models as model_charts

    genres = [f"genre {i:03d}" for i in range(40)]
    record = _confusion_record(genres)
    cells = sum(n > 0 for row in record["confusion"]["matrix"] for n in row)
    svg = render._svg(model_charts._confusion(record).spec, tmp_path)
    assert svg.count(b"<path") >= cells
    assert b"songs: " not in svg
    assert len(svg) < 150 * 40 * 40, len(svg) / 1600
