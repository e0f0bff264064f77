"""The honest rerun: the study's main models trained and scored again on a split that puts
every twin group (see twins.py) wholly on one side, so no test song has a twin in training.

The split keeps the study's proportions (a quarter for test, then a quarter of the rest for
validation) and stratifies by genre as well as groups allow. The models keep the settings their
searches chose on the study's split: only the rows move.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

from genrereport.errors import DataError
from genrereport.models import uncertainty
from genrereport.models.splits import Splits
from genrereport.splitting import TEST_SIZE, can_stratify

def _group_labels(y: np.ndarray, inverse: np.ndarray, n_groups: int) -> np.ndarray:
    """Each group's commonest label (ties: the smaller code)."""
    k = int(y.max()) + 1
    counts = np.bincount(inverse * k + y, minlength=n_groups * k).reshape(n_groups, k)
    return counts.argmax(axis=1)


def grouped_split(y: np.ndarray, groups: np.ndarray, seed: int):
    """Row positions (train, val, test) with no group on two sides, and whether both cuts
    could be stratified.

    The study's two cuts made on groups instead of rows: a quarter of the groups for test, then
    a quarter of the rest for validation, stratified by each group's commonest genre. Nearly all
    groups hold one or two songs, so the parts keep close to the study's proportions.
    """
    _, inverse = np.unique(groups, return_inverse=True)
    n_groups = int(inverse.max()) + 1 if len(inverse) else 0
    if n_groups < 8:
        raise DataError(f"the audit's grouped split needs at least 8 distinct tracks, got "
                        f"{n_groups}")
    labels = _group_labels(np.asarray(y), inverse, n_groups)
    rest, test, first = _cut(np.arange(n_groups), labels, seed)
    train, val, second = _cut(rest, labels[rest], seed)
    rows = {name: np.flatnonzero(np.isin(inverse, part))
            for name, part in (("train", train), ("val", val), ("test", test))}
    return rows["train"], rows["val"], rows["test"], first and second


def _cut(items: np.ndarray, labels: np.ndarray, seed: int):
    stratify = labels if can_stratify(labels) else None
    keep, held = train_test_split(items, test_size=TEST_SIZE, stratify=stratify,
                                  random_state=seed)
    return keep, held, stratify is not None


def splits_like(cut: Splits, train, val, test) -> Splits:
    """The study's matrix and labels with other row positions."""
    return Splits(cut.features, cut.classes, cut.X, cut.y, train, val, test)


def check_classes(cut: Splits) -> None:
    """Every genre must have training songs on the grouped split, or the models cannot learn
    it (a genre of a few tracks pulled many times can end up wholly in test)."""
    missing = sorted(set(range(len(cut.classes))) - set(np.unique(cut.y[cut.train]).tolist()))
    if missing:
        names = ", ".join(repr(cut.classes[i]) for i in missing)
        raise DataError(f"the audit's split by track leaves no training song of {names}: too few "
                        f"distinct tracks in that genre (raise [genres] min_songs)")


def describe(cut: Splits, groups: np.ndarray) -> dict:
    """Sizes of the grouped parts and a check that no group crosses them."""
    sides = {name: set(groups[idx].tolist()) for name, idx in
             (("train", cut.train), ("val", cut.val), ("test", cut.test))}
    crossing = len((sides["train"] & sides["test"]) | (sides["train"] & sides["val"])
                   | (sides["val"] & sides["test"]))
    return {"train": int(len(cut.train)), "val": int(len(cut.val)), "test": int(len(cut.test)),
            "groups": int(len(np.unique(groups))), "groups_on_two_sides": crossing,
            "test_size": TEST_SIZE}


def compare(model_id: str, name: str, study_right: np.ndarray, grouped_right: np.ndarray,
            seed: int, note: str | None = None, trees: int | None = None) -> dict:
    """One model's test accuracy on the study's split and on the grouped split, with intervals
    and the drop between them; `trees`: a forest's size on both (it may differ from the
    Models page's forest)."""
    study_acc = float(np.mean(study_right))
    grouped_acc = float(np.mean(grouped_right))
    return {"model": model_id, "name": name, "note": note, "trees": trees,
            "study_split": study_acc,
            "study_split_ci": uncertainty.share_interval(study_right, seed),
            "grouped": grouped_acc,
            "grouped_ci": uncertainty.share_interval(grouped_right, seed),
            "drop": study_acc - grouped_acc,
            "drop_ci": uncertainty.gap_interval(study_right, grouped_right, seed)}
