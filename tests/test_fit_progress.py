"""Long fits inside a stage say how far they are: the searches' (candidate, fold) fits, whose
workers are other processes, XGBoost's rounds and Keras' epochs reach the stage's progress line,
and the line names its stage, since stages run side by side (test_progress.py: how a stage's
lines reach the build)."""

from __future__ import annotations

import io
import pickle
import re
from dataclasses import replace

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import RandomizedSearchCV

from genrereport.models import fit_progress, logreg, sgd, xgb
from genrereport.models.context import Context
from genrereport.models.splits import Splits
from genrereport.progress import Reporter
from genrereport.settings import PROFILES, Settings


def _splits(n: int = 900, seed: int = 0) -> Splits:
    rng = np.random.RandomState(seed)
    X = rng.rand(n, 4)
    y = (X[:, 0] * 3).astype(int)  # three classes
    rows = rng.permutation(n)
    third = n // 3
    return Splits(("a", "b", "c", "d"), ("x", "y", "z"), X, y,
                  rows[:third], rows[third:2 * third], rows[2 * third:])


def _context(stream: io.StringIO, n_jobs: int = 2, **profile) -> Context:
    settings = Settings.from_cli(environ={}).with_(
        profile=replace(PROFILES["quick"], **profile), n_jobs=n_jobs)
    return Context(_splits(), settings, Reporter(stream=stream), 0.0)


def _finished(text: str, stage: str, what: str) -> tuple[int, int]:
    """(done, total) from the closing line of `stage`'s bar called `what`."""
    pattern = rf"^  {stage}: {re.escape(what)}: ([\d,]+)/([\d,]+) \(\d+%\) in \d+s$"
    found = re.findall(pattern, text, flags=re.M)
    assert found, f"no closing line for {stage}: {what} in:\n{text}"
    done, total = found[-1]
    return int(done.replace(",", "")), int(total.replace(",", ""))


def test_the_xgb_stage_reports_its_search_fits_and_its_rounds():
    stream = io.StringIO()
    ctx = _context(stream, xgb_search_iter=2, xgb_search_rounds=4, xgb_rounds=7)
    ctx.reporter.stage_name = "xgb"  # as a stage's reporter is
    xgb.run(ctx)
    text = stream.getvalue()
    # Two candidates, three folds each, fitted in two worker processes: every tick came back.
    assert _finished(text, "xgb", "search (fits)") == (2 * xgb.SEARCH_CV,) * 2
    # The default and the final model train side by side, 7 rounds each, into one line.
    assert _finished(text, "xgb", "default and final models (rounds)") == (14, 14)


def test_the_sgd_and_logreg_searches_report_their_fits():
    stream = io.StringIO()
    ctx = _context(stream, sgd_search_iter=3)
    ctx.reporter.stage_name = "sgd"  # as a stage's reporter is
    sgd.run(ctx)
    ctx.reporter.stage_name = "logreg"  # as a stage's reporter is
    logreg.run(ctx)
    text = stream.getvalue()
    assert _finished(text, "sgd", "search (fits)") == (3 * sgd.SEARCH_CV,) * 2
    # warm_start's twins are one fit (logreg.twin_rows)
    grid = 2 * len(ctx.profile.logreg_c_grid) * logreg.GRID_CV
    assert _finished(text, "logreg", "grid search (fits)") == (grid, grid)
    # one binary model per genre, fitted in worker processes
    assert _finished(text, "logreg", "as-is model (genres)") == (3, 3)
    assert _finished(text, "logreg", "best model (genres)") == (3, 3)


def test_a_one_vs_rest_fit_with_progress_equals_the_fit_without():
    s = _splits(seed=4)
    plain = logreg.one_vs_rest(seed=0, n_jobs=2).fit(s.X_train, s.y_train)
    ticks = []
    with fit_progress.remote_ticks(ticks.append) as tick:
        tracked = logreg.one_vs_rest(seed=0, n_jobs=2, tick=tick).fit(s.X_train, s.y_train)
    assert len(ticks) == 3
    for a, b in zip(plain.estimators_, tracked.estimators_):
        assert np.array_equal(a.coef_, b.coef_)


def test_a_search_in_rounds_finds_what_one_search_finds():
    """A few candidates per worker at a time, each round with the share of the cores of its
    moment (here it changes between rounds): the rows of one search over all candidates, and
    one tick per (candidate, fold) fit."""
    from genrereport.models import rounds

    s = _splits(seed=3)
    X, y = s.X[s.train], s.y[s.train]
    search = RandomizedSearchCV(SGDClassifier(random_state=0),
                                {"alpha": [1e-4, 1e-3, 1e-2, 1e-1], "penalty": ["l1", "l2"]},
                                n_iter=7, cv=3, random_state=0, n_jobs=2, refit=False)
    plain = clone(search).fit(X, y).cv_results_
    stream = io.StringIO()
    shares = iter([1, 2, 1])
    ctx = _context(stream)
    ctx = replace(ctx, settings=ctx.settings.with_(cores=lambda: next(shares)))
    ctx.reporter.stage_name = "sgd"
    rows = rounds.fit(ctx, search, X, y)
    # the same candidates, each listed as the search lists it (its keys in the same order)
    assert [list(r["params"].items()) for r in rows] == [list(p.items()) for p in plain["params"]]
    for k in range(3):
        assert [r["scores"][k] for r in rows] == plain[f"split{k}_test_score"].tolist()
    assert _finished(stream.getvalue(), "sgd", "search (fits)") == (21, 21)
    assert list(shares) == []  # rounds of 2, 4 and 1 candidates: the share read before each


def test_a_worker_that_cannot_reach_the_build_still_fits():
    ticks = []
    with fit_progress.remote_ticks(ticks.append) as tick:
        remote = pickle.loads(pickle.dumps(tick))  # what a worker process receives
        remote(1)
        assert ticks == [1]  # sent over the socket, counted in the build's process
    remote(1)  # the build has stopped listening: no error, progress is not worth a failed fit
    assert ticks == [1]


@pytest.mark.slow
def test_the_network_reports_its_epochs():
    from genrereport.models import nn

    stream = io.StringIO()
    ctx = _context(stream, n_jobs=1, nn_max_epochs=3)
    keras = nn.load_keras()
    ctx.reporter.stage_name = "nn"  # as a stage's reporter is
    run = nn.fit_predict(keras, ctx)["validation"]
    done, total = _finished(stream.getvalue(), "nn", "network (epochs)")
    assert total == 3
    assert done == len(run["history"]["loss"])


def test_the_listener_stops_with_its_block():
    import threading

    before = {t for t in threading.enumerate() if t.name == "fit-progress"}
    for _ in range(3):
        with fit_progress.remote_ticks(lambda n: None):
            pass
    after = {t for t in threading.enumerate() if t.name == "fit-progress"}
    assert after <= before  # no listening thread (and socket) left behind per search


def test_no_socket_means_no_remote_progress_not_a_failed_stage(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("AF_UNIX path too long")

    monkeypatch.setattr(fit_progress, "Listener", refuse)
    ticks = []
    with fit_progress.remote_ticks(ticks.append) as tick:
        tick(1)  # in the build's process it still counts
        pickle.loads(pickle.dumps(tick))(1)  # a worker's copy has nowhere to send: silent
    assert ticks == [1]
