"""`genrereport scrape` end to end: the real spotipy client against fake Spotify and ReccoBeats.

The fakes run as HTTP servers on 127.0.0.1 (tests/fakes); the environment points the command at
them. Nothing here touches the internet.
"""

from __future__ import annotations

import ast
import json
import time
from pathlib import Path

import pytest

from genrereport import load as load_mod
from genrereport import schema, sources
from genrereport.cli import main
from tests.fakes.fixtures import (FAST, artist_list, read_rows, read_skipped,  # noqa: F401
                                  scrape_env, services, start_services)
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET, features_for

# The study's columns in its order, then where the row's genres came from.
HEADER_SPOTIFY = "," + ",".join(schema.PULL_COLUMNS) + ",genre_source"
HEADER_RECCO = ("," + ",".join(c for c in schema.PULL_COLUMNS if c != "time_signature")
                + ",genre_source")


def run_scrape(tmp_path, services, *extra, out=None):
    out = out or tmp_path / "out"
    rc = main(["scrape", "--artists", str(artist_list(tmp_path, services)), "--out", str(out),
               *extra, *FAST])
    return rc, out


def assert_no_secrets(out, *texts):
    """Neither the client id nor the secret (nor the token) appear in any file or message."""
    from tests.fakes.spotify import ACCESS_TOKEN

    blobs = [p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file()]
    for blob in blobs + list(texts):
        assert CLIENT_SECRET not in blob
        assert CLIENT_ID not in blob
        assert ACCESS_TOKEN not in blob


# -- the normal run ------------------------------------------------------------------------------

def test_scrape_writes_pulls_in_the_studys_layout(scrape_env, tmp_path, capsys):
    svc = scrape_env
    rc, out = run_scrape(tmp_path, svc, "--batch-size", "6")
    captured = capsys.readouterr()
    assert rc == 0, captured.err

    pulls = sorted(p.name for p in out.glob("*.csv"))
    assert pulls == ["pull_0001.csv", "pull_0002.csv"]  # 14 artists, 10 with rows
    for name in pulls:
        assert (out / name).read_text(encoding="utf-8").splitlines()[0] == HEADER_SPOTIFY

    rows = read_rows(out)
    by_artist = {r["artist_uri"]: r for r in rows}
    assert len(rows) == len(by_artist) == len(svc.with_rows)  # one row per artist, no repeats
    for e in svc.with_rows:
        row = by_artist[f"spotify:artist:{e.artist_id}"]
        # The track is the artist's own first top track, never a search result by name.
        assert row["track_id"] == e.track_id
        assert row["artist_name"] == e.name  # unicode, commas and quotes survive
        genres = ast.literal_eval(row["genre"])
        assert isinstance(genres, list) and genres and row["genre"] == str(genres)
        n = int(e.track_id[5:])
        f = features_for(n)
        assert float(row["tempo"]) == f["tempo"] and int(row["key"]) == f["key"]
        assert int(row["time_signature"]) == f["time_signature"]
        assert int(row["popularity"]) == 60  # the track's popularity
        # --genres auto with the full API: Spotify's own genres.
        assert genres == e.spotify_genres and row["genre_source"] == "spotify"
    # Each file's index starts at 0, like pandas' to_csv.
    assert [r[""] for r in rows if r["_file"] == "pull_0002.csv"][0] == "0"

    skipped = dict(read_skipped(out))
    assert skipped == {e.artist_id: e.reason for e in svc.skipped}

    manifest = json.loads((out / "genrereport-scrape.json").read_text(encoding="utf-8"))
    assert manifest["feature_source"] == "spotify"
    assert manifest["complete"] is True and manifest["rows"] == len(svc.with_rows)
    checkpoint = json.loads((out / "checkpoint.json").read_text(encoding="utf-8"))
    assert len(checkpoint["done"]) == len(svc.expect)

    # Batch endpoints were used: one artists call and one audio-features call per batch.
    assert len([r for r in svc.spotify.log if r.path == "/v1/artists/"]) == 3
    assert len(svc.spotify.requests_to("/v1/audio-features")) == 3
    assert len(svc.spotify.requests_to("/api/token")) == 1
    # MusicBrainz was asked only about the artist Spotify has no genres for.
    no_genres = [e for e in svc.expect if e.spotify_genres == []]
    assert svc.mb.resources_asked() == [f"https://open.spotify.com/artist/{e.artist_id}"
                                        for e in no_genres]

    assert "scraped 14 artist(s): 10 row(s)" in captured.out
    # Progress goes to stderr; captured output is not a terminal, so it is a plain line.
    assert "scrape: 14/14 (100%) in " in captured.err and "\r" not in captured.err
    assert_no_secrets(out, captured.out, captured.err)
    assert not (tmp_path / "work" / ".cache").exists()  # no token cache on disk
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))


