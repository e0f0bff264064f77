"""The Keras network (protocol §4.7), with two stopping points.

`nn_study` repeats the study: early stopping watches the *test* set, so the test score it reports
was used to decide when to stop. `nn` is the honest version: early stopping watches validation,
and test is scored once at the end. Both start from the same seed, so they share initial weights
and batch order, and differ only in what early stopping looks at: one training, taken at each
run's stopping point, gives both (`fit_predict`).
"""

from __future__ import annotations

import logging
import os
import sys
from contextlib import contextmanager

import numpy as np
from sklearn.preprocessing import StandardScaler

from genrereport.models import fit_progress, metrics
from genrereport.models.context import Context, Stopwatch

HIDDEN = (12, 14, 16)
BATCH = 75
# Batches run per compiled call: the same updates in the same order, with less Python overhead
# between them (about 2.5x faster on this small network).
STEPS_PER_EXECUTION = 100
# TensorFlow's threads per operation and between operations (load_keras).
THREADS = 1


@contextmanager
def _native_stderr_muted():
    """Silence file descriptor 2 while TensorFlow loads.

    Its C++ runtime prints start-up notices (oneDNN) before TF_CPP_MIN_LOG_LEVEL takes effect,
    straight to the descriptor, past Python's sys.stderr. Errors still surface as exceptions.
    """
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # a captured stream has no descriptor
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def left_out() -> dict:
    """What the site says when the network cannot run here."""
    from genrereport.models import NN_INSTALL

    return {"models": [run[0] for run in RUNS], "why": "Keras and TensorFlow are not installed",
            "how": NN_INSTALL}


