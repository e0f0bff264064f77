"""What a data profiler shows, as plain data: correlation matrices, data alerts, and the common and
extreme values of each feature. Part of the "eda" analysis.

The thresholds of the alerts are module constants, stated on the page. Everything is computed on
every song (no sampling): each step is linear in the songs, times F² for the correlations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# An alert for two features whose |Pearson| or |Spearman| correlation over all songs reaches this.
STRONG_CORRELATION = 0.5
# An alert for a feature (with more than two values) that is exactly 0 for this share of songs.
ZERO_SHARE = 0.1
# An alert when the largest genre has this many times the songs of the smallest.
IMBALANCE_RATIO = 10
# An alert for a categorical feature whose commonest value covers this share of the songs.
DOMINANT_SHARE = 0.8
# A feature with at most this many distinct values is categorical.
CATEGORICAL_MAX = 10
# Per-genre correlation matrices for at most this many genres (the largest), to bound the page.
CORRELATION_MAX_GENRES = 30
TOP_VALUES = 5
ALL_SONGS = "all songs"
METHODS = ("pearson", "spearman")


def _matrix_rows(frame: pd.DataFrame, features, scope: str) -> list[dict]:
    """The upper triangle of both correlation matrices of one scope (the matrix is symmetric and
    its diagonal is 1, so the rest is redundant)."""
    values = frame[list(features)].astype(float)
    ranked = values.rank()
    rows = []
    for method, data in (("pearson", values), ("spearman", ranked)):
        corr = data.corr() if len(data) > 1 else pd.DataFrame(np.nan, features, features)
        for i, x in enumerate(features):
            for y in features[i + 1:]:
                r = corr.loc[x, y]
                rows.append({"scope": scope, "method": method, "x": x, "y": y,
                             "r": None if pd.isna(r) else float(r)})
    return rows


def correlations(frame: pd.DataFrame, features, max_genres: int = CORRELATION_MAX_GENRES) -> dict:
    """Pearson and Spearman correlations of every pair of features, over all songs and within
    each of the largest `max_genres` genres."""
    features = list(features)
    counts = frame["target"].value_counts()
    genres = sorted(counts.index[:max_genres])
    rows = _matrix_rows(frame, features, ALL_SONGS)
    for genre in genres:
        rows += _matrix_rows(frame[frame["target"] == genre], features, genre)
    return {"features": features, "scopes": [ALL_SONGS] + genres, "methods": list(METHODS),
            "rows": rows, "max_genres": max_genres,
            "genres_left_out": int(len(counts) - len(genres))}


def strong_correlations(corr: dict, threshold: float = STRONG_CORRELATION) -> list[dict]:
    """Pairs of features whose correlation over all songs reaches the threshold, strongest first."""
    both: dict = {}
    for r in corr["rows"]:
        if r["scope"] == ALL_SONGS:
            both.setdefault((r["x"], r["y"]), {})[r["method"]] = r["r"]
    out = []
    for (x, y), rs in both.items():
        strength = max((abs(v) for v in rs.values() if v is not None), default=None)
        if strength is not None and strength >= threshold:
            out.append({"x": x, "y": y, "pearson": rs.get("pearson"),
                        "spearman": rs.get("spearman"), "strength": strength})
    return sorted(out, key=lambda r: -r["strength"])


def imbalance(frame: pd.DataFrame, features) -> dict:
    """How unequal the genres are, and which categorical features one value dominates."""
    counts = frame["target"].value_counts()
    largest, smallest = counts.index[0], counts.index[-1]
    categorical = []
    for f in features:
        vc = frame[f].value_counts(normalize=True)
        if 1 < len(vc) <= CATEGORICAL_MAX:
            categorical.append({"feature": f, "value": float(vc.index[0]),
                                "share": float(vc.iloc[0]), "values": int(len(vc)),
                                "fired": bool(vc.iloc[0] >= DOMINANT_SHARE)})
    return {"largest": {"genre": largest, "count": int(counts.iloc[0])},
            "smallest": {"genre": smallest, "count": int(counts.iloc[-1])},
            "ratio": float(counts.iloc[0] / counts.iloc[-1]), "ratio_threshold": IMBALANCE_RATIO,
            "fired": bool(counts.iloc[0] / counts.iloc[-1] >= IMBALANCE_RATIO),
            "categorical": categorical, "dominant_share": DOMINANT_SHARE}


def zeros(frame: pd.DataFrame, features) -> dict:
    """Features (other than two-valued ones, where 0 is a category) that are often exactly 0."""
    out = []
    for f in features:
        if frame[f].nunique() <= 2:
            continue
        count = int((frame[f] == 0).sum())
        share = count / max(len(frame), 1)
        if share >= ZERO_SHARE:
            out.append({"feature": f, "count": count, "share": share})
    return {"threshold": ZERO_SHARE, "features": sorted(out, key=lambda r: -r["share"])}


def constant(frame: pd.DataFrame, features) -> dict:
    """Features with a single value over all songs, or within a genre of two or more songs."""
    overall = [f for f in features if frame[f].nunique(dropna=False) <= 1]
    sizes = frame["target"].value_counts()
    groups = frame[frame["target"].isin(sizes[sizes > 1].index)].groupby("target")
    within = []
    if len(groups):
        distinct = groups[list(features)].nunique()
        for genre, row in distinct.iterrows():
            within += [{"genre": genre, "feature": f} for f in features
                       if row[f] <= 1 and f not in overall]
    return {"features": overall, "within_genre": within}


def duplicates(frame: pd.DataFrame, features) -> dict:
    """Songs repeated on the model features plus the genre (exact rows are already gone): how many
    distinct combinations occur more than once, how many rows they cover, and how many of those
    rows are copies beyond the first."""
    key = list(features) + ["target"]
    repeated = frame.duplicated(subset=key, keep=False)
    groups = int(frame[repeated].groupby(key, dropna=False).ngroups) if repeated.any() else 0
    return {"on": key, "groups": groups, "rows_in_groups": int(repeated.sum()),
            "extra_copies": int(frame.duplicated(subset=key).sum()), "rows": int(len(frame))}


def values(frame: pd.DataFrame, features, top: int = TOP_VALUES) -> list[dict]:
    """Per feature: the commonest values and the smallest and largest, with their counts."""
    out = []
    n = max(len(frame), 1)
    for f in features:
        vc = frame[f].value_counts()
        common = vc.sort_index().sort_values(ascending=False, kind="stable").head(top)
        by_value = vc.sort_index()
        out.append({
            "feature": f, "distinct": int(len(vc)),
            "zero_share": float((frame[f] == 0).sum() / n),
            "common": [{"value": float(v), "count": int(c), "share": c / n}
                       for v, c in common.items()],
            "smallest": [{"value": float(v), "count": int(c)}
                         for v, c in by_value.head(top).items()],
            "largest": [{"value": float(v), "count": int(c)}
                        for v, c in by_value.tail(top)[::-1].items()],
        })
    return out


def alerts(frame: pd.DataFrame, features, corr: dict) -> dict:
    """Every data alert, each with its threshold and whether it fired."""
    strong = strong_correlations(corr)
    return {
        "strong_correlations": {"threshold": STRONG_CORRELATION, "pairs": strong,
                                "fired": bool(strong)},
        "imbalance": imbalance(frame, features),
        "zeros": zeros(frame, features),
        "constant": constant(frame, features),
        "duplicates": duplicates(frame, features),
    }
