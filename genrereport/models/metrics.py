"""The record every model leaves in results: scores, report, confusion, shares, search table.

Everything is made JSON-safe here (numpy scalars to Python, NaN and inf to None), because
results.json is written with allow_nan=False.
"""

from __future__ import annotations

import math

import numpy as np

from genrereport.jsonsafe import plain
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, classification_report,
                             confusion_matrix, f1_score)

# Keys every model record has (tests check them; templates rely on them).
RECORD_KEYS = ("id", "name", "params", "search", "steps", "val_accuracy", "test_accuracy",
               "macro_f1", "balanced_accuracy", "vs_baseline", "report", "report_summary",
               "confusion", "shares", "importances", "betas", "fit_seconds", "total_seconds",
               "overpredicted", "never_predicted")


# Every record goes through one JSON-safe conversion, shared with the other analyses.
clean = plain

# Where a record keeps its predictions (NumPy arrays, label codes) until the models stage moves
# them out: the audit and the score intervals need them, results.json does not.
PREDICTIONS = "_predictions"


def tidy_param(value):
    """A parameter value as it should read: 0.30000000000000004 → 0.3."""
    if isinstance(value, (float, np.floating)):
        return round(float(value), 10)
    if isinstance(value, np.integer):
        return int(value)
    return value


def report_rows(y_true, y_pred, classes) -> tuple[list[dict], dict]:
    """Precision, recall, F1 and support per genre, and the averages, on one split."""
    labels = list(range(len(classes)))
    rep = classification_report(y_true, y_pred, labels=labels, target_names=list(classes),
                                output_dict=True, zero_division=0)
    rows = [{"genre": g, "precision": rep[g]["precision"], "recall": rep[g]["recall"],
             "f1": rep[g]["f1-score"], "support": int(rep[g]["support"])} for g in classes]
    summary = {key.replace(" ", "_"): {"precision": rep[key]["precision"],
                                        "recall": rep[key]["recall"],
                                        "f1": rep[key]["f1-score"],
                                        "support": int(rep[key]["support"])}
               for key in ("macro avg", "weighted avg")}
    summary["accuracy"] = accuracy_score(y_true, y_pred)
    return rows, summary


def shares(y_true, y_pred, classes) -> list[dict]:
    """Share of each genre among the true labels and among the predictions."""
    k = len(classes)
    actual = np.bincount(y_true, minlength=k)
    predicted = np.bincount(y_pred, minlength=k)
    n = max(len(y_true), 1)
    return [{"genre": g, "actual": actual[i] / n, "predicted": predicted[i] / n,
             "actual_count": int(actual[i]), "predicted_count": int(predicted[i])}
            for i, g in enumerate(classes)]


def confusion(y_true, y_pred, classes) -> dict:
    """Counts of (true genre, predicted genre) as a list of lists, rows = true genre."""
    matrix = confusion_matrix(y_true, y_pred, labels=list(range(len(classes))))
    return {"labels": list(classes), "matrix": matrix.tolist()}


def importances(names, values) -> list[dict]:
    """Feature importances, largest first."""
    pairs = sorted(zip(names, np.asarray(values, dtype=float)), key=lambda p: -p[1])
    return [{"feature": n, "importance": v} for n, v in pairs]


def binary_label(classes) -> str:
    """The name of a two-genre data set's one binary model: the second genre against the
    first (scikit-learn's positive class is the second in order)."""
    return f"{classes[1]} against {classes[0]}"


def betas(coef, intercepts, classes, features) -> list[dict]:
    """Coefficients of a linear model, one row per (genre, feature), plus each intercept.

    Two genres: scikit-learn fits one binary model, for the second genre against the first,
    and that one model is what is shown (the first genre's would be the same, negated)."""
    if len(classes) == 2 and len(coef) == 1:
        classes = [binary_label(classes)]
    rows = []
    for i, genre in enumerate(classes):
        for j, feature in enumerate(features):
            rows.append({"genre": genre, "feature": feature, "beta": coef[i][j]})
        rows.append({"genre": genre, "feature": "(intercept)", "beta": intercepts[i]})
    return rows


def baseline(y_train, y_val, y_test, classes) -> dict:
    """The majority-class model: always answer the training set's most common genre."""
    majority = int(np.bincount(y_train, minlength=len(classes)).argmax())
    return clean({"genre": classes[majority],
                  **scores(y_val, np.full_like(y_val, majority), y_test,
                           np.full_like(y_test, majority))})


def scores(y_val, pred_val, y_test, pred_test) -> dict:
    """Validation and test accuracy, and the test set's macro F1 and balanced accuracy."""
    return clean({
        "val_accuracy": accuracy_score(y_val, pred_val),
        "test_accuracy": accuracy_score(y_test, pred_test),
        "macro_f1": f1_score(y_test, pred_test, average="macro", zero_division=0),
        "balanced_accuracy": balanced_accuracy_score(y_test, pred_test),
    })


