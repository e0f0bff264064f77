"""Clustering (protocol §5 and beyond): do k-means clusters find the genres people name?

The build runs each experiment and the k scan as stages of their own (stage.py); `run` does all
of it in one go. Plain data only: results["clustering"][<id>] for each experiment the study
lists (the 2018 study: all_features, no_tempo, zero_to_one, standardized), the elbow/silhouette
scan, and the derived facts of the conclusion page.
"""

from __future__ import annotations

import pandas as pd

# The study's number of clusters (protocol §5), one per genre bin.
N_CLUSTERS = 12
# k-means with k clusters needs this many songs per cluster, at least, for a stable result.
SONGS_PER_CLUSTER = 4

# The profile fields the experiments read, and those the k scan reads; each stage is keyed on
# its own.
EXPERIMENT_FIELDS = ("cluster_rf_trees",)
SCAN_FIELDS = ("scan_k_max", "silhouette_sample")
PROFILE_FIELDS = EXPERIMENT_FIELDS + SCAN_FIELDS


def feature_scales(frame: pd.DataFrame, features) -> dict[str, dict]:
    """Range and spread of each feature over all songs: why unscaled k-means follows tempo."""
    return {f: {"min": float(frame[f].min()), "max": float(frame[f].max()),
                "std": float(frame[f].std(ddof=0))} for f in features}


def run(frame: pd.DataFrame, settings, reporter=None) -> dict:
    """Every experiment, the k scan and their summary in one go (the build runs them as
    separate stages: see stage.py); a JSON-able dict."""
    from genrereport.clustering import experiments, stage

    plan = experiments.plan(settings.study, frame.columns)
    runs = [stage.experiment(frame, settings, reporter, experiment=e.id) for e in plan]
    return stage.assemble(frame, *runs, stage.k_scan(frame, settings, reporter),
                          settings=settings, reporter=reporter)
