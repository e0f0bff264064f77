"""Genres for a 2026 app: a Development Mode Spotify (no genres) plus MusicBrainz, end to end.

The real clients run against fake Spotify, ReccoBeats and MusicBrainz servers on 127.0.0.1
(tests/fakes). Most tests pass the hidden `--musicbrainz-interval 0` to run fast; the rate test
uses the real one-second interval and measures it on the fake's clock.
"""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from genrereport import __version__
from genrereport.cli import main
from tests.fakes.fixtures import (FAST, artist_list, read_rows, read_skipped,  # noqa: F401
                                  scrape_env, services, start_services)
from tests.fakes.musicbrainz import SPOTIFY_ARTIST


def run_scrape(tmp_path, svc, *extra, out=None, fast=True):
    out = out or tmp_path / "out"
    args = ["scrape", "--artists", str(artist_list(tmp_path, svc)), "--out", str(out),
            "--features", "reccobeats", *extra]
    rc = main(args + (list(FAST) if fast else []))
    return rc, out


def manifest(out):
    return json.loads((out / "genrereport-scrape.json").read_text(encoding="utf-8"))


def assert_rows_as_expected(out, svc, genres="auto", file=None):
    """One row per artist that should have one, with the expected genres and their source."""
    rows = read_rows(out)
    by_artist = Counter(r["artist_uri"] for r in rows)
    assert all(n == 1 for n in by_artist.values()), by_artist
    outcomes = svc.outcomes(genres, file)
    want = {a for a, o in outcomes.items() if o.row}
    assert {r["artist_uri"].split(":")[-1] for r in rows} == want
    for row in rows:
        expected = outcomes[row["artist_uri"].split(":")[-1]]
        assert ast.literal_eval(row["genre"]) == list(expected.genres), row["artist_name"]
        assert row["genre"] == str(list(expected.genres))  # the study's list format
        assert row["genre_source"] == expected.source
    assert dict(read_skipped(out)) == svc.skips(genres, file)
    return rows


# -- the Development Mode scrape -------------------------------------------------------------------

def test_dev_mode_scrape_takes_genres_from_musicbrainz(scrape_env, tmp_path, capsys):
    svc = scrape_env
    svc.spotify.dev_mode()
    rc, out = run_scrape(tmp_path, svc, "--batch-size", "6")
    captured = capsys.readouterr()
    assert rc == 0, captured.err

    rows = assert_rows_as_expected(out, svc)
    sources = Counter(r["genre_source"] for r in rows)
    assert sources == {"musicbrainz": 7, "musicbrainz-tags": 2}
    assert all(r["popularity"] == "" for r in rows)  # dev mode: no popularity anywhere
    skipped = dict(read_skipped(out))
    assert Counter(skipped.values())["not on MusicBrainz"] == 1
    assert Counter(skipped.values())["no genres or tags on MusicBrainz"] == 1

    m = manifest(out)
    assert m["genres"] == "auto"
    assert m["genre_sources"] == {"spotify": 0, "musicbrainz": 9, "file": 0}
    assert m["musicbrainz_tags_only"] == 2
    assert m["musicbrainz_api"] == f"{svc.mb_url}/ws/2/"
    assert "genres: 9 from MusicBrainz (2 of them from tags)" in captured.out

    # One URL lookup per batch, for every artist Spotify knows, in the documented form.
    lookups = svc.mb.url_lookups()
    assert len(lookups) == 3  # 14 artists in batches of 6
    known = [e.artist_id for e in svc.expect if e.known]
    assert sorted(svc.mb.resources_asked()) == sorted(f"{SPOTIFY_ARTIST}{a}" for a in known)
    for req in svc.mb.requests_to("/ws/2/"):
        assert req.query["fmt"] == ["json"]
        assert req.headers["User-Agent"].startswith(f"genrereport/{__version__} ( ")
        assert req.headers["Accept"] == "application/json"
    assert all(req.query["inc"] == ["artist-rels"] for req in lookups)
    # Then one artist lookup per linked artist, with genres and tags at once.
    artist_lookups = svc.mb.artist_lookups()
    assert all(req.query["inc"] == ["genres tags"] or req.query["inc"] == ["genres+tags"]
               for req in artist_lookups)
    linked = [e for e in svc.expect if e.known and e.mb_genres is not None]
    assert len(artist_lookups) == len(linked)
    # Björk's link also names a second MusicBrainz artist; only the one named Björk was asked.
    assert not any("jazz" in r["genre"] and "Björk" in r["artist_name"] for r in rows)