def record(model_id: str, name: str, *, classes, y_val, pred_val, y_test, pred_test,
           baseline_test: float, params: dict, fit_seconds: float, total_seconds: float,
           search: dict | None = None, steps: list[dict] | None = None,
           importances: list[dict] | None = None, betas: list[dict] | None = None,
           **extra) -> dict:
    """The common record of one model, scored on validation and (once) on test."""
    rows, summary = report_rows(y_test, pred_test, classes)
    scored = scores(y_val, pred_val, y_test, pred_test)
    out = {
        "id": model_id,
        "name": name,
        "params": {k: tidy_param(v) for k, v in params.items()},
        "search": search,
        "steps": steps or [],
        **scored,
        "vs_baseline": scored["test_accuracy"] - baseline_test,
        "report": rows,
        "report_summary": summary,
        "confusion": confusion(y_test, pred_test, classes),
        "shares": shares(y_test, pred_test, classes),
        "importances": importances,
        "betas": betas,
        "fit_seconds": fit_seconds,
        "total_seconds": total_seconds,
    }
    out.update(prediction_bias(out["shares"]))
    out.update(extra)
    out = clean(out)
    out[PREDICTIONS] = {"val": np.asarray(pred_val, dtype=np.int64),
                        "test": np.asarray(pred_test, dtype=np.int64)}
    return out


def prediction_bias(share_rows: list[dict]) -> dict:
    """The genre predicted most in excess of its true share, and genres never predicted."""
    top = max(share_rows, key=lambda r: r["predicted"] - r["actual"])
    return {"overpredicted": {"genre": top["genre"], "actual": top["actual"],
                              "predicted": top["predicted"]},
            "never_predicted": [r["genre"] for r in share_rows if r["predicted_count"] == 0]}


def summary(records: list[dict], base: dict) -> dict:
    """Which model wins on validation (picked among clean scores), and how many beat the
    baseline."""
    from genrereport.models import selection

    best_val = selection.pick(records)
    best_test = max(records, key=lambda r: r["test_accuracy"])
    best_f1 = max(records, key=lambda r: r["macro_f1"])
    return clean({
        "best_val": best_val,
        "best_test": best_test["id"],
        "best_macro_f1": best_f1["id"],
        "selection": {r["id"]: selection.flags(r["id"]) for r in records},
        "above_baseline": [r["id"] for r in records if r["test_accuracy"] > base["test_accuracy"]],
        "not_above_baseline": [r["id"] for r in records
                               if r["test_accuracy"] <= base["test_accuracy"]],
        "models": len(records),
    })


def step(label: str, params: dict, y_val, pred_val, fit_seconds: float) -> dict:
    """An intermediate model the study scored on validation only (e.g. the default forest)."""
    return clean({"label": label, "params": {k: tidy_param(v) for k, v in params.items()},
                  "val_accuracy": accuracy_score(y_val, pred_val), "fit_seconds": fit_seconds})


def search_table(kind: str, cv: int, candidates: list[dict], seconds: float,
                 n_iter: int | None = None) -> dict:
    """A search as data: every candidate's parameters, mean and std of its fold scores, rank.

    `candidates` are dicts with params, scores (one per fold) and fit_seconds; the ranking
    follows scikit-learn's (rank 1 is the best mean, ties share the smaller rank).
    """
    means = [float(np.mean(c["scores"])) for c in candidates]
    # A failed fit scores NaN (scikit-learn's error_score); it ranks last.
    ranked = [m if math.isfinite(m) else -math.inf for m in means]
    order = sorted(ranked, reverse=True)
    rows = []
    for c, mean, key in zip(candidates, means, ranked):
        rows.append({
            "params": {k: tidy_param(v) for k, v in c["params"].items()},
            "mean": mean,
            # population std over folds, as cv_results_ reports it
            "std": float(np.std(c["scores"])),
            "rank": order.index(key) + 1,
            "fit_seconds": c.get("fit_seconds"),
        })
    best = min(range(len(rows)), key=lambda i: (rows[i]["rank"], i))
    return clean({
        "kind": kind,
        "cv": cv,
        "n_iter": n_iter,
        "scoring": "accuracy",
        "param_names": list(dict.fromkeys(k for r in rows for k in r["params"])),
        "candidates": rows,
        "best_params": rows[best]["params"],
        "best_score": rows[best]["mean"],
        "seconds": seconds,
    })


def from_cv_results(kind: str, cv: int, search, seconds: float, n_iter: int | None = None,
                    rename=None) -> dict:
    """`search_table` from a fitted GridSearchCV / RandomizedSearchCV."""
    res = search.cv_results_
    n_splits = search.n_splits_
    candidates = []
    for i, params in enumerate(res["params"]):
        shown = rename(params) if rename else params
        candidates.append({
            "params": shown,
            "scores": [res[f"split{k}_test_score"][i] for k in range(n_splits)],
            "fit_seconds": float(res["mean_fit_time"][i]),
        })
    return search_table(kind, cv, candidates, seconds, n_iter)
