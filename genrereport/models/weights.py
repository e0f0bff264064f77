"""The two weighted forests of protocol §4.2 and the class weights they use.

A class's weight is how many songs of the majority class there are per song of that class:
once counted on the true labels ("norm"), once on the unweighted forest's predictions ("pred").

The forests weight the classes as the study's scikit-learn did (study_bootstrap.py). The "norm"
forest is also grown with today's semantics, so the site can show what the library change alone
does to the score.
"""

from __future__ import annotations

import numpy as np

from genrereport.models import forest, metrics, study, study_bootstrap
from genrereport.models.context import Context

WEIGHTED_MAX_FEATURES = "sqrt"


def ratio_weights(counts) -> np.ndarray:
    """Majority count divided by each class's count.

    A class with no songs at all (a forest may never predict a small genre) is counted as one,
    which gives it the largest weight the data allows instead of a division by zero.
    """
    counts = np.asarray(counts, dtype=float)
    if counts.size == 0 or counts.max() <= 0:
        return np.ones_like(counts)
    return counts.max() / np.maximum(counts, 1.0)


def norm_weights(y_true, n_classes: int) -> np.ndarray:
    """Weights from the actual distribution of the labels."""
    return ratio_weights(np.bincount(np.asarray(y_true), minlength=n_classes))


def pred_weights(y_pred, n_classes: int) -> np.ndarray:
    """Weights from a model's predicted distribution."""
    return ratio_weights(np.bincount(np.asarray(y_pred), minlength=n_classes))


def weight_rows(weights, counts, classes, study_values: dict) -> list[dict]:
    """One row per genre: the computed weight, the count behind it, the study's rounded value."""
    return [{"genre": g, "weight": float(weights[i]), "count": int(counts[i]),
             "study": study_values.get(g)} for i, g in enumerate(classes)]


# How the weights enter the forest: the study's scikit-learn (0.19, and up to 1.8) multiplied
# each tree's uniform bootstrap counts by them; scikit-learn 1.9 draws the bootstrap in
# proportion to them.
STUDY_SEMANTICS = "study"
TODAY_SEMANTICS = "today"


def fit(ctx: Context, weights: np.ndarray, *, semantics: str = STUDY_SEMANTICS,
        trees: int | None = None, label: str = "weighted forest") -> forest.Grown:
    """A class-weighted forest on the training rows, scored on validation and test."""
    s, p = ctx.splits, ctx.profile
    n_trees = trees or p.rf_weighted_trees
    class_weight = {i: float(w) for i, w in enumerate(weights)}
    params = {"max_features": WEIGHTED_MAX_FEATURES}
    extra = {}
    if semantics == STUDY_SEMANTICS:
        extra["study_class_weight"] = class_weight
    elif semantics == TODAY_SEMANTICS:
        params["class_weight"] = class_weight
    else:
        raise ValueError(f"unknown weighting semantics {semantics!r}")
    with ctx.reporter.bar(n_trees, f"{label} (trees)") as bar:
        return forest.grow_forest(
            s.X_train, s.y_train, {"val": s.X_val, "test": s.X_test}, n_trees,
            n_classes=len(s.classes), seed=ctx.seed, chunk=p.rf_chunk_trees, n_jobs=ctx.jobs,
            params=params, bar=bar, **extra)


def scores(ctx: Context, grown: forest.Grown) -> dict:
    """The headline scores of a grown forest (for variants that get no page of their own)."""
    s = ctx.splits
    return metrics.scores(s.y_val, grown.predict("val"), s.y_test, grown.predict("test"))


def _weighted(ctx: Context, model_id: str, name: str, label: str, weights: np.ndarray,
              rows: list[dict], basis: str, **extra) -> dict:
    p = ctx.profile
    s = ctx.splits
    grown = fit(ctx, weights, label=model_id)
    return metrics.record(
        model_id, name, classes=s.classes, y_val=s.y_val, pred_val=grown.predict("val"),
        y_test=s.y_test, pred_test=grown.predict("test"), baseline_test=ctx.baseline_test,
        params={"n_estimators": p.rf_weighted_trees, "max_features": WEIGHTED_MAX_FEATURES,
                "random_state": ctx.seed, "class_weight": label,
                "weighting": "uniform bootstrap × class weight"},
        fit_seconds=grown.seconds, total_seconds=grown.seconds,
        importances=metrics.importances(s.features, grown.importances),
        class_weights=rows, weights_basis=basis,
        largest_weight=max(rows, key=lambda r: r["weight"]), **extra)


def run_norm(ctx: Context) -> dict:
    """The forest weighted by the training labels' distribution, and the same forest grown
    with today's scikit-learn semantics: what the library change alone does."""
    s = ctx.splits
    k = len(s.classes)
    train_counts = np.bincount(s.y_train, minlength=k)
    norm = norm_weights(s.y_train, k)
    today = fit(ctx, norm, semantics=TODAY_SEMANTICS, label="rf_weighted_norm, 1.9 semantics")
    return _weighted(ctx, "rf_weighted_norm", "Weighted forest (actual distribution)", "norm",
                     norm, weight_rows(norm, train_counts, s.classes,
                                       study.weights(ctx.settings.study.reference, "norm")),
                     "training_labels",
                     today_semantics={**scores(ctx, today), "seconds": today.seconds,
                                      **study_bootstrap.CHANGED_IN})


def run_pred(ctx: Context, rf_val_pred: np.ndarray) -> dict:
    """The forest weighted by the unweighted forest's predicted distribution. The write-up does
    not say which split its predictions came from; validation keeps the test set out of every
    choice made before the final score."""
    s = ctx.splits
    k = len(s.classes)
    pred_counts = np.bincount(rf_val_pred, minlength=k)
    pred = pred_weights(rf_val_pred, k)
    return _weighted(ctx, "rf_weighted_pred", "Weighted forest (predicted distribution)", "pred",
                     pred, weight_rows(pred, pred_counts, s.classes,
                                       study.weights(ctx.settings.study.reference, "pred")),
                     "validation_predictions")
