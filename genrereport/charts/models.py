"""Charts of the Models pages (protocol §4), drawn from results["models"], and from the
exploration's genre overlap where they set the models beside it.

Every chart here is aggregated data: scores, importances, shares, a genre × genre confusion
matrix, density curves of a hundred-odd points. Chart ids are `models-<model id>-<what>`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from genrereport import links
from genrereport.charts import LABEL_MAX_GENRES, Chart, heatmap_height, to_spec

WIDTH = "container"
METRICS = (("val_accuracy", "validation accuracy"), ("test_accuracy", "test accuracy"),
           ("macro_f1", "macro F1 (test)"), ("balanced_accuracy", "balanced accuracy (test)"))
BETA_EXCLUDE = "(intercept)"  # on its own scale; the betas table lists it
# Which interval (results["models"]["uncertainty"]) goes with which score.
INTERVALS = {"test_accuracy": "accuracy_ci", "macro_f1": "macro_f1_ci"}


def _records(m: dict) -> list[dict]:
    return [m[i] for i in m["order"]]


def _compare(m: dict) -> Chart:
    base = m["setup"]["baseline"]
    u = m.get("uncertainty", {}).get("models", {})
    names = [r["name"] for r in _records(m)]
    rows = []
    for r in _records(m):
        for key, label in METRICS:
            ci = u.get(r["id"], {}).get(INTERVALS.get(key, ""), None)
            rows.append({"model": r["name"], "metric": label, "value": r[key],
                         "low": ci[0] if ci else None, "high": ci[1] if ci else None})
    rules = [{"metric": label, "value": base[key]} for key, label in METRICS]
    colour = alt.Color("metric:N", title=None, sort=[label for _, label in METRICS],
                       legend=alt.Legend(orient="bottom", columns=2))
    frame = pd.DataFrame(rows)
    y = alt.Y("model:N", sort=names, title=None)
    offset = alt.YOffset("metric:N", sort=[label for _, label in METRICS])
    dots = alt.Chart(frame).mark_point(filled=True, size=60).encode(
        x=alt.X("value:Q", title="score", axis=alt.Axis(format="%"), scale=alt.Scale(zero=True)),
        y=y, yOffset=offset, color=colour,
        shape=alt.Shape("metric:N", sort=[label for _, label in METRICS], legend=None),
        tooltip=["model", "metric", alt.Tooltip("value:Q", format=".1%"),
                 alt.Tooltip("low:Q", format=".1%", title="interval from"),
                 alt.Tooltip("high:Q", format=".1%", title="interval to")])
    bars = alt.Chart(frame).mark_rule(strokeWidth=2).encode(
        x="low:Q", x2="high:Q", y=y, yOffset=offset, color=colour)
    baseline = alt.Chart(pd.DataFrame(rules)).mark_rule(strokeDash=[4, 3]).encode(
        x="value:Q", color=colour,
        tooltip=["metric", alt.Tooltip("value:Q", title="majority-class baseline", format=".1%")])
    c = alt.layer(baseline, bars, dots).properties(width=WIDTH, height=44 * len(names) + 30)
    level = m.get("uncertainty", {}).get("level")
    bars_note = f"; bars: {100 * level:.0f} % intervals of the test scores" if level else ""
    return Chart("models-compare", "Scores of every model; dashed lines: the majority-class "
                 f"baseline (always '{base['genre']}'){bars_note}", to_spec(c), rows + [
                     {"model": "baseline", **r} for r in rules])


def _times(m: dict) -> Chart:
    names = [r["name"] for r in _records(m)]
    rows = []
    for r in _records(m):
        rows.append({"model": r["name"], "what": "final fit", "seconds": r["fit_seconds"]})
        rows.append({"model": r["name"], "what": "all steps (searches included)",
                     "seconds": r["total_seconds"]})
    base = alt.Chart(pd.DataFrame(rows)).encode(
        x=alt.X("seconds:Q", scale=alt.Scale(type="log"), title="seconds (log scale)"),
        y=alt.Y("model:N", sort=names, title=None),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["model", "what", alt.Tooltip("seconds:Q", format=".1f")])
    # All steps as a ring, the final fit as a dot: a model without a search has its dot inside
    # its ring, where two filled dots used to blend into a third colour.
    rings = base.transform_filter(alt.datum.what != "final fit").mark_point(
        filled=False, size=150, strokeWidth=2)
    dots = base.transform_filter(alt.datum.what == "final fit").mark_point(filled=True, size=45)
    c = alt.layer(rings, dots).properties(width=WIDTH, height=28 * len(names) + 30)
    return Chart("models-times", "Training time of each model on this build's machine (ring: "
                 "all steps; dot: the final fit; a dot in its ring: no search before it)",
                 to_spec(c), rows)


def _correlations(m: dict) -> Chart:
    rows = [{**r, "sign": "negative" if (r["corr"] or 0) < 0 else "positive"}
            for r in m["setup"]["correlations"] if r["abs_corr"] is not None]
    c = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("abs_corr:Q", title="absolute correlation with the label code"),
        y=alt.Y("feature:N", sort="-x", title=None),
        color=alt.Color("sign:N", title="sign", scale=alt.Scale(domain=["positive", "negative"])),
        tooltip=["feature", alt.Tooltip("corr:Q", format="+.3f")],
    ).properties(width=WIDTH, height=24 * len(rows) + 20)
    return Chart("models-correlations", "Correlation of each feature with the encoded label",
                 to_spec(c), rows)


def _importances(rec: dict) -> Chart:
    rows = rec["importances"]
    has_kind = any("kind" in r for r in rows)
    enc = {"color": alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom"))} \
        if has_kind else {}
    c = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("importance:Q", title="importance (all columns sum to 1)"),
        y=alt.Y("feature:N", sort="-x", title=None),
        tooltip=["feature", alt.Tooltip("importance:Q", format=".4f")], **enc,
    ).properties(width=WIDTH, height=min(22 * len(rows) + 20, 900))
    return Chart(f"models-{rec['id']}-importances", f"{rec['name']}: feature importances",
                 to_spec(c), rows)


def _permutation(rec: dict) -> Chart:
    perm = rec["permutation"]
    rows = [{"feature": r["feature"], "drop": 100 * r["mean"], "low": 100 * r["low"],
             "high": 100 * r["high"], "rank": r["rank"]} for r in perm["features"]]
    base = alt.Chart(pd.DataFrame(rows)).encode(
        y=alt.Y("feature:N", sort=alt.EncodingSortField("drop", order="descending"), title=None))
    bars = base.mark_rule().encode(x=alt.X("low:Q", title="accuracy lost when shuffled "
                                                         "(points)"), x2="high:Q")
    dots = base.mark_point(filled=True, size=60).encode(
        x="drop:Q", tooltip=["feature", alt.Tooltip("drop:Q", format="+.2f", title="points"),
                             alt.Tooltip("low:Q", format="+.2f"),
                             alt.Tooltip("high:Q", format="+.2f"), "rank"])
    zero = alt.Chart(pd.DataFrame([{"x": 0}])).mark_rule(strokeDash=[3, 3]).encode(x="x:Q")
    c = alt.layer(zero, bars, dots).properties(width=WIDTH, height=22 * len(rows) + 20)
    level = f"{100 * perm['level']:.0f} %"
    return Chart(f"models-{rec['id']}-permutation",
                 f"{rec['name']}: accuracy lost on {perm['songs']:,} test songs when each "
                 f"feature is shuffled (dots: mean of {perm['repeats']} shuffles; lines: its "
                 f"{level} interval; dashed: no loss)", to_spec(c), rows)


def _words(rec: dict) -> Chart:
    rows = [{**r, "group": f"top {rec['study_top']}" if r["rank"] <= rec["study_top"] else "next"}
            for r in rec["top_words"]]
    c = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("importance:Q", title="importance"),
        y=alt.Y("feature:N", sort="-x", title=None),
        color=alt.Color("group:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["rank", alt.Tooltip("feature:N", title="word"),
                 alt.Tooltip("importance:Q", format=".5f")],
    ).properties(width=WIDTH, height=min(20 * len(rows) + 20, 900))
    return Chart(f"models-{rec['id']}-words", f"{rec['name']}: the most important title words",
                 to_spec(c), rows)


def _shares(rec: dict) -> Chart:
    rows = [{"genre": r["genre"], "series": series, "share": r[key], "songs": r[f"{key}_count"]}
            for r in rec["shares"] for key, series in (("actual", "actual"),
                                                       ("predicted", "predicted"))]
    c = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("share:Q", axis=alt.Axis(format="%"), title="share of the test songs"),
        y=alt.Y("genre:N", title=None),
        yOffset=alt.YOffset("series:N"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["genre", "series", alt.Tooltip("share:Q", format=".1%"), "songs"],
    ).properties(width=WIDTH, height=30 * len(rec["shares"]) + 20)
    return Chart(f"models-{rec['id']}-shares",
                 f"{rec['name']}: predicted vs actual share of each genre (test set)",
                 to_spec(c), rows)


def _confusion(rec: dict, order: list[str] | None = None) -> Chart:
    """The test set's confusion matrix. `order`: the Genre overlap page's order of the genres
    (confusable ones together), which a matrix of many genres follows, so that its confusions
    gather near the diagonal; a few genres keep the label codes' order, cell labels and all."""
    labels = rec["confusion"]["labels"]
    many = len(labels) > LABEL_MAX_GENRES
    axis = list(order) if many and order and sorted(order) == sorted(labels) else labels
    rows = []
    for i, true in enumerate(labels):
        total = sum(rec["confusion"]["matrix"][i]) or 1
        for j, pred in enumerate(labels):
            n = rec["confusion"]["matrix"][i][j]
            # Many genres: only the cells with songs (at most one per test song, where all
            # cells grow with the square of the genres); the empty ones stay blank.
            if n or not many:
                rows.append({"true": true, "predicted": pred, "songs": n, "share": n / total})
    # The axes list every genre, also one that no drawn cell names.
    scale = {"scale": alt.Scale(domain=list(axis))} if many else {}
    base = alt.Chart(pd.DataFrame(rows)).encode(
        x=alt.X("predicted:N", sort=axis, title="predicted genre",
                axis=alt.Axis(labelAngle=-40), **scale),
        y=alt.Y("true:N", sort=axis, title="true genre", **scale))
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", title="share of the true genre",
                        scale=alt.Scale(scheme="blues", domain=[0, 1]),
                        legend=alt.Legend(format="%")),
        tooltip=["true", "predicted", "songs", alt.Tooltip("share:Q", format=".1%")])
    text = base.mark_text(fontSize=9).encode(
        text="songs:Q",
        color=alt.condition(alt.datum.share > 0.5, alt.value("white"), alt.value("black")))
    layers = [cells] if many else [cells, text]
    c = alt.layer(*layers).properties(width=WIDTH, height=heatmap_height(len(labels), 380))
    ordered = "; genres ordered as on the Genre overlap page" if axis is not labels else ""
    blank = "; blank: no songs" if many else ""
    return Chart(f"models-{rec['id']}-confusion",
                 f"{rec['name']}: confusion matrix on the test set (colour: share of each "
                 f"row{ordered}{blank})", to_spec(c), rows)


