"""One memory budget for the trees that all the forests of a process hold at once.

Each forest grows in chunks, and a chunk is kept under a byte budget (forest.py). Stages run
side by side in threads of one process. Two forests, each kept to the budget alone, could
therefore hold twice the budget together: on the 114-genre set, `rf` and the title-word forest
took the build past 4 GB.

Before it grows a chunk, a forest now reserves the chunk's bytes here. If they do not fit beside
what other forests hold, it waits until a chunk is dropped.

Only the waiting depends on what runs beside a forest, never the chunk sizes. A chunk's size
decides the order in which its trees' probabilities are added, and with it the last bits of the
result.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator


class TreeBudget:
    """Bytes of trees that the forests growing in this process may hold together."""

    def __init__(self, total: float):
        self.total = float(total)
        self.held = 0.0
        self._changed = threading.Condition()

    @contextmanager
    def hold(self, nbytes: float) -> Iterator[None]:
        """Reserve `nbytes` for the block, once they fit beside what is held.

        A reservation larger than the whole budget is granted as soon as nothing else is held,
        so a forest never waits forever."""
        with self._changed:
            while self.held > 0 and self.held + nbytes > self.total:
                self._changed.wait()
            self.held += nbytes
        try:
            yield
        finally:
            with self._changed:
                self.held -= nbytes
                self._changed.notify_all()
