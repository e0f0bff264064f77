"""Locks for native code that keeps process-wide state.

A build runs its stages side by side in threads of one process (scheduler.py), and the heavy
work releases the GIL. Two libraries keep state for the whole process, so a fit running beside
another fit of the same library draws from the same generator or has its session cleared, and
its result then depends on what happened to run beside it:

- liblinear (scikit-learn's LogisticRegression with solver="liblinear") seeds one generator for
  the process at the start of each fit and draws from it to order the rows it visits;
- Keras keeps one global seed and one session (`set_random_seed`, `clear_session`).

Holding these locks makes each fit atomic with respect to that state. Fits in worker processes
(joblib's loky workers, Dask workers) each have their own copy of the state and their own lock.
"""

from __future__ import annotations

import threading

LIBLINEAR = threading.Lock()
KERAS = threading.Lock()