def _betas(rec: dict) -> Chart:
    rows = [{**r, "sign": "negative" if (r["beta"] or 0) < 0 else "positive"}
            for r in rec["betas"] if r["feature"] != BETA_EXCLUDE]
    genres = list(dict.fromkeys(r["genre"] for r in rows))
    pick = alt.param(name=f"{rec['id']}_genre", value=genres[0],
                     bind=alt.binding_select(options=genres, name="genre "))
    c = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("beta:Q", title="coefficient (per unit of the unscaled feature)"),
        y=alt.Y("feature:N", title=None),
        color=alt.Color("sign:N", title=None, scale=alt.Scale(domain=["positive", "negative"])),
        tooltip=["genre", "feature", alt.Tooltip("beta:Q", format="+.4f")],
    ).transform_filter(alt.datum.genre == pick).add_params(pick).properties(
        width=WIDTH, height=24 * len({r["feature"] for r in rows}) + 20)
    title = (f"coefficients of its one model, {genres[0]}" if len(genres) == 1 else
             "coefficients of each genre's model (choose the genre)")
    return Chart(f"models-{rec['id']}-betas", f"{rec['name']}: {title}", to_spec(c), rows)


def _rf_search(rec: dict) -> Chart:
    rows = [{"n_estimators": c["params"]["n_estimators"],
             "max_features": str(c["params"]["max_features"]),
             "mean": c["mean"], "low": c["mean"] - c["std"], "high": c["mean"] + c["std"],
             "rank": c["rank"]} for c in rec["search"]["candidates"]]
    base = alt.Chart(pd.DataFrame(rows)).encode(
        x=alt.X("n_estimators:Q", scale=alt.Scale(type="log"), title="trees (log scale)"),
        color=alt.Color("max_features:N", title="max_features"))
    dots = base.mark_point(filled=True, size=80).encode(
        y=alt.Y("mean:Q", title="mean accuracy over the folds", scale=alt.Scale(zero=False)),
        tooltip=["n_estimators", "max_features", alt.Tooltip("mean:Q", format=".4f"), "rank"])
    bars = base.mark_rule().encode(y="low:Q", y2="high:Q")
    c = alt.layer(bars, dots).properties(width=WIDTH, height=260)
    return Chart("models-rf-search", "Random forest search: cross-validated accuracy of each "
                 "candidate (bars: ± one standard deviation over folds)", to_spec(c), rows)


