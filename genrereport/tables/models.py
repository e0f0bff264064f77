"""Tables of the Models pages (protocol §4), built from results["models"] only."""

from __future__ import annotations

from genrereport.tables import Column, Table

LEAD = "gr-lead"


def _value(v) -> str:
    # Parameters as the study would have written them (None, True, 0.1, 'sqrt').
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list):
        return " → ".join(_value(x) for x in v)
    return str(v)


def _setup(m: dict) -> list[Table]:
    s = m["setup"]
    rows = s["rows"] or 1
    splits = Table("models-splits", "The three parts (stratified, random_state "
                   f"{s['random_state']})", [
                       Column("part", "part"), Column("songs", "songs", "int"),
                       Column("share", "share", "pct")], [
        {"part": "training", "songs": s["train"], "share": s["train"] / rows},
        {"part": "validation", "songs": s["val"], "share": s["val"] / rows},
        {"part": "test", "songs": s["test"], "share": s["test"] / rows},
    ])
    labels = Table("models-labels", "Label codes (alphabetical) and songs per part", [
        Column("code", "code", "int"), Column("genre", "genre"), Column("train", "training", "int"),
        Column("val", "validation", "int"), Column("test", "test", "int")], s["labels"])
    corr = Table("models-correlations", "Correlation of each feature with the label code", [
        Column("feature", "feature"), Column("corr", "correlation", "signed"),
        Column("abs_corr", "absolute", "float3")], s["correlations"])
    return [splits, labels, corr]


def _interval(ci, digits: int = 1, scale: float = 100.0, unit: str = " %") -> str:
    return "–" if not ci else f"{scale * ci[0]:.{digits}f}{unit} to {scale * ci[1]:.{digits}f}{unit}"


def _compare(m: dict) -> Table:
    base = m["setup"]["baseline"]
    u = m["uncertainty"]["models"]
    sel = m["summary"]["selection"]
    rows = [{"name": f"majority class (always '{base['genre']}')", "val_accuracy":
             base["val_accuracy"], "test_accuracy": base["test_accuracy"],
             "macro_f1": base["macro_f1"], "balanced_accuracy": base["balanced_accuracy"],
             "vs_baseline": 0.0, "fit_seconds": None, "total_seconds": None,
             "test_ci": "", "f1_ci": "", "clean": ""}]
    rows += [{**{k: m[i][k] for k in ("name", "val_accuracy", "test_accuracy", "macro_f1",
                                      "balanced_accuracy", "vs_baseline", "fit_seconds",
                                      "total_seconds")},
              "test_ci": _interval(u[i]["accuracy_ci"]),
              "f1_ci": _interval(u[i]["macro_f1_ci"], 3, 1.0, ""),
              "clean": "yes" if sel[i]["val_clean"] and sel[i]["test_clean"]
              else f"no: its {sel[i]['saw']} score flatters it"} for i in m["order"]]
    pick = m["summary"]["best_val"]
    best = next(i for i, r in enumerate(rows) if r["name"] == m[pick]["name"])
    return Table("models-compare", "Every model against the majority-class baseline (test "
                 "scores on the held-out test set)", [
                     Column("name", "model"), Column("val_accuracy", "validation accuracy", "pct"),
                     Column("test_accuracy", "test accuracy", "pct"),
                     Column("test_ci", "its interval"),
                     Column("macro_f1", "macro F1", "float3"), Column("f1_ci", "its interval"),
                     Column("balanced_accuracy", "balanced accuracy", "pct"),
                     Column("vs_baseline", "test accuracy minus baseline", "points"),
                     Column("clean", "scores clean"),
                     Column("fit_seconds", "final fit", "seconds"),
                     Column("total_seconds", "all steps", "seconds")], rows,
                 highlight={best: LEAD})


def _paired(m: dict) -> Table:
    u = m["uncertainty"]
    ref = m[u["reference"]]["name"]
    rows = [{"name": m[t["model"]]["name"], "difference": t["difference"],
             "range": _interval(t["difference_ci"], 1, 100.0, " points"),
             "only_ref": t["reference_only"], "only_model": t["model_only"], "p": t["p"],
             "p_holm": t["p_holm"], "verdict": "differs" if t["significant"] else "cannot tell"}
            for t in u["paired"]]
    return Table("models-paired", f"{ref} against every other model on the same test songs", [
        Column("name", "model"), Column("difference", f"{ref} minus model", "points"),
        Column("range", "interval of the difference"),
        Column("only_ref", f"songs only {ref} gets right", "int"),
        Column("only_model", "songs only the model gets right", "int"),
        Column("p", "McNemar p", "float3"), Column("p_holm", "Holm-adjusted p", "float3"),
        Column("verdict", "verdict")], rows)


