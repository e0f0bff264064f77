"""The "models" stage: the model stages' records put together, compared and summarised."""

from __future__ import annotations

from genrereport.models import ORDER, PREDICTIONS_KEY, PROFILE_FIELDS


def run(frame, *stage_outputs, settings, reporter=None) -> dict:
    """results["models"] from the outputs of the model stages (in `STAGES` order)."""
    from genrereport.models import changes, metrics, nn, splits, study, uncertainty
    from genrereport.settings import PROFILES

    study_ = settings.study
    cut = splits.make_splits(frame, settings.seed, study_.model_features(frame.columns))
    base = metrics.baseline(cut.y_train, cut.y_val, cut.y_test, cut.classes)
    out: dict = {}
    predictions: dict = {}
    missing: list = []
    for stage_out in stage_outputs:
        for rec in stage_out["records"]:
            rec = dict(rec)
            predictions[rec["id"]] = rec.pop(metrics.PREDICTIONS)
            out[rec["id"]] = rec
        missing.extend(stage_out["left_out"])
    unasked = [m for m in ORDER if m not in out and m not in (study_.models or ORDER)]
    if unasked:
        missing.append({"models": unasked, "why": "the study file does not list them in "
                        "[analyses] models", "how": None})

    setup = splits.describe(cut, settings.seed)
    setup["correlations"] = splits.label_correlations(cut)
    setup["baseline"] = base
    order = [m for m in ORDER if m in out]
    summary = metrics.summary([out[m] for m in order], base)
    out = {m: out[m] for m in order}
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
