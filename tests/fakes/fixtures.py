"""pytest fixtures shared by the scrape tests (imported by name into each test module).

`services` starts the fake Spotify and ReccoBeats servers for one test and stops them after;
`scrape_env` points the real spotipy client at them through the environment.
"""

from __future__ import annotations

import csv
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes import catalog
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.server import FakeServer
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify


@dataclass
class Services:
    spotify: FakeSpotify
    recco: FakeReccoBeats
    spotify_url: str
    recco_url: str
    expect: list[catalog.Expect]

    def env(self) -> dict[str, str]:
        """Environment variables that point genrereport scrape at the fakes."""
        return {
            "SPOTIPY_CLIENT_ID": CLIENT_ID,
            "SPOTIPY_CLIENT_SECRET": CLIENT_SECRET,
            "GENREREPORT_SPOTIFY_API_URL": f"{self.spotify_url}/v1/",
            "GENREREPORT_SPOTIFY_TOKEN_URL": f"{self.spotify_url}/api/token",
            "GENREREPORT_RECCOBEATS_URL": self.recco_url,
        }

    @property
    def with_rows(self) -> list[catalog.Expect]:
        return [e for e in self.expect if e.row]

    @property
    def skipped(self) -> list[catalog.Expect]:
        return [e for e in self.expect if not e.row]


@contextmanager
def start_services(extra: int = 0):
    """Both fakes for the length of a `with` block (for tests that need a bigger catalog)."""
    artists, expect, features = catalog.build(extra)
    spotify, recco = FakeSpotify(artists), FakeReccoBeats(features)
    with ExitStack() as stack:
        s = stack.enter_context(FakeServer(spotify))
        r = stack.enter_context(FakeServer(recco))
        yield Services(spotify, recco, s.url, r.url, expect)


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