def test_rerun_of_a_finished_scrape_does_nothing(scrape_env, tmp_path, capsys):
    rc, out = run_scrape(tmp_path, scrape_env)
    assert rc == 0
    before = {p.name: p.read_bytes() for p in out.glob("pull_*.csv")}
    n_requests = len(scrape_env.spotify.log)
    rc, out = run_scrape(tmp_path, scrape_env)
    assert rc == 0
    assert "nothing to do" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in out.glob("pull_*.csv")} == before
    assert len(scrape_env.spotify.log) == n_requests


def test_limit_takes_the_first_artists(scrape_env, tmp_path):
    rc, out = run_scrape(tmp_path, scrape_env, "--limit", "3")
    assert rc == 0
    assert {r["artist_uri"] for r in read_rows(out)} == {
        f"spotify:artist:{e.artist_id}" for e in scrape_env.expect[:3]}


# -- the build reads the output ------------------------------------------------------------------

@pytest.mark.parametrize("features", ["spotify", "reccobeats"])
def test_the_builds_loader_reads_the_output(scrape_env, tmp_path, features):
    rc, out = run_scrape(tmp_path, scrape_env, "--features", features, "--batch-size", "4")
    assert rc == 0
    files = sources.from_folder(out, sources.load_registry())
    assert [f.name for f in files] == sorted(p.name for p in out.glob("pull_*.csv"))
    assert not any(f.registered for f in files)
    loaded = load_mod.load(files)
    report = loaded.report
    assert report.rows_rejected == 0, report.rejected_by_reason
    assert report.rows_pulled == len(loaded.frame) == len(scrape_env.with_rows)
    assert report.feature_source == features
    has_ts = features == "spotify"
    assert report.has_time_signature is has_ts
    assert list(loaded.frame.columns) == [c for c in schema.PULL_COLUMNS
                                          if has_ts or c != "time_signature"]
    assert set(loaded.frame["artist_name"]) == {e.name for e in scrape_env.with_rows}


@pytest.mark.slow
def test_genrereport_build_reads_a_scrape(tmp_path, monkeypatch, recwarn):
    """A scrape big enough for the quick profile goes through the whole build, and the build's
    expected warnings stay silent in every stage (once, 61 of liblinear's leaked here)."""
    with start_services(extra=240) as svc:
        for k, v in svc.env().items():
            monkeypatch.setenv(k, v)
        monkeypatch.chdir(tmp_path)
        rc, out = run_scrape(tmp_path, svc)
        assert rc == 0
    site = tmp_path / "site_src"
    recwarn.clear()
    rc = main(["build", "--data", str(out), "--out", str(site), "--profile", "quick",
               "--cache-dir", str(tmp_path / "cache")])
    assert rc == 0
    assert (site / "index.md").is_file()
    from sklearn.exceptions import ConvergenceWarning

    leaked = [f"{w.filename}: {w.message}" for w in recwarn
              if issubclass(w.category, ConvergenceWarning)
              and Path(w.filename).parent.name in ("svm", "linear_model")]
    assert leaked == []


# -- ReccoBeats ----------------------------------------------------------------------------------

def test_reccobeats_features_are_matched_by_href_in_chunks_of_40(tmp_path, monkeypatch, capsys):
    with start_services(extra=50) as svc:
        for k, v in svc.env().items():
            monkeypatch.setenv(k, v)
        monkeypatch.chdir(tmp_path)
        rc, out = run_scrape(tmp_path, svc, "--features", "reccobeats")
        assert rc == 0, capsys.readouterr().err
        calls = svc.recco.requests_to("/v1/audio-features")
        sizes = [len(r.param("ids").split(",")) for r in calls]
        assert max(sizes) <= 40 and sum(sizes) == len(svc.with_rows) + 1  # + the featureless one
        assert len(calls) == 2
        assert not svc.spotify.requests_to("/v1/audio-features")  # Spotify not asked

        rows = read_rows(out)
        assert len(rows) == len(svc.with_rows)
        assert "time_signature" not in rows[0]
        for row in rows:
            # The fake answers in reverse order: matching by position would mix values up.
            f = features_for(int(row["track_id"][5:]))
            assert float(row["energy"]) == f["energy"] and float(row["tempo"]) == f["tempo"]
        assert dict(read_skipped(out))[svc.skipped[-1].artist_id] == "features unavailable"
        manifest = json.loads((out / "genrereport-scrape.json").read_text(encoding="utf-8"))
        assert manifest["feature_source"] == "reccobeats"
        assert manifest["has_time_signature"] is False


