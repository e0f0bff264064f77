"""Whether the binned songs can support the analyses, checked before any model is trained.

Every classifier splits the songs the study's way (a quarter for test, then a quarter of the
rest for validation, both stratified by genre) and the logistic-regression grid cross-validates
the training part in five folds, so a genre needs enough songs to appear in every part and fold.
Genres below that are left out (the Binning page says which); with fewer than two genres left,
there is nothing to classify, and the build stops with a one-line error.
"""

from __future__ import annotations

import pandas as pd

from genrereport.errors import DataError

# The smallest genre that still has five songs in the training part (0.75 × 0.75 × 10 ≈ 5.6)
# and two or more in each held-out part.
MIN_SONGS_PER_GENRE = 10
MIN_GENRES = 2


def apply(frame: pd.DataFrame, min_songs: int = MIN_SONGS_PER_GENRE,
          where: str = "the binned songs") -> tuple[pd.DataFrame, dict]:
    """The songs of the genres large enough to analyse, and what was left out."""
    if frame.empty:
        raise DataError(f"{where}: no song is left to analyse (did any genre rule match?)")
    counts = frame["target"].value_counts()
    small = counts[counts < min_songs].sort_values(ascending=False)
    kept = counts[counts >= min_songs]
    if len(kept) < MIN_GENRES:
        shown = ", ".join(f"{g!r} ({n})" for g, n in counts.head(5).items())
        more = f" and {len(counts) - 5} more" if len(counts) > 5 else ""
        if len(counts) < MIN_GENRES:
            raise DataError(f"{where}: every song is in one genre, {shown}; a classifier needs "
                            f"at least {MIN_GENRES} genres")
        raise DataError(f"{where}: fewer than {MIN_GENRES} genres have at least {min_songs} songs "
                        f"(songs per genre: {shown}{more}); the splits and folds need "
                        f"{min_songs} songs in a genre")
    out = frame[frame["target"].isin(kept.index)].reset_index(drop=True)
    return out, {"min_songs": min_songs,
                 "dropped": [{"genre": str(g), "songs": int(n)} for g, n in small.items()],
                 "rows_dropped": int(small.sum())}
