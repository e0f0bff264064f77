"""How many clusters? An elbow and silhouette scan on the standardised features.

Inertia (the within-cluster sum of squares) uses every song. The silhouette compares each song's
distance to its own cluster with its distance to the next one; it costs O(n²) distances, so it is
computed on a fixed random sample of songs (same seed, same sample) whose size the profile sets.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import silhouette_score

from genrereport.clustering import experiments

K_MIN = 2
# Kaufman & Rousseeuw's reading of a mean silhouette (Finding Groups in Data, 1990): the lowest
# bound a score reaches names the structure it indicates.
SILHOUETTE_SCALE = ((0.70, "strong"), (0.50, "reasonable"), (0.25, "weak"), (float("-inf"), "no"))


def structure(silhouette: float | None) -> str | None:
    """'strong', 'reasonable', 'weak' or 'no' structure for a mean silhouette."""
    if silhouette is None:
        return None
    return next(label for bound, label in SILHOUETTE_SCALE if silhouette > bound)


def k_values(k_max: int, rows: int) -> list[int]:
    """k from 2 to k_max, never more clusters than songs."""
    return list(range(K_MIN, min(k_max, rows - 1) + 1))


def scan(X: np.ndarray, k_max: int, sample: int, seed: int, on_step=None) -> dict:
    """Inertia and sampled silhouette for each k; `on_step` is called after each k (progress)."""
    sample_size = min(sample, len(X))
    rows = []
    for k in k_values(k_max, len(X)):
        clusters, _, inertia = experiments.kmeans(X, k, seed)
        n_labels = len(np.unique(clusters))
        # silhouette needs at least 2 clusters and fewer clusters than sampled songs.
        sil = (float(silhouette_score(X, clusters, sample_size=sample_size, random_state=seed))
               if 2 <= n_labels < sample_size else None)
        rows.append({"k": k, "inertia": inertia, "silhouette": sil, "structure": structure(sil)})
        if on_step:
            on_step()
    scored = [r for r in rows if r["silhouette"] is not None]
    best = max(scored, key=lambda r: (r["silhouette"], -r["k"])) if scored else None
    return {
        "rows": rows,
        "k_min": K_MIN,
        "k_max": rows[-1]["k"] if rows else None,
        "silhouette_sample": sample_size,
        "songs": len(X),
        "best_silhouette_k": best["k"] if best else None,
        "best_silhouette": best["silhouette"] if best else None,
        "best_structure": best["structure"] if best else None,
        "silhouette_scale": [{"above": b, "structure": label}
                             for b, label in SILHOUETTE_SCALE if b != float("-inf")],
    }
