"""Reading and validating pulls: rejected rows are counted by reason, bad files are clear errors."""

from pathlib import Path

import pytest

from genrereport import clean, load, sources
from genrereport.errors import DataError
from genrereport.schema import PULL_COLUMNS
from tests.pulls import song, write_pull


def read_folder(folder: Path):
    return load.load(sources.from_folder(folder, sources.load_registry()))


def test_valid_rows_are_typed_and_kept(tmp_path):
    write_pull(tmp_path / "mine.csv", [song(1), song(2, track_name="NaN")])
    loaded = read_folder(tmp_path)
    assert len(loaded.frame) == 2
    assert loaded.frame["key"].dtype.kind == "i"
    assert loaded.frame["track_name"].tolist() == ["Song 1", "NaN"]  # a title, not a missing value
    assert loaded.report.rows_rejected == 0
    assert loaded.report.files[0].registered is False


def test_invalid_rows_are_counted_by_reason(tmp_path):
    rows = [song(1), song(2, energy=1.5), song(3, tempo=-1), song(4, key=2.5),
            song(5, genre="pop, rock"), song(6, danceability="high"), song(7, energy=-0.1)]
    write_pull(tmp_path / "mine.csv", rows)
    loaded = read_folder(tmp_path)
    rep = loaded.report
    assert len(loaded.frame) == 1
    assert rep.rows_pulled == 7 and rep.rows_rejected == 6
    assert rep.rejected_by_reason == {
        "energy outside 0..1": 2, "tempo is negative": 1, "key is not an integer": 1,
        "genre is not a list of names": 1, "danceability is not a number": 1}
    assert rep.reject_examples[0] == {"file": "mine.csv", "line": 3, "reason": "energy outside 0..1"}


def test_missing_column_names_file_and_column(tmp_path):
    cols = [c for c in PULL_COLUMNS if c != "tempo"]
    path = write_pull(tmp_path / "mine.csv", [song(1)], columns=cols)
    with pytest.raises(DataError) as err:
        read_folder(tmp_path)
    assert str(path) in str(err.value) and "'tempo'" in str(err.value)


def test_time_signature_is_optional(tmp_path):
    cols = [c for c in PULL_COLUMNS if c != "time_signature"]
    write_pull(tmp_path / "mine.csv", [song(1), song(2)], columns=cols)
    loaded = read_folder(tmp_path)
    assert "time_signature" not in loaded.frame.columns
    assert loaded.report.has_time_signature is False


def test_popularity_may_be_empty(tmp_path):
    write_pull(tmp_path / "mine.csv", [song(1, popularity=""), song(2, popularity="x"), song(3)])
    loaded = read_folder(tmp_path)
    assert len(loaded.frame) == 2
    assert loaded.report.rejected_by_reason == {"popularity is not a number": 1}
    assert loaded.frame["popularity"].isna().tolist() == [True, False]


def test_unreadable_file_is_an_error(tmp_path):
    (tmp_path / "bad.csv").write_bytes(b"\xff\xfe\x00garbage\x00\n\xff")
    with pytest.raises(DataError, match="bad.csv: cannot read"):
        read_folder(tmp_path)


def test_empty_pull_is_noted_not_fatal(tmp_path):
    write_pull(tmp_path / "a.csv", [song(1)])
    (tmp_path / "b.csv").write_text('""\n')
    loaded = read_folder(tmp_path)
    assert loaded.report.empty_files == ["b.csv"]
    assert len(loaded.frame) == 1


def test_registry_file_with_wrong_hash_is_refused(tmp_path):
    write_pull(tmp_path / "info_3.csv", [song(1)])
    with pytest.raises(DataError) as err:
        read_folder(tmp_path)
    msg = str(err.value)
    assert "info_3.csv" in msg and "sha256 mismatch" in msg and "https://" in msg


def test_folder_without_csv_and_missing_folder(tmp_path):
    with pytest.raises(DataError, match="no CSV or Parquet files"):
        read_folder(tmp_path)
    with pytest.raises(DataError, match="data folder not found"):
        read_folder(tmp_path / "nope")


