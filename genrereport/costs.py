"""Expected seconds of the stages and of the audit's reruns, only to order work: the longest
chains start first, and the slowest rerun does not start last and run alone.

Measured in a cold full build of the 2018 study on 2 cores (benchmarks/bench_full_build.py).
Wrong figures cost time, never results.
"""

STAGES = {"rf": 860.0, "rf_weighted": 99.0, "xgb": 190.0, "nn": 56.0, "logreg": 94.0,
          "sgd": 16.0, "ovr_logreg": 3.0, "rf_titles": 236.0, "audit": 276.0, "eda": 6.0}
# A stage not listed (a clustering experiment, a model a later version adds).
OTHER_STAGE = 10.0

# The audit's reruns, named as audit.run names them. Each redoes (part of) one stage's work:
# the title-word forest is the rf_titles stage again; each weighted forest is one of the two in
# rf_weighted; the grouped forest is the first audit_rf_trees of rf's 5000-tree final forest;
# xgb, logreg and nn are refits without their searches.
AUDIT_RERUNS = {"titles": STAGES["rf_titles"], "rf": 150.0,
                "weights:rf_weighted_norm": STAGES["rf_weighted"] / 2,
                "weights:rf_weighted_pred": STAGES["rf_weighted"] / 2,
                "xgb": 40.0, "logreg": 20.0, "nn": 20.0}
