"""XGBoost (protocol §4.5): 1000 rounds, a randomized search at 100 rounds, the final model.

xgboost 0.7's defaults are set explicitly (see changes.py): learning rate 0.1, depth 3, a base
score of 0.5 and split-count importances. Its wrapper trained `multi:softprob` for any
multi-class problem; softmax and softprob grow the same trees, softprob also gives probabilities.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import RandomizedSearchCV

from genrereport.models import fit_progress, metrics, permutation, rounds, study
from genrereport.models.context import Context, Stopwatch

SEARCH_CV = 3


def study_params(seed: int, n_classes: int) -> dict:
    """The settings every XGBoost model here shares. Two genres take the binary objective:
    xgboost's multi-class ones need at least three classes (with two, the wrapper passes
    num_class 0 and training fails)."""
    return {"learning_rate": 0.1, "max_depth": 3,
            "objective": "binary:logistic" if n_classes == 2 else "multi:softprob",
            "base_score": 0.5, "importance_type": "weight", "tree_method": "hist",
            "random_state": seed}


def distributions() -> dict:
    """reg_alpha and reg_lambda in arange(0, 1, 0.1) (rounded: same values, tidier), depth 3..10."""
    steps = np.round(np.arange(0, 1, 0.1), 1)
    return {"reg_alpha": steps, "reg_lambda": steps, "max_depth": list(range(3, 11))}


def final_params(ctx: Context, best: dict) -> dict:
    """The final model's settings: the study's, the search's best, the profile's rounds."""
    return {**study_params(ctx.seed, len(ctx.splits.classes)), "n_jobs": 1, **best,
            "n_estimators": ctx.profile.xgb_rounds}


def fit_final(ctx: Context, best: dict):
    """The final model on the context's training rows; (model, seconds)."""
    rounds = ctx.profile.xgb_rounds
    with ctx.reporter.bar(rounds, "final model (rounds)") as bar:
        return _fit(final_params(ctx, best), ctx.splits.X_train, ctx.splits.y_train,
                    fit_progress.locked(bar.update))


def _fit(params: dict, X, y, tick=None):
    from xgboost import XGBClassifier

    # The callback only counts rounds; it is not one of the model's settings.
    callbacks = [fit_progress.xgb_rounds(tick)] if tick is not None else None
    clock = Stopwatch()
    with clock.time():
        model = XGBClassifier(**params, callbacks=callbacks).fit(X, y)
    return model, clock.last


def run(ctx: Context) -> dict:
    """Default model on validation, the search, and the final model's record."""
    from joblib import Parallel, delayed
    from xgboost import XGBClassifier

    s, p = ctx.splits, ctx.profile
    clock = Stopwatch()
    # One thread per booster everywhere: on this small data xgboost's threads mostly wait on
    # each other (two threads took ten times the CPU of one), so the cores go to separate fits.
    base = {**study_params(ctx.seed, len(s.classes)), "n_jobs": 1}
    search = RandomizedSearchCV(
        XGBClassifier(n_estimators=p.xgb_search_rounds, **base), distributions(),
        n_iter=p.xgb_search_iter, cv=SEARCH_CV, scoring="accuracy", random_state=ctx.seed)
    with clock.time():
        rows = rounds.fit(ctx, search, s.X_train, s.y_train)
    table = metrics.search_table("randomized", SEARCH_CV, rows, clock.last,
                                 n_iter=p.xgb_search_iter)
    best = table["best_params"]
    default_params = {**base, "n_estimators": p.xgb_rounds}
    final = final_params(ctx, best)
    # The default model does not depend on the search, so it trains beside the final one, in
    # threads of this process, also under --backend dask: xgboost releases the GIL while it
    # trains, and both tick the stage's bar (which cannot travel to another process).
    with ctx.reporter.bar(2 * p.xgb_rounds, "default and final models (rounds)") as bar:
        tick = fit_progress.locked(bar.update)
        (default, default_seconds), (model, final_seconds) = Parallel(
            n_jobs=min(2, ctx.n_jobs), require="sharedmem")(
            delayed(_fit)(params, s.X_train, s.y_train, tick) for params in (default_params, final))
    steps = [metrics.step("default", {"n_estimators": p.xgb_rounds, "learning_rate": 0.1,
                                      "max_depth": 3}, s.y_val, default.predict(s.X_val),
                          default_seconds)]
    shown = {k: v for k, v in final.items() if k not in ("n_jobs", "importance_type")}
    return metrics.record(
        "xgb", "XGBoost", classes=s.classes, y_val=s.y_val, pred_val=model.predict(s.X_val),
        y_test=s.y_test, pred_test=model.predict(s.X_test), baseline_test=ctx.baseline_test,
        params=shown, fit_seconds=final_seconds, total_seconds=clock.elapsed(), search=table,
        steps=steps, importances=metrics.importances(s.features, model.feature_importances_),
        permutation=permutation.of_model(model.predict, s.features, s.X_test, s.y_test, ctx.seed),
        search_rounds=p.xgb_search_rounds, **study.compare_best("xgb", table, ctx.settings.study.reference))
