"""Input too small or too odd for the analyses gets a clear answer: the genres that are too small
are left out with a note, and a data set that cannot be analysed at all is a one-line error
naming the genre and its count. Never a scikit-learn traceback."""

from __future__ import annotations

import pandas as pd
import pytest

from genrereport import cli, minimums
from genrereport.errors import DataError
from tests.pulls import song, varied_songs, write_pull


def _build(capsys, tmp_path, rows, *extra):
    write_pull(tmp_path / "data" / "mine.csv", rows)
    code = cli.main(["build", "--data", str(tmp_path / "data"), "--out",
                     str(tmp_path / "site_src"), "--cache-dir", str(tmp_path / "cache"),
                     "--profile", "quick", *extra])
    return code, capsys.readouterr().err


def _error_line(code, err):
    assert code == 2, err
    assert "Traceback" not in err
    (line,) = [x for x in err.splitlines() if x.startswith("genrereport: error")]
    return line


def _frame(counts: dict) -> pd.DataFrame:
    return pd.DataFrame({"target": [g for g, n in counts.items() for _ in range(n)]})


def test_small_genres_are_left_out_and_listed():
    out, info = minimums.apply(_frame({"pop": 40, "rock": 12, "jazz": 3, "folk": 1}))
    assert sorted(out["target"].unique()) == ["pop", "rock"]
    assert info["dropped"] == [{"genre": "jazz", "songs": 3, "tracks": 3},
                               {"genre": "folk", "songs": 1, "tracks": 1}]
    assert info["rows_dropped"] == 4


def test_one_genre_or_none_large_enough_is_an_error():
    with pytest.raises(DataError, match="every song is in one genre, 'pop' \\(50\\)"):
        minimums.apply(_frame({"pop": 50}))
    with pytest.raises(DataError, match="fewer than 2 genres have at least 10 songs.*'pop' \\(50\\)"):
        minimums.apply(_frame({"pop": 50, "rock": 4}))
    with pytest.raises(DataError, match="no song is left"):
        minimums.apply(_frame({}))


def test_a_genre_of_few_tracks_pulled_many_times_is_left_out():
    """Twelve songs but two tracks: the split that keeps a track's twins together cannot put the
    genre on every side."""
    frame = _frame({"pop": 40, "rock": 12})
    frame["track_id"] = [f"p{i}" for i in range(40)] + ["r1"] * 6 + ["r2"] * 6
    out, info = minimums.apply(pd.concat([frame, frame.assign(target="jazz", track_id=[
        f"j{i}" for i in range(52)])], ignore_index=True))
    assert sorted(out["target"].unique()) == ["jazz", "pop"]
    assert info["dropped"] == [{"genre": "rock", "songs": 12, "tracks": 2}]


def test_too_few_songs_for_the_clusters_is_an_error_before_any_training():
    with pytest.raises(DataError, match="k-means with 12 clusters needs at least 48"):
        minimums.apply(_frame({"pop": 20, "rock": 20}), clusters=12, songs_per_cluster=4)


def test_a_thirty_song_pull_is_a_one_line_error(capsys, tmp_path):
    line = _error_line(*_build(capsys, tmp_path, varied_songs(30)))
    assert "genres have at least" in line and "(8)" in line


def test_every_song_in_one_genre_is_a_one_line_error(capsys, tmp_path):
    rows = [song(i, genre="['dance pop']") for i in range(60)]
    line = _error_line(*_build(capsys, tmp_path, rows))
    assert "every song is in one genre" in line and "'pop' (60)" in line


def test_rules_that_match_nothing_are_a_one_line_error(capsys, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\ntarget = "none"\npattern = "no such genre"\n')
    line = _error_line(*_build(capsys, tmp_path, varied_songs(80), "--rules", str(rules)))
    assert "no song is left" in line


@pytest.mark.slow
def test_a_genre_with_one_song_is_left_out_and_the_site_says_so(capsys, tmp_path, spine_only):
    # What is tested is the binning and its page: the models need not train (spine_only).
    rows = varied_songs(300) + [song(999, genre="['gospel']", track_name="Only one")]
    code, err = _build(capsys, tmp_path, rows)
    assert code == 0, err
    binning = (tmp_path / "site_src" / "binning.md").read_text()
    assert "left out: gospel/worship (1)" in binning

