"""The leak audit: how far to trust the models' figures, measured on the build's own data.

`run` is the pipeline's "audit" analysis. It reads the binned songs and the models stage's
output (records and, internally, each model's predictions) and returns plain data:

- `duplicates`: rows that repeat a track or a feature vector, and how many disagree on genre;
- `split`: test songs with a twin among the training songs (by track id, by features);
- `twinned`: each model's test accuracy on twinned and on unseen test songs;
- `grouped`: the honest rerun on a split without shared twins, model by model, with the drop;
- `leaks`: every other leak of the study, each with its measured effect.

The verdict is stated by the claims module from these numbers.
"""

from __future__ import annotations

# The profile fields this analysis reads; the pipeline keys the stage on these alone.
PROFILE_FIELDS = ("audit_rf_trees", "rf_final_trees", "rf_chunk_trees", "rf_weighted_trees",
                  "xgb_rounds", "nn_max_epochs", "title_trees")
# The models retrained on the grouped split ("the main models").
RERUN = ("rf", "xgb", "logreg", "nn")


def run(frame, models_out: dict, settings, reporter=None) -> dict:
    """The audit of one build, as a JSON-able dict."""
    import numpy as np

    from genrereport.audit import grouped, leaks, twins
    from genrereport.jsonsafe import plain
    from genrereport.models import (PREDICTIONS_KEY, logreg, metrics, nn, splits, titles,
                                    uncertainty, weights, xgb, forest)
    from genrereport.models.context import Context
    from genrereport.progress import Reporter
    from genrereport.costs import AUDIT_RERUNS
    from genrereport.scheduler import Cores, side_by_side

    reporter = reporter or Reporter(quiet=True)
    if settings.cores is None:  # outside a build's scheduler: this stage has every core
        settings = settings.with_(cores=Cores(settings.n_jobs))
        settings.cores.enter()
    seed, profile = settings.seed, settings.profile
    preds = models_out[PREDICTIONS_KEY]
    records = {m: models_out[m] for m in models_out["order"]}
    cut = splits.make_splits(frame, seed, settings.study.model_features(frame.columns))
    tracks, feats = twins.track_codes(frame), twins.feature_codes(frame, cut.features)
    groups = twins.twin_groups(tracks, feats)
    across = twins.across(cut.train, cut.test, tracks, feats)
    twinned = across["either"]
    echo = twins.twin_labels(cut.train, cut.test, groups, cut.y)

    per_model = []
    for m, rec in records.items():
        pred = preds[m]["test"]
        right = pred == cut.y_test
        per_model.append({
            "model": m, "name": rec["name"],
            "twinned": float(right[twinned].mean()) if twinned.any() else None,
            "twinned_ci": uncertainty.share_interval(right[twinned], seed),
            "unseen": float(right[~twinned].mean()) if (~twinned).any() else None,
            "unseen_ci": uncertainty.share_interval(right[~twinned], seed),
            "gap_ci": uncertainty.gap_interval(right[twinned], right[~twinned], seed),
            # On twinned songs: how often the model answers its twin's training genre.
            "echoes_twin": float((pred[twinned] == echo[twinned]).mean()) if twinned.any()
            else None})
    for row in per_model:
        row["gap"] = (None if row["twinned"] is None or row["unseen"] is None
                      else row["twinned"] - row["unseen"])

    # The honest rerun on a split without twins across it.
    train, val, test, stratified = grouped.grouped_split(cut.y, groups, seed)
    gcut = grouped.splits_like(cut, train, val, test)
    grouped.check_classes(gcut)
    gbase = metrics.baseline(gcut.y_train, gcut.y_val, gcut.y_test, gcut.classes)
    gctx = Context(gcut, settings, reporter, gbase["test_accuracy"])
    study_ctx = Context(cut, settings, reporter, models_out["setup"]["baseline"]["test_accuracy"])
    rerun = []

    def compare(model_id, name, study_pred, grouped_pred, note=None):
        rerun.append(grouped.compare(model_id, name, study_pred == cut.y_test,
                                     grouped_pred == gcut.y_test, seed, note))

    trees = min(profile.audit_rf_trees, profile.rf_final_trees)
    k = len(cut.classes)
    from_test = {}
    if "rf_weighted_norm" in records:
        from_test["rf_weighted_norm"] = weights.norm_weights(cut.y_test, k)
    if "rf_weighted_pred" in records:
        from_test["rf_weighted_pred"] = weights.pred_weights(preds["rf"]["test"], k)

    # The reruns do not need each other: they run side by side within the build's cores. Each
    # returns plain predictions; the comparisons below are made in a fixed order.
    work = {}
    if "rf" in records:
        work["rf"] = lambda: forest.final_forest(gctx, trees).predict("test")
    if "xgb" in records:
        work["xgb"] = lambda: xgb.fit_final(
            gctx, records["xgb"]["search"]["best_params"])[0].predict(gcut.X_test)
    if "logreg" in records:
        work["logreg"] = lambda: logreg.fit_best(
            gctx, records["logreg"]["search"]["best_params"]).predict(gcut.X_test)
    if "nn" in records:
        keras = nn.load_keras()  # imported once, before the reruns start side by side
        work["nn"] = lambda: nn.fit_predict(keras, gctx, "validation")["pred_test"]
    for m, w in from_test.items():
        work[f"weights:{m}"] = (lambda m=m, w=w: weights.fit(
            study_ctx, w, label=f"{m}, weights from test").predict("test"))
    if "rf_titles" in records:
        work["titles"] = lambda: titles.run(study_ctx, frame, vocabulary_from_training=True)
    done = side_by_side(settings, work, costs=AUDIT_RERUNS)

    if "rf" in records:
        compare("rf", records["rf"]["name"], preds["rf"]["trees"][str(trees)]["test"],
                done["rf"], note=f"{trees} trees on both splits")
    for m in ("xgb", "logreg", "nn"):
        if m in records:
            compare(m, records[m]["name"], preds[m]["test"], done[m])

    # The other leaks, each measured against this rerun's own way.
    found = []
    headline = next((r for r in rerun if r["model"] == "rf"), rerun[0] if rerun else None)
    if headline is not None:
        found.append(leaks.entry("twins", headline["drop"], headline["drop_ci"],
                                 model=headline["model"], study_split=headline["study_split"],
                                 grouped=headline["grouped"]))
    else:
        found.append(leaks.entry("twins", None, None))
    if "nn" in records and "nn_study" in records:
        nn_way = leaks.paired(cut.y_test, preds["nn_study"]["test"], preds["nn"]["test"], seed)
        found.append(leaks.entry("nn_test_stopping", nn_way["effect"], nn_way["effect_ci"],
                                 study_way=nn_way["study_way"], here=nn_way["here"],
                                 epochs_study_way=records["nn_study"]["epochs_run"],
                                 epochs_here=records["nn"]["epochs_run"]))
    else:
        found.append(leaks.entry("nn_test_stopping", None, None))
    weight_rows = []
    for m in from_test:
        way = leaks.paired(cut.y_test, done[f"weights:{m}"], preds[m]["test"], seed)
        weight_rows.append({"model": m, "name": records[m]["name"], **way})
    if weight_rows:
        largest = max(weight_rows, key=lambda r: abs(r["effect"]))
        found.append(leaks.entry("weights_from_test", largest["effect"], largest["effect_ci"],
                                 forests=weight_rows, largest=largest["model"]))
    else:
        found.append(leaks.entry("weights_from_test", None, None, forests=[]))
    if "rf_titles" in records:
        vocab = done["titles"]
        way = leaks.paired(cut.y_test, preds["rf_titles"]["test"],
                           vocab.pop(metrics.PREDICTIONS)["test"], seed)
        found.append(leaks.entry("title_vocabulary", way["effect"], way["effect_ci"],
                                 study_way=way["study_way"], here=way["here"],
                                 vocabulary_all=records["rf_titles"]["vocabulary"],
                                 vocabulary_training=vocab["vocabulary"]))
    else:
        found.append(leaks.entry("title_vocabulary", None, None))
    pick = models_out["summary"]["best_val"]
    # Among the models whose test score is clean (the study's network watched the test set).
    clean = [m for m in records if models_out["summary"]["selection"][m]["test_clean"]]
    on_test = max(clean, key=lambda m: records[m]["test_accuracy"])
    way = leaks.paired(cut.y_test, preds[on_test]["test"], preds[pick]["test"], seed)
    found.append(leaks.entry("test_selection", way["effect"], way["effect_ci"],
                             picked_on_test=on_test, picked_on_validation=pick,
                             study_way=way["study_way"], here=way["here"]))

    return plain({
        "duplicates": twins.describe(frame, cut.features, cut.y),
        "split": {"test": int(len(cut.test)),
                  "by_track": int(across["by_track"].sum()),
                  "by_features": int(across["by_features"].sum()),
                  "either": int(twinned.sum()),
                  "share": float(twinned.mean())},
        "twinned": per_model,
        "grouped": {**grouped.describe(gcut, groups), "seed": seed, "stratified": stratified,
                    "baseline": gbase, "models": rerun},
        "leaks": found,
        "resamples": uncertainty.RESAMPLES,
        "level": uncertainty.LEVEL,
    })
