"""How well the audio features tell the genres apart: each feature on its own, and each pair of
genres on all the features together. Part of the "eda" analysis; plain data only.

Every measure here counts each distinct (features, genre) row once: the study's pulls repeat
songs, and a repeated song would be its own nearest neighbour (inflating the mutual information)
or sit on both sides of a cross-validation split (inflating a classifier's score).

Per feature (`feature_separation`):
- mutual information with the genre, in nats (scikit-learn's nearest-neighbour estimator;
  features with few distinct values are treated as discrete);
- eta² from the one-way ANOVA: the share of the feature's variance that the genre explains;
- epsilon² = H / (n − 1) from the Kruskal–Wallis test: the same on ranks, so robust to skew.

Per pair of genres (`pair_separability`):
- the balanced accuracy of a two-class logistic regression on standardised features,
  cross-validated on at most PAIR_SAMPLE songs of each genre: 0.5 means the features cannot
  tell the two apart, 1.0 that they always can;
- a closed-form estimate of the same for every pair: Φ(Δ/2), the balanced accuracy of the best
  linear rule if both genres were Gaussian with a shared covariance (Δ: the Mahalanobis distance
  between their means, less the part that chance differences of sample means add);
- per feature, the overlap coefficient of the two genres' distributions: the area their
  histograms share, on bins common to all genres (1: the same distribution, 0: disjoint).

Cost, for n songs, F features, G genres and P = G(G−1)/2 pairs:
- per-feature measures: O(F · m log m) with m = min(n, MI_MAX_ROWS);
- overlap coefficients: O(n·F + P·F·B), B ≤ OVERLAP_BINS;
- the Gaussian estimate: O(n·F² + P·F³) (a pseudo-inverse of an F × F matrix per pair);
- the classifier: min(P, MAX_EXACT_PAIRS) pairs × FOLDS fits on at most 2·PAIR_SAMPLE rows
  each, a constant whatever G is (on one core about 40 ms a pair: the study's 66 pairs take
  about 3 s; 114 genres, 6,441 pairs, about 11 s in all). When P exceeds the cap, the
  classifier runs on the MAX_EXACT_PAIRS pairs the estimate finds hardest to separate (the end
  where the figures matter); the others keep the estimate, and the results say which is which
  and how far the two measures differ on the pairs that have both.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from genrereport import links

# At most this many distinct songs of each genre go into a pair's classifier.
PAIR_SAMPLE = 500
FOLDS = 5
# Pairs beyond this many get the Gaussian estimate instead of the classifier (see above).
MAX_EXACT_PAIRS = 200
# A genre needs this many distinct songs for its pairs to be measured at all.
MIN_PAIR_SONGS = FOLDS
# The nearest-neighbour mutual information runs on at most this many rows (a seeded sample).
MI_MAX_ROWS = 50_000
MI_NEIGHBORS = 3
# A feature with at most this many distinct values is a category (mode, time signature): its
# mutual information is counted, not estimated, and its overlap uses one bin per value.
DISCRETE_MAX = 10
OVERLAP_BINS = 20
# Two genres "overlap on a feature" when their distributions share at least this much area.
HIGH_OVERLAP = 0.5
ORDERING = ("average-linkage hierarchical clustering of the pairs' separability (balanced "
            "accuracy − 0.5), leaves in optimal order")


def distinct_rows(frame: pd.DataFrame, features) -> pd.DataFrame:
    """Each distinct (features, genre) row once."""
    return frame.drop_duplicates(list(features) + ["target"])


def discrete_features(frame: pd.DataFrame, features) -> list[str]:
    """The features with so few distinct values that they are categories."""
    return [f for f in features if frame[f].nunique() <= DISCRETE_MAX]


def _mi_matrix(frame: pd.DataFrame, features, discrete) -> np.ndarray:
    """The features for mutual information, each discrete one as the codes of its values.

    scikit-learn scores a discrete feature by its contingency table with the genres, which only
    sees which songs share a value, so codes give the same figure; a discrete feature with
    fractional values (0.5, 0.75) would instead make it warn that it got continuous labels."""
    columns = []
    for f in features:
        values = frame[f].to_numpy(float)
        columns.append(np.unique(values, return_inverse=True)[1].astype(float)
                       if f in discrete else values)
    return np.column_stack(columns) if columns else np.empty((len(frame), 0))


# --- each feature on its own -------------------------------------------------------------------

def _anova(values: np.ndarray, codes: np.ndarray, k: int) -> tuple:
    """(eta², F, p) of a one-way ANOVA, or Nones where undefined (a constant feature)."""
    from scipy.stats import f as f_dist

    n = len(values)
    counts = np.bincount(codes, minlength=k)
    means = np.bincount(codes, weights=values, minlength=k) / np.maximum(counts, 1)
    total = float(((values - values.mean()) ** 2).sum())
    between = float((counts * (means - values.mean()) ** 2).sum())
    groups = int((counts > 0).sum())
    if total <= 0 or groups < 2 or n <= groups:
        return None, None, None
    within = max(total - between, 0.0)
    if within == 0:
        return between / total, None, None
    f_stat = (between / (groups - 1)) / (within / (n - groups))
    return between / total, float(f_stat), float(f_dist.sf(f_stat, groups - 1, n - groups))


def _kruskal(values: np.ndarray, codes: np.ndarray, k: int) -> tuple:
    """(epsilon², H, p) of the Kruskal–Wallis test, or Nones where undefined."""
    from scipy.stats import kruskal

    groups = [values[codes == i] for i in range(k)]
    groups = [g for g in groups if len(g)]
    # With every value identical, H is 0/0 (older SciPy raises, newer returns NaN).
    if len(groups) < 2 or np.unique(values).size < 2:
        return None, None, None
    h, p = kruskal(*groups)
    if not np.isfinite(h):
        return None, None, None
    n = len(values)
    return float(h) / (n - 1), float(h), float(p)


def feature_separation(rows: pd.DataFrame, features, seed: int) -> dict:
    """How well each feature separates the genres on its own, strongest (by mutual
    information) first. `rows` are the distinct rows."""
    from sklearn.feature_selection import mutual_info_classif

    features = list(features)
    genres = sorted(rows["target"].unique())
    sample = rows if len(rows) <= MI_MAX_ROWS else rows.sample(MI_MAX_ROWS, random_state=seed)
    discrete = discrete_features(rows, features)
    codes = pd.Categorical(rows["target"], categories=genres).codes
    mi = [None] * len(features)
    if len(genres) > 1 and len(sample) > MI_NEIGHBORS:
        # On tiny data sets scikit-learn warns that many genres look like a regression target;
        # the build expects it (expected_warnings.py).
        mi = mutual_info_classif(_mi_matrix(sample, features, discrete),
                                 sample["target"].to_numpy(),
                                 discrete_features=[f in discrete for f in features],
                                 n_neighbors=MI_NEIGHBORS, random_state=seed).tolist()
    out = []
    for i, f in enumerate(features):
        values = rows[f].to_numpy(float)
        eta2, f_stat, f_p = _anova(values, codes, len(genres))
        eps2, h, h_p = _kruskal(values, codes, len(genres))
        out.append({"feature": f, "mutual_info": mi[i], "eta_squared": eta2,
                    "f_statistic": f_stat, "f_p": f_p, "epsilon_squared": eps2,
                    "kruskal_h": h, "kruskal_p": h_p, "discrete": f in discrete})
    for key in ("mutual_info", "eta_squared", "epsilon_squared"):
        ranked = sorted(out, key=lambda r: -(r[key] if r[key] is not None else -np.inf))
        for rank, r in enumerate(ranked, start=1):
            r[f"{key}_rank"] = rank
    out.sort(key=lambda r: r["mutual_info_rank"])
    return {"features": out, "rows": int(len(sample)), "distinct_rows": int(len(rows)),
            "mi_max_rows": MI_MAX_ROWS, "mi_neighbors": MI_NEIGHBORS, "discrete": discrete}


# --- each pair of genres ----------------------------------------------------------------------

def _bins(values: np.ndarray, discrete: bool) -> np.ndarray:
    """Bin index of each value, on bins shared by all genres: one per value for a category,
    else quantiles of all songs (so the bins are fine where the songs are)."""
    if discrete:
        return np.unique(values, return_inverse=True)[1]
    edges = np.unique(np.quantile(values, np.linspace(0, 1, OVERLAP_BINS + 1)))
    if len(edges) < 2:
        return np.zeros(len(values), dtype=int)
    return np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)


def overlap_coefficients(rows: pd.DataFrame, features, genres) -> dict[str, np.ndarray]:
    """feature → G × G matrix of overlap coefficients (shared histogram area) of two genres."""
    codes = pd.Categorical(rows["target"], categories=genres).codes
    discrete = set(discrete_features(rows, features))
    out = {}
    for f in features:
        idx = _bins(rows[f].to_numpy(float), f in discrete)
        hist = np.zeros((len(genres), int(idx.max()) + 1 if len(idx) else 1))
        np.add.at(hist, (codes, idx), 1)
        shares = hist / np.maximum(hist.sum(axis=1, keepdims=True), 1)
        out[f] = np.minimum(shares[:, None, :], shares[None, :, :]).sum(axis=2)
    return out


def genre_moments(rows: pd.DataFrame, features, genres) -> dict:
    """genre → (songs, mean vector, covariance matrix) of its distinct songs."""
    out = {}
    for g in genres:
        x = rows.loc[rows["target"] == g, list(features)].to_numpy(float)
        cov = np.atleast_2d(np.cov(x, rowvar=False)) if len(x) > 1 else None
        out[g] = (len(x), x.mean(axis=0), cov)
    return out


def gaussian_separability(moments: dict, a: str, b: str) -> float | None:
    """Φ(Δ/2): the balanced accuracy of the best linear rule between two Gaussian genres with
    a shared covariance; None when a genre has too few songs for a covariance."""
    from scipy.stats import norm

    (n_a, mean_a, cov_a), (n_b, mean_b, cov_b) = moments[a], moments[b]
    if cov_a is None or cov_b is None:
        return None
    diff = np.atleast_1d(mean_a - mean_b)
    pooled = (cov_a + cov_b) / 2
    # pinv: a feature constant in both genres makes the covariance singular; it adds nothing.
    delta2 = float(diff @ np.linalg.pinv(pooled) @ diff)
    # Sample means differ by chance: on average by d(1/n_a + 1/n_b) in squared Mahalanobis
    # distance (d: the dimensions that vary), which would make two identical small genres look
    # separable. Take that off.
    delta2 -= np.linalg.matrix_rank(pooled) * (1 / n_a + 1 / n_b)
    return float(norm.cdf(np.sqrt(max(delta2, 0.0)) / 2))


def classifier_separability(xa: np.ndarray, xb: np.ndarray, seed: int) -> float | None:
    """Cross-validated balanced accuracy of a logistic regression telling a from b (pooled
    out-of-fold predictions); None when a genre has fewer songs than folds."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    if min(len(xa), len(xb)) < MIN_PAIR_SONGS:
        return None
    x = np.vstack([xa, xb])
    y = np.r_[np.zeros(len(xa), dtype=int), np.ones(len(xb), dtype=int)]
    pred = np.empty_like(y)
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(x, y):
        scaler = StandardScaler().fit(x[train])
        model = LogisticRegression(max_iter=1000).fit(scaler.transform(x[train]), y[train])
        pred[test] = model.predict(scaler.transform(x[test]))
    return float(balanced_accuracy_score(y, pred))


