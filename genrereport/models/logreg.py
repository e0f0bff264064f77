"""Logistic regression (protocol §4.3): liblinear one-vs-rest, a grid search, the betas.

scikit-learn 0.19 fitted a multi-class liblinear model as one binary model per genre. Today
liblinear refuses more than two classes and `multi_class` is gone, so the same model is spelled
OneVsRestClassifier(LogisticRegression(solver="liblinear")); `penalty` is deprecated (1.8), so
l1 and l2 are written as l1_ratio 1 and 0.
"""

from __future__ import annotations

from contextlib import contextmanager

from sklearn.callback import CallbackSupportMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, ParameterGrid
from sklearn.multiclass import OneVsRestClassifier

from genrereport.models import fit_progress, metrics, study
from genrereport.models.context import Context, Stopwatch

GRID_CV = 5  # the study passed cv=5 here
L1_RATIO = {"l1": 1.0, "l2": 0.0}
PENALTY = {v: k for k, v in L1_RATIO.items()}


class LiblinearLogisticRegression(LogisticRegression):
    """LogisticRegression that ticks the progress callbacks it carries (`one_vs_rest`'s
    `tick`) at the end of a fit: liblinear's fit does not call them itself."""

    def fit(self, X, y, sample_weight=None):
        fitted = super().fit(X, y, sample_weight=sample_weight)
        fit_progress.fit_ended(self)
        return fitted


def one_vs_rest(C: float = 1.0, penalty: str = "l2", seed: int | None = None,
                warm_start: bool = False, n_jobs: int | None = None,
                tick: fit_progress.RemoteTick | None = None) -> OneVsRestClassifier:
    """The study's LogisticRegression: liblinear, one binary model per genre.

    `n_jobs` fits the genres' models side by side (each is the same clone, so the result does
    not change); liblinear itself uses one core, which with 100 genres means minutes. `tick`
    is called after each genre's model."""
    binary = LiblinearLogisticRegression(
        solver="liblinear", C=C, l1_ratio=L1_RATIO[penalty], warm_start=warm_start,
        random_state=seed)
    if tick is not None:
        # scikit-learn's clone keeps an estimator's callbacks, so each genre's copy carries it.
        # LogisticRegression.set_callbacks warns that liblinear does not call them; our fit
        # calls this one itself, so the mixin's method sets it without the warning.
        ticks = fit_progress.FitTicks(tick, fit_progress.NO_TASK)
        CallbackSupportMixin.set_callbacks(binary, ticks)
    return OneVsRestClassifier(binary, n_jobs=n_jobs)


@contextmanager
def _genres_bar(ctx: Context, desc: str):
    # One binary model per genre; two genres make one model.
    k = len(ctx.splits.classes)
    with ctx.reporter.bar(k if k > 2 else 1, f"{desc} (genres)") as bar, \
            fit_progress.remote_ticks(bar.update) as tick:
        yield tick


def fit_best(ctx: Context, best: dict) -> OneVsRestClassifier:
    """The search's best model (penalty, C, warm_start) on the context's training rows."""
    with _genres_bar(ctx, "best model") as tick:
        return one_vs_rest(C=best["C"], penalty=best["penalty"], seed=ctx.seed,
                           warm_start=best.get("warm_start", False), n_jobs=ctx.n_jobs,
                           tick=tick).fit(ctx.splits.X_train, ctx.splits.y_train)


def linear_betas(model: OneVsRestClassifier, classes, features) -> list[dict]:
    """Each genre's coefficients (and intercept) from its binary model."""
    coef = [est.coef_[0] for est in model.estimators_]
    intercepts = [est.intercept_[0] for est in model.estimators_]
    return metrics.betas(coef, intercepts, classes, features)


def _shown(params: dict) -> dict:
    # The grid in the study's own terms (penalty, C, warm_start).
    return {"penalty": PENALTY[params["estimator__l1_ratio"]], "C": params["estimator__C"],
            "warm_start": params["estimator__warm_start"]}


def run(ctx: Context) -> dict:
    """As-is model on validation, the grid search, and the best model's scores and betas."""
    s, p = ctx.splits, ctx.profile
    clock = Stopwatch()
    # liblinear stops before it converges on unscaled features, as in 2018: the build expects
    # that warning (expected_warnings.py).
    with clock.time(), _genres_bar(ctx, "as-is model") as tick:
        plain = one_vs_rest(seed=ctx.seed, n_jobs=ctx.n_jobs, tick=tick).fit(
            s.X_train, s.y_train)
    steps = [metrics.step("as is", {"penalty": "l2", "C": 1.0}, s.y_val,
                          plain.predict(s.X_val), clock.last)]
    grid = {"estimator__l1_ratio": [L1_RATIO["l1"], L1_RATIO["l2"]],
            "estimator__C": list(p.logreg_c_grid),
            "estimator__warm_start": list(p.logreg_warm_start_grid)}
    # The candidates run side by side, each on one core; the best is refitted below with
    # its genres side by side instead (GridSearchCV's own refit would use one core).
    search = GridSearchCV(one_vs_rest(seed=ctx.seed), grid, cv=GRID_CV, scoring="accuracy",
                          n_jobs=ctx.n_jobs, refit=False)
    n_fits = GRID_CV * len(ParameterGrid(grid))
    with clock.time(), fit_progress.search_bar(ctx, search, n_fits, "grid search (fits)"):
        search.fit(s.X_train, s.y_train)
    search_seconds = clock.last
    best_params = _shown(search.best_params_)
    with clock.time():
        best = fit_best(ctx, best_params)
    table = metrics.from_cv_results("grid", GRID_CV, search, search_seconds + clock.last,
                                    rename=_shown)
    return metrics.record(
        "logreg", "Logistic regression", classes=s.classes, y_val=s.y_val,
        pred_val=best.predict(s.X_val), y_test=s.y_test, pred_test=best.predict(s.X_test),
        baseline_test=ctx.baseline_test, params={"solver": "liblinear", **best_params},
        fit_seconds=clock.last, total_seconds=clock.elapsed(), search=table, steps=steps,
        betas=linear_betas(best, s.classes, s.features),
        **study.compare_best("logreg", table, ctx.settings.study.reference))