def test_reccobeats_errors_are_clear(scrape_env, tmp_path, capsys):
    scrape_env.recco.fail("/v1/audio-features", 400, times=None)
    rc, out = run_scrape(tmp_path, scrape_env, "--features", "reccobeats")
    err = capsys.readouterr().err
    assert rc == 2
    assert "ReccoBeats answered HTTP 400" in err and "Traceback" not in err


# -- Spotify's removals --------------------------------------------------------------------------

def test_audio_features_403_explains_and_points_to_reccobeats(scrape_env, tmp_path, capsys):
    scrape_env.spotify.audio_features_status = 403
    rc, out = run_scrape(tmp_path, scrape_env)
    err = capsys.readouterr().err
    assert rc == 2
    line = [ln for ln in err.splitlines() if ln.startswith("genrereport: error:")]
    assert len(line) == 1 and "Traceback" not in err
    assert "2024-11-27" in line[0] and "--features reccobeats" in line[0]
    assert not list(out.glob("*.csv"))  # nothing half-done was written

    # The advice works, in the same folder.
    rc, out = run_scrape(tmp_path, scrape_env, "--features", "reccobeats")
    assert rc == 0
    assert len(read_rows(out)) == len(scrape_env.with_rows)
    assert json.loads((out / "genrereport-scrape.json").read_text())["feature_source"] == \
        "reccobeats"


def test_removed_batch_and_top_track_endpoints_fall_back(scrape_env, tmp_path, capsys):
    svc = scrape_env
    svc.spotify.batch_artists_status = 403
    svc.spotify.top_tracks_status = 404
    rc, out = run_scrape(tmp_path, svc)
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    rows = {r["artist_uri"]: r for r in read_rows(out)}
    assert len(rows) == len(svc.with_rows)
    for e in svc.with_rows:
        row = rows[f"spotify:artist:{e.artist_id}"]
        # From the artist's first album, the artist's own track (not the guest's first track).
        assert row["track_id"] == e.fallback_track_id
        assert row["popularity"] != ""  # the artist's popularity, as album tracks have none
    assert dict(read_skipped(out)) == {e.artist_id: e.reason for e in svc.skipped}
    # One failed batch call, then per-id; one failed top-tracks call, then albums only.
    assert len([r for r in svc.spotify.log if r.path == "/v1/artists/"]) == 1
    assert len([r for r in svc.spotify.log if r.path.endswith("/top-tracks")]) == 1
    per_id = [r for r in svc.spotify.log
              if r.path.startswith("/v1/artists/") and r.path.count("/") == 3
              and r.path != "/v1/artists/"]
    assert len(per_id) == len(svc.expect)
    assert "artists fetched one by one" in captured.out


def test_no_genres_field_at_all_stops_early(scrape_env, tmp_path, capsys):
    for artist in scrape_env.spotify.artists.values():
        artist.genres = None
    rc, out = run_scrape(tmp_path, scrape_env, "--batch-size", "5", "--genres", "spotify")
    err = capsys.readouterr().err
    assert rc == 2
    assert "no genres field at all" in err and "extended quota" in err
    assert "--genres musicbrainz" in err
    assert not list(out.glob("*.csv")) and not read_skipped(out)
    # Stopped after the first batch instead of fetching every artist.
    assert len([r for r in scrape_env.spotify.log if r.path == "/v1/artists/"]) == 1


def test_some_artists_without_a_genres_field_are_skipped(scrape_env, tmp_path, capsys):
    first, second = scrape_env.expect[0], scrape_env.expect[1]
    for e in (first, second):
        scrape_env.spotify.artists[e.artist_id].genres = None
    rc, out = run_scrape(tmp_path, scrape_env, "--genres", "spotify")
    assert rc == 0
    skipped = dict(read_skipped(out))
    assert skipped[first.artist_id] == skipped[second.artist_id] == "genres not reported"
    assert len(read_rows(out)) == len(scrape_env.with_rows) - 2
    assert "2 artist answer(s) had no genres field" in capsys.readouterr().out


# -- politeness: 429, 5xx, timeouts --------------------------------------------------------------

def test_429_retry_after_is_honoured(scrape_env, tmp_path):
    svc = scrape_env
    svc.spotify.fail("/v1/artists/", 429, times=1, headers={"Retry-After": "1"})
    started = time.monotonic()
    rc, out = run_scrape(tmp_path, svc)
    assert rc == 0
    assert time.monotonic() - started >= 1.0
    # Exactly one repeat: our wait, not spotipy's own retries.
    assert len([r for r in svc.spotify.log if r.path == "/v1/artists/"]) == 2
    assert len(read_rows(out)) == len(svc.with_rows)