def test_url_lookups_take_50_links_each(tmp_path, monkeypatch):
    with start_services(extra=60) as svc:
        for k, v in svc.env().items():
            monkeypatch.setenv(k, v)
        monkeypatch.chdir(tmp_path)
        svc.spotify.dev_mode()
        rc, out = run_scrape(tmp_path, svc, "--batch-size", "100")
        assert rc == 0
        sizes = [len(r.query["resource"]) for r in svc.mb.url_lookups()]
        assert sizes == [50, 23]  # the 73 artists Spotify knows
        assert_rows_as_expected(out, svc)


def test_single_link_lookups_and_their_404(scrape_env, tmp_path):
    """One artist per batch: each URL lookup has one resource, answered alone or with 404."""
    svc = scrape_env
    svc.spotify.dev_mode()
    rc, out = run_scrape(tmp_path, svc, "--batch-size", "1", "--limit", "9")
    assert rc == 0
    assert [len(r.query["resource"]) for r in svc.mb.url_lookups()] == [1] * 9
    ibica = next(e for e in svc.expect if e.name == "Ибица")
    assert dict(read_skipped(out)) == {ibica.artist_id: "not on MusicBrainz"}
    assert len(read_rows(out)) == 8


def test_a_repeated_scrape_asks_musicbrainz_nothing(scrape_env, tmp_path, capsys):
    svc = scrape_env
    svc.spotify.dev_mode()
    rc, first = run_scrape(tmp_path, svc, out=tmp_path / "first")
    assert rc == 0
    asked = len(svc.mb.log)
    capsys.readouterr()
    # Into a new folder: everything is scraped again, but MusicBrainz answers from the cache.
    rc, second = run_scrape(tmp_path, svc, out=tmp_path / "second")
    assert rc == 0
    assert len(svc.mb.log) == asked
    # Every artist Spotify knows was looked up, the one not on MusicBrainz included.
    summary = capsys.readouterr().out
    assert "MusicBrainz: 0 request(s), 13 artist(s) answered from the cache" in summary
    assert_rows_as_expected(second, svc)
    assert ([r["genre"] for r in read_rows(first)] == [r["genre"] for r in read_rows(second)])


def test_the_cache_is_kept_apart_per_musicbrainz_server(scrape_env, tmp_path, monkeypatch):
    svc = scrape_env
    svc.spotify.dev_mode()
    assert run_scrape(tmp_path, svc, "--limit", "3", out=tmp_path / "a")[0] == 0
    asked = len(svc.mb.log)
    # The same server under another name is another key: its answers are not reused.
    monkeypatch.setenv("GENREREPORT_MUSICBRAINZ_URL",
                       svc.mb_url.replace("127.0.0.1", "localhost") + "/ws/2/")
    assert run_scrape(tmp_path, svc, "--limit", "3", out=tmp_path / "b")[0] == 0
    assert len(svc.mb.log) == 2 * asked


def test_damaged_cache_entries_are_asked_again(scrape_env, tmp_path):
    svc = scrape_env
    svc.spotify.dev_mode()
    assert run_scrape(tmp_path, svc, "--limit", "3", out=tmp_path / "a")[0] == 0
    entries = sorted(Path(svc.cache_dir).rglob("*.json"))
    assert len(entries) == 3
    entries[0].write_text(entries[0].read_text(encoding="utf-8")[:-20], encoding="utf-8")  # cut
    doc = json.loads(entries[1].read_text(encoding="utf-8"))
    doc["data"]["tags"]["genres"] = ["tampered"]  # the checksum no longer matches
    entries[1].write_text(json.dumps(doc), encoding="utf-8")
    before = len(svc.mb.artist_lookups())
    rc, out = run_scrape(tmp_path, svc, "--limit", "3", out=tmp_path / "b")
    assert rc == 0
    assert "tampered" not in (out / "pull_0001.csv").read_text(encoding="utf-8")
    # The cut entry lost its link too (one URL lookup), the tampered one only its tags.
    assert len(svc.mb.url_lookups()) == 2
    assert len(svc.mb.artist_lookups()) == before + 2


# -- kill and resume -------------------------------------------------------------------------------