def genre_samples(rows: pd.DataFrame, features, genres, size: int, seed: int) -> dict:
    """At most `size` distinct songs of each genre (one seeded draw, shared by all its pairs)."""
    out = {}
    for g in genres:
        part = rows[rows["target"] == g]
        if len(part) > size:
            part = part.sample(size, random_state=seed)
        out[g] = part[list(features)].to_numpy(float)
    return out


def order_genres(genres: list[str], separability: np.ndarray) -> list[str]:
    """Genres in the leaf order of an average-linkage clustering of their separability, so that
    genres that are hard to tell apart sit together."""
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    if len(genres) < 3:
        return list(genres)
    sep = separability - 0.5
    np.fill_diagonal(sep, np.nan)
    # A pair too small to measure sits at the typical distance, neither close nor far.
    known = sep[np.isfinite(sep)]
    dist = np.clip(np.where(np.isfinite(sep), sep, known.mean() if len(known) else 0.5), 0, None)
    np.fill_diagonal(dist, 0)
    dist = (dist + dist.T) / 2
    tree = linkage(squareform(dist, checks=False), method="average", optimal_ordering=True)
    return [genres[i] for i in leaves_list(tree)]


def pair_separability(rows: pd.DataFrame, features, seed: int,
                      max_exact: int = MAX_EXACT_PAIRS, sample: int = PAIR_SAMPLE) -> dict:
    """Every pair of genres: how well all the features together tell them apart, and how much
    they overlap feature by feature. `rows` are the distinct rows."""
    from threadpoolctl import threadpool_limits

    features = list(features)
    genres = sorted(rows["target"].unique())
    sizes = rows["target"].value_counts()
    moments = genre_moments(rows, features, genres)
    drawn = genre_samples(rows, features, genres, sample, seed)
    ovl = overlap_coefficients(rows, features, genres)
    index = {g: i for i, g in enumerate(genres)}
    pairs = []
    for a, b in itertools.combinations(genres, 2):
        with np.errstate(all="ignore"):  # a genre constant on a feature; per thread, unlike filters
            estimate = gaussian_separability(moments, a, b)
        overlap = {f: float(ovl[f][index[a], index[b]]) for f in features}
        pairs.append({"a": a, "b": b, "songs_a": int(sizes[a]), "songs_b": int(sizes[b]),
                      "sampled_a": len(drawn[a]), "sampled_b": len(drawn[b]),
                      "estimate": estimate, "classifier": None, "overlap": overlap,
                      "features_overlapping": sum(v >= HIGH_OVERLAP for v in overlap.values())})
    # The classifier for the pairs the estimate finds hardest, up to the cap (all, for few genres).
    measurable = [p for p in pairs if min(p["sampled_a"], p["sampled_b"]) >= MIN_PAIR_SONGS]
    measurable.sort(key=lambda p: (p["estimate"] if p["estimate"] is not None else 0.5,
                                   p["a"], p["b"]))
    exact = measurable[:max_exact]
    # Small fits: threads cost more than they save, and the machine may be shared.
    with threadpool_limits(1):
        for p in exact:
            p["classifier"] = classifier_separability(drawn[p["a"]], drawn[p["b"]], seed)
    for p in pairs:
        p["measured_by"] = ("classifier" if p["classifier"] is not None else
                            "estimate" if p["estimate"] is not None else None)
        p["balanced_accuracy"] = (p["classifier"] if p["classifier"] is not None
                                  else p["estimate"])
    matrix = np.full((len(genres), len(genres)), np.nan)
    for p in pairs:
        if p["balanced_accuracy"] is not None:
            i, j = index[p["a"]], index[p["b"]]
            matrix[i, j] = matrix[j, i] = p["balanced_accuracy"]
    both = [p for p in pairs if p["classifier"] is not None and p["estimate"] is not None]
    diffs = np.array([p["estimate"] - p["classifier"] for p in both])
    return {
        "genres": genres,
        "order": order_genres(genres, matrix),
        "ordering": ORDERING,
        "method": "logistic regression on standardised features, balanced accuracy of "
                  f"{FOLDS}-fold cross-validated predictions",
        "sample_per_genre": sample,
        "folds": FOLDS,
        "max_exact_pairs": max_exact,
        "min_songs": MIN_PAIR_SONGS,
        "high_overlap": HIGH_OVERLAP,
        "overlap_bins": OVERLAP_BINS,
        "pairs": sorted(pairs, key=lambda p: (p["balanced_accuracy"] is None,
                                              p["balanced_accuracy"] or 0, p["a"], p["b"])),
        "exact_pairs": len(exact),
        "estimated_pairs": sum(p["measured_by"] == "estimate" for p in pairs),
        "estimate_agreement": {
            "pairs": len(both),
            "mean_abs_diff": float(np.abs(diffs).mean()) if len(both) else None,
            "max_abs_diff": float(np.abs(diffs).max()) if len(both) else None,
            "rank_correlation": links.spearman([p["estimate"] for p in both],
                                               [p["classifier"] for p in both]),
        },
        "feature_overlap": _feature_overlap(pairs, features),
    }


def _feature_overlap(pairs: list[dict], features) -> list[dict]:
    """Per feature: the median pair's overlap and the share of pairs that overlap on it."""
    out = []
    for f in features:
        values = np.array([p["overlap"][f] for p in pairs])
        out.append({"feature": f,
                    "median": float(np.median(values)) if len(values) else None,
                    "share_high": float((values >= HIGH_OVERLAP).mean()) if len(values) else None})
    return sorted(out, key=lambda r: (r["median"] is None, r["median"] or 0))
