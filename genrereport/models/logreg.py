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

from genrereport.models import fit_progress, metrics, permutation, rounds, study
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


def twin_rows(grid: dict, rows: list[dict], warm_starts) -> list[dict]:
    """The candidates of the study's grid, warm_start included, in its order, for
    metrics.search_table: each row of `rows` (the search of `grid`, without warm_start) stands
    for its twins, which differ only in warm_start."""
    fitted = {tuple(sorted(row["params"].items())): row for row in rows}
    out = []
    for params in ParameterGrid({**grid, "estimator__warm_start": list(warm_starts)}):
        row = fitted[tuple(sorted((k, v) for k, v in params.items()
                                  if k != "estimator__warm_start"))]
        out.append({**row, "params": _shown(params)})
    return out


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
    # The study's grid also tried warm_start, which liblinear ignores (and a search's fresh
    # clones have nothing to start from): the two values are one fit, run once and reported
    # twice (`twin_rows`).
    grid = {"estimator__l1_ratio": [L1_RATIO["l1"], L1_RATIO["l2"]],
            "estimator__C": list(p.logreg_c_grid)}
    # The candidates run side by side, each on one core; the best is refitted below with
    # its genres side by side instead (GridSearchCV's own refit would use one core).
    search = GridSearchCV(one_vs_rest(seed=ctx.seed), grid, cv=GRID_CV, scoring="accuracy")
    with clock.time():
        fitted = rounds.fit(ctx, search, s.X_train, s.y_train, "grid search (fits)")
    search_seconds = clock.last
    rows = twin_rows(grid, fitted, p.logreg_warm_start_grid)
    best_params = metrics.search_table("grid", GRID_CV, rows, 0.0)["best_params"]
    with clock.time():
        best = fit_best(ctx, best_params)
    table = metrics.search_table("grid", GRID_CV, rows, search_seconds + clock.last)
    return metrics.record(
        "logreg", "Logistic regression", classes=s.classes, y_val=s.y_val,
        pred_val=best.predict(s.X_val), y_test=s.y_test, pred_test=best.predict(s.X_test),
        baseline_test=ctx.baseline_test, params={"solver": "liblinear", **best_params},
        fit_seconds=clock.last, total_seconds=clock.elapsed(), search=table, steps=steps,
        betas=linear_betas(best, s.classes, s.features),
        permutation=permutation.of_model(best.predict, s.features, s.X_test, s.y_test,
                                         ctx.seed),
        **study.compare_best("logreg", table, ctx.settings.study.reference))
