"""The warnings a build expects are silenced in each stage's process, and only there
(expected_warnings.py)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from genrereport import expected_warnings

PACKAGE = Path(expected_warnings.__file__).parent


class Probe(UserWarning):
    pass


def _shown(category=Probe) -> bool:
    """Whether a warning of `category` warned now (in this thread) would be shown."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", append=True)  # behind every filter set at this moment
        warnings.warn("probe", category)
    return bool(seen)


def _liblinear_warnings(n_jobs: int) -> list[str]:
    """The ConvergenceWarnings that one-vs-rest liblinear fits stopped early give, in threads
    of scikit-learn's Parallel, as the logistic regression stage fits them."""
    from joblib import parallel_backend
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    rng = np.random.RandomState(0)
    X, y = rng.rand(200, 4) * [1, 100, 1000, 1], rng.randint(0, 3, 200)
    with warnings.catch_warnings(record=True) as seen, parallel_backend("threading"):
        warnings.simplefilter("always", append=True)
        OneVsRestClassifier(LogisticRegression(solver="liblinear", max_iter=1),
                            n_jobs=n_jobs).fit(X, y)
    return [str(w.message) for w in seen if issubclass(w.category, ConvergenceWarning)]


def test_a_builds_filters_reach_scikit_learns_threads():
    assert _liblinear_warnings(2)  # without them, liblinear stopped early says so
    with expected_warnings.expected(expected_warnings.build_filters()):
        assert _liblinear_warnings(2) == []
    assert _liblinear_warnings(2)


def test_a_builds_filters_leave_k_means_and_other_warnings_alone():
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    X = np.repeat([[0.0, 0.0], [1.0, 1.0]], 10, axis=0)  # two distinct points for three clusters
    with expected_warnings.expected(expected_warnings.build_filters()):
        assert _shown()
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", append=True)
            KMeans(3, n_init=1, random_state=0).fit(X)
    assert any(issubclass(w.category, ConvergenceWarning) for w in seen)


def test_only_expected_warnings_touches_the_filters():
    """The class of bug, not one case: no other module of the package changes the filters."""
    pattern = re.compile(r"catch_warnings|simplefilter|filterwarnings|resetwarnings")
    offenders = [f"{path.relative_to(PACKAGE)}:{n}"
                 for path in sorted(PACKAGE.rglob("*.py")) if path.name != "expected_warnings.py"
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []


def _ignored(message: str, category=UserWarning) -> bool:
    # Read-only: whether the filters now ignore this warning (anywhere else than at the front
    # does not matter here; the test sets no other filter for it).
    return any(action == "ignore" and (regex is None or regex.match(message))
               and issubclass(category, cat) for action, regex, cat, _mod, _line in warnings.filters)


MESSAGE = "The number of unique classes is greater than 50% of the number of samples."


def _no_songs(*, settings, reporter):
    return [], {}


def _probe(frame, *upstream, settings, reporter):
    import os

    return {"pid": os.getpid(), "ignored": _ignored(MESSAGE)}


def test_each_stage_runs_with_the_builds_filters_in_its_own_process(tmp_path):
    """Every stage of a build, in its own process, runs with the build's filters, and the
    build's own process keeps its filters as they were."""
    import os

    from genrereport import cache, pipeline
    from genrereport.progress import Reporter
    from genrereport.settings import Settings

    settings = Settings(cache_dir=tmp_path / "cache", n_jobs=2)
    b = pipeline.Build(settings, Reporter(quiet=True), cache.StageCache(settings.cache_dir))
    b.define("bin", (), pipeline.Job("tests.test_expected_warnings", "_no_songs", analysis=False))
    for name in ("one", "two"):
        b.define(name, ("bin",), pipeline.Job("tests.test_expected_warnings", "_probe"),
                 inputs=name)
    outside = list(warnings.filters)
    assert not _ignored(MESSAGE)
    b.compute(["one", "two"])
    seen = [b.get("one"), b.get("two")]
    assert all(s["ignored"] for s in seen)
    assert len({s["pid"] for s in seen} | {os.getpid()}) == 3
    assert warnings.filters == outside


@pytest.mark.parametrize("x, y", [([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0]),
                                  ([1.0, 2.0, 3.0, None], [5.0, 5.0, 5.0, 1.0])])
def test_spearman_of_a_constant_is_none_without_a_warning(x, y):
    from genrereport import links

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert links.spearman(x, y) is None
        assert links.spearman(y, x) is None


def test_mutual_information_of_a_fractional_discrete_feature_is_the_same_without_a_warning():
    """A discrete feature with fractional values made scikit-learn's mutual information warn
    of continuous labels (57 times in one CI run); as codes it gives the same figure."""
    import pandas as pd
    from sklearn.feature_selection import mutual_info_classif

    from genrereport import separation

    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"level": rng.choice([0.25, 0.5, 0.75], 300),
                          "loud": rng.normal(size=300)})
    frame["target"] = np.where(frame["level"] > 0.3, "a", "b")
    with pytest.warns(UserWarning, match="Clustering metrics expects discrete values"):
        raw = mutual_info_classif(frame[["level", "loud"]].to_numpy(float), frame["target"],
                                  discrete_features=[True, False], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coded = mutual_info_classif(separation._mi_matrix(frame, ["level", "loud"], ["level"]),
                                    frame["target"], discrete_features=[True, False],
                                    random_state=0)
    assert coded.tolist() == raw.tolist()
    assert raw[0] > 0.5
