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
    hist = built["eda-histograms"].spec
    assert sum(len(v) for v in hist["datasets"].values()) > 5000