def test_exact_duplicates_only(tmp_path):
    a = song(1)
    write_pull(tmp_path / "mine.csv", [a, a, dict(a, popularity=51), song(2)])
    frame, report = clean.clean(read_folder(tmp_path).frame)
    assert report.duplicates_dropped == 1 and report.rows_after_dedup == 3


def test_scrape_manifest_names_the_feature_source(tmp_path):
    write_pull(tmp_path / "pull_0001.csv", [song(1)])
    (tmp_path / load.SCRAPE_MANIFEST).write_text('{"feature_source": "reccobeats"}')
    assert read_folder(tmp_path).report.feature_source == "reccobeats"


def test_mirror_figures_exactly(mirror_dir):
    """The protocol's figures: 46,291 rows, 7,756 duplicates, 38,535 left, no nulls."""
    loaded = read_folder(mirror_dir)
    assert loaded.report.rows_pulled == 46291
    assert loaded.report.rows_rejected == 0
    assert loaded.report.empty_files == ["info_36.csv"]
    assert [f.name for f in loaded.report.files][:3] == ["info_1.csv", "info_2.csv", "info_3.csv"]
    frame, report = clean.clean(loaded.frame)
    assert report.duplicates_dropped == 7756
    assert report.rows_after_dedup == 38535
    assert report.null_cells == 0


def test_scrape_manifest_names_the_genre_sources(tmp_path):
    write_pull(tmp_path / "pull_0001.csv", [song(1)])
    (tmp_path / load.SCRAPE_MANIFEST).write_text(
        '{"feature_source": "reccobeats", '
        '"genre_sources": {"spotify": 20, "musicbrainz": 180, "file": 0}}')
    # Most first; sources with no rows are left out.
    assert read_folder(tmp_path).report.genre_source == {"musicbrainz": 180, "spotify": 20}


def test_genre_source_is_unknown_without_a_manifest_that_says(tmp_path):
    write_pull(tmp_path / "mine.csv", [song(1)])
    assert read_folder(tmp_path).report.genre_source is None
    (tmp_path / load.SCRAPE_MANIFEST).write_text('{"feature_source": "spotify"}')
    assert read_folder(tmp_path).report.genre_source is None  # a scrape from before the field


def test_the_terminal_says_what_each_check_dropped(capsys, tmp_path, spine_only):
    """A fifth of the rows with text in a feature column: the build goes on without them and
    says so, by column, where the user looks."""
    from genrereport import cli
    from tests.pulls import varied_songs, write_pull

    rows = varied_songs(100)
    for row in rows[::5]:
        row["tempo"] = "fast"
    rows.append(dict(rows[1]))  # a duplicate
    write_pull(tmp_path / "data" / "mine.csv", rows)
    code = cli.main(["build", "--data", str(tmp_path / "data"), "--profile", "quick", "--out",
                     str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache")])
    err = capsys.readouterr().err
    assert code == 0, err
    said = [line for line in err.splitlines() if "dropped" in line]
    assert "▸ load: 20 of 101 rows dropped (tempo is not a number: 20)" in said, said
    assert "▸ clean: 1 duplicate rows dropped" in said, said


def test_the_binnings_drops_are_said_by_cause_and_nothing_when_none():
    from genrereport import dropped

    bins = {"rows_in": 500, "unbinned": 40, "mode": "rules",
            "too_small": {"min_songs": 10, "rows_dropped": 7,
                          "dropped": [{"genre": "polka", "songs": 4, "tracks": 4},
                                      {"genre": "zydeco", "songs": 3, "tracks": 3}]}}
    assert dropped.lines({}, {}, bins) == [
        "bin: 40 of 500 songs matched no genre rule, left out",
        "bin: 7 songs in genres of fewer than 10 songs left out: polka (4), zydeco (3)"]
    assert dropped.lines({}, {}, {**bins, "mode": "label"})[0] == \
        "bin: 40 of 500 songs had no label, left out"
    quiet = {"rows_in": 500, "unbinned": 0, "too_small": {"rows_dropped": 0, "dropped": []}}
    assert dropped.lines({"rows_rejected": 0}, {"duplicates_dropped": 0}, quiet) == []
