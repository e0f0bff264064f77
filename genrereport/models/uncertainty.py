"""How sure the test scores are: bootstrap intervals, and paired tests between models.

A test set of a few thousand songs gives each accuracy an uncertainty of about a point, so two
models a point apart may not differ at all. Every model is scored on the same test songs, so
comparisons are paired: the bootstrap resamples the same songs for both models, and McNemar's
test looks only at the songs on which the two disagree.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binomtest

from genrereport.jsonsafe import plain

RESAMPLES = 2000
LEVEL = 0.95
ALPHA = 0.05
# Resamples drawn at a time: bounds memory (rows × chunk indices) on large test sets.
CHUNK = 200


def _resample_chunks(n: int, resamples: int, seed: int):
    rng = np.random.RandomState(seed)
    done = 0
    while done < resamples:
        size = min(CHUNK, resamples - done)
        yield rng.randint(0, n, size=(size, n))
        done += size


def _macro_f1(y: np.ndarray, pred: np.ndarray, idx: np.ndarray, k: int) -> np.ndarray:
    """Macro F1 of each resample (rows of idx), as scikit-learn computes it: the mean over the
    classes that occur among the labels or the predictions, an undefined F1 counting as 0."""
    r = idx.shape[0]
    codes = (y[idx] * k + pred[idx]) + (np.arange(r)[:, None] * k * k)
    cm = np.bincount(codes.ravel(), minlength=r * k * k).reshape(r, k, k)
    tp = np.einsum("rii->ri", cm).astype(float)
    actual, predicted = cm.sum(axis=2), cm.sum(axis=1)
    denom = actual + predicted
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    present = denom > 0
    return f1.sum(axis=1) / np.maximum(present.sum(axis=1), 1)


def _interval(values: np.ndarray, level: float = LEVEL) -> list[float]:
    tail = (1 - level) / 2 * 100
    return [float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))]


def share_interval(right: np.ndarray, seed: int, resamples: int = RESAMPLES) -> list[float] | None:
    """Percentile bootstrap interval of a share (e.g. accuracy on a subset of the songs).

    Resampling n songs and counting the right ones is a draw from Binomial(n, share), so the
    bootstrap is drawn that way: the same distribution, without n × resamples indices.
    """
    right = np.asarray(right, dtype=bool)
    if right.size == 0:
        return None
    rng = np.random.RandomState(seed)
    return _interval(rng.binomial(right.size, right.mean(), size=resamples) / right.size)


def gap_interval(right_a: np.ndarray, right_b: np.ndarray, seed: int,
                 resamples: int = RESAMPLES) -> list[float] | None:
    """Interval of share(a) − share(b) for two different sets of songs (resampled apart)."""
    right_a, right_b = np.asarray(right_a, dtype=bool), np.asarray(right_b, dtype=bool)
    if right_a.size == 0 or right_b.size == 0:
        return None
    rng = np.random.RandomState(seed)
    a = rng.binomial(right_a.size, right_a.mean(), size=resamples) / right_a.size
    b = rng.binomial(right_b.size, right_b.mean(), size=resamples) / right_b.size
    return _interval(a - b)


def paired_gap_interval(right_a: np.ndarray, right_b: np.ndarray, seed: int,
                        resamples: int = RESAMPLES) -> list[float]:
    """Interval of accuracy(a) − accuracy(b) for two models scored on the same songs.

    Each song contributes +1 (only a right), −1 (only b right) or 0; resampling the songs is a
    multinomial draw of those three counts.
    """
    diff = np.asarray(right_a, dtype=int) - np.asarray(right_b, dtype=int)
    n = diff.size
    p = [np.mean(diff == 1), np.mean(diff == -1), np.mean(diff == 0)]
    counts = np.random.RandomState(seed).multinomial(n, p, size=resamples)
    return _interval((counts[:, 0] - counts[:, 1]) / n)


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment: controls the chance of any false 'differs' among the tests."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def mcnemar(right_a: np.ndarray, right_b: np.ndarray) -> dict:
    """Exact McNemar test of two models on the same songs: only the disagreements count."""
    only_a = int(np.sum(right_a & ~right_b))
    only_b = int(np.sum(~right_a & right_b))
    n = only_a + only_b
    p = 1.0 if n == 0 else float(binomtest(only_a, n, 0.5).pvalue)
    return {"only_a": only_a, "only_b": only_b, "p": p}


def analyse(y_test, predictions: dict[str, np.ndarray], n_classes: int, reference: str,
            seed: int, resamples: int = RESAMPLES) -> dict:
    """Intervals for every model's test accuracy and macro F1, and paired tests of `reference`
    (the model picked on validation) against each other model."""
    y = np.asarray(y_test, dtype=np.int64)
    ids = list(predictions)
    preds = {m: np.asarray(predictions[m], dtype=np.int64) for m in ids}
    right = {m: preds[m] == y for m in ids}
    acc = {m: [] for m in ids}
    f1 = {m: [] for m in ids}
    diff = {m: [] for m in ids if m != reference}
    for idx in _resample_chunks(len(y), resamples, seed):
        means = {m: right[m][idx].mean(axis=1) for m in ids}
        for m in ids:
            acc[m].append(means[m])
            f1[m].append(_macro_f1(y, preds[m], idx, n_classes))
        for m in diff:
            diff[m].append(means[reference] - means[m])
    models = {m: {"accuracy_ci": _interval(np.concatenate(acc[m])),
                  "macro_f1_ci": _interval(np.concatenate(f1[m])),
                  "accuracy_se": float(np.std(np.concatenate(acc[m]), ddof=1))} for m in ids}
    tests = []
    for m in diff:
        test = mcnemar(right[reference], right[m])
        tests.append({"model": m, "difference": float(right[reference].mean() - right[m].mean()),
                      "difference_ci": _interval(np.concatenate(diff[m])),
                      "reference_only": test["only_a"], "model_only": test["only_b"],
                      "p": test["p"]})
    for t, adjusted in zip(tests, holm([t["p"] for t in tests])):
        t["p_holm"] = adjusted
        t["significant"] = adjusted < ALPHA
    return plain({"resamples": resamples, "level": LEVEL, "alpha": ALPHA, "seed": seed,
                  "method": "percentile bootstrap over the test songs; exact McNemar test with "
                            "Holm's correction",
                  "reference": reference, "models": models, "paired": tests})
