"""The clustering stages: one per experiment, one for the k scan, and the one that puts them
together (results["clustering"]). Each experiment's cache key holds its own spec, so changing
one experiment's features reruns that experiment alone."""

from __future__ import annotations

import pandas as pd

from genrereport.errors import DataError


def study_k(frame: pd.DataFrame, study) -> int:
    """The study's k, or as many clusters as there are genre bins; checked against the songs."""
    from genrereport.clustering import SONGS_PER_CLUSTER

    k = study.k or int(frame["target"].astype(str).nunique())
    if len(frame) < SONGS_PER_CLUSTER * k:
        raise DataError(f"clustering needs at least {SONGS_PER_CLUSTER * k} songs, got "
                        f"{len(frame)}")
    return k


def experiment(frame: pd.DataFrame, settings, reporter=None, *, experiment: str) -> dict | None:
    """One experiment of the study's plan, as a dict; None if this data leaves it fewer than two
    features (the plan drops it)."""
    from genrereport.clustering import experiments
    from genrereport.jsonsafe import plain

    k = study_k(frame, settings.study)
    plan = experiments.plan(settings.study, frame.columns)
    spec = next((e for e in plan if e.id == experiment), None)
    if spec is None:
        return None
    result, _ = experiments.run_experiment(
        frame, spec, seed=settings.seed, forest_trees=settings.profile.cluster_rf_trees,
        n_jobs=settings.jobs_now(), k=k,
        all_features=settings.study.model_features(frame.columns))
    return plain(result.to_dict())


def k_scan(frame: pd.DataFrame, settings, reporter=None) -> dict:
    """Inertia and silhouette for k from 2 to the profile's k_max, on all features standardised."""
    from genrereport.clustering import experiments, scan
    from genrereport.jsonsafe import plain

    study_k(frame, settings.study)
    features = settings.study.model_features(frame.columns)
    profile = settings.profile
    steps = len(scan.k_values(profile.scan_k_max, len(frame)))
    bar = reporter.bar(steps, "k scan") if reporter is not None else None
    try:
        X = experiments.design(frame, experiments.Experiment("standardized", 0, features, True))
        return plain(scan.scan(X, profile.scan_k_max, profile.silhouette_sample, settings.seed,
                               on_step=bar.update if bar is not None else None))
    finally:
        if bar is not None:
            bar.close()


def assemble(frame: pd.DataFrame, *outputs, settings, reporter=None) -> dict:
    """results["clustering"] from the experiments' outputs (in the study's order) and the scan
    (last)."""
    from genrereport.clustering import (agreement, conclusion, describe, experiments,
                                        feature_scales)
    from genrereport.jsonsafe import plain

    study = settings.study
    genres = frame["target"].astype(str)
    k = study_k(frame, study)
    plan = experiments.plan(study, frame.columns)
    if not plan:
        raise DataError("clustering: no experiment has two features in this data (check "
                        "[[analyses.clustering]] in the study file)")
    *runs, k_scan_out = outputs
    # Numbered by their place among the experiments this data keeps (the plan's numbers), which
    # an experiment's own stage does not know.
    number = {e.id: e.number for e in plan}
    results = {r["id"]: {**r, "number": number[r["id"]]} for r in runs if r is not None}
    features = study.model_features(frame.columns)
    # The scan ran on all features standardised: named after the experiment that is just that.
    scaled = next((e for e in plan if e.standardized and set(e.features) == set(features)),
                  experiments.Experiment("standardized", 0, features, True))
    order = [e.id for e in plan]
    k_scan_out = {**k_scan_out, "experiment": scaled.id, "features": list(scaled.features),
                  "study_k": k}
    return plain({
        "experiment_ids": order,
        **results,
        "n_clusters": k,
        "n_init": experiments.N_INIT,
        "init": experiments.INIT,
        "seed": settings.seed,
        "songs": len(frame),
        "genres": sorted(genres.unique().tolist()),
        "forest_trees": settings.profile.cluster_rf_trees,
        "feature_scales": feature_scales(frame, features),
        "hist_bins": describe.HIST_BINS,
        "metrics": list(agreement.METRICS),
        "nmi_average_method": agreement.NMI_AVERAGE,
        "chance_repeats": agreement.CHANCE_REPEATS,
        "study_sklearn": study.reference.get("libraries", {}).get("scikit-learn"),
        "scan": k_scan_out,
        "conclusion": conclusion.derive(genres, results, order,
                                        study.reference.get("conclusion")),
    })
