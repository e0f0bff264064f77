"""Stable, meaningful cluster ids.

k-means numbers its clusters in whatever order its random initialisation found them, so "cluster 3"
means nothing and could change with a library upgrade. We renumber them: cluster 0 is the largest,
cluster 1 the next, and so on; clusters of equal size are ordered by their centroids, compared
coordinate by coordinate in feature order. The result depends only on the partition, never on
k-means' internal numbering.
"""

from __future__ import annotations

import numpy as np


def canonical_order(labels: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Old cluster ids in their new order: `order[new_id] == old_id`."""
    k = len(centers)
    sizes = np.bincount(labels, minlength=k)
    return np.array(sorted(range(k), key=lambda c: (-int(sizes[c]), tuple(centers[c].tolist()))))


def relabel(labels: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels and centroids renumbered by size (descending), ties broken by centroid."""
    order = canonical_order(labels, centers)
    new_id = np.empty(len(order), dtype=int)
    new_id[order] = np.arange(len(order))
    return new_id[labels], centers[order]
