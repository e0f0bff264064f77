"""Duplicates beyond exact rows, and the test songs that have a twin among the training songs.

The study searched a track by the artist's *name*, so the same track was often pulled for
several artists. Exact duplicates (every column equal) were dropped, but a track pulled for two
artists differs in the artist columns and stays twice, with identical audio features and often
the same genre. Two rows are twins when they share a track id or are identical on every model
feature; twins are joined transitively into groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def feature_codes(frame: pd.DataFrame, features) -> np.ndarray:
    """One code per distinct combination of the model features (equal rows, equal codes)."""
    return frame.groupby(list(features), sort=False, dropna=False).ngroup().to_numpy()


def track_codes(frame: pd.DataFrame) -> np.ndarray:
    """One code per track id; without a track id column (a study may leave it out), one per
    row, so that only identical features make twins."""
    if "track_id" not in frame.columns:
        return np.arange(len(frame))
    return pd.factorize(frame["track_id"].astype(str))[0]


def twin_groups(tracks: np.ndarray, feats: np.ndarray) -> np.ndarray:
    """Group of each row: rows joined by a shared track id or identical features, transitively.

    The rows are edges between their track and their feature combination in a bipartite graph;
    its connected components are the groups (linear in the number of rows).
    """
    n_tracks = int(tracks.max()) + 1 if len(tracks) else 0
    n_nodes = n_tracks + (int(feats.max()) + 1 if len(feats) else 0)
    graph = coo_matrix((np.ones(len(tracks)), (tracks, feats + n_tracks)),
                       shape=(n_nodes, n_nodes))
    _, component = connected_components(graph, directed=False)
    return component[tracks]


def _repeated(codes: np.ndarray) -> tuple[int, int]:
    """(rows whose code occurs more than once, codes that occur more than once)."""
    counts = np.bincount(codes)
    return int((counts[codes] > 1).sum()), int((counts > 1).sum())


def _mixed(codes: np.ndarray, labels: np.ndarray) -> tuple[int, int]:
    """(codes carrying more than one label, rows under those codes)."""
    pairs = pd.DataFrame({"code": codes, "label": labels})
    distinct = pairs.groupby("code")["label"].nunique()
    mixed = distinct[distinct > 1].index
    return int(len(mixed)), int(pairs["code"].isin(mixed).sum())


def ceiling(feats: np.ndarray, labels: np.ndarray) -> float:
    """The highest accuracy any model of these features can reach on these rows: rows with
    identical features must get the same answer, so at most the commonest label among them is
    right."""
    pairs = pd.DataFrame({"code": feats, "label": labels})
    best = pairs.groupby(["code", "label"]).size().groupby(level=0).max().sum()
    return float(best / max(len(labels), 1))


def describe(frame: pd.DataFrame, features, labels: np.ndarray) -> dict:
    """How many rows repeat a track or a feature vector, and how many of those disagree on the
    genre."""
    tracks, feats = track_codes(frame), feature_codes(frame, features)
    groups = twin_groups(tracks, feats)
    track_rows, repeated_tracks = _repeated(tracks)
    feature_rows, repeated_vectors = _repeated(feats)
    group_rows, twin_group_count = _repeated(groups)
    mixed_tracks, mixed_track_rows = _mixed(tracks, labels)
    mixed_vectors, mixed_vector_rows = _mixed(feats, labels)
    return {
        "rows": int(len(frame)),
        "distinct_tracks": int(tracks.max()) + 1 if len(tracks) else 0,
        "track_rows": track_rows, "repeated_tracks": repeated_tracks,
        "feature_rows": feature_rows, "repeated_vectors": repeated_vectors,
        "twin_rows": group_rows, "twin_groups": twin_group_count,
        "mixed_genre_tracks": mixed_tracks, "mixed_genre_track_rows": mixed_track_rows,
        "mixed_genre_vectors": mixed_vectors, "mixed_genre_vector_rows": mixed_vector_rows,
        "ceiling": ceiling(feats, labels),
    }


def across(train: np.ndarray, test: np.ndarray, tracks: np.ndarray, feats: np.ndarray) -> dict:
    """Which test rows have a twin among the training rows: by track id, by features, either."""
    by_track = np.isin(tracks[test], tracks[train])
    by_features = np.isin(feats[test], feats[train])
    return {"by_track": by_track, "by_features": by_features, "either": by_track | by_features}


def twin_labels(train: np.ndarray, test: np.ndarray, groups: np.ndarray,
                labels: np.ndarray) -> np.ndarray:
    """For each test row, the commonest label of its twin group among the training rows (-1 if
    the group has no training row): the answer a model that memorised its twin would give."""
    pairs = pd.DataFrame({"group": groups[train], "label": labels[train]})
    commonest = (pairs.groupby(["group", "label"]).size().reset_index(name="n")
                 .sort_values(["group", "n", "label"], ascending=[True, False, True])
                 .drop_duplicates("group").set_index("group")["label"])
    return pd.Series(groups[test]).map(commonest).fillna(-1).astype(np.int64).to_numpy()
