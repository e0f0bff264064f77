"""The audit's retrainings, one stage each ("audit.<id>", see audit.RERUNS).

Each one needs only the binned songs and, for some, one model's stage (the settings its search
chose, or its predictions), not every model: as stages of their own they start as soon as those
exist and fill the cores beside the long forests, instead of waiting for all the models and
then running at the end of the build. Each returns the plain predictions the audit compares.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

from genrereport.audit import RERUNS_BY_ID


class Cuts(NamedTuple):
    """The study's split and the grouped split without twins across it, with what made it."""

    study: object  # models.splits.Splits
    grouped: object
    tracks: object  # each song's track code, feature-vector code and twin group
    feats: object
    groups: object
    stratified: bool


def splits_for(frame, settings) -> Cuts:
    """The study's split and the audit's grouped split of the binned songs."""
    from genrereport.audit import grouped, twins
    from genrereport.models import splits

    cut = splits.make_splits(frame, settings.seed, settings.study.model_features(frame.columns))
    tracks, feats = twins.track_codes(frame), twins.feature_codes(frame, cut.features)
    groups = twins.twin_groups(tracks, feats)
    train, val, test, stratified = grouped.grouped_split(cut.y, groups, settings.seed)
    gcut = grouped.splits_like(cut, train, val, test)
    grouped.check_classes(gcut)
    return Cuts(cut, gcut, tracks, feats, groups, stratified)


def run(frame, *upstream, settings, reporter=None, rerun: str) -> dict:
    """Retrain one model for the audit; `upstream` are the outputs of its model stages.
    Returns {"id": rerun, "test": test-set label codes} (the title forest: its whole record,
    under "record"; or "left_out" with the reason when the songs have no titles)."""
    from genrereport.models import metrics
    from genrereport.models.context import Context
    from genrereport.progress import Reporter

    reporter = reporter or Reporter(quiet=True)
    spec = RERUNS_BY_ID[rerun]
    cuts = splits_for(frame, settings)
    cut, gcut = cuts.study, cuts.grouped
    k = len(cut.classes)

    def context(part):  # a model's context on one split (its baseline is only recorded)
        base = metrics.baseline(part.y_train, part.y_val, part.y_test, part.classes)
        return Context(part, settings, reporter, base["test_accuracy"])

    gctx, study_ctx = context(gcut), context(cut)
    profile = settings.profile
    model_out = upstream[0]["records"][0] if upstream else None
    # The model's module by name (as models/stage.py does), so that each rerun's cache key
    # lists the code of its own model only.
    module = importlib.import_module(spec.code[0])
    if spec.id == "rf":
        trees = min(profile.audit_rf_trees, profile.rf_final_trees)
        test = module.final_forest(gctx, trees).predict("test")
    elif spec.id == "xgb":
        test = module.fit_final(gctx, model_out["search"]["best_params"])[0].predict(gcut.X_test)
    elif spec.id == "logreg":
        test = module.fit_best(gctx, model_out["search"]["best_params"]).predict(gcut.X_test)
    elif spec.id == "nn":
        test = module.fit_predict(module.load_keras(), gctx)["validation"]["pred_test"]
    elif spec.id in ("weights_norm", "weights_pred"):
        # Class weights computed from the test set, as the study did (the leak measured).
        w = (module.norm_weights(cut.y_test, k) if spec.id == "weights_norm"
             else module.pred_weights(model_out[metrics.PREDICTIONS]["test"], k))
        test = module.fit(study_ctx, w, label=f"{spec.needs}, weights from test").predict("test")
    elif spec.id == "titles":
        why = module.missing_reason(frame)
        if why is not None:
            return {"id": rerun, "left_out": why}
        return {"id": rerun,
                "record": module.run(study_ctx, frame, vocabulary_from_training=True)}
    else:  # a rerun declared in audit.RERUNS without a way to run it here
        raise ValueError(f"unknown audit rerun {rerun!r}")
    return {"id": rerun, "test": test}
