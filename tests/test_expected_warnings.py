"""The warnings a build expects are set once, before its stages start (expected_warnings.py)."""

from __future__ import annotations

import re
import threading
import warnings
from contextlib import contextmanager
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


@contextmanager
def _stage_block(category):
    # What the stages did before: silence a category around their own work.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category)
        yield


def test_per_stage_filters_race_across_threads():
    """Python's behaviour that rules per-stage filters out: stage A enters its block, then B;
    A leaves while B is inside. B's warnings then show, and A's filter outlives both."""
    a_in, b_in, a_out, b_out = (threading.Event() for _ in range(4))
    let_a_out, let_b_out = threading.Event(), threading.Event()

    def stage(entered, let_out, left):
        with _stage_block(Probe):
            entered.set()
            let_out.wait(10)
        left.set()

    before = list(warnings.filters)
    a = threading.Thread(target=stage, args=(a_in, let_a_out, a_out))
    b = threading.Thread(target=stage, args=(b_in, let_b_out, b_out))
    try:
        a.start()
        assert a_in.wait(10)
        b.start()
        assert b_in.wait(10)
        let_a_out.set()
        assert a_out.wait(10)
        b_alone = _shown()
        let_b_out.set()
        assert b_out.wait(10)
        after = _shown()
    finally:
        let_a_out.set()
        let_b_out.set()
        a.join(10)
        b.join(10)
        warnings.filters[:] = before
    assert (b_alone, after) == (True, False)


def test_scikit_learns_parallel_tasks_swap_the_filter_list():
    """Each task of scikit-learn's Parallel runs in catch_warnings with the filters captured at
    dispatch: a filter changed while stages run can be undone by any forest's tree."""
    from sklearn.utils.parallel import Parallel, delayed

    lists = Parallel(n_jobs=2, backend="threading")(
        delayed(lambda: id(warnings.filters))() for _ in range(4))
    assert id(warnings.filters) not in lists


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


def test_the_build_sets_its_filters_before_its_stages_start(tmp_path):
    """Every stage of a build, in its own thread, runs with the build's filters, and the build
    leaves the filters as it found them."""
    from genrereport import cache, pipeline
    from genrereport.progress import Reporter
    from genrereport.settings import Settings

    message = "The number of unique classes is greater than 50% of the number of samples."
    seen = {}

    def stage(*_upstream, settings, name):
        seen[name] = (threading.current_thread() is not threading.main_thread(),
                      _ignored(message))
        return {}

    settings = Settings(cache_dir=tmp_path / "cache")
    b = pipeline.Build(settings, Reporter(quiet=True), cache.StageCache(settings.cache_dir))
    for name in ("one", "two"):
        b.define(name, (), lambda *up, settings, name=name: stage(*up, settings=settings,
                                                                   name=name))
    outside = list(warnings.filters)
    assert not _ignored(message)
    b.compute(["one", "two"], jobs=2)
    assert seen == {"one": (True, True), "two": (True, True)}
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