def test_sigkill_during_a_musicbrainz_request_then_resume(scrape_env, tmp_path):
    """The CLI in a subprocess, SIGKILLed while MusicBrainz holds a request of batch 3."""
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("needs SIGKILL")
    svc = scrape_env
    svc.spotify.dev_mode()
    out = tmp_path / "out"
    args = ["scrape", "--artists", str(artist_list(tmp_path, svc)), "--out", str(out),
            "--features", "reccobeats", "--batch-size", "3", *FAST]
    # Batches 1 and 2 make three artist lookups each; hold the first of batch 3.
    release = svc.mb.hold("/ws/2/artist/", after=6)
    proc = subprocess.Popen([sys.executable, "-m", "genrereport", *args], cwd=tmp_path,
                            env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert svc.mb.held.wait(60), proc.communicate(timeout=5)
        done = json.loads((out / "checkpoint.json").read_text(encoding="utf-8"))["done"]
        assert len(done) == 6
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
        release.set()
    assert proc.returncode == -signal.SIGKILL
    held = svc.mb.artist_lookups()[6].path

    assert main(args) == 0
    assert_rows_as_expected(out, svc)
    assert manifest(out)["genre_sources"] == {"spotify": 0, "musicbrainz": 9, "file": 0}
    # Nothing was asked twice but the request that never got its answer.
    resources = Counter(svc.mb.resources_asked())
    assert set(resources.values()) == {1}
    lookups = Counter(r.path for r in svc.mb.artist_lookups())
    assert {p: n for p, n in lookups.items() if n > 1} == {held: 2}


@pytest.mark.parametrize("target, nth", [("write_pull", 2), ("write_skipped", 1), ("save", 3)])
def test_interrupted_commit_in_dev_mode_resumes_with_the_sources(scrape_env, tmp_path,
                                                                 monkeypatch, target, nth):
    from genrereport.scrape import checkpoint as checkpoint_mod
    from genrereport.scrape import writer as writer_mod

    svc = scrape_env
    svc.spotify.dev_mode()
    calls = {"n": 0}

    def crash_after(fn):
        def wrapper(*args, **kwargs):
            result = fn(*args, **kwargs)
            calls["n"] += 1
            if calls["n"] == nth:
                raise KeyboardInterrupt
            return result
        return wrapper

    with monkeypatch.context() as patch:
        if target == "save":
            patch.setattr(checkpoint_mod.Progress, "save",
                          crash_after(checkpoint_mod.Progress.save))
        else:
            patch.setattr(writer_mod, target, crash_after(getattr(writer_mod, target)))
        assert run_scrape(tmp_path, svc, "--batch-size", "3")[0] == 130
    assert run_scrape(tmp_path, svc, "--batch-size", "3")[0] == 0
    out = tmp_path / "out"
    assert_rows_as_expected(out, svc)
    m = manifest(out)
    assert m["genre_sources"] == {"spotify": 0, "musicbrainz": 9, "file": 0}
    assert m["musicbrainz_tags_only"] == 2 and m["complete"] is True
    assert set(Counter(svc.mb.resources_asked()).values()) == {1}
    assert set(Counter(r.path for r in svc.mb.artist_lookups()).values()) == {1}


# -- politeness ------------------------------------------------------------------------------------

def test_the_rate_stays_at_one_request_per_second(scrape_env, tmp_path, capsys):
    """The real interval, measured on the fake's clock: no two requests less than ~1 s apart.

    The fake answers 503 to a request that comes sooner than 0.9 s after the previous one, as
    MusicBrainz does, and one scripted 503 (Retry-After: 0) checks that retries wait too.
    """
    svc = scrape_env
    svc.spotify.dev_mode()
    svc.mb.strict_interval = 0.9
    svc.mb.fail("/ws/2/artist/", 503, times=1, after=1, headers={"Retry-After": "0"})
    rc, out = run_scrape(tmp_path, svc, "--limit", "3", fast=False)
    assert rc == 0, capsys.readouterr().err
    assert len(read_rows(out)) == 3
    times = [r.received for r in svc.mb.log]
    assert len(times) == 5  # one URL lookup, three artist lookups, one retry
    gaps = [b - a for a, b in zip(times, times[1:])]
    mean_rate = (len(times) - 1) / (times[-1] - times[0])
    print(f"MusicBrainz requests: {len(times)}, smallest gap {min(gaps):.3f} s, "
          f"mean rate {mean_rate:.3f}/s")
    # The client spaces its sends by 1.0 s exactly; the server's timestamps add a few ms of
    # thread-start jitter, hence ~0.95 s for one gap and 1% over four for the mean.
    assert min(gaps) >= 0.95, gaps
    assert mean_rate <= 1.01, gaps
    assert svc.mb.too_soon == 0


def test_musicbrainz_503_retry_after_is_waited_out(scrape_env, tmp_path, capsys):
    svc = scrape_env
    svc.spotify.dev_mode()
    svc.mb.fail("/ws/2/artist/", 503, times=1, headers={"Retry-After": "1"})
    started = time.monotonic()
    rc, out = run_scrape(tmp_path, svc, "--limit", "3")
    assert rc == 0
    assert time.monotonic() - started >= 1.0
    assert len(svc.mb.artist_lookups()) == 3 + 1
    assert len(read_rows(out)) == 3
    assert "waited 1 s in total for rate limits" in capsys.readouterr().out


def test_persistent_503_stops_cleanly_and_resumes(scrape_env, tmp_path, capsys):
    svc = scrape_env
    svc.spotify.dev_mode()
    # The first batch's three artist lookups pass; then MusicBrainz keeps refusing.
    svc.mb.fail("/ws/2/artist/", 503, times=None, after=3)
    rc, out = run_scrape(tmp_path, svc, "--batch-size", "3", "--retries", "1")
    err = capsys.readouterr().err
    assert rc == 75
    msg = [ln for ln in err.splitlines() if ln.startswith("genrereport: error:")]
    assert len(msg) == 1 and "Traceback" not in err
    assert "MusicBrainz failed 2 times in a row" in msg[0] and "HTTP 503" in msg[0]
    assert "rerun the same command later" in msg[0] and "3 of 14 artists are saved" in msg[0]
    assert len(read_rows(out)) == 3

    svc.mb.clear_failures()
    rc, out = run_scrape(tmp_path, svc, "--batch-size", "3", "--retries", "1")
    assert rc == 0
    assert_rows_as_expected(out, svc)
    # The saved batch was not asked for again.
    first = svc.mb.artist_lookups()[0].path
    assert len([r for r in svc.mb.artist_lookups() if r.path == first]) == 1


# -- the contact ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [None, "https://beta.musicbrainz.org/ws/2"])
def test_the_public_service_needs_a_contact(scrape_env, tmp_path, monkeypatch, capsys, url):
    if url is None:
        monkeypatch.delenv("GENREREPORT_MUSICBRAINZ_URL")  # the default: the public service
    else:
        monkeypatch.setenv("GENREREPORT_MUSICBRAINZ_URL", url)
    monkeypatch.delenv("GENREREPORT_CONTACT", raising=False)
    rc, out = run_scrape(tmp_path, scrape_env, fast=False)
    err = capsys.readouterr().err
    assert rc == 2
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert "--contact" in err and "GENREREPORT_CONTACT" in err
    # Refused before any Spotify work, and before the output folder exists.
    assert not scrape_env.spotify.log and not out.exists()


def test_the_public_service_is_never_asked_faster(scrape_env, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GENREREPORT_MUSICBRAINZ_URL")
    rc, out = run_scrape(tmp_path, scrape_env, "--contact", "me@example.org")  # FAST: 0 s
    assert rc == 2
    assert "one request per second" in capsys.readouterr().err
    assert not scrape_env.spotify.log


def test_no_contact_needed_when_musicbrainz_is_not_used(scrape_env, tmp_path, monkeypatch):
    monkeypatch.delenv("GENREREPORT_MUSICBRAINZ_URL")
    rc, out = run_scrape(tmp_path, scrape_env, "--genres", "spotify", fast=False)
    assert rc == 0
    assert all(r["genre_source"] == "spotify" for r in read_rows(out))
    assert manifest(out)["musicbrainz_api"] is None


@pytest.mark.parametrize("how", ["option", "env"])
def test_the_contact_goes_into_the_user_agent_only(scrape_env, tmp_path, monkeypatch, capsys,
                                                   how):
    contact = "Jo Example <jo@example.org>"
    scrape_env.spotify.dev_mode()
    if how == "option":
        rc, out = run_scrape(tmp_path, scrape_env, "--limit", "2", "--contact", contact)
    else:
        monkeypatch.setenv("GENREREPORT_CONTACT", contact)
        rc, out = run_scrape(tmp_path, scrape_env, "--limit", "2")
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    agents = {r.headers["User-Agent"] for r in scrape_env.mb.log}
    assert agents == {f"genrereport/{__version__} ( {contact} )"}
    # Not written anywhere: the folder may be published with the pulls.
    for path in out.rglob("*"):
        if path.is_file():
            assert "jo@example.org" not in path.read_text(encoding="utf-8", errors="replace")
    assert "jo@example.org" not in captured.out + captured.err


def test_without_a_contact_a_local_server_gets_the_default_user_agent(scrape_env, tmp_path):
    scrape_env.spotify.dev_mode()
    assert run_scrape(tmp_path, scrape_env, "--limit", "1")[0] == 0
    agent = scrape_env.mb.log[0].headers["User-Agent"]
    assert re.fullmatch(rf"genrereport/{re.escape(__version__)} \( .+ \)", agent)


@pytest.mark.parametrize("contact", ["me", "a (b) c@d.e", "x@y.z\nInjected: 1"])
def test_a_contact_that_is_no_contact_is_refused(scrape_env, tmp_path, capsys, contact):
    rc, out = run_scrape(tmp_path, scrape_env, "--contact", contact)
    err = capsys.readouterr().err
    assert rc == 2 and "--contact" in err and "Traceback" not in err
    assert not scrape_env.spotify.log


# -- the genres file -------------------------------------------------------------------------------

def test_a_genres_file_comes_before_any_network_source(scrape_env, tmp_path):
    svc = scrape_env
    svc.spotify.dev_mode()
    by_name = {e.name: e for e in svc.expect}
    bjork, ibica, nobody = by_name["Björk"], by_name["Ибица"], by_name["No Genre Person"]
    ghost = by_name["Ghost"]
    genres_file = tmp_path / "genres.csv"
    genres_file.write_text(
        "\ufeffname,artist_uri,tags\n"
        f"Björk,spotify:artist:{bjork.artist_id},\"['Art Pop', \"\"trip hop\"\"]\"\n"
        f"Ибица,https://open.spotify.com/artist/{ibica.artist_id}?si=x,russian pop | eurodance\n"
        f"Nobody,{nobody.artist_id},\"[\"\"ambient\"\"]\"\n"
        f"Nobody,{nobody.artist_id},ambient;drone\n"  # rows for one artist add up
        f"Ghost,{ghost.artist_id},pop\n"  # Spotify does not know it: still not found
        f"Other,{by_name['Drake'].artist_id},\n",  # an empty cell: Drake's come from MusicBrainz
        encoding="utf-8")
    file = {bjork.artist_id: ["art pop", "trip hop"], ibica.artist_id: ["russian pop", "eurodance"],
            nobody.artist_id: ["ambient", "drone"], ghost.artist_id: ["pop"]}
    rc, out = run_scrape(tmp_path, svc, "--genres-file", str(genres_file))
    assert rc == 0
    rows = assert_rows_as_expected(out, svc, file=file)
    assert Counter(r["genre_source"] for r in rows)["file"] == 3
    asked = set(svc.mb.resources_asked())
    assert not asked & {f"{SPOTIFY_ARTIST}{a}" for a in file}
    m = manifest(out)
    assert m["genre_sources"]["file"] == 3 and m["genres_file"] == str(genres_file)
    assert len(m["genres_file_sha256"]) == 64


def test_a_genres_file_for_every_artist_needs_no_musicbrainz(scrape_env, tmp_path, monkeypatch):
    monkeypatch.delenv("GENREREPORT_MUSICBRAINZ_URL")  # the public service, and no contact
    svc = scrape_env
    svc.spotify.dev_mode()
    genres_file = tmp_path / "genres.csv"
    genres_file.write_text("id,genre\n" + "".join(f"{e.artist_id},pop\n" for e in svc.expect),
                           encoding="utf-8")
    rc, out = run_scrape(tmp_path, svc, "--genres-file", str(genres_file), fast=False)
    assert rc == 0
    assert {r["genre_source"] for r in read_rows(out)} == {"file"}


@pytest.mark.parametrize("content, message", [
    ("artist,genres\nx,pop\n", "row 1: the header has no an artist column"),
    ("id,style\n3TVXtAsR1Inumwj472S9r4,pop\n", "row 1: the header has no a genres column"),
    ("id,genres\n3TVXtAsR1Inumwj472S9r4,pop\nDrake,rap\n", "row 3: 'Drake' is not a Spotify"),
    ("id,genres\n3TVXtAsR1Inumwj472S9r4,\"['pop', 'rock'\"\n", "row 2: \"['pop', 'rock'\" is not"),
    ("id,genres\n3TVXtAsR1Inumwj472S9r4,\"[1, 2]\"\n", "row 2: '[1, 2]' is not a list"),
    ("", "the genres file is empty"),
])
def test_a_bad_genres_file_is_one_line_naming_file_and_row(scrape_env, tmp_path, capsys,
                                                            content, message):
    genres_file = tmp_path / "genres.csv"
    genres_file.write_text(content, encoding="utf-8")
    rc, out = run_scrape(tmp_path, scrape_env, "--genres-file", str(genres_file))
    err = capsys.readouterr().err
    assert rc == 2
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert f"{genres_file}" in err and message in err
    assert not scrape_env.spotify.log and not out.exists()


def test_a_genres_file_that_is_not_there_or_not_text(scrape_env, tmp_path, capsys):
    rc, _ = run_scrape(tmp_path, scrape_env, "--genres-file", str(tmp_path / "nope.csv"))
    assert rc == 2 and "genres file not found" in capsys.readouterr().err
    binary = tmp_path / "genres.csv"
    binary.write_bytes(b"\xff\xfei\x00d\x00")
    rc, _ = run_scrape(tmp_path, scrape_env, "--genres-file", str(binary))
    assert rc == 2 and "not UTF-8" in capsys.readouterr().err


# -- changing --genres in a folder -------------------------------------------------------------

def test_artists_skipped_for_lack_of_genres_are_tried_again_with_musicbrainz(scrape_env,
                                                                            tmp_path, capsys):
    svc = scrape_env
    first, second = svc.expect[0], svc.expect[1]
    for e in (first, second):
        svc.spotify.artists[e.artist_id].genres = None
        e.spotify_genres = None
    rc, out = run_scrape(tmp_path, svc, "--genres", "spotify")
    assert rc == 0
    assert dict(read_skipped(out)) == svc.skips("spotify")
    assert not svc.mb.log
    capsys.readouterr()

    rc, out = run_scrape(tmp_path, svc)  # --genres auto
    assert rc == 0
    assert "3 artist(s) skipped earlier for lack of genres tried again" in capsys.readouterr().out
    assert_rows_as_expected(out, svc)  # exactly as if the folder had been scraped with auto
    assert manifest(out)["genre_sources"] == {"spotify": 8, "musicbrainz": 2, "file": 0}
    # The other skipped artists were left alone.
    assert len(svc.spotify.requests_to(f"/v1/artists/{svc.expect[-1].artist_id}")) == 1


# -- the build reads it ------------------------------------------------------------------------

def test_dev_mode_pulls_build_a_site_that_names_the_genre_source(tmp_path, monkeypatch,
                                                                 spine_only):
    # ten songs in each of the twelve extra genres: enough for every split the analyses make
    extra = 10 * 12
    with start_services(extra=extra) as svc:
        for k, v in svc.env().items():
            monkeypatch.setenv(k, v)
        monkeypatch.chdir(tmp_path)
        svc.spotify.dev_mode()
        rc, out = run_scrape(tmp_path, svc)
        assert rc == 0
        assert len(read_rows(out)) == 9 + extra
    site = tmp_path / "site_src"
    rc = main(["build", "--data", str(out), "--out", str(site), "--profile", "quick",
               "--cache-dir", str(tmp_path / "build-cache")])
    assert rc == 0
    results = json.loads((site / "results.json").read_text(encoding="utf-8"))
    assert results["data"]["genre_source"] == {"musicbrainz": 9 + extra}
    assert results["data"]["feature_source"] == "reccobeats"
    assert results["binning"]["rows"] > extra  # MusicBrainz genres bin like Spotify's
    data_page = (site / "data.md").read_text(encoding="utf-8")
    assert f"Genres came from: **MusicBrainz** ({9 + extra} rows)." in data_page
