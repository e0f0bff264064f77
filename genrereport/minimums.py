"""Whether the binned songs can support the analyses, checked before any model is trained.

Every classifier splits the songs the study's way (a quarter for test, then a quarter of the
rest for validation, both stratified by genre) and the logistic-regression grid cross-validates
the training part in five folds, so a genre needs enough songs to appear in every part and fold.
The audit splits by track instead (a track pulled for two artists stays on one side), so a genre
also needs that many distinct tracks. Genres below that are left out (the Binning page says
which); with fewer than two genres left, or too few songs for the k-means clusters, there is
nothing to analyse, and the build stops with a one-line error.
"""

from __future__ import annotations

import pandas as pd

from genrereport.errors import DataError

# The smallest genre that still has five songs in the training part (0.75 × 0.75 × 10 ≈ 5.6)
# and two or more in each held-out part.
MIN_SONGS_PER_GENRE = 10
MIN_GENRES = 2


def _shown(counts: pd.Series, limit: int = 5) -> str:
    shown = ", ".join(f"{g!r} ({n})" for g, n in counts.head(limit).items())
    more = f" and {len(counts) - limit} more" if len(counts) > limit else ""
    return shown + more


def apply(frame: pd.DataFrame, min_songs: int = MIN_SONGS_PER_GENRE, *,
          clusters: int | None = 0, songs_per_cluster: int = 0,
          where: str = "the binned songs") -> tuple[pd.DataFrame, dict]:
    """The songs of the genres large enough to analyse, and what was left out. `clusters` is
    the k of k-means (None: as many as the genres kept), 0 when no clustering runs."""
    if frame.empty:
        raise DataError(f"{where}: no song is left to analyse (did any genre rule match?)")
    counts = frame["target"].value_counts()
    # Distinct tracks per genre: twins of one track count once (the audit keeps them together).
    tracks = (frame.groupby("target")["track_id"].nunique() if "track_id" in frame
              else counts).reindex(counts.index)
    small = counts[(counts < min_songs) | (tracks < min_songs)]
    kept = counts.drop(small.index)
    if len(kept) < MIN_GENRES:
        if len(counts) < MIN_GENRES:
            raise DataError(f"{where}: every song is in one genre, {_shown(counts)}; a classifier "
                            f"needs at least {MIN_GENRES} genres")
        raise DataError(f"{where}: fewer than {MIN_GENRES} genres have at least {min_songs} songs "
                        f"of different tracks (songs per genre: {_shown(counts)}); the splits "
                        f"and folds need {min_songs} in a genre")
    out = frame[frame["target"].isin(kept.index)].reset_index(drop=True)
    k = len(kept) if clusters is None else clusters
    need = k * songs_per_cluster
    if len(out) < need:
        raise DataError(f"{where}: {len(out)} songs in genres large enough to analyse; k-means "
                        f"with {k} clusters needs at least {need}")
    return out, {"min_songs": min_songs,
                 "dropped": [{"genre": str(g), "songs": int(n), "tracks": int(tracks[g])}
                             for g, n in small.sort_values(ascending=False).items()],
                 "rows_dropped": int(small.sum())}
