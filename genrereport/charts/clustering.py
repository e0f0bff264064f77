"""Charts of the Clustering, Bins-vs-clusters and Conclusion pages (protocol §5 and beyond).

Everything drawn here is already aggregated in results["clustering"]: cluster sizes, ranges,
pre-binned histograms, the crosstab, the scores and the k scan. No songs are inlined.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from genrereport.charts import LABEL_MAX_GENRES, Chart, heatmap_height, to_spec

WIDTH = "container"
# Twelve clearly different hues (Tableau 10 plus two), one per genre on every chart.
GENRE_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
                 "#ff9da7", "#9c755f", "#bab0ac", "#17becf", "#bcbd22")
# The outline of a cluster's leading genre: visible on viridis in both palettes.
LEAD_STROKE = "#ff3d00"
METRIC_LABELS = {"ari": "adjusted Rand", "nmi": "NMI", "homogeneity": "homogeneity",
                 "completeness": "completeness", "v_measure": "V-measure"}


def experiment_label(exp: dict) -> str:
    """'Experiment 3 (7 features)', the name charts and tables give an experiment."""
    scaled = ", standardised" if exp["standardized"] else ""
    return f"Experiment {exp['number']} ({len(exp['features'])} features{scaled})"


def _genre_scale(genres: list[str]) -> alt.Scale:
    return alt.Scale(domain=genres, range=list(GENRE_COLOURS[: len(genres)]) or None)


def _cluster_axis(title: str = "cluster", k: int | None = None) -> alt.Y:
    """The cluster axis; with `k`, clusters 0…k-1 all listed even where no row draws them."""
    domain = {"scale": alt.Scale(domain=list(range(k)))} if k is not None else {}
    return alt.Y("cluster:O", title=title, sort="ascending", **domain)


def _sizes(exp: dict, genres: list[str]) -> Chart:
    lead = {r["cluster"]: r for r in exp["leaders"]}
    rows = [{**s, "leader": lead[s["cluster"]]["genre"], "leader_share": lead[s["cluster"]]["share"]}
            for s in exp["sizes"]]
    c = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("cluster:O", title="cluster (0 = largest)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("size:Q", title="songs"),
        color=alt.Color("leader:N", scale=_genre_scale(genres), title="leading genre"),
        tooltip=["cluster", alt.Tooltip("size:Q", title="songs", format=","),
                 alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("leader:N", title="leading genre"),
                 alt.Tooltip("leader_share:Q", title="its share of the cluster", format=".1%")],
    ).properties(width=WIDTH, height=240)
    return Chart(f"clustering-{exp['id']}-sizes",
                 f"{experiment_label(exp)}: songs per cluster, coloured by the cluster's leading genre",
                 to_spec(c), rows)


def _importances(exp: dict) -> Chart:
    rows = exp["forest"]["importances"]
    c = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("importance:Q", title="importance (sums to 1)"),
        y=alt.Y("feature:N", sort="-x", title=None),
        tooltip=["feature", alt.Tooltip("importance:Q", format=".3f")],
    ).properties(width=WIDTH, height=24 * len(rows) + 20)
    return Chart(f"clustering-{exp['id']}-importances",
                 f"{experiment_label(exp)}: which features the forest uses to recognise a cluster",
                 to_spec(c), rows)


def _profile(exp: dict) -> Chart:
    rows = exp["profiles"]
    c = alt.Chart(pd.DataFrame(rows)).mark_rect().encode(
        x=alt.X("feature:N", title=None, axis=alt.Axis(labelAngle=-40)),
        y=_cluster_axis(),
        color=alt.Color("z:Q", title="mean vs all songs (sd)",
                        # A few extreme clusters (tempo 0, time signature 0) would wash out the
                        # rest, so the colours stop at ±2.5 sd; the tooltip has the exact value.
                        scale=alt.Scale(scheme="redblue", reverse=True, domain=[-2.5, 2.5],
                                        clamp=True)),
        tooltip=["cluster", "feature", alt.Tooltip("mean:Q", title="cluster mean", format=".3f"),
                 alt.Tooltip("z:Q", title="sd from the overall mean", format="+.2f")],
    ).properties(width=WIDTH, height=300)
    return Chart(f"clustering-{exp['id']}-profile",
                 f"{experiment_label(exp)}: each cluster's mean feature values, in standard "
                 "deviations from the mean of all songs (colours capped at ±2.5)", to_spec(c), rows)


def _ranges(exp: dict) -> Chart:
    feature = exp["range_feature"]
    rows = [r for r in exp["ranges"] if r["feature"] == feature and r["min"] is not None]
    base = alt.Chart(pd.DataFrame(rows)).encode(y=_cluster_axis())
    bar = base.mark_bar(size=14).encode(
        x=alt.X("min:Q", title=feature, scale=alt.Scale(zero=False)), x2="max:Q",
        tooltip=["cluster", alt.Tooltip("min:Q", format=".1f"),
                 alt.Tooltip("median:Q", format=".1f"), alt.Tooltip("max:Q", format=".1f")])
    # A cluster whose songs all share one value has a bar of zero width; the tick still shows it.
    tick = base.mark_tick(color=LEAD_STROKE, thickness=2, size=18).encode(x="median:Q")
    c = alt.layer(bar, tick).properties(width=WIDTH, height=300)
    return Chart(f"clustering-{exp['id']}-ranges",
                 f"{experiment_label(exp)}: {feature} from lowest to highest in each cluster "
                 "(orange tick: median)", to_spec(c), rows)


def _histograms(exp: dict) -> Chart:
    rows = exp["histograms"]
    clusters = sorted({r["cluster"] for r in rows})
    pick = alt.param(name="cluster", value=clusters[0],
                     bind=alt.binding_select(options=clusters, name="cluster "))
    c = alt.Chart(pd.DataFrame(rows)).mark_line(point=True).encode(
        x=alt.X("bin_mid:Q", title="value (bin middle)", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("share:Q", axis=alt.Axis(format="%"), title="share of the cluster's songs"),
        color=alt.Color("feature:N", title="feature"),
        tooltip=["cluster", "feature", alt.Tooltip("bin_start:Q", format=".2f"),
                 alt.Tooltip("bin_end:Q", format=".2f"), alt.Tooltip("count:Q", format=","),
                 alt.Tooltip("share:Q", format=".1%")],
    ).transform_filter(alt.datum.cluster == pick).add_params(pick).properties(
        width=WIDTH, height=280)
    return Chart(f"clustering-{exp['id']}-histograms",
                 f"{experiment_label(exp)}: distribution of "
                 f"{', '.join(exp['histogram_features'])} within the chosen cluster",
                 to_spec(c), rows)


def _genre_share(exp: dict, genres: list[str]) -> Chart:
    rows = [r for r in exp["crosstab"] if r["count"]]
    c = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        y=_cluster_axis(),
        x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format="%"),
                title="share of the cluster's songs"),
        color=alt.Color("genre:N", scale=_genre_scale(genres), title="genre"),
        order=alt.Order("share:Q", sort="descending"),
        tooltip=["cluster", "genre", alt.Tooltip("count:Q", title="songs", format=","),
                 alt.Tooltip("share:Q", title="share of the cluster", format=".1%")],
    ).properties(width=WIDTH, height=320)
    return Chart(f"clustering-{exp['id']}-genres",
                 f"{experiment_label(exp)}: the genres within each cluster", to_spec(c), rows)


def crosstab_cells(exp: dict, genres: list[str]) -> list[dict]:
    """Every cell of an experiment's crosstab (which lists only the cells that hold songs), the
    empty ones filled in with count 0, by cluster and then genre; an empty cluster's shares are
    None."""
    cells = {(r["cluster"], r["genre"]): r for r in exp["crosstab"]}
    sizes = {s["cluster"]: s["size"] for s in exp["sizes"]}
    return [cells.get((c, g)) or {"cluster": c, "genre": g, "count": 0,
                                  "share": 0.0 if sizes.get(c) else None, "share_of_genre": 0.0}
            for c in range(exp["n_clusters"]) for g in genres]


def many_cells(exp: dict, genres: list[str]) -> bool:
    """Whether a crosstab has too many clusters or genres to draw or list every cell."""
    return max(exp["n_clusters"], len(genres)) > LABEL_MAX_GENRES


def _crosstab(exp: dict, genres: list[str]) -> Chart:
    lead = {(r["cluster"], r["genre"]) for r in exp["leaders"]}
    # A few genres: every cell, the empty ones in the colour of 0 %. Many: only the cells that
    # hold songs (at most one per song, where all cells grow with clusters × genres); the
    # axes still list every genre and cluster.
    many = many_cells(exp, genres)
    cells = exp["crosstab"] if many else crosstab_cells(exp, genres)
    rows = [{**r, "leads": (r["cluster"], r["genre"]) in lead} for r in cells]
    pick = alt.param(name="per", value="cluster",
                     bind=alt.binding_radio(options=["cluster", "genre"],
                                            labels=["share of the cluster", "share of the genre"],
                                            name="colour by "))
    # One chart, two readings: homogeneity (down a cluster) or completeness (across a genre).
    value = alt.expr.if_(pick == "cluster", alt.datum.share, alt.datum.share_of_genre)
    base = alt.Chart(pd.DataFrame(rows)).transform_calculate(value=value).encode(
        x=alt.X("genre:N", title=None, axis=alt.Axis(labelAngle=-40),
                **({"scale": alt.Scale(domain=list(genres))} if many else {})),
        y=_cluster_axis(k=exp["n_clusters"] if many else None))
    cells = base.mark_rect().encode(
        color=alt.Color("value:Q", title="share", scale=alt.Scale(scheme="viridis", domain=[0, 1]),
                        legend=alt.Legend(format="%")),
        tooltip=["cluster", "genre", alt.Tooltip("count:Q", title="songs", format=","),
                 alt.Tooltip("share:Q", title="share of the cluster", format=".1%"),
                 alt.Tooltip("share_of_genre:Q", title="share of the genre", format=".1%"),
                 alt.Tooltip("leads:N", title="leads the cluster")])
    outline = base.mark_rect(fill=None, stroke=LEAD_STROKE, strokeWidth=2.5).transform_filter(
        alt.datum.leads)
    labels = base.mark_text(fontSize=9).encode(
        text=alt.Text("value:Q", format=".0%"),
        color=alt.condition(alt.datum.value > 0.5, alt.value("black"), alt.value("white")),
    ).transform_filter(alt.datum.value >= 0.05)
    c = alt.layer(cells, outline, labels).add_params(pick).properties(
        width=WIDTH, height=heatmap_height(exp["n_clusters"], 340))
    blank = "; blank: no songs" if many else ""
    return Chart(f"clustering-{exp['id']}-crosstab",
                 f"{experiment_label(exp)}: genres × clusters (outlined: the cluster's leading "
                 f"genre; labels from 5 %{blank})", to_spec(c), rows)


def _agreement(cl: dict) -> Chart:
    rows = []
    for eid in cl["experiment_ids"]:
        exp = cl[eid]
        for m in cl["metrics"]:
            rows.append({"experiment": experiment_label(exp), "metric": METRIC_LABELS[m],
                         "score": exp["agreement"][m], "chance": exp["chance"][m]})
    order = [METRIC_LABELS[m] for m in cl["metrics"]]
    base = alt.Chart(pd.DataFrame(rows)).encode(
        y=alt.Y("metric:N", sort=order, title=None), yOffset=alt.YOffset("experiment:N"))
    bars = base.mark_bar().encode(
        x=alt.X("score:Q", title="score (1 = clusters are the genres)"),
        color=alt.Color("experiment:N", title=None, legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=["experiment", "metric", alt.Tooltip("score:Q", format=".3f"),
                 alt.Tooltip("chance:Q", title="shuffled clusters", format=".3f")])
    chance = base.mark_tick(color="gray", thickness=2).encode(x="chance:Q")
    c = alt.layer(bars, chance).properties(width=WIDTH, height=360)
    return Chart("clustering-agreement",
                 "How well each experiment's clusters match the genre bins (grey tick: the same "
                 "clusters shuffled)", to_spec(c), rows)


def _scan(scan: dict, field: str, title: str, axis_title: str) -> Chart:
    rows = [r for r in scan["rows"] if r[field] is not None]
    base = alt.Chart(pd.DataFrame(rows))
    line = base.mark_line(point=True).encode(
        x=alt.X("k:Q", title="number of clusters k", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y(f"{field}:Q", title=axis_title, scale=alt.Scale(zero=False)),
        tooltip=["k", alt.Tooltip(f"{field}:Q", format=",.3f")])
    layers = [line]
    if scan["k_min"] <= scan["study_k"] <= (scan["k_max"] or 0):
        rule = alt.Chart(pd.DataFrame([{"k": scan["study_k"]}])).mark_rule(
            strokeDash=[4, 4], color="gray").encode(x="k:Q")
        layers.append(rule)
    c = alt.layer(*layers).properties(width=WIDTH, height=240)
    return Chart(f"clustering-scan-{field}", title, to_spec(c), rows)


def charts(results: dict) -> list[Chart]:
    """Every clustering chart; per experiment, the study's view of it only where it showed one."""
    cl = results["clustering"]
    genres = cl["genres"]
    out = []
    for eid in cl["experiment_ids"]:
        exp = cl[eid]
        out += [_sizes(exp, genres), _importances(exp), _profile(exp), _genre_share(exp, genres),
                _crosstab(exp, genres)]
        if exp["range_feature"]:
            out.append(_ranges(exp))
        if exp["histograms"]:
            out.append(_histograms(exp))
    out.append(_agreement(cl))
    scan = cl["scan"]
    dashed = " (dashed: the study's k)" if scan["k_min"] <= scan["study_k"] <= (scan["k_max"] or 0) else ""
    out.append(_scan(scan, "inertia", f"Elbow: within-cluster sum of squares on all "
                     f"{scan['songs']:,} songs{dashed}", "inertia"))
    out.append(_scan(scan, "silhouette", f"Silhouette on a random sample of "
                     f"{scan['silhouette_sample']:,} songs{dashed}", "mean silhouette"))
    return out
