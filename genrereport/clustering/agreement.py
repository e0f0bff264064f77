"""How far k-means clusters agree with people's genre bins.

Five scores from scikit-learn, all 1.0 for identical partitions and indifferent to how either
side's labels are named:

- adjusted Rand index (ARI): pair counting, corrected so that a random partition scores about 0;
- normalized mutual information (NMI): shared information over the geometric mean of the two
  entropies. The geometric mean is scikit-learn's old default; with today's default (arithmetic
  mean) NMI is exactly the V-measure, and the page would show one number twice;
- homogeneity: does each cluster hold a single genre;
- completeness: does each genre sit in a single cluster;
- V-measure: the harmonic mean of homogeneity and completeness.

None of them but ARI is corrected for chance, so `chance_agreement` scores shuffled clusters (same
sizes, no link to genre) as a floor to read the others against.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (adjusted_rand_score, homogeneity_completeness_v_measure,
                             normalized_mutual_info_score)

METRICS = ("ari", "nmi", "homogeneity", "completeness", "v_measure")
NMI_AVERAGE = "geometric"
CHANCE_REPEATS = 5


def agreement(genres, clusters) -> dict[str, float]:
    """The five scores of `clusters` (predicted) against `genres` (the reference bins)."""
    h, c, v = homogeneity_completeness_v_measure(genres, clusters)
    return {
        "ari": float(adjusted_rand_score(genres, clusters)),
        "nmi": float(normalized_mutual_info_score(genres, clusters, average_method=NMI_AVERAGE)),
        "homogeneity": float(h),
        "completeness": float(c),
        "v_measure": float(v),
    }


def chance_agreement(genres, clusters, seed: int, repeats: int = CHANCE_REPEATS) -> dict[str, float]:
    """Mean scores of `repeats` random shuffles of the clusters: what no relation looks like."""
    rng = np.random.default_rng(seed)
    clusters = np.asarray(clusters)
    runs = [agreement(genres, rng.permutation(clusters)) for _ in range(repeats)]
    return {m: float(np.mean([r[m] for r in runs])) for m in METRICS}


def purity(genres, clusters) -> float:
    """Share of songs whose genre is the leading genre of their cluster."""
    table = _contingency(genres, clusters)
    return float(table.max(axis=1).sum() / table.sum()) if table.size else 0.0


def _contingency(genres, clusters) -> np.ndarray:
    _, g = np.unique(np.asarray(genres), return_inverse=True)
    _, k = np.unique(np.asarray(clusters), return_inverse=True)
    table = np.zeros((k.max(initial=-1) + 1, g.max(initial=-1) + 1), dtype=np.int64)
    np.add.at(table, (k, g), 1)
    return table
