"""The warnings a command expects, silenced around the work that raises them.

Python's warning filters are one list for the whole process. A build's stages each run in a
process of their own (stagejob.py), which sets the build's filters once, before the stage's
work starts; scikit-learn hands the filters of the moment to its parallel tasks, so its workers
have them too. A scrape is one thread of one process and sets its own. Each filter is scoped to
the warnings it means, and says why they are expected.
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
    """Silence `filters` while the block runs (in a stage's process, or a single-threaded
    command: no other thread may change the filters meanwhile)."""
    with warnings.catch_warnings():
        for spec in filters:
            warnings.filterwarnings("ignore", **spec)
        yield
