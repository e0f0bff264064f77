"""One model's stage: split the binned songs the study's way and train that model alone.

The model's module is imported by name (`models.STAGES`), so this module's own code is the same
for every model and each stage's cache key lists only the code its model runs.
"""

from __future__ import annotations

import importlib

from genrereport.models import STAGES_BY_ID, nn_available


def run(frame, *upstream, settings, reporter=None, stage: str) -> dict:
    """Train the models of `stage` on the binned songs. Returns {"records": [...], "left_out":
    [...]}: each record with its predictions (see metrics.record); `upstream` are the outputs of
    the stages in its `after`."""
    from genrereport.models import metrics, splits
    from genrereport.models.context import Context
    from genrereport.progress import Reporter

    reporter = reporter or Reporter(quiet=True)
    spec = STAGES_BY_ID[stage]
    cut = splits.make_splits(frame, settings.seed, settings.study.model_features(frame.columns))
    base = metrics.baseline(cut.y_train, cut.y_val, cut.y_test, cut.classes)
    ctx = Context(cut, settings, reporter, base["test_accuracy"])
    module = importlib.import_module(spec.module)
    left_out: list[dict] = []
    if stage == "rf":
        records = [module.run(ctx)[0]]
    elif stage == "rf_weighted_norm":
        records = [module.run_norm(ctx)]
    elif stage == "rf_weighted_pred":
        records = [module.run_pred(ctx, upstream[0]["records"][0][metrics.PREDICTIONS]["val"])]
    elif stage == "nn" and not nn_available():
        # Checked before the build starts too (pipeline): a base install without the `nn`
        # extra builds every other model and says what it left out.
        records, left_out = [], [module.left_out()]
    elif stage == "rf_titles":
        why = module.missing_reason(frame)
        records = [module.run(ctx, frame)] if why is None else []
        if why is not None:
            left_out = [{"models": ["rf_titles"], "why": why, "how": None}]
    else:
        out = module.run(ctx)
        records = list(out) if isinstance(out, tuple) else [out]
    # Every model of a wanted stage is kept: the pages compare the two weighted forests, and the
    # two runs of the network, with each other.
    for rec in records:
        reporter.say(f"  {rec['id']}: test accuracy {rec['test_accuracy']:.3f} "
                     f"({rec['total_seconds']:.1f}s)")
    return {"records": records, "left_out": left_out}