def test_429_past_max_wait_stops_cleanly_and_resumes(scrape_env, tmp_path, capsys):
    svc = scrape_env
    # The first batch goes through; the second batch's first top-tracks call gets a long wait.
    svc.spotify.fail("/v1/artists/artist0000000000000005/top-tracks", 429, times=None,
                     headers={"Retry-After": "3600"})
    rc, out = run_scrape(tmp_path, svc, "--batch-size", "4", "--max-wait", "5")
    err = capsys.readouterr().err
    assert rc == 75
    msg = [ln for ln in err.splitlines() if ln.startswith("genrereport: error:")]
    assert len(msg) == 1 and "Traceback" not in err
    assert "Retry-After" in msg[0] and "--max-wait 5 s" in msg[0]
    assert "rerun the same command after" in msg[0] and "4 of 14 artists are saved" in msg[0]
    assert len(read_rows(out)) == 4
    assert len(json.loads((out / "checkpoint.json").read_text())["done"]) == 4
    assert json.loads((out / "genrereport-scrape.json").read_text())["complete"] is False

    svc.spotify.clear_failures()
    rc, out = run_scrape(tmp_path, svc, "--batch-size", "4", "--max-wait", "5")
    assert rc == 0
    rows = read_rows(out)
    assert sorted(r["artist_uri"] for r in rows) == sorted(
        f"spotify:artist:{e.artist_id}" for e in svc.with_rows)
    # Batches already saved were not asked for again.
    assert len(svc.spotify.requests_to("/v1/artists/artist0000000000000001/top-tracks")) == 1


def test_intermittent_500s_are_retried(scrape_env, tmp_path):
    svc = scrape_env
    svc.spotify.fail("/v1/audio-features", 500, times=2)
    svc.spotify.fail("/v1/artists/", 503, times=1, after=1)
    svc.spotify.fail("/api/token", 500, times=1)
    rc, out = run_scrape(tmp_path, svc, "--batch-size", "7")
    assert rc == 0
    assert len(read_rows(out)) == len(svc.with_rows)
    assert len(svc.spotify.requests_to("/v1/audio-features")) == 2 + 2
    assert len(svc.spotify.requests_to("/api/token")) == 2


@pytest.mark.parametrize("retries", [0, 1])
def test_persistent_500s_stop_after_our_retries_only(scrape_env, tmp_path, capsys, retries):
    svc = scrape_env
    svc.spotify.fail("/v1/audio-features", 500, times=None)
    rc, out = run_scrape(tmp_path, svc, "--retries", str(retries))
    err = capsys.readouterr().err
    assert rc == 75
    assert f"failed {retries + 1} times in a row" in err and "to resume" in err
    # spotipy made no retries of its own: the server saw exactly ours.
    assert len(svc.spotify.requests_to("/v1/audio-features")) == retries + 1


def test_unreachable_server_stops_with_a_message(scrape_env, tmp_path, monkeypatch, capsys):
    from tests.localserver import free_port

    monkeypatch.setenv("GENREREPORT_SPOTIFY_TOKEN_URL", f"http://127.0.0.1:{free_port()}/token")
    rc, out = run_scrape(tmp_path, scrape_env, "--retries", "0")
    err = capsys.readouterr().err
    assert rc == 75 and "no answer" in err and "Traceback" not in err


def test_requests_have_a_timeout(scrape_env, tmp_path, capsys):
    scrape_env.spotify.delay = 1.5
    started = time.monotonic()
    rc, out = run_scrape(tmp_path, scrape_env, "--timeout", "0.3", "--retries", "0")
    assert rc == 75
    assert time.monotonic() - started < 5
    assert "no answer: ReadTimeout" in capsys.readouterr().err


# -- credentials ---------------------------------------------------------------------------------

def test_missing_credentials_is_one_clear_error(scrape_env, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SPOTIPY_CLIENT_ID")
    monkeypatch.delenv("SPOTIPY_CLIENT_SECRET")
    rc, out = run_scrape(tmp_path, scrape_env)
    err = capsys.readouterr().err
    assert rc == 2
    assert err.strip().count("\n") == 0
    assert "SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET not set" in err
    assert not out.exists() and not scrape_env.spotify.log


def test_rejected_credentials(scrape_env, tmp_path, capsys):
    scrape_env.spotify.client_secret = "another-secret"
    rc, out = run_scrape(tmp_path, scrape_env)
    captured = capsys.readouterr()
    assert rc == 2
    assert "did not accept the app credentials (invalid_client)" in captured.err
    assert "Traceback" not in captured.err
    assert_no_secrets(out, captured.out, captured.err)


def test_bad_artist_list_names_file_and_row(scrape_env, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("Drake,spotify:artist:3TVXtAsR1Inumwj472S9r4\nX,spotify:album:123\n")
    rc = main(["scrape", "--artists", str(bad), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and f"{bad}, row 2" in err and "Traceback" not in err
