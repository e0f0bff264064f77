"""Exploratory analysis (protocol §3) as plain data: shares, ranges, histograms, outliers; how well
each feature and all of them together separate the genres (separation.py); and what a data
profiler shows: correlations, alerts, common and extreme values (profiling.py).

Everything is aggregated here (histogram bins, 2-D density grids) so that the charts never inline
35k points and the site can be re-rendered from results.json alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from genrereport import profiling, separation

HIST_BINS = 25
DENSITY_BINS = 40


@dataclass
class EdaResult:
    rows: int
    genres: list[str]
    shares: list[dict]
    ranges: list[dict]
    histograms: list[dict]
    hist_edges: dict
    densities: list[dict]
    time_signature_counts: list[dict] | None
    mode_counts: list[dict] | None
    tempo_zero_count: int | None
    tempo_zero_by_genre: list[dict]
    tempo_zero_tracks: list[dict]
    feature_summary: list[dict]
    hist_bins: int
    density_bins: int
    features: list[str]
    separation: dict
    overlap: dict
    correlations: dict
    alerts: dict
    values: list[dict]

    def to_dict(self) -> dict:
        return asdict(self)


def _edges(values: pd.Series, bins: int) -> np.ndarray:
    lo, hi = float(values.min()), float(values.max())
    if lo == hi:
        hi = lo + 1.0
    return np.linspace(lo, hi, bins + 1)


def genre_shares(frame: pd.DataFrame) -> list[dict]:
    counts = frame["target"].value_counts()
    total = int(counts.sum())
    return [{"genre": g, "count": int(n), "share": n / total} for g, n in counts.items()]


def feature_ranges(frame: pd.DataFrame, features) -> list[dict]:
    """Min, quartiles and max of each feature within each genre."""
    out = []
    for feature in features:
        q = frame.groupby("target")[feature].quantile([0, 0.25, 0.5, 0.75, 1]).unstack()
        for genre, row in q.iterrows():
            out.append({"feature": feature, "genre": genre, "min": row[0.0], "q1": row[0.25],
                        "median": row[0.5], "q3": row[0.75], "max": row[1.0]})
    return out


def histograms(frame: pd.DataFrame, features, bins: int = HIST_BINS) -> tuple[list[dict], dict]:
    """Counts per (feature, genre) on `bins` equal bins shared by all genres: rows of `feature`,
    `genre`, `songs` and `counts` (one per bin), and the bins' edges of each feature. A list of
    counts per genre, not a record per bin: most bins of a small genre are empty, and a record
    each made the histograms of 200 genres weigh 5 MB."""
    rows, edges_of = [], {}
    for feature in features:
        edges = _edges(frame[feature], bins)
        edges_of[feature] = [float(e) for e in edges]
        for genre, values in frame.groupby("target")[feature]:
            counts, _ = np.histogram(values.to_numpy(), bins=edges)
            rows.append({"feature": feature, "genre": genre, "songs": int(counts.sum()),
                         "counts": [int(c) for c in counts]})
    return rows, edges_of


def densities(frame: pd.DataFrame, pairs, bins: int = DENSITY_BINS) -> list[dict]:
    """2-D histograms of the scatter pairs: the whole cloud, without inlining every song."""
    out = []
    for x, y in pairs:
        if x not in frame or y not in frame:
            continue
        counts, xe, ye = np.histogram2d(frame[x], frame[y], bins=[_edges(frame[x], bins),
                                                                 _edges(frame[y], bins)])
        ix, iy = np.nonzero(counts)
        for i, j in zip(ix, iy):
            out.append({"pair": f"{x} vs {y}", "x": x, "y": y,
                        "x_start": float(xe[i]), "x_end": float(xe[i + 1]),
                        "y_start": float(ye[j]), "y_end": float(ye[j + 1]),
                        "count": int(counts[i, j])})
    return out


def _counts(series: pd.Series, name: str) -> list[dict]:
    vc = series.value_counts()
    return [{name: int(k), "count": int(v)} for k, v in vc.items()]


# Pairs drawn as density grids when the study names none: the most correlated ones.
DEFAULT_PAIRS = 3


def _scatter_pairs(frame: pd.DataFrame, study, continuous: list[str]) -> list[tuple[str, str]]:
    if study.scatter_pairs is not None:
        return [(x, y) for x, y in study.scatter_pairs if x in frame and y in frame]
    if len(continuous) < 2:
        return []
    corr = frame[continuous].corr().abs()
    pairs = sorted(((corr.at[a, b], a, b) for i, a in enumerate(continuous)
                    for b in continuous[i + 1:]), key=lambda t: (-t[0], t[1], t[2]))
    return [(a, b) for _, a, b in pairs[:DEFAULT_PAIRS]]


def _tempo_zero(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    if "tempo" not in frame:
        return frame.iloc[0:0], []
    zero = frame[frame["tempo"] == 0]
    shown = [c for c in ("track_name", "artist_name", "target", "genre", "label") if c in zero]
    order = [c for c in ("target", "artist_name", "track_name") if c in zero]
    return zero, zero.sort_values(order)[shown].to_dict(orient="records")


def run(frame: pd.DataFrame, settings=None, reporter=None) -> dict:
    """The whole exploration of the binned songs, as a JSON-able dict."""
    from genrereport.settings import Settings

    settings = settings or Settings()
    study = settings.study
    features = list(study.model_features(frame.columns))
    continuous = [f for f in features if f not in separation.discrete_features(frame, features)]
    hist_features = ([f for f in study.histogram_features if f in frame]
                     if study.histogram_features is not None else continuous)
    range_features = ([f for f in study.range_features if f in frame]
                      if study.range_features is not None else continuous)
    tempo_zero, zero_tracks = _tempo_zero(frame)
    summary = frame[features].describe().T
    seed = settings.seed if settings is not None else 0
    distinct = separation.distinct_rows(frame, features)
    corr = profiling.correlations(frame, features)
    hist_rows, hist_edges = histograms(frame, hist_features)
    result = EdaResult(
        rows=len(frame),
        genres=sorted(frame["target"].unique().tolist()),
        shares=genre_shares(frame),
        ranges=feature_ranges(frame, range_features),
        histograms=hist_rows,
        hist_edges=hist_edges,
        densities=densities(frame, _scatter_pairs(frame, study, continuous)),
        time_signature_counts=(_counts(frame["time_signature"], "time_signature")
                               if "time_signature" in frame else None),
        mode_counts=_counts(frame["mode"], "mode") if "mode" in frame else None,
        tempo_zero_count=len(tempo_zero) if "tempo" in frame else None,
        tempo_zero_by_genre=[{"genre": g, "count": int(n)}
                             for g, n in tempo_zero["target"].value_counts().items()],
        tempo_zero_tracks=zero_tracks,
        feature_summary=[{"feature": f, **{k: float(v) for k, v in row.items()}}
                         for f, row in summary.iterrows()],
        hist_bins=HIST_BINS,
        density_bins=DENSITY_BINS,
        features=features,
        separation=separation.feature_separation(distinct, features, seed),
        overlap=separation.pair_separability(distinct, features, seed),
        correlations=corr,
        alerts=profiling.alerts(frame, features, corr),
        values=profiling.values(frame, features),
    )
    return result.to_dict()
