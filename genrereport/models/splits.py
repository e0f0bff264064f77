"""Labels, the three splits and the feature–label correlations of protocol §4.

Every model trains on the same rows: the splits are made once, as row positions, so that the
title-word model (a sparse matrix) can take exactly the rows the audio-feature models take.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from genrereport.splitting import TEST_SIZE, study_split


@dataclass(frozen=True)
class Splits:
    """Row positions and encoded labels of the training, validation and test parts."""

    features: tuple[str, ...]
    classes: tuple[str, ...]
    X: np.ndarray
    y: np.ndarray
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray

    @property
    def X_train(self) -> np.ndarray:
        return self.X[self.train]

    @property
    def X_val(self) -> np.ndarray:
        return self.X[self.val]

    @property
    def X_test(self) -> np.ndarray:
        return self.X[self.test]

    @property
    def y_train(self) -> np.ndarray:
        return self.y[self.train]

    @property
    def y_val(self) -> np.ndarray:
        return self.y[self.val]

    @property
    def y_test(self) -> np.ndarray:
        return self.y[self.test]


def encode_labels(targets) -> tuple[tuple[str, ...], np.ndarray]:
    """Genre names sorted alphabetically and each row's code 0..k-1 (LabelEncoder's scheme)."""
    values = np.asarray(targets, dtype=object)
    classes = tuple(sorted(set(values.tolist())))
    codes = np.searchsorted(np.asarray(classes, dtype=object), values)
    return classes, codes.astype(np.int64)


def make_splits(frame: pd.DataFrame, seed: int, features: tuple[str, ...]) -> Splits:
    """The study's two stratified cuts: 25 % test, then 25 % of the rest for validation, on the
    given feature columns."""
    classes, y = encode_labels(frame["target"])
    X = frame[list(features)].to_numpy(dtype=np.float64)
    train, val, test, _ = study_split(y, seed)
    return Splits(features, classes, X, y, train, val, test)


def describe(splits: Splits, seed: int) -> dict:
    """Sizes of the parts and the label codes, for the Models overview."""
    parts = (("train", splits.train), ("val", splits.val), ("test", splits.test))
    counts = {name: np.bincount(splits.y[idx], minlength=len(splits.classes))
              for name, idx in parts}
    return {
        "train": int(len(splits.train)),
        "val": int(len(splits.val)),
        "test": int(len(splits.test)),
        "rows": int(len(splits.y)),
        "test_size": TEST_SIZE,
        "random_state": seed,
        "features": list(splits.features),
        "labels": [{"code": i, "genre": g, "train": int(counts["train"][i]),
                    "val": int(counts["val"][i]), "test": int(counts["test"][i])}
                   for i, g in enumerate(splits.classes)],
    }


def label_correlations(splits: Splits) -> list[dict]:
    """Pearson correlation of each feature with the label code, strongest (absolute) first.

    The code's order is alphabetical, so this only says which features vary with the label
    numbering; the study showed it and so does the site, with that caveat.
    """
    out = []
    for j, feature in enumerate(splits.features):
        column = splits.X[:, j]
        corr = float(np.corrcoef(column, splits.y)[0, 1]) if column.std() > 0 else None
        out.append({"feature": feature, "corr": corr,
                    "abs_corr": None if corr is None else abs(corr)})
    return sorted(out, key=lambda r: -1.0 if r["abs_corr"] is None else r["abs_corr"], reverse=True)
