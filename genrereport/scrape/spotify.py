"""The Spotify Web API through spotipy: artists, one track per artist, and audio features.

spotipy normally retries 429 and 5xx answers itself (urllib3 `Retry`, which also sleeps for
Retry-After with no upper bound). Here it gets a plain `requests.Session`, so every HTTP error
surfaces at once as a `SpotifyException` and `RetryPolicy` alone decides what to do.

Batch endpoints are used where they exist (50 artists, 100 audio features per call). Spotify
removed some of them for Development Mode apps in 2026; a 403/404 from a batch endpoint switches
to per-id calls for the rest of the run. The same goes for an artist's top tracks, which fall
back to the artist's first album.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from genrereport.scrape.config import CLIENT_ID_ENV, CLIENT_SECRET_ENV, Credentials, Endpoints
from genrereport.scrape.errors import HttpStatusError, ScrapeError
from genrereport.scrape.polite import (Failure, RetryPolicy, classify_requests_error,
                                       parse_retry_after)

T = TypeVar("T")

ARTISTS_PER_CALL = 50
FEATURES_PER_CALL = 100
ALBUMS_TO_TRY = 3
SERVICE = "Spotify"

AUDIO_FEATURES_GONE = (
    "Spotify refused the audio-features endpoint (HTTP {status}): since 2024-11-27 it is closed to "
    "new apps and to apps in Development Mode. Rerun with --features reccobeats to take the audio "
    "features from ReccoBeats instead (they have no time_signature)")


class _BadAnswer(Exception):
    """A 200 answer without the JSON we need (spotipy returns None for a body that is not JSON)."""


def make_client(credentials: Credentials, endpoints: Endpoints, timeout: float):
    """A spotipy client that authenticates with client credentials and never retries by itself."""
    import requests
    import spotipy
    from spotipy.cache_handler import MemoryCacheHandler
    from spotipy.exceptions import SpotifyException
    from spotipy.oauth2 import SpotifyClientCredentials

    class _ClientCredentials(SpotifyClientCredentials):
        """Client credentials with a configurable token URL and HTTP-status-aware errors."""

        def __init__(self, token_url: str, **kwargs: Any):
            super().__init__(**kwargs)
            # An instance attribute: spotipy reads self.OAUTH_TOKEN_URL, and the class default
            # (shared by every other user of spotipy in this process) stays untouched.
            self.OAUTH_TOKEN_URL = token_url

        def _handle_oauth_error(self, http_error):
            # spotipy turns every token failure into SpotifyOauthError without the status; keep
            # 429 and 5xx as SpotifyException (with headers) so RetryPolicy can wait and retry.
            response = http_error.response
            if response is not None and (response.status_code == 429
                                         or response.status_code >= 500):
                raise SpotifyException(response.status_code, -1, "token request failed",
                                       headers=response.headers) from http_error
            super()._handle_oauth_error(http_error)

    auth = _ClientCredentials(
        token_url=endpoints.spotify_token,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        requests_timeout=timeout,
        # In memory only: the default cache handler writes the token to ./.cache.
        cache_handler=MemoryCacheHandler(),
    )
    client = spotipy.Spotify(
        auth_manager=auth,
        # A plain session has no urllib3 Retry on its adapters, so nothing retries behind our
        # back; retries/status_retries=0 say the same for spotipy versions that build their own.
        requests_session=requests.Session(),
        requests_timeout=timeout,
        retries=0,
        status_retries=0,
    )
    client.prefix = endpoints.spotify_api
    return client


def classify_spotify_error(exc: BaseException) -> Failure | None:
    """A spotipy (or requests) exception as a Failure for RetryPolicy; None if not HTTP."""
    from spotipy.exceptions import SpotifyException

    if isinstance(exc, SpotifyException):
        headers = exc.headers or {}
        detail = str(exc.msg or "").split("\n", 1)[-1].strip()
        return Failure(exc.http_status, parse_retry_after(headers.get("Retry-After")), detail)
    if isinstance(exc, _BadAnswer):
        return Failure(502, detail=str(exc))
    return classify_requests_error(exc)


@contextmanager
def quiet_spotipy_logs() -> Iterator[None]:
    """Keep spotipy's per-error log lines off the terminal while the scrape runs.

    spotipy logs every HTTP error at ERROR level; with logging unconfigured Python prints those
    to stderr, burying the progress bar under 403s and 429s that this module handles. A
    NullHandler on the "spotipy" logger stops that fallback; handlers a user configured on the
    root logger still receive the records. Removed again on exit.
    """
    logger = logging.getLogger("spotipy")
    handler = logging.NullHandler()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class SpotifyCatalog:
    """Artists, their first track and audio features, with batch calls and per-id fallbacks."""

    def __init__(self, client, policy: RetryPolicy, market: str = "US"):
        self.client = client
        self.policy = policy
        self.market = market
        self.batch_artists = True
        self.top_tracks = True
        self.notes: list[str] = []  # fallbacks taken, reported in the summary

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        def attempt() -> T:
            result = fn()
            if not isinstance(result, dict):
                raise _BadAnswer(f"{what}: the answer is not a JSON object")
            return result

        from spotipy.oauth2 import SpotifyOauthError

        try:
            return self.policy.call(SERVICE, what, attempt, classify_spotify_error)
        except SpotifyOauthError as exc:
            why = getattr(exc, "error", None) or "refused"
            raise ScrapeError(
                f"Spotify did not accept the app credentials ({why}); check {CLIENT_ID_ENV} and "
                f"{CLIENT_SECRET_ENV}") from None

    # -- artists ---------------------------------------------------------------------------

    def artists(self, ids: Sequence[str]) -> dict[str, dict | None]:
        """Each requested id mapped to its artist object, or None if Spotify does not know it."""
        found: dict[str, dict | None] = {}
        if self.batch_artists:
            for chunk in _chunks(ids, ARTISTS_PER_CALL):
                try:
                    answer = self._call("GET /artists?ids=",
                                        lambda chunk=chunk: self.client.artists(list(chunk)))
                except HttpStatusError as exc:
                    if exc.status not in (403, 404):
                        raise
                    self.batch_artists = False
                    self.notes.append(f"GET /artists?ids= answered HTTP {exc.status}: "
                                      f"artists fetched one by one")
                    break
                # Spotify answers in request order with null for unknown ids. Keyed by the id we
                # asked for (not the one returned) so the row's artist_uri matches the input,
                # which is what resuming compares.
                listed = answer.get("artists") or []
                for position, artist_id in enumerate(chunk):
                    item = listed[position] if position < len(listed) else None
                    found[artist_id] = item if isinstance(item, dict) else None
        for artist_id in ids:
            if artist_id not in found:
                found[artist_id] = self._artist(artist_id)
        return found

    def _artist(self, artist_id: str) -> dict | None:
        try:
            return self._call("GET /artists/{id}",
                              lambda: self.client.artist(artist_id))
        except HttpStatusError as exc:
            if exc.status in (400, 404):  # unknown or malformed id: this artist is skipped
                return None
            raise

    # -- one track per artist ----------------------------------------------------------------

    def first_track(self, artist_id: str) -> dict | None:
        """The artist's first top track; without top tracks, the first track of its first album.

        The study searched a track by the artist's *name*, which often found another artist's
        song; asking for the artist's own tracks by id cannot.
        """
        if self.top_tracks:
            try:
                answer = self._call(
                    "GET /artists/{id}/top-tracks",
                    lambda: self.client.artist_top_tracks(artist_id, country=self.market))
            except HttpStatusError as exc:
                if exc.status not in (403, 404):
                    raise
                self.top_tracks = False
                self.notes.append(f"GET /artists/{{id}}/top-tracks answered HTTP {exc.status}: "
                                  f"tracks taken from each artist's first album")
            else:
                tracks = [t for t in answer.get("tracks") or []
                          if isinstance(t, dict) and t.get("id")]
                return tracks[0] if tracks else None
        return self._first_album_track(artist_id)

    def _first_album_track(self, artist_id: str) -> dict | None:
        try:
            albums = self._call(
                "GET /artists/{id}/albums",
                lambda: self.client.artist_albums(artist_id, include_groups="album,single",
                                                  country=self.market, limit=10))
        except HttpStatusError as exc:
            if exc.status == 404:
                return None
            raise
        for album in (albums.get("items") or [])[:ALBUMS_TO_TRY]:
            if not isinstance(album, dict) or not album.get("id"):
                continue
            answer = self._call(
                "GET /albums/{id}/tracks",
                lambda album=album: self.client.album_tracks(album["id"], limit=10,
                                                             market=self.market))
            tracks = [t for t in answer.get("items") or [] if isinstance(t, dict) and t.get("id")]
            # On a compilation the first track may be someone else's: prefer the artist's own.
            own = [t for t in tracks
                   if any(a.get("id") == artist_id for a in t.get("artists") or [])]
            if own:
                return own[0]
        return None

    # -- audio features ------------------------------------------------------------------------

    def audio_features(self, track_ids: Sequence[str]) -> dict[str, dict]:
        """Audio features by track id; tracks Spotify has none for are left out."""
        features: dict[str, dict] = {}
        for chunk in _chunks(list(dict.fromkeys(track_ids)), FEATURES_PER_CALL):
            try:
                answer = self._call("GET /audio-features?ids=",
                                    lambda chunk=chunk: self._features_call(chunk))
            except HttpStatusError as exc:
                if exc.status in (403, 404):
                    raise ScrapeError(AUDIO_FEATURES_GONE.format(status=exc.status)) from None
                raise
            listed = answer.get("audio_features") or []
            for position, track_id in enumerate(chunk):
                item = listed[position] if position < len(listed) else None
                if isinstance(item, dict):
                    features[track_id] = item
        return features

    def _features_call(self, chunk: Sequence[str]) -> dict:
        try:
            listed = self.client.audio_features(list(chunk))
        except (TypeError, KeyError):
            # spotipy unwraps the answer and trips over an empty or odd body.
            raise _BadAnswer("GET /audio-features: the answer has no audio_features") from None
        return {"audio_features": listed}
