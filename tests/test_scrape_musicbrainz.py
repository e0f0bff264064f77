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
