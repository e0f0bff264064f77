"""Silencing expected warnings while stages overlap in threads (quiet.py)."""

from __future__ import annotations

import re
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest

from genrereport import quiet

PACKAGE = Path(quiet.__file__).parent


class Probe(UserWarning):
    pass


def _shown(category=Probe) -> bool:
    """Whether a warning of `category` warned now (in this thread) would be shown."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", append=True)  # behind every filter set at this moment
        warnings.warn("probe", category)
    return bool(seen)


@contextmanager
def _catch_warnings_ignoring(category):
    # What the stages did before quiet.py.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category)
        yield


def _overlap(block):
    """Stage A enters `block`, then B; A leaves while B is inside; then B leaves. Returns
    whether a Probe was shown: before, inside both, inside B alone, after both."""
    a_in, b_in, a_out, b_out = (threading.Event() for _ in range(4))
    let_a_out, let_b_out = threading.Event(), threading.Event()

    def stage(entered, let_out, left):
        with block(Probe):
            entered.set()
            let_out.wait(10)
        left.set()

    seen = {"before": _shown()}
    a = threading.Thread(target=stage, args=(a_in, let_a_out, a_out))
    b = threading.Thread(target=stage, args=(b_in, let_b_out, b_out))
    a.start()
    assert a_in.wait(10)
    b.start()
    assert b_in.wait(10)
    seen["both"] = _shown()
    let_a_out.set()
    assert a_out.wait(10)
    seen["b_alone"] = _shown()
    let_b_out.set()
    assert b_out.wait(10)
    a.join(10)
    b.join(10)
    seen["after"] = _shown()
    return seen


def test_catch_warnings_is_not_safe_across_threads():
    """Python's behaviour that quiet.py exists for: overlapping blocks restore each other's
    filter lists, so B's warnings leak while B runs and A's filter outlives both."""
    before = list(warnings.filters)
    try:
        seen = _overlap(_catch_warnings_ignoring)
    finally:
        warnings.filters[:] = before
    assert seen == {"before": True, "both": False, "b_alone": True, "after": False}


def test_ignoring_holds_while_any_block_runs_and_leaves_no_filter():
    before = list(warnings.filters)
    seen = _overlap(quiet.ignoring)
    assert seen == {"before": True, "both": False, "b_alone": False, "after": True}
    assert warnings.filters == before


def test_ignoring_keeps_an_equal_filter_set_by_someone_else():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=Probe)
        with quiet.ignoring(Probe):
            assert not _shown()
        assert not _shown()  # the filter set outside the block is still there
    assert _shown()


def test_ignoring_nested_and_other_categories():
    class Other(UserWarning):
        pass

    with quiet.ignoring(Probe):
        with quiet.ignoring(Probe):
            assert not _shown()
        assert not _shown()
        assert _shown(Other)
    assert _shown()


def test_ignoring_survives_the_list_being_replaced():
    # A test's catch_warnings (or resetwarnings) may swap the list while a block runs.
    with quiet.ignoring(Probe):
        with warnings.catch_warnings():
            warnings.resetwarnings()
            assert _shown()
    assert _shown()
    with quiet.ignoring(Probe):
        assert not _shown()


def test_the_package_silences_warnings_only_through_quiet():
    """The class of bug, not one case: no stage code changes the process's filters itself."""
    pattern = re.compile(r"catch_warnings|simplefilter|filterwarnings|resetwarnings")
    offenders = [f"{path.relative_to(PACKAGE)}:{n}"
                 for path in sorted(PACKAGE.rglob("*.py")) if path.name != "quiet.py"
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []


@pytest.mark.parametrize("x, y", [([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0]),
                                  ([1.0, 2.0, 3.0, None], [5.0, 5.0, 5.0, 1.0])])
def test_spearman_of_a_constant_is_none_without_a_warning(x, y):
    from genrereport import links

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert links.spearman(x, y) is None
        assert links.spearman(y, x) is None
