"""Clustering (protocol §5 and beyond): do k-means clusters find the genres people name?

`run` is the pipeline's entry point. It returns plain data only: results["clustering"][<id>] for
each experiment the study lists (the 2018 study: all_features, no_tempo, zero_to_one,
standardized), the elbow/silhouette scan, and the derived facts of the conclusion page.
"""

from __future__ import annotations


import pandas as pd

from genrereport.errors import DataError
from genrereport.jsonsafe import plain


# The study's number of clusters (protocol §5), one per genre bin.
N_CLUSTERS = 12
# k-means with k clusters needs this many songs per cluster, at least, for a stable result.
SONGS_PER_CLUSTER = 4

# The profile fields this analysis reads; the pipeline keys the stage on these alone.
PROFILE_FIELDS = ("cluster_rf_trees", "scan_k_max", "silhouette_sample")


def feature_scales(frame: pd.DataFrame, features) -> dict[str, dict]:
    """Range and spread of each feature over all songs: why unscaled k-means follows tempo."""
    return {f: {"min": float(frame[f].min()), "max": float(frame[f].max()),
                "std": float(frame[f].std(ddof=0))} for f in features}


def run(frame: pd.DataFrame, settings, reporter=None) -> dict:
    """Run the four experiments and the k scan on the binned songs; a JSON-able dict."""
    from genrereport.clustering import agreement, conclusion, describe, experiments, scan

    study = settings.study
    genres = frame["target"].astype(str)
    # The study's k, or as many clusters as there are genre bins.
    k = study.k or int(genres.nunique())
    if len(frame) < SONGS_PER_CLUSTER * k:
        raise DataError(f"clustering needs at least {SONGS_PER_CLUSTER * k} songs, got "
                        f"{len(frame)}")
    profile = settings.profile
    plan = experiments.plan(study, frame.columns)
    if not plan:
        raise DataError("clustering: no experiment has two features in this data (check "
                        "[[analyses.clustering]] in the study file)")
    features = study.model_features(frame.columns)
    # The k scan runs on all features, standardised (experiment or not).
    scaled = next((e for e in plan if e.standardized and set(e.features) == set(features)),
                  experiments.Experiment("standardized", 0, features, True))
    steps = len(plan) + len(scan.k_values(profile.scan_k_max, len(frame)))
    bar = reporter.bar(steps, "clustering") if reporter is not None else None
    step = bar.update if bar is not None else None
    try:
        results: dict = {}
        for spec in plan:
            result, _ = experiments.run_experiment(
                frame, spec, seed=settings.seed, forest_trees=profile.cluster_rf_trees,
                n_jobs=settings.n_jobs, k=k, all_features=features)
            results[spec.id] = result.to_dict()
            if step:
                step()
        k_scan = scan.scan(experiments.design(frame, scaled), profile.scan_k_max,
                           profile.silhouette_sample, settings.seed, on_step=step)
    finally:
        if bar is not None:
            bar.close()
    order = [e.id for e in plan]
    k_scan.update({"experiment": scaled.id, "features": list(scaled.features), "study_k": k})
    out = {
        "experiment_ids": order,
        **results,
        "n_clusters": k,
        "n_init": experiments.N_INIT,
        "init": experiments.INIT,
        "seed": settings.seed,
        "songs": len(frame),
        "genres": sorted(genres.unique().tolist()),
        "forest_trees": profile.cluster_rf_trees,
        "feature_scales": feature_scales(frame, features),
        "hist_bins": describe.HIST_BINS,
        "metrics": list(agreement.METRICS),
        "nmi_average_method": agreement.NMI_AVERAGE,
        "chance_repeats": agreement.CHANCE_REPEATS,
        "study_sklearn": study.reference.get("libraries", {}).get("scikit-learn"),
        "scan": k_scan,
        "conclusion": conclusion.derive(genres, results, order,
                                        study.reference.get("conclusion")),
    }
    return plain(out)
