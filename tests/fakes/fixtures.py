"""pytest fixtures shared by the scrape tests (imported by name into each test module).

`services` starts the fake Spotify, ReccoBeats and MusicBrainz servers for one test and stops
them after; `scrape_env` points the real clients at them through the environment. The fake
Spotify answers like the full Web API until a test calls `services.spotify.dev_mode()`.
"""

from __future__ import annotations

import csv
import tempfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes import catalog
from tests.fakes.musicbrainz import FakeMusicBrainz
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.server import FakeServer
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify


# Tests that do not measure the MusicBrainz rate pass this (a hidden option) to run fast.
FAST = ("--musicbrainz-interval", "0")


@dataclass
class Services:
    spotify: FakeSpotify
    recco: FakeReccoBeats
    mb: FakeMusicBrainz
    spotify_url: str
    recco_url: str
    mb_url: str
    cache_dir: str
    expect: list[catalog.Expect]

    def env(self) -> dict[str, str]:
        """Environment variables that point genrereport scrape at the fakes."""
        return {
            "SPOTIPY_CLIENT_ID": CLIENT_ID,
            "SPOTIPY_CLIENT_SECRET": CLIENT_SECRET,
            "GENREREPORT_SPOTIFY_API_URL": f"{self.spotify_url}/v1/",
            "GENREREPORT_SPOTIFY_TOKEN_URL": f"{self.spotify_url}/api/token",
            "GENREREPORT_RECCOBEATS_URL": self.recco_url,
            "GENREREPORT_MUSICBRAINZ_URL": f"{self.mb_url}/ws/2/",
            # The MusicBrainz lookup cache: never the user's own.
            "GENREREPORT_CACHE_DIR": self.cache_dir,
        }

    def outcomes(self, genres: str = "auto",
                 file: dict | None = None) -> dict[str, catalog.Outcome]:
        """The expected outcome per artist id for `--genres genres` (and a genres file)."""
        return {e.artist_id: e.outcome(genres, self.spotify.dev, file) for e in self.expect}

    def rows(self, genres: str = "auto", file: dict | None = None) -> list[catalog.Expect]:
        return [e for e in self.expect if e.outcome(genres, self.spotify.dev, file).row]

    def skips(self, genres: str = "auto", file: dict | None = None) -> dict[str, str]:
        """{artist id: reason} as skipped.tsv should list them."""
        return {a: o.reason for a, o in self.outcomes(genres, file).items() if not o.row}

    @property
    def with_rows(self) -> list[catalog.Expect]:
        return self.rows()

    @property
    def skipped(self) -> list[catalog.Expect]:
        return [e for e in self.expect if not e.outcome("auto", self.spotify.dev).row]


@contextmanager
def start_services(extra: int = 0):
    """The fakes for the length of a `with` block (for tests that need a bigger catalog)."""
    world = catalog.build(extra)
    spotify, recco = FakeSpotify(world.spotify), FakeReccoBeats(world.features)
    mb = FakeMusicBrainz(world.musicbrainz, world.links)
    with ExitStack() as stack:
        s = stack.enter_context(FakeServer(spotify))
        r = stack.enter_context(FakeServer(recco))
        m = stack.enter_context(FakeServer(mb))
        cache = stack.enter_context(tempfile.TemporaryDirectory(prefix="genrereport-mbcache-"))
        yield Services(spotify, recco, mb, s.url, r.url, m.url, cache, world.expect)


@pytest.fixture
def services():
    with start_services() as svc:
        yield svc


@pytest.fixture
def scrape_env(services, monkeypatch, tmp_path):
    """Environment for a scrape against the fakes; the working folder is a fresh tmp dir."""
    for name, value in services.env().items():
        monkeypatch.setenv(name, value)
    work = tmp_path / "work"
    work.mkdir()
    # spotipy's default token cache would write ./.cache here; the tests check it does not.
    monkeypatch.chdir(work)
    return services


def artist_list(tmp_path: Path, services: Services, name: str = "artists.csv") -> Path:
    return catalog.write_study_list(tmp_path / name, services.expect)


def read_rows(out: Path) -> list[dict]:
    """Every row of every pull_*.csv in `out`, each with the file it came from."""
    rows = []
    for path in sorted(out.glob("pull_*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for record in csv.DictReader(fh):
                record["_file"] = path.name
                rows.append(record)
    return rows


def read_skipped(out: Path) -> list[tuple[str, str]]:
    path = out / "skipped.tsv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    assert rows[0] == ["artist_id", "reason"]
    return [tuple(r) for r in rows[1:]]
