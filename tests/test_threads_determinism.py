"""Stages run side by side in threads of one process. Native code that keeps process-wide
random state (liblinear's generator, Keras' global seed and session) must not be entered by
two stages at once, or a model's result depends on what ran beside it."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

from genrereport.models import logreg
from genrereport.models.context import Context
from genrereport.models.splits import Splits
from genrereport.progress import Reporter
from genrereport.settings import PROFILES, Settings


def _unscaled(n: int, seed: int = 0):
    # Unscaled columns, as the study's features are: liblinear's l1 solver then stops at its
    # iteration limit, where the order it visited the rows in (its random draws) shows.
    rng = np.random.RandomState(seed)
    X = np.column_stack([rng.rand(n), rng.rand(n), rng.normal(120, 30, n),
                         rng.normal(-8, 4, n), rng.normal(2e5, 5e4, n), rng.rand(n)])
    y = (X[:, 0] + X[:, 2] / 200 + rng.randn(n) > 1.0).astype(int) + (X[:, 1] > 0.7)
    return X, y


def _side_by_side(fn, n: int = 2) -> list:
    out: list = [None] * n
    threads = [threading.Thread(target=lambda i=i: out.__setitem__(i, fn())) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_liblinear_fits_side_by_side_equal_the_fit_alone():
    X, y = _unscaled(20_000)

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = logreg.one_vs_rest(C=1.0, penalty="l1", seed=0, n_jobs=1).fit(X, y)
        return np.vstack([e.coef_ for e in model.estimators_])

    alone = fit()
    for _ in range(2):
        for coef in _side_by_side(fit):
            assert np.array_equal(coef, alone)


@pytest.mark.slow
def test_networks_trained_side_by_side_equal_the_network_alone():
    from genrereport.models import nn

    X, y = _unscaled(3_000, seed=1)
    rows = np.arange(len(y))
    cut = Splits(tuple(f"f{i}" for i in range(X.shape[1])), ("a", "b", "c"), X, y,
                 rows[:2000], rows[2000:2500], rows[2500:])
    profile = PROFILES["quick"]
    settings = Settings.from_cli(environ={}).with_(profile=profile)
    ctx = Context(cut, settings, Reporter(quiet=True), 0.0)
    keras = nn.load_keras()

    def fit():
        return nn.fit_predict(keras, ctx, "validation")["pred_test"]

    alone = fit()
    for pred in _side_by_side(fit):
        assert np.array_equal(pred, alone)
