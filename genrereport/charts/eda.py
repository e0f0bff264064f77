"""Charts of the exploration page (protocol §3)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from genrereport.charts import LABEL_MAX_GENRES, Chart, heatmap_height, to_spec

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


def histogram_bins(eda: dict) -> list[dict]:
    """The histograms' bins that hold songs, a row each (feature, genre, bin_start, bin_end,
    count, share): the chart's download. An empty bin is left out."""
    out = []
    for r in eda["histograms"]:
        edges = eda["hist_edges"][r["feature"]]
        out += [{"feature": r["feature"], "genre": r["genre"], "bin_start": edges[i],
                 "bin_end": edges[i + 1], "count": n, "share": n / r["songs"]}
                for i, n in enumerate(r["counts"]) if n]
    return out


def _histograms(eda: dict) -> Chart:
    # The page carries one row per feature and genre with its list of counts; the chart picks
    # one and unrolls its bins (a row per bin made 200 genres' histograms 5 MB).
    first = {f: (e[0], e[1] - e[0]) for f, e in eda["hist_edges"].items()}
    df = pd.DataFrame([{"feature": r["feature"], "genre": r["genre"], "songs": r["songs"],
                        "counts": r["counts"], "lo": first[r["feature"]][0],
                        "step": first[r["feature"]][1]} for r in eda["histograms"]])
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
                 alt.Tooltip("bin_end:Q", format=".3f"), alt.Tooltip("count:Q"),
                 alt.Tooltip("share:Q", format=".1%")],
    ).transform_filter((alt.datum.feature == pick_f) & (alt.datum.genre == pick_g)
                       ).transform_flatten(["counts"], as_=["count"]).transform_window(
        bin="row_number()", groupby=["feature", "genre"]).transform_calculate(
        bin_start="datum.lo + (datum.bin - 1) * datum.step",
        bin_end="datum.lo + datum.bin * datum.step",
        share="datum.songs ? datum.count / datum.songs : 0").add_params(
        pick_f, pick_g).properties(width=WIDTH, height=260)
    return Chart("eda-histograms", "Histogram of each feature for each genre", to_spec(c),
                 histogram_bins(eda))


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
    if "overlap" in eda:
        out += overlap_charts(eda)
    return out


# --- separation, overlap, correlations ----------------------------------------------------------

# The per-feature overlap heatmap holds G² × F cells: drawn only up to this many genres.
FEATURE_HEATMAP_MAX_GENRES = 30
SEPARATION_MEASURES = (("mutual_info", "mutual information (nats)"),
                       ("eta_squared", "eta² (ANOVA: share of variance)"),
                       ("epsilon_squared", "epsilon² (Kruskal–Wallis, on ranks)"))


def _separation(eda: dict) -> Chart:
    rows = [{"feature": r["feature"], "measure": label, "value": r[key]}
            for r in eda["separation"]["features"] for key, label in SEPARATION_MEASURES
            if r[key] is not None]
    labels = [label for _, label in SEPARATION_MEASURES]
    pick = alt.param(name="separation_measure", value=labels[0],
                     bind=alt.binding_select(options=labels, name="measure "))
    c = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("value:Q", title="how well it separates the genres on its own"),
        y=alt.Y("feature:N", sort="-x", title=None),
        tooltip=["feature", "measure", alt.Tooltip("value:Q", format=".4f")],
    ).transform_filter(alt.datum.measure == pick).add_params(pick).properties(
        width=WIDTH, height=22 * len(eda["separation"]["features"]) + 20)
    return Chart("eda-separation", "Each feature on its own: how well it separates the genres "
                 "(choose the measure)", to_spec(c), rows)


def _square(rows: list[dict], order: list[str], value: alt.Color, tooltip: list, text=None,
            dark=None, height: int = 380) -> alt.LayerChart:
    """A symmetric matrix drawn from its upper triangle: each cell twice, once mirrored, so the
    page carries half the rows. `dark`: the test (an expression) for cells whose label is white."""
    layers = []
    # The order goes into the scale's domain: the two layers put different fields on each axis,
    # and Vega-Lite drops a sort it cannot union.
    scale = alt.Scale(domain=list(order))
    for x, y in (("a", "b"), ("b", "a")):
        # No data of their own: the layer's data and transforms (filters, menus) reach both.
        base = alt.Chart().encode(
            x=alt.X(f"{x}:N", scale=scale, title=None, axis=alt.Axis(labelAngle=-40)),
            y=alt.Y(f"{y}:N", scale=scale, title=None))
        layers.append(base.mark_rect().encode(color=value, tooltip=tooltip))
        if text is not None:
            colour = (alt.condition(dark, alt.value("white"), alt.value("black"))
                      if dark is not None else alt.value("black"))
            layers.append(base.mark_text(fontSize=9).encode(text=text, color=colour))
    return alt.layer(*layers, data=pd.DataFrame(rows)).properties(width=WIDTH, height=height)