def _weights(rec: dict) -> Chart:
    rows = []
    for r in rec["class_weights"]:
        rows.append({"genre": r["genre"], "source": "this build", "weight": r["weight"]})
        if r["study"] is not None:
            rows.append({"genre": r["genre"], "source": "study (rounded)", "weight": r["study"]})
    c = alt.Chart(pd.DataFrame(rows)).mark_point(filled=True, size=80).encode(
        x=alt.X("weight:Q", scale=alt.Scale(type="log"), title="class weight (log scale)"),
        y=alt.Y("genre:N", title=None),
        color=alt.Color("source:N", title=None, legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("source:N", legend=None),
        tooltip=["genre", "source", alt.Tooltip("weight:Q", format=".1f")],
    ).properties(width=WIDTH, height=24 * len(rec["class_weights"]) + 30)
    return Chart(f"models-{rec['id']}-weights", f"{rec['name']}: class weights, this build and "
                 "the study", to_spec(c), rows)


def _densities(rec: dict) -> list[Chart]:
    out = []
    panels = list(dict.fromkeys(r["panel"] for r in rec["densities"]))
    for i, panel in enumerate(panels, start=1):
        rows = [r for r in rec["densities"] if r["panel"] == panel]
        output = rows[0]["output"]
        title = ("confidence (decision function)" if output == "decision"
                 else "predicted probability")
        c = alt.Chart(pd.DataFrame(rows)).mark_area(opacity=0.45, line=True).encode(
            x=alt.X("x:Q", title=title),
            y=alt.Y("density:Q", title="density", stack=None),
            color=alt.Color("genre:N", title="model for", legend=alt.Legend(orient="bottom")),
            tooltip=["genre", alt.Tooltip("x:Q", format=".3f"),
                     alt.Tooltip("density:Q", format=".3f")],
        ).properties(width=WIDTH, height=220)
        pair = " vs ".join(dict.fromkeys(r["genre"] for r in rows))
        out.append(Chart(f"models-{rec['id']}-density-{i}",
                         f"Validation songs: density of the {title}, {pair}", to_spec(c), rows))
    return out


def _loss(rec: dict) -> Chart:
    watched = "test" if rec["watched"] == "test" else "validation"
    rows = []
    for h in rec["history"]:
        rows.append({"epoch": h["epoch"], "curve": "training loss", "loss": h["loss"]})
        rows.append({"epoch": h["epoch"], "curve": f"{watched} loss (watched)",
                     "loss": h["val_loss"]})
    c = alt.Chart(pd.DataFrame(rows)).mark_line(point=True).encode(
        x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("loss:Q", title="categorical cross-entropy", scale=alt.Scale(zero=False)),
        color=alt.Color("curve:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["epoch", "curve", alt.Tooltip("loss:Q", format=".4f")],
    ).properties(width=WIDTH, height=240)
    return Chart(f"models-{rec['id']}-loss", f"{rec['name']}: loss per epoch", to_spec(c), rows)


def _model_charts(rec: dict, order: list[str] | None = None) -> list[Chart]:
    out = []
    if rec.get("importances"):
        out.append(_importances(rec))
    if rec.get("permutation"):
        out.append(_permutation(rec))
    if rec.get("top_words"):
        out.append(_words(rec))
    if rec.get("class_weights"):
        out.append(_weights(rec))
    out += [_shares(rec), _confusion(rec, order)]
    if rec.get("betas"):
        out.append(_betas(rec))
    if rec.get("densities"):
        out += _densities(rec)
    if rec.get("history"):
        out.append(_loss(rec))
    return out


def _separation_importances(results: dict) -> Chart | None:
    """Each feature's share of the mutual information with the genre beside each model's
    importance (both sum to 1 over the features), features in the order of the former."""
    ids = links.importance_models(results)
    sep = [r for r in results["eda"]["separation"]["features"] if r["mutual_info"] is not None]
    total = sum(r["mutual_info"] for r in sep)
    if not ids or total <= 0:
        return None
    source = "mutual information with the genre"
    rows = [{"feature": r["feature"], "source": source, "share": r["mutual_info"] / total}
            for r in sep]
    m = results["models"]
    for i in ids:
        rows += [{"feature": r["feature"], "source": f"{m[i]['name']} importance",
                  "share": r["importance"]} for r in m[i]["importances"]]
    sources = list(dict.fromkeys(r["source"] for r in rows))
    c = alt.Chart(pd.DataFrame(rows)).mark_point(filled=True, size=70).encode(
        x=alt.X("share:Q", title="share of the total (each series sums to 1)"),
        y=alt.Y("feature:N", sort=[r["feature"] for r in sep], title=None),
        color=alt.Color("source:N", sort=sources, title=None,
                        legend=alt.Legend(orient="bottom", columns=1, labelLimit=0)),
        shape=alt.Shape("source:N", sort=sources, legend=None),
        tooltip=["feature", "source", alt.Tooltip("share:Q", format=".3f")],
    ).properties(width=WIDTH, height=24 * len(sep) + 30)
    return Chart("models-separation-importances", "What separates the genres on its own "
                 "(mutual information) beside what the models rely on (importances)",
                 to_spec(c), rows)


# Beyond this many pairs of genres, the pairs the model never confuses (most of them, when a
# few test songs fall on each genre) are counted per bin of separability instead of drawn each.
PAIR_POINTS_MAX = 1_000
NEVER_CONFUSED_BIN = 0.01


def _never_confused(rows: list[dict]) -> list[dict]:
    """The pairs with no confusion, counted per bin of balanced accuracy."""
    bins: dict[int, int] = {}
    for r in rows:
        # A pair told apart perfectly (1.0) joins the last bin, not one beyond the axis.
        i = min(int(r["balanced_accuracy"] / NEVER_CONFUSED_BIN + 1e-9),
                round(1 / NEVER_CONFUSED_BIN) - 1)
        bins[i] = bins.get(i, 0) + 1
    return [{"balanced_accuracy": (i + 0.5) * NEVER_CONFUSED_BIN, "confusion": 0.0,
             "from": i * NEVER_CONFUSED_BIN, "to": (i + 1) * NEVER_CONFUSED_BIN, "pairs": n}
            for i, n in sorted(bins.items())]


def _confusion_overlap(results: dict) -> Chart | None:
    """Each pair of genres: how well the features separate it, and how often the pick confuses
    it. With many pairs, those never confused are counted along the zero line instead."""
    m = results["models"]
    pick = m["summary"]["best_val"]
    joined = links.confusion_vs_overlap(results["eda"]["overlap"], m[pick]["confusion"])
    if not joined["pairs"]:
        return None
    # The largest genre draws confusions by its size alone: its pairs get a colour of their own.
    largest = results["eda"]["shares"][0]["genre"]
    rows = [{**r, "pair": f"{r['a']} / {r['b']}",
             "group": f"with {largest}" if largest in (r["a"], r["b"]) else "other pairs"}
            for r in joined["pairs"]]
    counted = len(rows) > PAIR_POINTS_MAX
    never = _never_confused([r for r in rows if not r["confusion"]]) if counted else []
    if counted:
        rows = [r for r in rows if r["confusion"]]
    x = alt.X("balanced_accuracy:Q", scale=alt.Scale(domain=[0.5, 1]),
              title="how well the features tell the pair apart (balanced accuracy)")
    y = alt.Y("confusion:Q", axis=alt.Axis(format="%"),
              title=f"how often {m[pick]['name']} mixes them up")
    c = alt.Chart(pd.DataFrame(rows, columns=["pair", "group", "balanced_accuracy",
                                              "confusion"])).mark_point(
        filled=True, size=60).encode(
        color=alt.Color("group:N", title=None, legend=alt.Legend(orient="bottom")),
        x=x, y=y,
        tooltip=["pair", alt.Tooltip("balanced_accuracy:Q", format=".3f"),
                 alt.Tooltip("confusion:Q", format=".1%")],
    )
    title = (f"Each pair of genres: separability (Genre overlap page) against "
             f"{m[pick]['name']}'s confusions on the test songs")
    if never:
        strip = alt.Chart(pd.DataFrame(never)).mark_square(color="gray", opacity=0.6).encode(
            x=x, y=y, size=alt.Size("pairs:Q", title="pairs never confused",
                                    scale=alt.Scale(range=[20, 400]),
                                    legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("pairs:Q", title="pairs never confused", format=","),
                     alt.Tooltip("from:Q", title="balanced accuracy from", format=".2f"),
                     alt.Tooltip("to:Q", title="to", format=".2f")])
        c = alt.layer(strip, c)
        title += (f" ({sum(r['pairs'] for r in never):,} pairs never confused: grey squares "
                  f"on the zero line, one per {NEVER_CONFUSED_BIN:g} of balanced accuracy, "
                  "sized by their number)")
    c = c.properties(width=WIDTH, height=300)
    return Chart("models-confusion-overlap", title, to_spec(c), rows + never)


def charts(results: dict) -> list[Chart]:
    """Every chart of the Models pages (none if the models stage's output is incomplete)."""
    m = results["models"]
    if "order" not in m or "setup" not in m:
        return []
    out = [_compare(m), _times(m), _correlations(m)]
    order = results.get("eda", {}).get("overlap", {}).get("order")
    for rec in _records(m):
        out += _model_charts(rec, order)
    if "rf" in m and m["rf"].get("search"):
        out.append(_rf_search(m["rf"]))
    if "overlap" in results.get("eda", {}):
        out += [c for c in (_separation_importances(results), _confusion_overlap(results)) if c]
    return out