def _changes(m: dict) -> Table:
    rows = [{**c, "score_here": c.get("score_here"), "score_today": c.get("score_today")}
            for c in m["changes"]]
    return Table("models-changes", "What changed since the study", [
        Column("model", "model"), Column("setting", "setting"), Column("study", "the study's"),
        Column("today", "today's default"), Column("here", "this rerun"), Column("why", "why"),
        Column("score_here", "test accuracy, this rerun", "pct"),
        Column("score_today", "test accuracy, today's default", "pct")], rows)


def _report(rec: dict) -> Table:
    rows = list(rec["report"])
    for key, label in (("macro_avg", "macro average"), ("weighted_avg", "weighted average")):
        rows.append({"genre": label, **rec["report_summary"][key]})
    return Table(f"models-{rec['id']}-report", f"{rec['name']}: classification report on the "
                 "test set", [
                     Column("genre", "genre"), Column("precision", "precision", "float"),
                     Column("recall", "recall", "float"), Column("f1", "F1", "float"),
                     Column("support", "songs", "int")], rows,
                 highlight={len(rows) - 2: LEAD, len(rows) - 1: LEAD})


def _params(rec: dict) -> Table:
    return Table(f"models-{rec['id']}-params", f"{rec['name']}: settings of the final model", [
        Column("name", "parameter", "code"), Column("value", "value", "code")],
        [{"name": k, "value": _value(v)} for k, v in rec["params"].items()])


def _steps(rec: dict) -> Table:
    rows = [{"step": st["label"], "settings": ", ".join(f"{k}={_value(v)}"
                                                       for k, v in st["params"].items()),
             "val_accuracy": st["val_accuracy"], "test_accuracy": None,
             "seconds": st["fit_seconds"]} for st in rec["steps"]]
    if rec.get("search"):
        s = rec["search"]
        rows.append({"step": f"{s['kind']} search, best of {len(s['candidates'])} "
                             f"({s['cv']}-fold CV mean)",
                     "settings": ", ".join(f"{k}={_value(v)}" for k, v in s["best_params"].items()),
                     "val_accuracy": s["best_score"], "test_accuracy": None,
                     "seconds": s["seconds"]})
    rows.append({"step": "final model", "settings": ", ".join(
        f"{k}={_value(v)}" for k, v in rec["params"].items()),
        "val_accuracy": rec["val_accuracy"], "test_accuracy": rec["test_accuracy"],
        "seconds": rec["fit_seconds"]})
    return Table(f"models-{rec['id']}-steps", f"{rec['name']}: from the first model to the final "
                 "one (the search row shows its cross-validated accuracy)", [
                     Column("step", "step"), Column("settings", "settings", "code"),
                     Column("val_accuracy", "validation accuracy", "pct"),
                     Column("test_accuracy", "test accuracy", "pct"),
                     Column("seconds", "seconds", "seconds")], rows,
                 highlight={len(rows) - 1: LEAD})


def _search(rec: dict) -> Table:
    s = rec["search"]
    names = s["param_names"]
    rows = [{**{f"p_{k}": _value(c["params"].get(k)) for k in names}, "mean": c["mean"],
             "std": c["std"], "rank": c["rank"], "fit_seconds": c["fit_seconds"]}
            for c in sorted(s["candidates"], key=lambda c: c["rank"])]
    cols = [Column(f"p_{k}", k, "code") for k in names]
    cols += [Column("mean", "mean accuracy", "float3"), Column("std", "std", "float3"),
             Column("rank", "rank", "int"), Column("fit_seconds", "fit seconds", "seconds")]
    return Table(f"models-{rec['id']}-search", f"{rec['name']}: every candidate of the search "
                 f"({s['cv']}-fold cross-validation on the training part)", cols, rows,
                 highlight={i: LEAD for i, r in enumerate(rows) if r["rank"] == 1})


def _betas(rec: dict) -> Table:
    genres = list(dict.fromkeys(r["genre"] for r in rec["betas"]))
    columns = list(dict.fromkeys(r["feature"] for r in rec["betas"]))
    wide = {g: {"genre": g} for g in genres}
    for r in rec["betas"]:
        wide[r["genre"]][f"b_{r['feature']}"] = r["beta"]
    return Table(f"models-{rec['id']}-betas", f"{rec['name']}: coefficients per genre "
                 "(features unscaled, as in the study)",
                 [Column("genre", "genre")] + [Column(f"b_{f}", f, "signed") for f in columns],
                 [wide[g] for g in genres])


def _weights(m: dict) -> list[Table]:
    if "rf_weighted_norm" not in m or "rf_weighted_pred" not in m:
        return []
    norm = {r["genre"]: r for r in m["rf_weighted_norm"]["class_weights"]}
    pred = {r["genre"]: r for r in m["rf_weighted_pred"]["class_weights"]}
    rows = [{"genre": g, "train": norm[g]["count"], "norm": norm[g]["weight"],
             "norm_study": norm[g]["study"], "predicted": pred[g]["count"],
             "pred": pred[g]["weight"], "pred_study": pred[g]["study"]} for g in norm]
    return [Table("models-weights", "Class weights: computed here and the study's rounded values", [
        Column("genre", "genre"), Column("train", "training songs", "int"),
        Column("norm", "norm (here)", "float"), Column("norm_study", "norm (study)", "float"),
        Column("predicted", "predicted on validation", "int"),
        Column("pred", "pred (here)", "float"), Column("pred_study", "pred (study)", "float")],
        rows)]


