"""Silencing an expected warning safely while stages run side by side in threads.

`warnings.catch_warnings` saves the process's whole filter list on entry and puts it back on
exit; it is not thread-safe (Python's documentation says so, up to 3.13 without free threading).
Two stages whose blocks overlap restore each other's lists out of order: stage A enters, B
enters, A exits and takes away B's filter while B still runs (B's warnings leak), then B exits
and puts back a list with A's filter in it (A's category stays silenced for the rest of the
process). Builds showed both: dozens of liblinear warnings in a test's output, at random.

`ignoring` never restores a saved list. It adds one filter when the first block for a category
starts and removes that same filter when the last one ends, under a lock, so blocks may overlap
in any order. The price is the one every process-wide filter has: while a block runs, that
category is silenced in the other threads too.
"""

from __future__ import annotations

import threading
import warnings
from collections import Counter
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_blocks: Counter = Counter()  # category → the blocks silencing it now
_entries: dict = {}  # category → the filter entry added for it


@contextmanager
def ignoring(category: type[Warning]) -> Iterator[None]:
    """Silence warnings of `category` (and its subclasses) while the block runs."""
    with _lock:
        if _blocks[category] == 0:
            # Inserted by hand: filterwarnings would first take out an equal filter that
            # someone else set (pytest's -W, a user's), and removing ours would then lose it.
            entry = ("ignore", None, category, None, 0)
            warnings.filters.insert(0, entry)
            _entries[category] = entry
            _mutated()
        _blocks[category] += 1
    try:
        yield
    finally:
        with _lock:
            _blocks[category] -= 1
            if _blocks[category] == 0:
                _remove(_entries.pop(category))
                del _blocks[category]


def _remove(entry) -> None:
    # Our own entry, by identity. Someone may have replaced the list since (catch_warnings in a
    # test, resetwarnings): then it went with the old list, and there is nothing to take out.
    for i, item in enumerate(warnings.filters):
        if item is entry:
            del warnings.filters[i]
            _mutated()
            return


def _mutated() -> None:
    # The warnings module caches decisions per module until told the filters changed, as
    # filterwarnings tells it.
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()
