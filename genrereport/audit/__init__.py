"""The leak audit: how far to trust the models' figures, measured on the build's own data.

`run` is the pipeline's "audit" analysis. It reads the binned songs, the models stage's output
(records and, internally, each model's predictions) and the outputs of its retraining stages
("audit.<id>", `RERUNS`, run by audit/reruns.py), and returns plain data:

- `duplicates`: rows that repeat a track or a feature vector, and how many disagree on genre;
- `split`: test songs with a twin among the training songs (by track id, by features);
- `twinned`: each model's test accuracy on twinned and on unseen test songs;
- `grouped`: the honest rerun on a split without shared twins, model by model, with the drop;
- `leaks`: every other leak of the study, each with its measured effect.

The verdict is stated by the claims module from these numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

# The profile fields this analysis reads itself (its retrainings are stages of their own, each
# keyed on its own fields); the pipeline keys the stage on these alone.
PROFILE_FIELDS = ("audit_rf_trees", "rf_final_trees")
# The models retrained on the grouped split ("the main models").
RERUN = ("rf", "xgb", "logreg", "nn")


@dataclass(frozen=True)
class Rerun:
    """One retraining the audit compares with the study's way: the stage "audit.<id>" runs it
    (audit/reruns.py) when the build has the model record `needs`. It runs the model module
    `code[0]`, reads the outputs of the model stages in `after` and the profile fields in
    `profile` (its key lists those alone; tests/test_profile_fields.py measures them)."""

    id: str
    needs: str
    profile: tuple[str, ...]
    after: tuple[str, ...] = ()
    code: tuple[str, ...] = ()


RERUNS: tuple[Rerun, ...] = (
    # The main models on the grouped split, with the settings their searches chose.
    Rerun("rf", "rf", ("audit_rf_trees", "rf_final_trees", "rf_chunk_trees"),
          code=("genrereport.models.forest",)),
    Rerun("xgb", "xgb", ("xgb_rounds",), after=("xgb",), code=("genrereport.models.xgb",)),
    Rerun("logreg", "logreg", (), after=("logreg",), code=("genrereport.models.logreg",)),
    Rerun("nn", "nn", ("nn_max_epochs",), code=("genrereport.models.nn",)),
    # The weighted forests with weights computed from the test set, as the study did.
    Rerun("weights_norm", "rf_weighted_norm", ("rf_weighted_trees", "rf_chunk_trees"),
          code=("genrereport.models.weights",)),
    Rerun("weights_pred", "rf_weighted_pred", ("rf_weighted_trees", "rf_chunk_trees"),
          after=("rf",), code=("genrereport.models.weights",)),
    # The title-word forest with its vocabulary from the training songs only.
    Rerun("titles", "rf_titles", ("title_trees", "rf_chunk_trees"),
          code=("genrereport.models.titles",)),
)
RERUNS_BY_ID = {r.id: r for r in RERUNS}
# The weighted forests and their reruns with weights from the test set.
WEIGHTS_RERUN = {"rf_weighted_norm": "weights_norm", "rf_weighted_pred": "weights_pred"}


def reruns_for(records) -> tuple[Rerun, ...]:
    """The retrainings a build with these model records needs."""
    return tuple(r for r in RERUNS if r.needs in set(records))


def run(frame, models_out: dict, *reruns: dict, settings, reporter=None) -> dict:
    """The audit of one build, as a JSON-able dict; `reruns` are the outputs of its retraining
    stages (audit/reruns.py)."""
    from genrereport.audit import grouped, leaks, reruns as retrain, twins
    from genrereport.jsonsafe import plain
    from genrereport.models import PREDICTIONS_KEY, metrics, uncertainty

    seed, profile = settings.seed, settings.profile
    preds = models_out[PREDICTIONS_KEY]
    records = {m: models_out[m] for m in models_out["order"]}
    done = {r["id"]: r for r in reruns}
    missing = [r.id for r in reruns_for(records) if r.id not in done]
    if missing:  # the pipeline runs them first; a caller that did not is a bug, not bad data
        raise ValueError(f"the audit needs its retrainings first: {', '.join(missing)}")
    cuts = retrain.splits_for(frame, settings)
    cut, gcut, groups, stratified = cuts.study, cuts.grouped, cuts.groups, cuts.stratified
    tracks, feats = cuts.tracks, cuts.feats
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
    gbase = metrics.baseline(gcut.y_train, gcut.y_val, gcut.y_test, gcut.classes)
    rerun = []

    def compare(model_id, name, study_pred, grouped_pred, note=None, trees=None):
        rerun.append(grouped.compare(model_id, name, study_pred == cut.y_test,
                                     grouped_pred == gcut.y_test, seed, note, trees))

    trees = min(profile.audit_rf_trees, profile.rf_final_trees)
    from_test = [m for m in ("rf_weighted_norm", "rf_weighted_pred") if m in records]

    if "rf" in records:
        compare("rf", records["rf"]["name"], preds["rf"]["trees"][str(trees)]["test"],
                done["rf"]["test"], note=f"{trees:,} trees on both splits", trees=trees)
    for m in RERUN[1:]:  # after rf, compared above on its same-sized forest
        if m in records:
            compare(m, records[m]["name"], preds[m]["test"], done[m]["test"])

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
        way = leaks.paired(cut.y_test, done[WEIGHTS_RERUN[m]]["test"], preds[m]["test"], seed)
        weight_rows.append({"model": m, "name": records[m]["name"], **way})
    if weight_rows:
        largest = max(weight_rows, key=lambda r: abs(r["effect"]))
        found.append(leaks.entry("weights_from_test", largest["effect"], largest["effect_ci"],
                                 forests=weight_rows, largest=largest["model"]))
    else:
        found.append(leaks.entry("weights_from_test", None, None, forests=[]))
    if "rf_titles" in records:
        vocab = dict(done["titles"]["record"])
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