def _rf_vs_study(m: dict) -> list[Table]:
    if "rf" not in m or not m["study"]["rf_report"]:
        return []
    ours = {r["genre"]: r for r in m["rf"]["report"]}
    rows = [{"genre": s["genre"], "precision_study": s["precision"],
             "precision": ours[s["genre"]]["precision"], "recall_study": s["recall"],
             "recall": ours[s["genre"]]["recall"], "f1_study": s["f1"],
             "f1": ours[s["genre"]]["f1"], "support_study": s["support"],
             "support": ours[s["genre"]]["support"]}
            for s in m["study"]["rf_report"] if s["genre"] in ours]
    cols = [Column("genre", "genre")]
    for key, label, fmt in (("precision", "precision", "float"), ("recall", "recall", "float"),
                            ("f1", "F1", "float"), ("support", "songs", "int")):
        cols += [Column(f"{key}_study", f"{label} 2018", fmt), Column(key, f"{label} here", fmt)]
    return [Table("models-rf-study", "Random forest on the test set: the study's report and this "
                  "build's", cols, rows)]


def _nn_runs(m: dict) -> list[Table]:
    runs = [m[i] for i in ("nn_study", "nn") if i in m]
    if not runs:
        return []
    rows = [{"name": r["name"], "watched": r["watched"], "epochs": r["epochs_run"],
             "val_accuracy": r["val_accuracy"], "test_accuracy": r["test_accuracy"],
             "macro_f1": r["macro_f1"]} for r in runs]
    return [Table("models-nn-runs", "The two runs of the network", [
        Column("name", "run"), Column("watched", "early stopping watched"),
        Column("epochs", "epochs trained", "int"),
        Column("val_accuracy", "validation accuracy", "pct"),
        Column("test_accuracy", "test accuracy", "pct"), Column("macro_f1", "macro F1", "float3")],
        rows)]


def _titles(m: dict) -> list[Table]:
    rec = m.get("rf_titles")
    if rec is None:
        return []
    matrix = Table("models-rf_titles-matrix", "The title-word matrix", [
        Column("what", "what"), Column("value", "value", "int")], [
        {"what": "songs (rows)", "value": rec["rows"]},
        {"what": "columns: audio features + words", "value": rec["columns"]},
        {"what": "distinct title words (after English stop words)", "value": rec["vocabulary"]},
        {"what": "non-zero cells", "value": rec["nonzero"]},
    ])
    words = Table("models-rf_titles-words", "The most important title words", [
        Column("rank", "rank", "int"), Column("feature", "word"),
        Column("importance", "importance", "float3")], rec["top_words"],
        highlight={i: LEAD for i, r in enumerate(rec["top_words"])
                   if r["rank"] <= rec["study_top"]})
    return [matrix, words]


def _permutation(rec: dict) -> Table:
    impurity = {r["feature"]: i for i, r in enumerate(rec.get("importances") or [], start=1)}
    rows = [{"feature": r["feature"], "mean": r["mean"], "low": r["low"], "high": r["high"],
             "rank": r["rank"], "impurity_rank": impurity.get(r["feature"])}
            for r in rec["permutation"]["features"]]
    cols = [Column("feature", "feature"), Column("mean", "accuracy lost", "points"),
            Column("low", "interval from", "points"), Column("high", "to", "points"),
            Column("rank", "rank", "int")]
    if impurity:
        cols.append(Column("impurity_rank", "rank by its own importances", "int"))
    return Table(f"models-{rec['id']}-permutation", f"{rec['name']}: permutation importance "
                 "on the test songs", cols, rows)


def _model_tables(rec: dict) -> list[Table]:
    out = [_params(rec), _steps(rec), _report(rec)]
    if rec.get("permutation"):
        out.append(_permutation(rec))
    if rec.get("search"):
        out.append(_search(rec))
    if rec.get("betas"):
        out.append(_betas(rec))
    return out


def tables(results: dict) -> list[Table]:
    """Every table of the Models pages (none if the models stage's output is incomplete)."""
    m = results["models"]
    if "order" not in m or "setup" not in m or "uncertainty" not in m:
        return []
    out = _setup(m) + [_compare(m), _paired(m), _changes(m)]
    for i in m["order"]:
        out += _model_tables(m[i])
    out += _weights(m) + _rf_vs_study(m) + _nn_runs(m) + _titles(m)
    return out