def load_keras():
    """Import Keras on the TensorFlow backend, quietly (in the stage's own process: the
    environment, the descriptor and the logger it sets are that process's)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    with _native_stderr_muted():
        import keras
        import tensorflow as tf
    # One thread for TensorFlow's operations: this network's matrices are too small to split,
    # so more threads only wait on each other (the 2018 study's two runs: 31.9 CPU seconds on
    # two threads, 23.2 on one, and the same weights; tests/test_models_units.py checks that
    # the count changes nothing). Set before TensorFlow starts its thread pools.
    try:
        tf.config.threading.set_intra_op_parallelism_threads(THREADS)
        tf.config.threading.set_inter_op_parallelism_threads(THREADS)
    except RuntimeError:  # TensorFlow already runs in this process: its pools stay as they are
        pass
    # Predicting with a fresh model per run retraces TensorFlow's function each time; the
    # warning about it says nothing a user can act on.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    return keras


def _network(keras, n_features: int, n_classes: int):
    layers = [keras.Input((n_features,))]
    layers += [keras.layers.Dense(units, activation="relu") for units in HIDDEN]
    layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    return keras.Sequential(layers)


def _early_stops(keras, extra: dict[str, tuple]):
    """A Keras callback that stops the training where the study's early stopping (val_loss,
    min_delta 0, patience 0: Keras' own EarlyStopping) would have stopped it, for each watched
    part at once: "validation" (the loss `fit` measures on its validation data) and the parts
    in `extra` ({name: (X, Y)}, measured as `fit` measures its validation data). At each
    part's stopping point it keeps the model's weights; it ends the training when every part
    has stopped."""
    from types import SimpleNamespace

    class EarlyStops(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.watching = ["validation", *extra]
            self.curves = {name: {"val_loss": [], "val_accuracy": []} for name in self.watching}
            self.stopped: dict[str, tuple[int, list, float]] = {}  # epochs, weights, seconds
            self.trackers = {}
            self.clock = Stopwatch()

        def on_train_begin(self, logs=None):
            for name in self.watching:
                # Keras' EarlyStopping decides, told only what it would see in its own run.
                stop = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0)
                stop.set_model(SimpleNamespace(stop_training=False))
                stop.on_train_begin()
                self.trackers[name] = stop

        def on_epoch_end(self, epoch, logs=None):
            for name in self.watching:
                if name in self.stopped:
                    continue
                if name == "validation":
                    loss, accuracy = logs["val_loss"], logs["val_accuracy"]
                else:
                    measured = self.model.evaluate(*extra[name], batch_size=BATCH, verbose=0,
                                                   return_dict=True)
                    loss, accuracy = measured["loss"], measured["accuracy"]
                self.curves[name]["val_loss"].append(loss)
                self.curves[name]["val_accuracy"].append(accuracy)
                tracker = self.trackers[name]
                tracker.on_epoch_end(epoch, {"val_loss": loss})
                if tracker.model.stop_training:
                    self.stopped[name] = (epoch + 1, self.model.get_weights(),
                                          self.clock.elapsed())
            if len(self.stopped) == len(self.watching):
                self.model.stop_training = True

    return EarlyStops()


def _curve(history: dict) -> list[dict]:
    return [{"epoch": i + 1, "loss": history["loss"][i], "val_loss": history["val_loss"][i],
             "accuracy": history["accuracy"][i], "val_accuracy": history["val_accuracy"][i]}
            for i in range(len(history["loss"]))]


def cross_entropy(Y: np.ndarray, proba: np.ndarray) -> float:
    """Mean categorical cross-entropy, clipped as Keras clips it."""
    eps = 1e-7
    return float(-np.mean(np.sum(Y * np.log(np.clip(proba, eps, 1 - eps)), axis=1)))


# The two runs: (model id, name, which part early stopping watches).
RUNS = (("nn_study", "Neural network (stops on test)", "test"),
        ("nn", "Neural network (stops on validation)", "validation"))


def fit_predict(keras, ctx: Context, watched=("validation",)) -> dict[str, dict]:
    """Train the network once on the context's training rows, and for each part in `watched`
    ("validation", "test") take the model where early stopping on that part stops it: its
    predictions, losses and history, by part. Up to a part's stopping point the training does
    not depend on what is watched, so one training serves both runs of the study
    (tests/test_models_units.py checks the weights against separate trainings)."""
    s, p = ctx.splits, ctx.profile
    k = len(s.classes)
    scaler = StandardScaler().fit(s.X_train)  # fitted on training rows only
    X = {name: scaler.transform(M) for name, M in (("train", s.X_train), ("val", s.X_val),
                                                  ("test", s.X_test))}
    Y = {name: keras.utils.to_categorical(y, k) for name, y in (("train", s.y_train),
                                                               ("val", s.y_val),
                                                               ("test", s.y_test))}
    # Keras' seed and session belong to the process, which is this stage's alone.
    keras.backend.clear_session()
    keras.utils.set_random_seed(ctx.seed)
    model = _network(keras, X["train"].shape[1], k)
    model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy",
                  metrics=["accuracy"], steps_per_execution=STEPS_PER_EXECUTION)
    stops = _early_stops(keras, {"test": (X["test"], Y["test"])} if "test" in watched else {})
    with ctx.reporter.bar(p.nn_max_epochs, "network (epochs)") as bar:
        history = model.fit(X["train"], Y["train"], batch_size=BATCH, epochs=p.nn_max_epochs,
                            validation_data=(X["val"], Y["val"]), verbose=0, shuffle=True,
                            callbacks=[stops, fit_progress.keras_epochs(keras, bar.update)])
    out = {}
    epochs_run = len(history.history["loss"])
    for name in watched:
        # A part whose early stopping never fired: the model as the last epoch left it.
        epochs, weights, seconds = stops.stopped.get(
            name, (epochs_run, model.get_weights(), stops.clock.elapsed()))
        model.set_weights(weights)
        proba = {part: model.predict(X[part], verbose=0, batch_size=1024)
                 for part in ("val", "test")}
        curve = {"loss": history.history["loss"][:epochs],
                 "accuracy": history.history["accuracy"][:epochs],
                 **{key: values[:epochs] for key, values in stops.curves[name].items()}}
        out[name] = {
            "pred_val": np.argmax(proba["val"], axis=1),
            "pred_test": np.argmax(proba["test"], axis=1),
            # Losses of the final model, computed here from its outputs: a check, independent
            # of Keras' history, of which part the history's watched loss was measured on.
            "val_loss": cross_entropy(Y["val"], proba["val"]),
            "test_loss": cross_entropy(Y["test"], proba["test"]),
            "history": curve, "seconds": seconds}
    return out


def run(ctx: Context) -> tuple[dict, dict]:
    """Both runs: (nn_study, nn)."""
    keras = load_keras()
    s, p = ctx.splits, ctx.profile
    k = len(s.classes)
    clock = Stopwatch()
    params = {"layers": [s.X.shape[1], *HIDDEN, k], "activation": "relu", "output": "softmax",
              "loss": "categorical_crossentropy", "optimizer": "adam", "batch_size": BATCH,
              "max_epochs": p.nn_max_epochs, "early_stopping": "val_loss, min_delta 0, patience 0"}
    records = []
    both = fit_predict(keras, ctx, tuple(watched for _, _, watched in RUNS))
    for model_id, name, watched in RUNS:
        fitted = both[watched]
        history = fitted["history"]
        records.append(metrics.record(
            model_id, name, classes=s.classes, y_val=s.y_val, pred_val=fitted["pred_val"],
            y_test=s.y_test, pred_test=fitted["pred_test"], baseline_test=ctx.baseline_test,
            params={**params, "watched": watched}, fit_seconds=fitted["seconds"],
            total_seconds=clock.elapsed(), history=_curve(history), watched=watched,
            val_loss=fitted["val_loss"], test_loss=fitted["test_loss"],
            epochs_run=len(history["loss"]),
            stopped_early=len(history["loss"]) < p.nn_max_epochs))
    keras.backend.clear_session()
    return records[0], records[1]


def comparison(study_run: dict, honest_run: dict) -> dict:
    """How the run that watched test differs from the one that watched validation."""
    return metrics.clean({
        "epochs_study": study_run["epochs_run"],
        "epochs_honest": honest_run["epochs_run"],
        "same_epochs": study_run["epochs_run"] == honest_run["epochs_run"],
        # same epochs and the same predictions: the two runs ended as one model
        "identical": (study_run["epochs_run"] == honest_run["epochs_run"]
                      and study_run["confusion"] == honest_run["confusion"]
                      and study_run["val_accuracy"] == honest_run["val_accuracy"]),
        "test_gap": study_run["test_accuracy"] - honest_run["test_accuracy"],
        "val_gap": study_run["val_accuracy"] - honest_run["val_accuracy"],
    })
