"""Score intervals and paired tests (models/uncertainty.py), on small hand-made predictions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score

from genrereport.models import selection, uncertainty


def _resampled_means(right: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    rng = np.random.RandomState(seed)
    return np.array([right[rng.randint(0, right.size, right.size)].mean()
                     for _ in range(resamples)])


def test_share_interval_matches_an_explicit_bootstrap():
    right = np.random.RandomState(0).rand(3000) < 0.47
    lo, hi = uncertainty.share_interval(right, seed=1)
    explicit = np.percentile(_resampled_means(right, 2000, 2), [2.5, 97.5])
    assert lo < right.mean() < hi
    assert abs(lo - explicit[0]) < 0.005 and abs(hi - explicit[1]) < 0.005


def test_more_songs_give_a_narrower_interval():
    rng = np.random.RandomState(3)
    small = uncertainty.share_interval(rng.rand(400) < 0.5, seed=0)
    large = uncertainty.share_interval(rng.rand(40000) < 0.5, seed=0)
    assert (large[1] - large[0]) < (small[1] - small[0]) / 5


def test_empty_subsets_have_no_interval():
    assert uncertainty.share_interval(np.array([], dtype=bool), seed=0) is None
    assert uncertainty.gap_interval(np.array([True]), np.array([], dtype=bool), seed=0) is None


def test_bootstrap_macro_f1_is_scikit_learns_on_each_resample():
    rng = np.random.RandomState(5)
    y = rng.randint(0, 4, 300)
    pred = np.where(rng.rand(300) < 0.6, y, rng.randint(0, 4, 300))
    idx = rng.randint(0, 300, size=(6, 300))
    ours = uncertainty._macro_f1(y, pred, idx, 4)
    theirs = [f1_score(y[i], pred[i], average="macro", zero_division=0) for i in idx]
    assert ours == pytest.approx(theirs)


def test_mcnemar_counts_only_disagreements():
    a = np.array([True] * 30 + [False] * 10 + [True] * 50)
    b = np.array([False] * 30 + [True] * 10 + [True] * 50)
    test = uncertainty.mcnemar(a, b)
    assert (test["only_a"], test["only_b"]) == (30, 10)
    assert test["p"] < 0.01
    same = uncertainty.mcnemar(a, a)
    assert same["p"] == 1.0 and same["only_a"] == same["only_b"] == 0


def test_holm_adjusts_step_down():
    assert uncertainty.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert uncertainty.holm([0.5]) == [0.5]


def test_analyse_says_a_clearly_better_model_differs_and_a_twin_does_not():
    rng = np.random.RandomState(9)
    y = rng.randint(0, 3, 2000)
    good = np.where(rng.rand(2000) < 0.8, y, (y + 1) % 3)
    bad = np.where(rng.rand(2000) < 0.5, y, (y + 1) % 3)
    # right where `good` is wrong on 3 songs, wrong where it is right on 4: no evidence of a
    # difference
    twin = good.copy()
    good_right, good_wrong = np.flatnonzero(good == y), np.flatnonzero(good != y)
    twin[good_right[:4]] = (y[good_right[:4]] + 1) % 3
    twin[good_wrong[:3]] = y[good_wrong[:3]]
    preds = {"good": good, "bad": bad, "twin": twin}
    out = uncertainty.analyse(y, preds, 3, "good", seed=0, resamples=400)
    paired = {t["model"]: t for t in out["paired"]}
    assert paired["bad"]["significant"] and paired["bad"]["difference"] > 0.2
    assert not paired["twin"]["significant"]
    assert set(paired) == {"bad", "twin"}  # the reference is not tested against itself
    for m, pred in preds.items():
        lo, hi = out["models"][m]["accuracy_ci"]
        assert lo <= np.mean(pred == y) <= hi
        lo, hi = out["models"][m]["macro_f1_ci"]
        assert lo <= f1_score(y, pred, average="macro") <= hi


def test_paired_gap_interval_of_identical_models_is_zero():
    right = np.random.RandomState(1).rand(500) < 0.5
    assert uncertainty.paired_gap_interval(right, right, seed=0) == [0.0, 0.0]
    lo, hi = uncertainty.paired_gap_interval(right, ~right, seed=0)
    assert lo < 2 * right.mean() - 1 < hi


def _rec(model_id, val):
    return {"id": model_id, "val_accuracy": val}


def test_the_pick_skips_models_whose_fitting_saw_validation_or_test():
    records = [_rec("rf", 0.48), _rec("xgb", 0.47), _rec("nn", 0.55), _rec("nn_study", 0.60),
               _rec("rf_weighted_pred", 0.58)]
    assert selection.pick(records) == "rf"
    records[1]["val_accuracy"] = 0.49
    assert selection.pick(records) == "xgb"


def test_flags_say_which_score_is_optimistic():
    assert selection.flags("nn") == {"val_clean": False, "test_clean": True,
                                     "saw": "validation", "why": selection.SAW["nn"][1]}
    assert selection.flags("nn_study")["test_clean"] is False
    assert selection.flags("rf") == {"val_clean": True, "test_clean": True, "saw": None,
                                     "why": None}
