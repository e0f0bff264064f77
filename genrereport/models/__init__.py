"""The eight classifiers of protocol §4, run the study's way, as plain data for results.json.

`run` is the pipeline's "models" analysis. The submodules are imported inside it: the pipeline
imports this package to hash its source on every build, and a cached build should not pay for
scikit-learn, xgboost or TensorFlow.

Result layout (results["models"]): one record per model id in `ORDER` (see metrics.record),
plus `order`, `summary` (with the clean pick), `uncertainty` (intervals, paired tests),
`nn_comparison`, `setup` (splits, labels, correlations, baseline), `changes` (what differs from
2018), `study` (its published figures), `profile` and `full_profile` (the study's sizes).
"""

from __future__ import annotations

# The profile fields this analysis reads: the pipeline's cache key for the "models" stage lists
# the same (a test checks), so changing another part's sizes does not retrain the models.
PROFILE_FIELDS = ("name", "rf_search_iter", "rf_search_estimators", "rf_final_trees",
                  "rf_weighted_trees", "rf_chunk_trees", "logreg_c_grid", "logreg_warm_start_grid",
                  "sgd_search_iter", "xgb_rounds", "xgb_search_iter", "xgb_search_rounds",
                  "nn_max_epochs", "title_trees", "audit_rf_trees")

# Where the stage output keeps each model's validation and test predictions (label codes).
PREDICTIONS_KEY = "_predictions"

# Display order; nn_study and nn are the two runs of the one network.
ORDER = ("rf", "rf_weighted_norm", "rf_weighted_pred", "logreg", "sgd", "xgb", "ovr_logreg",
         "nn_study", "nn", "rf_titles")


# What the network needs beyond the base install, and how to add it (the `nn` extra).
NN_NEEDS = ("keras", "tensorflow")
NN_INSTALL = "pip install 'genrereport[nn]'"


def nn_available() -> bool:
    """Whether Keras and TensorFlow can be imported (found, not imported: that takes seconds)."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in NN_NEEDS)


def run(frame, settings, reporter=None) -> dict:
    """Train and score every model on the binned songs; returns a JSON-able dict."""
    from genrereport.models import (changes, forest, logreg, metrics, nn, ovr, sgd, splits,
                                    study, titles, uncertainty, weights, xgb)
    from genrereport.models.context import Context
    from genrereport.progress import Reporter
    from genrereport.settings import PROFILES

    reporter = reporter or Reporter(quiet=True)
    study_ = settings.study
    cut = splits.make_splits(frame, settings.seed, study_.model_features(frame.columns))
    base = metrics.baseline(cut.y_train, cut.y_val, cut.y_test, cut.classes)
    ctx = Context(cut, settings, reporter, base["test_accuracy"])
    wanted = set(study_.models or ORDER)
    out: dict = {}
    predictions: dict = {}

    def done(*records):
        for rec in records:
            if rec["id"] not in wanted:
                continue
            predictions[rec["id"]] = rec.pop(metrics.PREDICTIONS)
            out[rec["id"]] = rec
            reporter.say(f"  {rec['id']}: test accuracy {rec['test_accuracy']:.3f} "
                         f"({rec['total_seconds']:.1f}s)")

    if "rf" in wanted:
        rf_record, rf_val_pred = forest.run(ctx)
        done(rf_record)
        if wanted & {"rf_weighted_norm", "rf_weighted_pred"}:
            done(*weights.run(ctx, rf_val_pred))
    steps = (("logreg", logreg.run), ("sgd", sgd.run), ("xgb", xgb.run), ("ovr_logreg", ovr.run))
    for model_id, fit in steps:
        if model_id in wanted:
            done(fit(ctx))
    missing = []
    if wanted & {"nn_study", "nn"}:
        if nn_available():
            done(*nn.run(ctx))
        else:
            # Checked before the stage starts too (pipeline): a base install without the `nn`
            # extra builds every other model and says what it left out.
            missing.append(nn.left_out())
    if "rf_titles" in wanted:
        why = titles.missing_reason(frame)
        if why is None:
            done(titles.run(ctx, frame))
        else:
            missing.append({"models": ["rf_titles"], "why": why, "how": None})

    setup = splits.describe(cut, settings.seed)
    setup["correlations"] = splits.label_correlations(cut)
    setup["baseline"] = base
    order = [m for m in ORDER if m in out]
    summary = metrics.summary([out[m] for m in order], base)
    out.update({
        "order": order,
        "summary": summary,
        "uncertainty": uncertainty.analyse(
            cut.y_test, {m: predictions[m]["test"] for m in order}, len(cut.classes),
            summary["best_val"], settings.seed),
        "nn_comparison": (nn.comparison(out["nn_study"], out["nn"])
                          if "nn" in out and "nn_study" in out else None),
        "left_out": missing,
        "setup": metrics.clean(setup),
        "changes": changes.as_data(out),
        "study": study.as_data(cut.classes, study_.reference),
        "profile": settings.profile.name,
        # the study's sizes, so that a quick build can say how far it is from them
        "full_profile": metrics.clean({f: getattr(PROFILES["full"], f)
                                       for f in PROFILE_FIELDS}),
        # Keys starting with "_" stay out of results.json: the audit reads the predictions.
        PREDICTIONS_KEY: predictions,
    })
    return out
