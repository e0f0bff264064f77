"""Plain-data descriptions of a partition: sizes, feature ranges and profiles, genre crosstab.

Every function takes the relabelled cluster of each song and returns JSON-able rows, ordered by
cluster id, so the charts and tables never need the songs themselves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HIST_BINS = 20


def sizes(clusters: np.ndarray, k: int) -> list[dict]:
    """Songs per cluster and their share of all songs."""
    counts = np.bincount(clusters, minlength=k)
    total = int(counts.sum())
    return [{"cluster": c, "size": int(n), "share": float(n / total) if total else 0.0}
            for c, n in enumerate(counts)]


def ranges(frame: pd.DataFrame, clusters: np.ndarray, features, k: int) -> list[dict]:
    """Min, median and max of each feature within each cluster (empty clusters have None)."""
    grouped = frame[list(features)].groupby(clusters)
    lo, mid, hi = grouped.min(), grouped.median(), grouped.max()
    out = []
    for c in range(k):
        for f in features:
            present = c in lo.index
            out.append({"cluster": c, "feature": f,
                        "min": float(lo.at[c, f]) if present else None,
                        "median": float(mid.at[c, f]) if present else None,
                        "max": float(hi.at[c, f]) if present else None})
    return out


def profiles(frame: pd.DataFrame, clusters: np.ndarray, features, k: int) -> list[dict]:
    """Mean of each feature in each cluster, also as a z-score against all songs, so that
    features on different scales (tempo, loudness, shares) can share one colour scale."""
    values = frame[list(features)]
    overall_mean, overall_std = values.mean(), values.std(ddof=0)
    means = values.groupby(clusters).mean()
    out = []
    for c in range(k):
        for f in features:
            if c not in means.index:
                out.append({"cluster": c, "feature": f, "mean": None, "z": None})
                continue
            m = float(means.at[c, f])
            sd = float(overall_std[f])
            out.append({"cluster": c, "feature": f, "mean": m,
                        "z": (m - float(overall_mean[f])) / sd if sd > 0 else 0.0})
    return out


def crosstab(genres: np.ndarray, clusters: np.ndarray, k: int, genre_names) -> list[dict]:
    """Songs of each genre in each cluster: count, share within the cluster, share of the genre.

    Only the cells that hold songs are listed (by cluster, then genre): a cell left out holds
    none. There are at most as many cells as songs, where k clusters of k genres would be k²."""
    table = pd.crosstab(pd.Series(clusters, name="cluster"), pd.Series(genres, name="genre"))
    table = table.reindex(index=range(k), columns=list(genre_names), fill_value=0)
    per_cluster, per_genre = table.sum(axis=1), table.sum(axis=0)
    values = table.to_numpy()
    out = []
    for c, j in zip(*np.nonzero(values)):
        g, n = table.columns[j], int(values[c, j])
        out.append({"cluster": int(c), "genre": g, "count": n,
                    "share": n / int(per_cluster[c]), "share_of_genre": n / int(per_genre[g])})
    return out


def leaders(cross: list[dict], k: int) -> list[dict]:
    """Each cluster's most common genre and the runner-up. Ties go to the genre first in
    alphabetical order, so the answer never depends on row order."""
    by_cluster: dict[int, list[dict]] = {}
    for r in cross:
        by_cluster.setdefault(r["cluster"], []).append(r)
    out = []
    for c in range(k):
        rows = sorted(by_cluster.get(c, []), key=lambda r: (-r["count"], r["genre"]))
        size = sum(r["count"] for r in rows)
        if size == 0:
            out.append({"cluster": c, "size": 0, "genre": None, "count": 0, "share": None,
                        "runner_up": None, "runner_up_share": None})
            continue
        first, second = rows[0], (rows[1] if len(rows) > 1 else None)
        out.append({"cluster": c, "size": size, "genre": first["genre"], "count": first["count"],
                    "share": first["share"],
                    "runner_up": second["genre"] if second and second["count"] else None,
                    "runner_up_share": second["share"] if second and second["count"] else None})
    return out


def histograms(frame: pd.DataFrame, clusters: np.ndarray, features, k: int,
               bins: int = HIST_BINS) -> list[dict]:
    """Counts per (cluster, feature, bin) on bins shared by all clusters, with each bin's share
    of the cluster's songs so small and large clusters compare."""
    out = []
    for f in features:
        values = frame[f].to_numpy(dtype=float)
        # The unit features live on 0..1; widen only if the data stray outside it.
        edges = np.linspace(min(0.0, values.min()), max(1.0, values.max()), bins + 1)
        for c in range(k):
            counts, _ = np.histogram(values[clusters == c], bins=edges)
            total = int(counts.sum())
            for i, n in enumerate(counts):
                out.append({"cluster": c, "feature": f, "bin_start": float(edges[i]),
                            "bin_end": float(edges[i + 1]),
                            "bin_mid": float((edges[i] + edges[i + 1]) / 2), "count": int(n),
                            "share": n / total if total else 0.0})
    return out
