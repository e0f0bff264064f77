"""Expected seconds of the stages, only to order work: the longest chains start first, and the
short stages fill the cores around them.

Measured in a cold full build of the 2018 study on 2 cores (benchmarks/bench_full_build.py).
Wrong figures cost time, never results.
"""

STAGES = {"rf": 860.0, "rf_weighted": 99.0, "xgb": 190.0, "nn": 56.0, "logreg": 94.0,
          "sgd": 16.0, "ovr_logreg": 3.0, "rf_titles": 236.0, "eda": 6.0}
# A stage not listed (a clustering experiment, a model a later version adds).
OTHER_STAGE = 10.0

# The audit's retraining stages ("audit.<id>", audit.RERUNS), from the same build's progress
# lines (each beside other work, on one core): the title-word forest 150 s, the weighted
# forests 70 s each, the grouped forest of 1000 trees 51 s; the refits without their searches
# are short.
AUDIT_RERUNS = {"titles": 150.0, "weights_norm": 70.0, "weights_pred": 70.0, "rf": 51.0,
                "xgb": 40.0, "logreg": 20.0, "nn": 20.0}
# What is left of the audit once its retrainings are stages: comparisons and intervals.
AUDIT = 5.0
