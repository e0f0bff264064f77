"""What the 2018 study reported, as data, so the site can set today's numbers beside it.

Sources: the protocol (§4) and the classification report in the study's write-up. Genres are
named as the binning rules name them; a genre the current rules do not produce is simply absent.
"""

from __future__ import annotations

# The study's class weights, rounded by hand in its notebook (protocol §4.2).
WEIGHTS_NORM = {
    "classical": 4.5, "country, folk": 8, "dance": 3.3, "focus/sleep": 13.5,
    "gospel/worship": 23.3, "hardcore": 8.1, "jazz/blues": 4.7, "mexicano/latino": 8.5,
    "old school dance": 13.5, "pop": 1, "rap/hip hop": 5, "rock": 2.8,
}
WEIGHTS_PRED = {
    "classical": 6.7, "country, folk": 100, "dance": 7.1, "focus/sleep": 42.8,
    "gospel/worship": 150, "hardcore": 30, "jazz/blues": 14.3, "mexicano/latino": 46.2,
    "old school dance": 200, "pop": 1, "rap/hip hop": 8.7, "rock": 11.5,
}

# The 5000-tree forest's report on the test set: the study's headline result.
# (precision, recall, f1, support), two decimals as printed.
RF_REPORT = {
    "classical": (0.62, 0.74, 0.67, 666),
    "country, folk": (0.59, 0.07, 0.12, 384),
    "dance": (0.58, 0.44, 0.50, 924),
    "focus/sleep": (0.70, 0.39, 0.50, 231),
    "gospel/worship": (0.56, 0.17, 0.26, 136),
    "hardcore": (0.48, 0.26, 0.34, 375),
    "jazz/blues": (0.41, 0.23, 0.30, 648),
    "mexicano/latino": (0.53, 0.17, 0.26, 359),
    "old school dance": (0.59, 0.07, 0.12, 231),
    "pop": (0.47, 0.82, 0.59, 3050),
    "rap/hip hop": (0.48, 0.42, 0.45, 682),
    "rock": (0.47, 0.18, 0.26, 1077),
}
# "avg / total" row: support-weighted precision, recall (= accuracy) and F1.
RF_REPORT_TOTAL = (0.51, 0.49, 0.45, 8763)

# Best settings the study's searches found, and where its network stopped.
SEARCH_BEST = {
    "rf": {"n_estimators": 1000, "max_features": "sqrt"},
    "logreg": {"penalty": "l1", "C": 10},
    "xgb": {"reg_alpha": 0.9, "reg_lambda": 0.9, "max_depth": 7},
}
NN_STOPPED_NEAR_EPOCH = 10

# The libraries the study ran (protocol, introduction).
LIBRARIES = {"scikit-learn": "0.19", "xgboost": "0.7", "Keras on TensorFlow": "1.8"}
# Where the study's class weights came from (protocol §4.2): both were read off the test set.
WEIGHTS_SOURCE = {"norm": "the genre counts of the test set",
                  "pred": "the plain forest's predictions on the test set"}


def compare_best(model_id: str, search: dict) -> dict:
    """The study's best settings for a search, whether this build's search agrees, and how the
    study's choice scored here if it was among the candidates."""
    theirs = SEARCH_BEST[model_id]
    shown = [c for c in search["candidates"]
             if all(c["params"].get(k) == v for k, v in theirs.items())]
    score = max((c["mean"] for c in shown if c["mean"] is not None), default=None)
    best = min(search["candidates"], key=lambda c: c["rank"])
    gap = None if score is None else score - search["best_score"]
    return {"study_best": theirs,
            "matches_study_best": all(search["best_params"].get(k) == v
                                      for k, v in theirs.items()),
            "study_best_score": score,
            "study_best_gap": gap,
            # within one standard deviation of the best candidate's fold scores
            "study_best_within_noise": gap is not None and abs(gap) <= (best["std"] or 0.0)}


def as_data(classes) -> dict:
    """The study's figures for the genres of this build."""
    report = [{"genre": g, "precision": RF_REPORT[g][0], "recall": RF_REPORT[g][1],
               "f1": RF_REPORT[g][2], "support": RF_REPORT[g][3]}
              for g in classes if g in RF_REPORT]
    p, r, f, n = RF_REPORT_TOTAL
    return {
        "rf_report": report,
        "rf_report_total": {"precision": p, "recall": r, "f1": f, "support": n},
        "search_best": SEARCH_BEST,
        "nn_stopped_near_epoch": NN_STOPPED_NEAR_EPOCH,
        "libraries": [{"library": k, "version": v} for k, v in LIBRARIES.items()],
        "weights_source": WEIGHTS_SOURCE,
    }
