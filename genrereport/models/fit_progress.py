"""Progress from inside the libraries' fits: a search's (candidate, fold) fits, XGBoost's
rounds and Keras' epochs tick the stage's progress bar.

A search's fits run in joblib's worker processes (or on Dask's workers), where the build's bar
is not. scikit-learn 1.9's fit callbacks run there too, so the copy of the tick a worker
receives (`RemoteTick`) sends it back over a local socket that the build listens on. Progress
is only ever reported: a worker that cannot reach the build (a remote cluster) fits on in
silence.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Listener
from typing import Callable, Iterator

# scikit-learn 1.9's name for the task of one candidate on one fold (BaseSearchCV.fit). The test
# of this module counts the ticks, so a release that renames it fails there, not in silence.
SEARCH_TASK = "candidate-split-evaluation"
# For a `FitTicks` that the library never calls, only `fit_ended`: scikit-learn 1.9's liblinear
# fit returns before its end-of-fit hook.
NO_TASK = ""
# How long either end waits for the other before it gives up on a tick.
WAIT_SECONDS = 5.0

Tick = Callable[[int], object]


def locked(tick: Tick) -> Tick:
    """`tick` made safe to call from several threads at once."""
    lock = threading.Lock()

    def call(n: int = 1) -> None:
        with lock:
            tick(n)

    return call


class _Inbox:
    """A local socket that turns the ticks worker processes send into calls of `tick`."""

    def __init__(self, tick: Tick):
        self.authkey = os.urandom(32)
        self._listener = Listener(authkey=self.authkey, backlog=64)
        self.address = self._listener.address
        self._tick = tick
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="fit-progress", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        # One short connection per tick, handled in turn. The loop ends at the connection that
        # close() makes after it set `_closed`: it must accept that one, or close() would wait.
        while True:
            try:
                conn = self._listener.accept()
            except Exception:  # noqa: BLE001 - a bad handshake must not end the listening
                if self._closed:
                    return
                time.sleep(0.01)  # and a broken listener must not spin a core
                continue
            with conn:
                if self._closed:
                    return
                try:
                    if conn.poll(WAIT_SECONDS):
                        self._tick(int(conn.recv()))
                        conn.send(True)  # counted: the worker's fit may return now
                except Exception:  # noqa: BLE001 - progress is never worth a failed build
                    pass

    def close(self) -> None:
        self._closed = True
        # Closing a listening socket does not wake a thread blocked in accept() on Linux: a
        # connection of our own does. Ticks sent before it were counted, in order. The wake-up
        # has its own thread so that nothing here can wait longer than WAIT_SECONDS.
        wake = threading.Thread(target=_send, args=(self.address, self.authkey, 0), daemon=True)
        wake.start()
        self._thread.join(WAIT_SECONDS)
        self._listener.close()


def _send(address, authkey: bytes, n: int = 1) -> None:
    try:
        with Client(address, authkey=authkey) as conn:
            conn.send(n)
            # Wait for the count, so that every tick is in before the search's results are.
            conn.poll(WAIT_SECONDS)
    except (OSError, EOFError, AuthenticationError):
        pass


class RemoteTick:
    """A tick that works in any process: in the build's process it calls the bar's update; a
    pickled copy, in a worker, sends the tick to the build's socket (see `remote_ticks`)."""

    def __init__(self, tick: Tick | None, address, authkey: bytes):
        self._tick, self._address, self._authkey = tick, address, authkey

    def __call__(self, n: int = 1) -> None:
        if self._tick is not None:
            self._tick(n)
        elif self._address is not None:
            _send(self._address, self._authkey, n)

    def __getstate__(self) -> dict:
        # A worker's copy carries the address, not the bar.
        return {"_tick": None, "_address": self._address, "_authkey": self._authkey}


@contextmanager
def remote_ticks(tick: Tick) -> Iterator[RemoteTick]:
    """A `RemoteTick` for `tick`, listened for during the block. Without a socket (a temporary
    folder whose path is too long for one, say), workers' ticks are dropped, not the stage."""
    tick = locked(tick)
    try:
        inbox = _Inbox(tick)
    except OSError:
        inbox = None
    if inbox is None:
        yield RemoteTick(tick, None, b"")
        return
    try:
        yield RemoteTick(tick, inbox.address, inbox.authkey)
    finally:
        inbox.close()


class FitTicks:
    """A scikit-learn fit callback: one tick each time a task called `task` ends, e.g. each
    (candidate, fold) fit of a search (`SEARCH_TASK`); with `NO_TASK`, each `fit_ended`."""

    def __init__(self, tick: RemoteTick, task: str):
        self.tick, self.task = tick, task

    def setup(self, estimator, context) -> None:
        return None

    def teardown(self, estimator, context) -> None:
        return None

    def on_fit_task_begin(self, estimator, context) -> None:
        return None

    def on_fit_task_end(self, estimator, context) -> bool:
        if context.task_name == self.task:
            self.tick(1)
        return False  # never stop the fit


def fit_ended(estimator) -> None:
    """Tick the `FitTicks` that `estimator` carries, for a fit that does not call them."""
    for callback in getattr(estimator, "_skl_callbacks", ()):
        if isinstance(callback, FitTicks) and callback.task == NO_TASK:
            callback.tick(1)


def xgb_rounds(tick: Tick):
    """An XGBoost training callback that calls `tick(1)` after each boosting round."""
    from xgboost.callback import TrainingCallback

    class Rounds(TrainingCallback):
        def after_iteration(self, model, epoch, evals_log) -> bool:
            tick(1)
            return False  # never stop the training

    return Rounds()


def keras_epochs(keras, tick: Tick):
    """A Keras callback that calls `tick(1)` after each epoch."""

    class Epochs(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None) -> None:
            tick(1)

    return Epochs()
