"""Expected seconds of the stages, only to order work: the longest chains start first, and the
short stages fill the cores around them.

CPU seconds of each stage's process in a cold full build of the 2018 study on 2 cores
(benchmarks/bench_full_build.py, the stage summary). Wrong figures cost time, never results.
"""

STAGES = {"rf": 650.0, "rf_weighted_norm": 106.0, "rf_weighted_pred": 53.0, "xgb": 110.0,
          "nn": 29.0, "logreg": 35.0, "sgd": 12.0, "ovr_logreg": 3.0, "rf_titles": 135.0,
          "eda": 4.0}
# A stage not listed (a model a later version adds).
OTHER_STAGE = 10.0
# The clustering stages: each experiment, and the scan over k.
CLUSTERING_EXPERIMENT = 6.0
CLUSTERING_SCAN = 48.0

# The audit's retraining stages ("audit.<id>", audit.RERUNS), from the same build.
AUDIT_RERUNS = {"titles": 88.0, "weights_norm": 53.0, "weights_pred": 55.0, "rf": 56.0,
                "xgb": 28.0, "logreg": 1.0, "nn": 19.0}
# What is left of the audit once its retrainings are stages: comparisons and intervals.
AUDIT = 1.0
