"""The warnings a command expects, silenced once around the whole command, never per stage.

Python's warning filters are one list for the whole process, and a build runs its stages side by
side in threads. Changing that list while stages run races:

- `warnings.catch_warnings` saves the list on entry and puts it back on exit, so two blocks
  overlapping in threads restore each other's lists out of order: a filter vanishes while its
  block still runs (its warnings leak), or outlives it (a category stays silenced);
- scikit-learn's own parallel tasks do the same: each runs inside `catch_warnings` with the
  filters captured when it was dispatched, so any change made meanwhile can be undone.

So nothing changes the filters while stages run. The build installs its expected filters in the
thread that starts the stages, before the first one starts: every list saved and restored after
that holds them, and so do the copies scikit-learn hands to its workers. Each filter is scoped
to the warnings it means, and says why they are expected.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Iterator


def build_filters() -> list[dict]:
    """The warnings a build expects (keyword arguments of `warnings.filterwarnings`)."""
    from sklearn.exceptions import ConvergenceWarning

    return [
        # The study's linear models stop before they converge, as they did in 2018: liblinear
        # on unscaled features (tempo, loudness) and SGD's default of five epochs. Only
        # scikit-learn's linear models (the exploration's pairwise logistic regressions are
        # among them): k-means' warnings still show.
        {"category": ConvergenceWarning, "module": r"sklearn\.(svm|linear_model)\."},
        # Mutual information on a small data set with many genres: scikit-learn wonders whether
        # the genres are a regression target. They are not.
        {"category": UserWarning,
         "message": r"The number of unique classes is greater than 50% of the number of samples"},
    ]


def scrape_filters() -> list[dict]:
    """The warnings a scrape expects."""
    # spotipy warns that top tracks and audio features are deprecated; the scraper knows, and
    # handles their removal itself.
    return [{"category": DeprecationWarning, "module": r"spotipy\."}]


@contextmanager
def expected(filters: list[dict]) -> Iterator[None]:
    """Silence `filters` while the block runs. Enter it only where no other thread can change
    the filters: before a build's stages start, or in a single-threaded command."""
    with warnings.catch_warnings():
        for spec in filters:
            warnings.filterwarnings("ignore", **spec)
        yield
