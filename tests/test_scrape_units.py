"""Unit tests of the scraper's parts that need no server: input, rows, retry policy, files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from genrereport.scrape import rows as R
from genrereport.scrape.artists import parse_artist, read_artists
from genrereport.scrape.checkpoint import Progress
from genrereport.scrape.config import Credentials, Endpoints, ScrapeOptions
from genrereport.scrape.errors import HttpStatusError, ScrapeError, ScrapeStopped
from genrereport.scrape.polite import Failure, MinInterval, RetryPolicy, parse_retry_after
from genrereport.scrape.reccobeats import spotify_id_from_href
from genrereport.scrape.writer import pull_text, read_skipped, write_skipped

DRAKE = "3TVXtAsR1Inumwj472S9r4"
OTHER = "0TnOYISbd1XYRBk9myaseg"


# -- the artist list ---------------------------------------------------------------------------

def test_reads_the_studys_headerless_name_uri_rows(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(f"Drake,spotify:artist:{DRAKE}\n\"Earth, Wind & Fire\",spotify:artist:{OTHER}\n"
                 f"\nDrake,spotify:artist:{DRAKE}\n", encoding="utf-8")
    got = read_artists(f)
    assert got.ids == (DRAKE, OTHER)
    assert got.duplicates == 1
    assert len(got.sha256) == 64


@pytest.mark.parametrize("header", ["id", "uri", "artist_uri", "ID", " Uri "])
def test_reads_a_csv_with_an_id_or_uri_column(tmp_path, header):
    f = tmp_path / "a.csv"
    f.write_text(f"name,{header},note\nDrake,{DRAKE},x\nPitbull,https://open.spotify.com/artist/"
                 f"{OTHER}?si=abc,y\n", encoding="utf-8")
    assert read_artists(f).ids == (DRAKE, OTHER)


def test_accepts_a_byte_order_mark_and_a_bare_id_column(tmp_path):
    f = tmp_path / "a.csv"
    f.write_bytes(f"\ufeff{DRAKE}\n{OTHER}\n".encode())
    assert read_artists(f).ids == (DRAKE, OTHER)


@pytest.mark.parametrize("value, expected", [
    (DRAKE, DRAKE),
    (f"spotify:artist:{DRAKE}", DRAKE),
    (f"https://open.spotify.com/artist/{DRAKE}", DRAKE),
    (f"open.spotify.com/intl-de/artist/{DRAKE}?si=1", DRAKE),
    (f"spotify:track:{DRAKE}", None),
    ("Drake", None),
    (DRAKE[:-1], None),
])
def test_parse_artist(value, expected):
    assert parse_artist(value) == expected


def test_a_bad_row_is_named_with_file_and_row(tmp_path):
    f = tmp_path / "artists.csv"
    f.write_text(f"Drake,spotify:artist:{DRAKE}\nOops,not-an-id\n", encoding="utf-8")
    with pytest.raises(ScrapeError) as err:
        read_artists(f)
    msg = str(err.value)
    assert str(f) in msg and "row 2" in msg and "'not-an-id'" in msg
    assert "\n" not in msg


def test_a_track_uri_is_called_what_it_is(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(f"id\nspotify:track:{DRAKE}\n", encoding="utf-8")
    with pytest.raises(ScrapeError, match=r"row 2: .* is a track URI, not an artist"):
        read_artists(f)


def test_an_unknown_header_gets_a_hint(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(f"artist,spotify_link\nDrake,{DRAKE}\n", encoding="utf-8")
    with pytest.raises(ScrapeError, match="row 1: .*a header row needs a column named id"):
        read_artists(f)


def test_an_empty_value_in_the_named_column(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(f"name,id\nDrake,{DRAKE}\nNobody,\n", encoding="utf-8")
    with pytest.raises(ScrapeError, match="row 3: no value in column 'id'"):
        read_artists(f)


@pytest.mark.parametrize("content, message", [
    (b"", "no artists"),
    (b"\n\n", "no artists"),
    (b"name,uri\n", "no artists"),
    (b"\xff\xfeD\x00r\x00", "not UTF-8"),
])
def test_unusable_files(tmp_path, content, message):
    f = tmp_path / "a.csv"
    f.write_bytes(content)
    with pytest.raises(ScrapeError, match=message):
        read_artists(f)


def test_a_missing_file(tmp_path):
    with pytest.raises(ScrapeError, match="artist list not found"):
        read_artists(tmp_path / "nope.csv")


# -- settings ----------------------------------------------------------------------------------

def test_credentials_missing_is_one_clear_error():
    with pytest.raises(ScrapeError) as err:
        Credentials.from_env({"SPOTIPY_CLIENT_ID": "abc"})
    assert "SPOTIPY_CLIENT_SECRET not set" in str(err.value)
    assert "abc" not in str(err.value)


def test_the_secret_is_not_in_the_repr():
    creds = Credentials("id", "very-secret")
    assert "very-secret" not in repr(creds)


def test_endpoints_defaults_and_overrides():
    assert Endpoints.from_env({}) == Endpoints()
    e = Endpoints.from_env({"GENREREPORT_SPOTIFY_API_URL": "http://x/v1",
                            "GENREREPORT_RECCOBEATS_URL": "http://r/"})
    assert e.spotify_api == "http://x/v1/" and e.reccobeats == "http://r"


@pytest.mark.parametrize("change", [{"limit": 0}, {"batch_size": 0}, {"retries": -1},
                                    {"timeout": 0}, {"market": "USA"}, {"features": "x"}])
def test_bad_options(tmp_path, change):
    with pytest.raises(ScrapeError):
        ScrapeOptions(tmp_path / "a.csv", tmp_path / "out", **change)


# -- rows --------------------------------------------------------------------------------------

FEATURES = {"acousticness": 0.5, "danceability": 0.1, "energy": 0.2, "instrumentalness": 0.0,
            "key": 5.0, "liveness": 0.3, "loudness": -6.0, "mode": 1, "speechiness": 0.04,
            "tempo": 120.5, "valence": 0.9, "time_signature": 4}


def test_a_row_has_the_studys_columns_and_genre_text():
    values = R.feature_values(FEATURES, has_time_signature=True)
    row = R.make_row(DRAKE, {"name": "Drake", "genres": ["rap"], "popularity": 90},
                     ["classic opm", "opm"], {"id": "t1", "name": "Song"}, values, True)
    assert tuple(row) == R.pull_columns(True)
    assert row["genre"] == "['classic opm', 'opm']"
    assert ast.literal_eval(row["genre"]) == ["classic opm", "opm"]
    assert row["artist_uri"] == f"spotify:artist:{DRAKE}"
    assert row["popularity"] == 90  # the artist's, since the track has none
    assert row["key"] == 5 and isinstance(row["key"], int)


def test_without_time_signature():
    assert "time_signature" not in R.pull_columns(False)
    values = R.feature_values({k: v for k, v in FEATURES.items() if k != "time_signature"}, False)
    assert values is not None and "time_signature" not in values


@pytest.mark.parametrize("broken", [{"tempo": None}, {"key": 1.5}, {"energy": "loud"},
                                    {"valence": float("nan")}])
def test_incomplete_features_give_no_row(broken):
    assert R.feature_values({**FEATURES, **broken}, True) is None
    assert R.feature_values(None, True) is None


def test_genres_missing_versus_empty():
    assert R.genres_of({"genres": []}) == []
    assert R.genres_of({}) is None


def test_reccobeats_href():
    assert spotify_id_from_href(f"https://open.spotify.com/track/{DRAKE}") == DRAKE
    assert spotify_id_from_href(None) is None
    assert spotify_id_from_href("https://example.com/") is None


# -- files -------------------------------------------------------------------------------------

def test_pull_text_matches_pandas_layout():
    import io

    import pandas as pd

    rows = [{"a": 0.1, "b": "x, y"}, {"a": 2, "b": "Björk"}]
    text = pull_text(rows, ["a", "b"])
    assert text.splitlines()[0] == ",a,b"
    frame = pd.read_csv(io.StringIO(text), index_col=0)
    assert list(frame["b"]) == ["x, y", "Björk"]


def test_skipped_file_round_trip(tmp_path):
    write_skipped(tmp_path / "s.tsv", [("a", "no genres"), ("b", "not found")])
    assert read_skipped(tmp_path / "s.tsv") == {"a": "no genres", "b": "not found"}


def test_progress_refuses_to_mix_feature_sources(tmp_path):
    p = Progress.open(tmp_path, "spotify")
    p.commit([{**{c: 1 for c in R.pull_columns(True)}, "artist_uri": f"spotify:artist:{DRAKE}"}],
             [], R.pull_columns(True))
    with pytest.raises(ScrapeError, match="already holds pulls made with --features spotify"):
        Progress.open(tmp_path, "reccobeats")


def test_progress_rebuilds_done_from_files_not_the_checkpoint(tmp_path):
    p = Progress.open(tmp_path, "spotify")
    row = {**{c: 1 for c in R.pull_columns(True)}, "artist_uri": f"spotify:artist:{DRAKE}"}
    p.commit([row], [(OTHER, "no genres")], R.pull_columns(True))
    assert Progress.open(tmp_path, "spotify").done == {DRAKE, OTHER}
    (tmp_path / "pull_0001.csv").unlink()  # the user deletes a batch to redo it
    again = Progress.open(tmp_path, "spotify")
    assert again.done == {OTHER}
    assert any("scraped again" in n for n in again.notes)


# -- the retry policy --------------------------------------------------------------------------

class Flaky:
    """Raises the given failures in turn, then returns 'ok'."""

    def __init__(self, *failures: Failure):
        self.failures = list(failures)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.failures:
            raise _Boom(self.failures.pop(0))
        return "ok"


class _Boom(Exception):
    def __init__(self, failure):
        self.failure = failure


def _classify(exc):
    return exc.failure if isinstance(exc, _Boom) else None


def _policy(**kw):
    slept = []
    policy = RetryPolicy(sleep=slept.append, now=lambda: 0.0, **kw)
    return policy, slept


def test_429_waits_as_told():
    policy, slept = _policy(max_wait=10)
    fn = Flaky(Failure(429, 3.0), Failure(429, 0.5))
    assert policy.call("S", "x", fn, _classify) == "ok"
    assert slept == [3.0, 0.5] and policy.waited == 3.5


def test_429_past_the_cap_stops():
    policy, slept = _policy(max_wait=10)
    with pytest.raises(ScrapeStopped, match="asks to wait 1:00:00 .* --max-wait 10 s; rerun"):
        policy.call("S", "x", Flaky(Failure(429, 3600.0)), _classify)
    assert slept == []


def test_endless_429_stops():
    policy, slept = _policy(max_wait=10)
    with pytest.raises(ScrapeStopped, match="still rate-limits"):
        policy.call("S", "x", Flaky(*[Failure(429, 0.0)] * 50), _classify)


def test_5xx_and_network_errors_are_retried_with_backoff():
    policy, slept = _policy(retries=3, backoff=0.5)
    fn = Flaky(Failure(500), Failure(None, detail="ConnectTimeout"), Failure(503))
    assert policy.call("S", "x", fn, _classify) == "ok"
    assert slept == [0.5, 1.0, 2.0]


def test_5xx_beyond_the_retries_stops():
    policy, _ = _policy(retries=1)
    fn = Flaky(Failure(502), Failure(502), Failure(502))
    with pytest.raises(ScrapeStopped, match="failed 2 times in a row on x .HTTP 502"):
        policy.call("S", "x", fn, _classify)
    assert fn.calls == 2


def test_4xx_is_not_retried():
    policy, slept = _policy()
    fn = Flaky(Failure(404, detail="gone"))
    with pytest.raises(HttpStatusError) as err:
        policy.call("S", "x", fn, _classify)
    assert err.value.status == 404 and fn.calls == 1 and slept == []


def test_retry_after_forms():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0


def test_503_retry_after_is_honoured_within_the_retries():
    # MusicBrainz (and Spotify) say how long to stay away with a 503 Retry-After.
    policy, slept = _policy(retries=2, backoff=0.5, max_wait=10)
    fn = Flaky(Failure(503, 3.0), Failure(503))
    assert policy.call("S", "x", fn, _classify) == "ok"
    assert slept == [3.0, 1.0]  # as told, then the growing pause of the second error


def test_503_retry_after_past_max_wait_stops_with_the_resume_time():
    policy, slept = _policy(retries=4, max_wait=10)
    with pytest.raises(ScrapeStopped, match=r"asks to wait 1:00:00 .*HTTP 503.*--max-wait 10 s"):
        policy.call("S", "x", Flaky(Failure(503, 3600.0)), _classify)
    assert slept == []


def test_persistent_503_with_retry_after_stops_after_the_retries():
    policy, slept = _policy(retries=2, max_wait=10)
    fn = Flaky(*[Failure(503, 1.0)] * 5)
    with pytest.raises(ScrapeStopped, match="failed 3 times in a row on x .HTTP 503"):
        policy.call("S", "x", fn, _classify)
    assert fn.calls == 3 and slept == [1.0, 1.0]


class FakeClock:
    """A monotonic clock that only sleep (or the test) moves; sleeps may end early."""

    def __init__(self, early: float = 0.0):
        self.t = 100.0
        self.early = early
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        # An early wake-up (some platforms) must not shorten the gap.
        self.t += seconds - self.early if seconds > self.early else seconds


@pytest.mark.parametrize("early", [0.0, 0.3])
def test_min_interval_spaces_every_start_and_never_bursts(early):
    clock = FakeClock(early)
    limiter = MinInterval(1.0, clock=clock, sleep=clock.sleep)
    starts = []
    for pause in [0.0, 0.0, 0.2, 5.0, 0.0, 0.0, 0.999]:
        clock.t += pause  # the work between requests
        limiter.wait()
        starts.append(clock.t)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 1.0
    # After the 5 s pause the next request may go at once, but the one after it waits again:
    # no catching up on the quiet time.
    assert gaps[2] == pytest.approx(5.0) and gaps[3] == pytest.approx(1.0)


def test_min_interval_first_request_does_not_wait():
    clock = FakeClock()
    MinInterval(1.0, clock=clock, sleep=clock.sleep).wait()
    assert clock.sleeps == []


# -- MusicBrainz answers, the lookup cache, the genres file ------------------------------------

def test_ranked_names_most_votes_first_positive_only_lower_case():
    from genrereport.scrape.musicbrainz import ranked_names

    items = [{"name": "Rock", "count": 2}, {"name": "art  pop", "count": 5},
             {"name": "jazz", "count": 2}, {"name": "spam", "count": 0},
             {"name": "worse", "count": -3}, {"count": 9}, "junk", {"name": "rock", "count": 1}]
    assert ranked_names(items) == ("art pop", "jazz", "rock")
    assert ranked_names(None) == ()


def test_the_linked_artist_with_the_spotify_name_is_chosen():
    from genrereport.scrape.musicbrainz import LinkedArtist, pick_artist

    trio = LinkedArtist("0000-a", "Björk Guðmundsdóttir & tríó")
    bjork = LinkedArtist("ffff-b", "Bjo\u0308rk")  # NFD, as some editors type it
    assert pick_artist([trio, bjork], "BJÖRK") == bjork
    # No name matches: the first by id, whatever order MusicBrainz listed them in.
    assert pick_artist([bjork, trio], "Someone") == pick_artist([trio, bjork], "Someone") == trio
    assert pick_artist([], "Björk") is None


@pytest.mark.parametrize("url, public", [
    ("https://musicbrainz.org/ws/2/", True), ("http://musicbrainz.org/ws/2", True),
    ("https://beta.musicbrainz.org/ws/2/", True), ("https://MusicBrainz.org./ws/2/", True),
    ("http://127.0.0.1:5000/ws/2/", False), ("https://mb.example.org/ws/2/", False),
    ("https://notmusicbrainz.org/ws/2/", False),
])
def test_which_servers_are_the_public_service(url, public):
    from genrereport.scrape.config import is_public_musicbrainz

    assert is_public_musicbrainz(url) is public


def test_user_agent_as_musicbrainz_asks():
    from genrereport import __version__
    from genrereport.scrape.config import user_agent

    assert user_agent("me@example.org") == f"genrereport/{__version__} ( me@example.org )"
    assert user_agent(None).startswith(f"genrereport/{__version__} ( ")


def _entry():
    from genrereport.scrape.lookup_cache import Entry
    from genrereport.scrape.musicbrainz import ArtistTags, LinkedArtist

    return Entry((LinkedArtist("m1", "Björk"),), ArtistTags("m1", "Björk", ("art pop",), ("x",)))


def test_lookup_cache_round_trip_and_keys(tmp_path):
    from genrereport.scrape.lookup_cache import LookupCache

    cache = LookupCache(tmp_path, "http://a/ws/2/")
    assert cache.get(DRAKE) is None and not (tmp_path / "musicbrainz").exists()
    cache.put(DRAKE, _entry())
    assert cache.get(DRAKE) == _entry()
    # Another server, or an id that differs only in case, is another entry.
    assert LookupCache(tmp_path, "http://b/ws/2/").get(DRAKE) is None
    assert cache.get(DRAKE.lower()) is None
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize("damage", ["truncate", "garbage", "checksum", "other key", "format",
                                    "wrong type"])
def test_a_bad_cache_entry_is_a_miss(tmp_path, damage):
    import json

    from genrereport.scrape.lookup_cache import LookupCache

    cache = LookupCache(tmp_path, "http://a/ws/2/")
    cache.put(DRAKE, _entry())
    path = next((tmp_path / "musicbrainz").rglob("*.json"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    if damage == "truncate":
        path.write_text(path.read_text(encoding="utf-8")[:40], encoding="utf-8")
    elif damage == "garbage":
        path.write_bytes(b"\xff\x00not json")
    else:
        if damage == "checksum":
            doc["data"]["tags"]["genres"] = ["something else"]
        elif damage == "other key":
            doc["artist_id"] = OTHER
        elif damage == "format":
            doc["format"] = 99
        else:
            doc["data"]["linked"] = "m1"
        path.write_text(json.dumps(doc), encoding="utf-8")
    assert cache.get(DRAKE) is None
    cache.put(DRAKE, _entry())  # and the next answer replaces it
    assert cache.get(DRAKE) == _entry()


def test_an_unwritable_cache_costs_requests_not_the_run(tmp_path):
    from genrereport.scrape.lookup_cache import LookupCache

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = LookupCache(blocker, "http://a/ws/2/")
    cache.put(DRAKE, _entry())
    assert cache.write_error and cache.get(DRAKE) is None


@pytest.mark.parametrize("cell, genres", [
    ("['Pop', 'rock']", ["pop", "rock"]),
    ('["hip hop", "trap"]', ["hip hop", "trap"]),
    ("pop; rock |  indie  folk", ["pop", "rock", "indie folk"]),
    ("pop;;pop", ["pop"]),
    ("  ", []),
    ("[]", []),
    ("['pop'", None),
    ("[1, 2]", None),
    ("drum and bass", ["drum and bass"]),
])
def test_genre_cells(cell, genres):
    from genrereport.scrape.genres_file import parse_genres

    assert parse_genres(cell) == genres


def test_genre_source_chooser_retries_only_what_may_change():
    from genrereport.scrape.genres import GenreChooser
    from genrereport.scrape.genres_file import GenresFile

    file = GenresFile(Path("g.csv"), "0" * 64, {DRAKE: ("rap",)})
    auto = GenreChooser("auto", file)
    spotify = GenreChooser("spotify")
    assert auto.retry(OTHER, "no genres") and auto.retry(OTHER, "genres not reported")
    assert not auto.retry(OTHER, "not on MusicBrainz")
    assert spotify.retry(OTHER, "no genres or tags on MusicBrainz")
    assert not spotify.retry(OTHER, "no genres")
    assert auto.retry(DRAKE, "not on MusicBrainz")  # the file has its genres now
    assert not auto.retry(DRAKE, "no tracks") and not auto.retry(OTHER, "not found")
    assert not auto.may_ask_musicbrainz([DRAKE]) and auto.may_ask_musicbrainz([DRAKE, OTHER])
    assert not spotify.may_ask_musicbrainz([OTHER])


def test_scraped_files_are_readable_by_others(tmp_path):
    import stat

    from genrereport.scrape import writer

    writer.write_atomic(tmp_path / "pull_0001.csv", "a,b\n1,2\n")
    mode = stat.S_IMODE((tmp_path / "pull_0001.csv").stat().st_mode)
    assert mode & stat.S_IRGRP and mode & stat.S_IROTH
