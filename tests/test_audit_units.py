"""The leak audit's parts on tiny hand-made data: twins, the ceiling, the grouped split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genrereport.audit import grouped, leaks, twins
from genrereport.errors import DataError

FEATURES = ("energy", "tempo")


def _frame(rows):
    return pd.DataFrame(rows, columns=["track_id", "energy", "tempo", "target"])


@pytest.fixture
def small():
    # a: track t1 twice (two artists), same features; b: t2 and t3 share features;
    # t3 also appears with other features: t2, t3 and that row form one group; t4 alone.
    return _frame([
        ("t1", 0.5, 120.0, "pop"), ("t1", 0.5, 120.0, "rock"),
        ("t2", 0.1, 90.0, "jazz"), ("t3", 0.1, 90.0, "jazz"), ("t3", 0.9, 150.0, "jazz"),
        ("t4", 0.3, 100.0, "pop"),
    ])


def test_twin_groups_join_tracks_and_features_transitively(small):
    groups = twins.twin_groups(twins.track_codes(small), twins.feature_codes(small, FEATURES))
    assert groups[0] == groups[1]
    assert groups[2] == groups[3] == groups[4]
    assert len({groups[0], groups[2], groups[5]}) == 3


def test_without_track_ids_only_identical_features_make_twins(small):
    """A study may leave the track id out (the audit crashed with KeyError 'track_id')."""
    frame = small.drop(columns=["track_id"])
    groups = twins.twin_groups(twins.track_codes(frame), twins.feature_codes(frame, FEATURES))
    assert groups[0] == groups[1] and groups[2] == groups[3]
    assert groups[3] != groups[4]  # t3's second row was joined by its track id alone
    assert len(set(groups.tolist())) == 4


def test_describe_counts_repeats_and_disagreements(small):
    labels = pd.factorize(small["target"])[0]
    d = twins.describe(small, FEATURES, labels)
    assert (d["rows"], d["distinct_tracks"]) == (6, 4)
    assert (d["track_rows"], d["repeated_tracks"]) == (4, 2)
    assert (d["feature_rows"], d["repeated_vectors"]) == (4, 2)
    assert (d["twin_rows"], d["twin_groups"]) == (5, 2)
    assert (d["mixed_genre_tracks"], d["mixed_genre_track_rows"]) == (1, 2)
    assert (d["mixed_genre_vectors"], d["mixed_genre_vector_rows"]) == (1, 2)
    # t1's two rows have the same features and different genres: one of them must be wrong
    assert d["ceiling"] == pytest.approx(5 / 6)


def test_across_flags_test_rows_with_a_twin_in_training(small):
    tracks, feats = twins.track_codes(small), twins.feature_codes(small, FEATURES)
    out = twins.across(np.array([0, 2, 5]), np.array([1, 3, 4]), tracks, feats)
    assert out["by_track"].tolist() == [True, False, False]
    assert out["by_features"].tolist() == [True, True, False]
    assert out["either"].tolist() == [True, True, False]


def test_twin_labels_are_the_commonest_training_genre_of_the_group():
    groups = np.array([0, 0, 0, 1, 2, 0, 2])
    labels = np.array([1, 2, 2, 0, 3, 9, 9])
    echo = twins.twin_labels(np.array([0, 1, 2, 3]), np.array([5, 6]), groups, labels)
    assert echo.tolist() == [2, -1]  # group 2 has no training row


def test_grouped_split_keeps_every_group_on_one_side():
    rng = np.random.RandomState(0)
    n = 4000
    y = rng.randint(0, 5, n)
    groups = rng.randint(0, 2500, n)  # many groups of one to a few rows
    train, val, test, stratified = grouped.grouped_split(y, groups, seed=24)
    assert stratified
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(n))
    sides = [set(groups[p]) for p in (train, val, test)]
    assert not (sides[0] & sides[1]) and not (sides[0] & sides[2]) and not (sides[1] & sides[2])
    assert 0.2 < len(test) / n < 0.3 and 0.15 < len(val) / n < 0.22
    again = grouped.grouped_split(y, groups, seed=24)
    assert all(np.array_equal(a, b) for a, b in zip((train, val, test), again[:3]))


def test_a_genre_missing_from_grouped_training_is_a_clear_error():
    from genrereport.models.splits import Splits

    y = np.array([0] * 6 + [1] * 6 + [2] * 2)
    cut = Splits(("f",), ("a", "b", "c"), np.zeros((14, 1)), y, np.arange(12),
                 np.array([12]), np.array([13]))
    with pytest.raises(DataError, match="no training song of 'c'"):
        grouped.check_classes(cut)


def test_grouped_split_of_too_few_tracks_is_a_clear_error():
    with pytest.raises(DataError, match="distinct tracks"):
        grouped.grouped_split(np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]), seed=1)


def test_compare_reports_the_drop_with_an_interval():
    study_right = np.array([True] * 60 + [False] * 40)
    grouped_right = np.array([True] * 45 + [False] * 55)
    row = grouped.compare("rf", "Random forest", study_right, grouped_right, seed=0)
    assert row["drop"] == pytest.approx(0.15)
    assert row["drop_ci"][0] < 0.15 < row["drop_ci"][1]


def test_a_leak_entry_carries_its_description_and_effect():
    y = np.array([0, 1, 1, 0])
    way = leaks.paired(y, np.array([0, 1, 1, 1]), np.array([0, 0, 0, 1]), seed=0)
    assert (way["study_way"], way["here"], way["effect"]) == (0.75, 0.25, 0.5)
    e = leaks.entry("nn_test_stopping", way["effect"], way["effect_ci"], epochs=3)
    assert e["study"] and e["here"] and e["figures"] == {"epochs": 3}
    with pytest.raises(KeyError):
        leaks.entry("no such leak", 0.0)
