"""The Keras network (protocol §4.7), trained twice.

`nn_study` repeats the study: early stopping watches the *test* set, so the test score it reports
was used to decide when to stop. `nn` is the honest version: early stopping watches validation,
and test is scored once at the end. Both start from the same seed, so they share initial weights
and batch order, and differ only in what early stopping looks at.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

import numpy as np
from sklearn.preprocessing import StandardScaler

from genrereport.models import metrics
from genrereport.models.context import Context, Stopwatch

HIDDEN = (12, 14, 16)
BATCH = 75
# Batches run per compiled call: the same updates in the same order, with less Python overhead
# between them (about 2.5x faster on this small network).
STEPS_PER_EXECUTION = 100


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


def load_keras():
    """Import Keras on the TensorFlow backend, quietly."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    with _native_stderr_muted():
        import keras
    return keras


def _network(keras, n_features: int, n_classes: int):
    layers = [keras.Input((n_features,))]
    layers += [keras.layers.Dense(units, activation="relu") for units in HIDDEN]
    layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    return keras.Sequential(layers)


def _train(keras, seed: int, X_fit, Y_fit, watch: tuple, max_epochs: int):
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = _network(keras, X_fit.shape[1], Y_fit.shape[1])
    model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy",
                  metrics=["accuracy"], steps_per_execution=STEPS_PER_EXECUTION)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0)
    clock = Stopwatch()
    with clock.time():
        history = model.fit(X_fit, Y_fit, batch_size=BATCH, epochs=max_epochs,
                            validation_data=watch, callbacks=[stop], verbose=0, shuffle=True)
    return model, history.history, clock.last


def _curve(history: dict) -> list[dict]:
    return [{"epoch": i + 1, "loss": history["loss"][i], "val_loss": history["val_loss"][i],
             "accuracy": history["accuracy"][i], "val_accuracy": history["val_accuracy"][i]}
            for i in range(len(history["loss"]))]


def run(ctx: Context) -> tuple[dict, dict]:
    """Both runs: (nn_study, nn)."""
    keras = load_keras()
    s, p = ctx.splits, ctx.profile
    k = len(s.classes)
    clock = Stopwatch()
    scaler = StandardScaler().fit(s.X_train)  # fitted on training rows only
    X_train, X_val, X_test = (scaler.transform(X) for X in (s.X_train, s.X_val, s.X_test))
    Y_train, Y_val, Y_test = (keras.utils.to_categorical(y, k) for y in (s.y_train, s.y_val,
                                                                          s.y_test))
    params = {"layers": [s.X.shape[1], *HIDDEN, k], "activation": "relu", "output": "softmax",
              "loss": "categorical_crossentropy", "optimizer": "adam", "batch_size": BATCH,
              "max_epochs": p.nn_max_epochs, "early_stopping": "val_loss, min_delta 0, patience 0"}
    records = []
    for model_id, name, watched, watch in (
            ("nn_study", "Neural network (stops on test)", "test", (X_test, Y_test)),
            ("nn", "Neural network (stops on validation)", "validation", (X_val, Y_val))):
        start = clock.elapsed()
        model, history, seconds = _train(keras, ctx.seed, X_train, Y_train, watch, p.nn_max_epochs)
        pred_val = np.argmax(model.predict(X_val, verbose=0, batch_size=1024), axis=1)
        pred_test = np.argmax(model.predict(X_test, verbose=0, batch_size=1024), axis=1)
        records.append(metrics.record(
            model_id, name, classes=s.classes, y_val=s.y_val, pred_val=pred_val, y_test=s.y_test,
            pred_test=pred_test, baseline_test=ctx.baseline_test,
            params={**params, "watched": watched}, fit_seconds=seconds,
            total_seconds=clock.elapsed() - start, history=_curve(history), watched=watched,
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
