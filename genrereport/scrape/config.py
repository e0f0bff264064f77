"""The scraper's settings: command-line options, endpoints and credentials from the environment.

Nothing here reads the environment at import time; `Endpoints.from_env` and
`Credentials.from_env` are called by the command when it runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from genrereport import __version__
from genrereport.scrape.errors import ScrapeError

CLIENT_ID_ENV = "SPOTIPY_CLIENT_ID"
CLIENT_SECRET_ENV = "SPOTIPY_CLIENT_SECRET"
SPOTIFY_API_ENV = "GENREREPORT_SPOTIFY_API_URL"
SPOTIFY_TOKEN_ENV = "GENREREPORT_SPOTIFY_TOKEN_URL"
RECCOBEATS_ENV = "GENREREPORT_RECCOBEATS_URL"
MUSICBRAINZ_ENV = "GENREREPORT_MUSICBRAINZ_URL"
CONTACT_ENV = "GENREREPORT_CONTACT"

DEFAULT_SPOTIFY_API = "https://api.spotify.com/v1/"
DEFAULT_SPOTIFY_TOKEN = "https://accounts.spotify.com/api/token"
DEFAULT_RECCOBEATS = "https://api.reccobeats.com"
DEFAULT_MUSICBRAINZ = "https://musicbrainz.org/ws/2/"

FEATURE_SOURCES = ("spotify", "reccobeats")
GENRE_SOURCES = ("auto", "spotify", "musicbrainz")
# MusicBrainz asks every client for at most one request per second.
MUSICBRAINZ_INTERVAL = 1.0


def is_public_musicbrainz(url: str) -> bool:
    """Whether `url` is the MusicBrainz service itself (any of its hosts), not a mirror."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host == "musicbrainz.org" or host.endswith(".musicbrainz.org")


def user_agent(contact: str | None) -> str:
    """The User-Agent MusicBrainz asks for: `application/version ( contact )`."""
    contact = contact or "no contact given; local MusicBrainz server"
    return f"genrereport/{__version__} ( {contact} )"


def check_contact(contact: str, name: str = "--contact") -> str:
    """A contact for the User-Agent: an e-mail address or a URL, on one line.

    `name` is where it came from (the option or the environment variable), for the message.
    """
    contact = contact.strip()
    # Parentheses would end the User-Agent's comment early; control characters could end the
    # header itself.
    if any(ord(c) < 32 or ord(c) == 127 or c in "()" for c in contact):
        raise ScrapeError(f"{name} must be one line without parentheses (an e-mail address or "
                          f"a URL)")
    if "@" not in contact and "://" not in contact:
        raise ScrapeError(f"{name} {contact!r} is neither an e-mail address nor a URL; "
                          f"MusicBrainz uses it to reach you if the scraper misbehaves")
    return contact


def contact_from(option: str | None, env: Mapping[str, str]) -> str | None:
    """The contact from --contact, else from GENREREPORT_CONTACT, else None."""
    if option:
        return option
    value = (env.get(CONTACT_ENV) or "").strip()
    return check_contact(value, CONTACT_ENV) if value else None


@dataclass(frozen=True)
class Endpoints:
    """Where the APIs live. Tests (and mirrors or proxies) point these at other servers."""

    spotify_api: str = DEFAULT_SPOTIFY_API
    spotify_token: str = DEFAULT_SPOTIFY_TOKEN
    reccobeats: str = DEFAULT_RECCOBEATS
    musicbrainz: str = DEFAULT_MUSICBRAINZ

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Endpoints:
        api = env.get(SPOTIFY_API_ENV) or DEFAULT_SPOTIFY_API
        # spotipy joins paths onto this prefix by plain concatenation, so it must end with "/".
        if not api.endswith("/"):
            api += "/"
        return cls(
            spotify_api=api,
            spotify_token=env.get(SPOTIFY_TOKEN_ENV) or DEFAULT_SPOTIFY_TOKEN,
            reccobeats=(env.get(RECCOBEATS_ENV) or DEFAULT_RECCOBEATS).rstrip("/"),
            # A trailing "/" so that paths join onto it like onto the default.
            musicbrainz=(env.get(MUSICBRAINZ_ENV) or DEFAULT_MUSICBRAINZ).rstrip("/") + "/",
        )


@dataclass(frozen=True)
class Credentials:
    """A Spotify app's client id and secret (client-credentials flow)."""

    client_id: str
    # repr=False: a traceback or debug print of this object must never show the secret.
    client_secret: str = field(repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Credentials:
        cid = (env.get(CLIENT_ID_ENV) or "").strip()
        secret = (env.get(CLIENT_SECRET_ENV) or "").strip()
        missing = [name for name, v in ((CLIENT_ID_ENV, cid), (CLIENT_SECRET_ENV, secret)) if not v]
        if missing:
            raise ScrapeError(
                f"{' and '.join(missing)} not set: create an app at "
                f"https://developer.spotify.com/dashboard and export its client id and secret as "
                f"{CLIENT_ID_ENV} and {CLIENT_SECRET_ENV}")
        return cls(cid, secret)


@dataclass(frozen=True)
class ScrapeOptions:
    """What the user asked for on the command line, checked."""

    artists: Path
    out: Path
    limit: int | None = None
    features: str = "spotify"
    batch_size: int = 100
    max_wait: float = 120.0
    retries: int = 4
    timeout: float = 15.0
    market: str = "US"
    genres: str = "auto"
    genres_file: Path | None = None
    contact: str | None = None
    cache_dir: Path | None = None
    # Seconds between the starts of two MusicBrainz requests. Lower only for tests and private
    # mirrors (a hidden option); the public service always gets at least MUSICBRAINZ_INTERVAL.
    musicbrainz_interval: float = MUSICBRAINZ_INTERVAL

    def __post_init__(self) -> None:
        if self.features not in FEATURE_SOURCES:
            raise ScrapeError(f"--features must be one of {', '.join(FEATURE_SOURCES)}")
        if self.genres not in GENRE_SOURCES:
            raise ScrapeError(f"--genres must be one of {', '.join(GENRE_SOURCES)}")
        if self.contact is not None:
            object.__setattr__(self, "contact", check_contact(self.contact))
        if not self.musicbrainz_interval >= 0:
            raise ScrapeError("--musicbrainz-interval must not be negative")
        if self.limit is not None and self.limit < 1:
            raise ScrapeError("--limit must be at least 1")
        if self.batch_size < 1:
            raise ScrapeError("--batch-size must be at least 1")
        if self.max_wait < 0:
            raise ScrapeError("--max-wait must not be negative")
        if self.retries < 0:
            raise ScrapeError("--retries must not be negative")
        if self.timeout <= 0:
            raise ScrapeError("--timeout must be positive")
        if len(self.market) != 2 or not self.market.isalpha():
            raise ScrapeError("--market must be a two-letter country code, e.g. US")

    @property
    def has_time_signature(self) -> bool:
        """ReccoBeats does not report time_signature, so its pulls have no such column."""
        return self.features == "spotify"
