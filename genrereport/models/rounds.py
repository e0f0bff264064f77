"""A scikit-learn search run in rounds, each with the stage's share of the cores at that moment.

`GridSearchCV.fit` starts all its (candidate, fold) fits with the workers it was given at the
start: a search that began beside other stages kept one core to its end, while the cores those
stages freed stood idle (the 114-genre logistic regression's last 25 minutes). Here the search's
candidates (the grid, or the same draws as `RandomizedSearchCV` makes with its seed) are fitted
a few per worker at a time, each round with the share read just before it. The folds, the
clones and the scores are the search's own, so the rows are those of one search over all the
candidates (tests/test_models_units.py compares them).
"""

from __future__ import annotations

from sklearn.model_selection import GridSearchCV, ParameterGrid, ParameterSampler

from genrereport.models import fit_progress
from genrereport.models.context import Context

# Candidates per worker in a round: enough to keep the workers busy to the round's end.
PER_WORKER = 2


def candidates(search) -> list[dict]:
    """The candidates `search` would fit, in its order."""
    if isinstance(search, GridSearchCV):
        return list(ParameterGrid(search.param_grid))
    return list(ParameterSampler(search.param_distributions, search.n_iter,
                                 random_state=search.random_state))


def fit(ctx: Context, search, X, y, desc: str = "search (fits)") -> list[dict]:
    """Fit `search`'s candidates on its folds in rounds, ticking the stage's bar after each
    fit; returns one row per candidate, in order: {"params", "scores" (per fold),
    "fit_seconds"} (metrics.search_table)."""
    todo = candidates(search)
    n_fits = len(todo) * search.cv
    rows: list[dict] = []
    with ctx.reporter.bar(n_fits, desc) as bar, fit_progress.remote_ticks(bar.update) as tick:
        while len(rows) < len(todo):
            workers = ctx.settings.jobs_now()
            part = todo[len(rows):len(rows) + PER_WORKER * workers]
            # One point per candidate: its values exactly as drawn, in the search's order.
            one_round = GridSearchCV(search.estimator, [{k: [v] for k, v in c.items()}
                                                        for c in part],
                                     cv=search.cv, scoring=search.scoring, n_jobs=workers,
                                     refit=False)
            one_round.set_callbacks(fit_progress.FitTicks(tick, fit_progress.SEARCH_TASK))
            one_round.fit(X, y)
            res = one_round.cv_results_
            assert res["params"] == part  # the round's order is the candidates' own
            # The candidates as the search would list them (its dicts keep the sampler's order).
            rows += [{"params": params,
                      "scores": [float(res[f"split{k}_test_score"][i])
                                 for k in range(one_round.n_splits_)],
                      "fit_seconds": float(res["mean_fit_time"][i])}
                     for i, params in enumerate(part)]
    return rows
