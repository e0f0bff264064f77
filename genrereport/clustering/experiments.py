"""The four k-means experiments: the study's three on unscaled features (protocol §5) and a
fourth on standardised features.

Each experiment clusters every song into k groups, renumbers the groups (see labels.py), describes
them, trains a forest to predict them, and scores how well they match the genre bins.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from genrereport.clustering import N_CLUSTERS, agreement, describe, forest, labels

# The study's k-means (protocol §5). n_init is set because scikit-learn's default is no longer 10.
N_INIT = 10
INIT = "k-means++"


@dataclass(frozen=True)
class Experiment:
    """What one experiment clusters on, and which of the study's views it gets."""

    id: str
    number: int
    features: tuple[str, ...]
    standardized: bool
    title: str = ""
    intro: str = ""
    range_feature: str | None = None  # the feature whose per-cluster ranges the study showed
    histogram_features: tuple[str, ...] = ()


def plan(study, columns) -> tuple[Experiment, ...]:
    """The study's experiments for a data set with these columns (an optional feature may be
    missing; an experiment left with fewer than two features is dropped)."""
    features = study.model_features(columns)
    out = []
    for spec in study.clustering:
        chosen = spec.resolve(features)
        if len(chosen) < 2:
            continue
        out.append(Experiment(
            spec.id, len(out) + 1, chosen, spec.standardize,
            title=spec.title.format(n=len(chosen)), intro=spec.intro,
            range_feature=spec.range_feature if spec.range_feature in chosen else None,
            histogram_features=tuple(f for f in spec.histogram_features if f in chosen)))
    return tuple(out)


def kmeans(X: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Fit the study's k-means; labels and centroids renumbered (largest cluster first), inertia."""
    # One OpenMP thread: on 35k songs the threads cost more than they save (several times more
    # when other processes share the cores), and the sums no longer depend on the core count.
    with threadpool_limits(limits=1, user_api="openmp"):
        km = KMeans(n_clusters=k, init=INIT, n_init=N_INIT, random_state=seed).fit(X)
    clusters, centers = labels.relabel(km.labels_, km.cluster_centers_)
    return clusters, centers, float(km.inertia_)


def design(frame: pd.DataFrame, spec: Experiment) -> np.ndarray:
    """The matrix k-means sees: the raw features, or the features scaled to mean 0 and sd 1."""
    X = frame[list(spec.features)].to_numpy(dtype=float)
    return StandardScaler().fit_transform(X) if spec.standardized else X


@dataclass
class ExperimentResult:
    id: str
    number: int
    title: str
    intro: str
    features: list[str]
    standardized: bool
    n_clusters: int
    inertia: float
    sizes: list[dict]
    baseline: float
    largest_cluster: int
    forest: dict
    agreement: dict
    chance: dict
    purity: float
    majority_share: float
    ranges: list[dict]
    profiles: list[dict]
    crosstab: list[dict]
    leaders: list[dict]
    leading_genres: list[dict]
    range_feature: str | None
    histogram_features: list[str]
    histograms: list[dict]
    labels_sha256: str

    def to_dict(self) -> dict:
        return asdict(self)


def _leading_genres(leads: list[dict]) -> list[dict]:
    """Genres that lead at least one cluster, with how many clusters and songs they lead."""
    led: dict[str, dict] = {}
    for row in leads:
        if row["genre"] is None:
            continue
        entry = led.setdefault(row["genre"], {"genre": row["genre"], "clusters": 0, "songs": 0,
                                              "cluster_ids": [], "best_share": 0.0})
        entry["clusters"] += 1
        entry["songs"] += row["size"]
        entry["cluster_ids"].append(row["cluster"])
        entry["best_share"] = max(entry["best_share"], row["share"])
    for entry in led.values():
        # Leading a cluster can mean a plurality of a third; a majority makes the cluster "its own".
        entry["holds_majority"] = entry["best_share"] > 0.5
    return sorted(led.values(), key=lambda e: (-e["clusters"], -e["songs"], e["genre"]))


def _labels_digest(clusters: np.ndarray) -> str:
    # A fingerprint of the partition: two builds with the same inputs must give the same one.
    return hashlib.sha256(np.ascontiguousarray(clusters, dtype=np.int64).tobytes()).hexdigest()


def run_experiment(frame: pd.DataFrame, spec: Experiment, *, seed: int, forest_trees: int,
                   n_jobs: int, k: int = N_CLUSTERS,
                   all_features=None) -> tuple[ExperimentResult, np.ndarray]:
    """Run one experiment on the binned songs; returns its result and each song's cluster."""
    X = design(frame, spec)
    clusters, _, inertia = kmeans(X, k, seed)
    genres = frame["target"].to_numpy(dtype=object).astype(str)
    genre_names = sorted(set(genres))
    all_features = tuple(all_features or spec.features)
    size_rows = describe.sizes(clusters, k)
    cross = describe.crosstab(genres, clusters, k, genre_names)
    leads = describe.leaders(cross, k)
    largest = max(size_rows, key=lambda r: (r["size"], -r["cluster"]))
    majority = pd.Series(genres).value_counts(normalize=True).max()
    result = ExperimentResult(
        id=spec.id,
        number=spec.number,
        title=spec.title,
        intro=spec.intro,
        features=list(spec.features),
        standardized=spec.standardized,
        n_clusters=k,
        inertia=inertia,
        sizes=size_rows,
        baseline=largest["share"],
        largest_cluster=largest["cluster"],
        forest=forest.cluster_forest(X, clusters, spec.features, forest_trees, seed, n_jobs),
        agreement=agreement.agreement(genres, clusters),
        chance=agreement.chance_agreement(genres, clusters, seed),
        purity=agreement.purity(genres, clusters),
        majority_share=float(majority),
        ranges=describe.ranges(frame, clusters, all_features, k),
        profiles=describe.profiles(frame, clusters, all_features, k),
        crosstab=cross,
        leaders=leads,
        leading_genres=_leading_genres(leads),
        range_feature=spec.range_feature,
        histogram_features=list(spec.histogram_features),
        histograms=describe.histograms(frame, clusters, spec.histogram_features, k),
        labels_sha256=_labels_digest(clusters),
    )
    return result, clusters
