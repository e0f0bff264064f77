"""Charts of the exploration page (protocol §3)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from genrereport.charts import Chart, to_spec

WIDTH = "container"


def _shares(eda: dict) -> Chart:
    df = pd.DataFrame(eda["shares"])
    c = alt.Chart(df).mark_bar().encode(
        x=alt.X("share:Q", axis=alt.Axis(format="%"), title="share of songs"),
        y=alt.Y("genre:N", sort="-x", title=None),
        tooltip=["genre", "count", alt.Tooltip("share:Q", format=".1%")],
    ).properties(width=WIDTH, height=320)
    return Chart("eda-shares", "Share of songs per target genre", to_spec(c), eda["shares"])


def _ranges(eda: dict) -> Chart:
    df = pd.DataFrame(eda["ranges"])
    features = sorted(df["feature"].unique())
    pick = alt.param(name="feature", value=features[0],
                     bind=alt.binding_select(options=features, name="feature "))
    base = alt.Chart(df).transform_filter(alt.datum.feature == pick).encode(
        y=alt.Y("genre:N", title=None))
    rule = base.mark_rule().encode(x=alt.X("min:Q", title="value", scale=alt.Scale(zero=False)),
                                   x2="max:Q")
    box = base.mark_bar(size=12).encode(x="q1:Q", x2="q3:Q")
    median = base.mark_tick(color="white", thickness=2, size=12).encode(x="median:Q")
    tips = ["genre", "feature", alt.Tooltip("min:Q", format=".3f"), alt.Tooltip("q1:Q", format=".3f"),
            alt.Tooltip("median:Q", format=".3f"), alt.Tooltip("q3:Q", format=".3f"),
            alt.Tooltip("max:Q", format=".3f")]
    c = alt.layer(rule, box.encode(tooltip=tips), median).add_params(pick).properties(
        width=WIDTH, height=320)
    return Chart("eda-ranges", "Range of each feature by genre (line: min–max, bar: middle half, "
                 "tick: median)", to_spec(c), eda["ranges"])


def _histograms(eda: dict) -> Chart:
    df = pd.DataFrame(eda["histograms"])
    features = sorted(df["feature"].unique())
    genres = sorted(df["genre"].unique())
    pick_f = alt.param(name="hist_feature", value=features[0],
                       bind=alt.binding_select(options=features, name="feature "))
    pick_g = alt.param(name="hist_genre", value=genres[0],
                       bind=alt.binding_select(options=genres, name="genre "))
    c = alt.Chart(df).mark_bar().encode(
        x=alt.X("bin_start:Q", bin="binned", title="value"),
        x2="bin_end:Q",
        y=alt.Y("share:Q", axis=alt.Axis(format="%"), title="share of the genre's songs"),
        tooltip=["genre", "feature", alt.Tooltip("bin_start:Q", format=".3f"),
                 alt.Tooltip("bin_end:Q", format=".3f"), "count",
                 alt.Tooltip("share:Q", format=".1%")],
    ).transform_filter((alt.datum.feature == pick_f) & (alt.datum.genre == pick_g)).add_params(
        pick_f, pick_g).properties(width=WIDTH, height=260)
    return Chart("eda-histograms", "Histogram of each feature for each genre", to_spec(c),
                 eda["histograms"])


def _density(eda: dict, pair: str, idx: int) -> Chart:
    rows = [r for r in eda["densities"] if r["pair"] == pair]
    # Only what the chart draws goes into the page; the CSV download keeps every column.
    df = pd.DataFrame(rows)[["x_start", "x_end", "y_start", "y_end", "count"]]
    x, y = rows[0]["x"], rows[0]["y"]
    c = alt.Chart(df).mark_rect().encode(
        x=alt.X("x_start:Q", bin="binned", title=x), x2="x_end:Q",
        y=alt.Y("y_start:Q", bin="binned", title=y), y2="y_end:Q",
        color=alt.Color("count:Q", scale=alt.Scale(type="log", scheme="viridis"), title="songs"),
        tooltip=[alt.Tooltip("x_start:Q", title=f"{x} from", format=".2f"),
                 alt.Tooltip("y_start:Q", title=f"{y} from", format=".2f"), "count"],
    ).properties(width=WIDTH, height=300)
    slug = pair.replace(" vs ", "-")
    return Chart(f"eda-density-{slug}", f"{y} against {x}: songs per cell (log colour scale)",
                 to_spec(c), rows)


def charts(results: dict) -> list[Chart]:
    eda = results["eda"]
    out = [_shares(eda), _ranges(eda), _histograms(eda)]
    pairs = list(dict.fromkeys(r["pair"] for r in eda["densities"]))
    out += [_density(eda, p, i) for i, p in enumerate(pairs)]
    return out