def _overlap(eda: dict) -> Chart:
    o = eda["overlap"]
    rows = [{"a": p["a"], "b": p["b"], "balanced_accuracy": p["balanced_accuracy"],
             "measured_by": p["measured_by"], "sampled_a": p["sampled_a"],
             "sampled_b": p["sampled_b"]}
            for p in o["pairs"] if p["balanced_accuracy"] is not None]
    # The page carries what the heatmap draws, each genre as its number in a list of names:
    # 200 genres make 19,900 pairs, and their names took half the page's data. The download
    # keeps the names and the songs each pair used.
    number = {g: i for i, g in enumerate(o["genres"])}
    drawn = [{"i": number[r["a"]], "j": number[r["b"]], "ba": r["balanced_accuracy"],
              "est": int(r["measured_by"] == "estimate")} for r in rows]
    names = alt.LookupData(pd.DataFrame({"n": range(len(o["genres"])), "genre": o["genres"]}),
                           key="n", fields=["genre"])
    colour = alt.Color("ba:Q", title="balanced accuracy",
                       scale=alt.Scale(scheme="viridis", domain=[0.5, 1]))
    tips = [alt.Tooltip("a:N", title="genre"), alt.Tooltip("b:N", title="genre"),
            alt.Tooltip("ba:Q", title="balanced accuracy", format=".3f"),
            alt.Tooltip("measured_by:N", title="measured by")]
    text = (alt.Text("ba:Q", format=".2f")
            if len(o["genres"]) <= LABEL_MAX_GENRES else None)
    c = _square(drawn, o["order"], colour, tips, text, "datum.ba < 0.7",
                height=heatmap_height(len(o["genres"]), 380))
    c = c.transform_lookup(lookup="i", from_=names, as_=["a"]).transform_lookup(
        lookup="j", from_=names, as_=["b"]).transform_calculate(
        measured_by="datum.est ? 'estimate' : 'classifier'")
    return Chart("eda-overlap", "How well the audio features tell each pair of genres apart "
                 "(balanced accuracy: 0.5 a coin toss, 1 always right); genres ordered so that "
                 "confusable ones sit together", to_spec(c), rows)


def _overlap_features(eda: dict) -> Chart:
    o = eda["overlap"]
    rows = [{"a": p["a"], "b": p["b"], "feature": f, "overlap": v}
            for p in o["pairs"] for f, v in p["overlap"].items()]
    features = [r["feature"] for r in o["feature_overlap"]]
    pick = alt.param(name="overlap_feature", value=features[0],
                     bind=alt.binding_select(options=features, name="feature "))
    colour = alt.Color("overlap:Q", title="overlap", scale=alt.Scale(scheme="viridis",
                                                                     domain=[0, 1], reverse=True))
    tips = [alt.Tooltip("a:N", title="genre"), alt.Tooltip("b:N", title="genre"), "feature",
            alt.Tooltip("overlap:Q", format=".2f")]
    text = (alt.Text("overlap:Q", format=".2f")
            if len(o["genres"]) <= LABEL_MAX_GENRES else None)
    c = _square(rows, o["order"], colour, tips, text, "datum.overlap > 0.7",
                height=heatmap_height(len(o["genres"]), 380))
    c = c.transform_filter(alt.datum.feature == pick).add_params(pick)
    return Chart("eda-overlap-features", "How much two genres' distributions of one feature "
                 "overlap (1: the same, 0: disjoint; choose the feature)", to_spec(c), rows)


def _correlations(eda: dict) -> Chart:
    corr = eda["correlations"]
    both: dict = {}
    for r in corr["rows"]:
        both.setdefault((r["scope"], r["x"], r["y"]), {})[r["method"]] = r["r"]
    # One row per cell with both coefficients: the method menu picks one, the page carries half.
    rows = [{"scope": s, "a": x, "b": y, **rs} for (s, x, y), rs in both.items()]
    scope = alt.param(name="corr_scope", value=corr["scopes"][0],
                      bind=alt.binding_select(options=corr["scopes"], name="songs "))
    method = alt.param(name="corr_method", value=corr["methods"][0],
                       bind=alt.binding_radio(options=corr["methods"], name="coefficient "))
    colour = alt.Color("r:Q", title="correlation",
                       scale=alt.Scale(scheme="redblue", domain=[-1, 1], reverse=True))
    tips = [alt.Tooltip("a:N", title="feature"), alt.Tooltip("b:N", title="feature"), "scope",
            alt.Tooltip("r:Q", format="+.3f")]
    c = _square(rows, corr["features"], colour, tips, alt.Text("r:Q", format=".2f"),
                "abs(datum.r) > 0.6")
    c = c.transform_filter(alt.datum.scope == scope).transform_calculate(
        r=f"{method.name} == 'pearson' ? datum.pearson : datum.spearman").add_params(scope, method)
    return Chart("eda-correlations", "Correlation of each pair of features (choose the songs and "
                 "the coefficient)", to_spec(c), rows)


def overlap_charts(eda: dict) -> list[Chart]:
    """The charts of the Genre overlap page and the profiler's correlation matrix."""
    out = [_separation(eda), _correlations(eda)]
    if any(p["balanced_accuracy"] is not None for p in eda["overlap"]["pairs"]):
        out.append(_overlap(eda))
    if eda["overlap"]["pairs"] and len(eda["overlap"]["genres"]) <= FEATURE_HEATMAP_MAX_GENRES:
        out.append(_overlap_features(eda))
    return out
