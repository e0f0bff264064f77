"""A fake Spotify Web API: the token endpoint and the few catalog endpoints the scraper uses.

Answers follow the shapes of the real API (artist objects, full and simplified tracks, paging
objects, audio features with null for unknown tracks). Switches let a test take endpoints away
the way Spotify did: `batch_artists_status` (GET /artists?ids=, removed for Development Mode in
2026), `top_tracks_status` (removed likewise) and `audio_features_status` (403 since 2024).
`dev_mode()` switches on everything a Development Mode app gets since February 2026: artist
objects without genres and popularity, and no batch artists, top tracks or audio features.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from tests.fakes.server import Answer, FakeApp, Request

CLIENT_ID = "fake-client-id-0123"
CLIENT_SECRET = "fake-client-secret-S3CR3T-value"
ACCESS_TOKEN = "fake-access-token-T0K3N"


def sid(prefix: str, n: int) -> str:
    """A 22-character base-62 id, readable in test output."""
    return f"{prefix}{n:0{22 - len(prefix)}d}"


def features_for(n: int) -> dict:
    """Distinct, valid audio features for track number n."""
    m = (n * 37) % 97  # spreads consecutive numbers over 0..96
    return {
        "acousticness": round(0.01 * m, 4),
        "danceability": round(0.2 + 0.008 * m, 4),
        "energy": round(0.95 - 0.009 * m, 4),
        "instrumentalness": round(0.000123 * (n % 7), 6),
        "key": n % 12,
        "liveness": round(0.05 + 0.003 * m, 4),
        "loudness": round(-3.25 - 0.11 * m, 3),
        "mode": n % 2,
        "speechiness": round(0.03 + 0.001 * m, 4),
        "tempo": round(80.5 + m * 1.25, 3),
        "time_signature": 3 + n % 2,
        "valence": round(0.1 + 0.009 * m, 4),
    }


@dataclass
class Track:
    id: str
    name: str
    artist_ids: list[str]
    popularity: int = 50
    features: dict | None = None  # None: Spotify has no audio features for it

    def full(self, artists: dict) -> dict:
        return {**self.simple(artists), "popularity": self.popularity,
                "album": {"id": "album" + self.id[5:], "name": "An album"}}

    def simple(self, artists: dict) -> dict:
        return {"id": self.id, "name": self.name, "type": "track",
                "uri": f"spotify:track:{self.id}",
                "artists": [{"id": a, "name": artists[a].name if a in artists else "Other",
                             "type": "artist"} for a in self.artist_ids]}


@dataclass
class Artist:
    id: str
    name: str
    genres: list[str] | None  # None: the answer has no genres field
    popularity: int = 40
    top_tracks: list[Track] = field(default_factory=list)
    albums: list[list[Track]] = field(default_factory=list)

    def json(self, dev_mode: bool = False) -> dict:
        out = {"id": self.id, "name": self.name, "type": "artist",
               "uri": f"spotify:artist:{self.id}", "followers": {"total": 1000}}
        if not dev_mode:
            out["popularity"] = self.popularity
            if self.genres is not None:
                out["genres"] = list(self.genres)
        return out


def _error(status: int, message: str) -> Answer:
    return status, {}, {"error": {"status": status, "message": message}}


class FakeSpotify(FakeApp):
    """The fake API. Paths are under /v1/, the token endpoint is /api/token."""

    def __init__(self, artists: list[Artist]):
        super().__init__()
        self.artists = {a.id: a for a in artists}
        self.tracks: dict[str, Track] = {}
        for a in artists:
            for t in a.top_tracks + [t for album in a.albums for t in album]:
                self.tracks[t.id] = t
        self.batch_artists_status: int | None = None
        self.top_tracks_status: int | None = None
        self.audio_features_status: int | None = None
        self.dev = False
        self.client_secret = CLIENT_SECRET

    def dev_mode(self) -> FakeSpotify:
        """Answer like Spotify answers a Development Mode app since February 2026."""
        self.dev = True
        self.batch_artists_status = 403
        self.top_tracks_status = 403
        self.audio_features_status = 403
        return self

    def route(self, request: Request) -> Answer:
        if request.path == "/api/token":
            return self._token(request)
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return _error(401, "No token provided")
        parts = [p for p in request.path.split("/") if p]
        if not parts or parts[0] != "v1":
            return _error(404, "Service not found")
        parts = parts[1:]
        if parts == ["artists"]:
            return self._several_artists(request)
        if len(parts) >= 2 and parts[0] == "artists":
            artist = self.artists.get(parts[1])
            if len(parts[1]) != 22:
                return _error(400, "invalid id")
            if artist is None:
                return _error(404, "Resource not found")
            if len(parts) == 2:
                return 200, {}, artist.json(self.dev)
            if parts[2:] == ["top-tracks"]:
                if self.top_tracks_status:
                    return _error(self.top_tracks_status, "Forbidden")
                return 200, {}, {"tracks": [t.full(self.artists) for t in artist.top_tracks]}
            if parts[2:] == ["albums"]:
                limit = int(request.param("limit", "20"))
                items = [{"id": f"alb{i}" + artist.id[4:], "name": f"Album {i}",
                          "album_type": "album"} for i, _ in enumerate(artist.albums)]
                return 200, {}, {"items": items[:limit], "total": len(items)}
        if len(parts) == 3 and parts[0] == "albums" and parts[2] == "tracks":
            return self._album_tracks(parts[1], request)
        if parts == ["audio-features"]:
            return self._audio_features(request)
        return _error(404, "Service not found")

    def _token(self, request: Request) -> Answer:
        expected = base64.b64encode(f"{CLIENT_ID}:{self.client_secret}".encode()).decode()
        form = parse_qs(request.body.decode())
        if form.get("grant_type") != ["client_credentials"]:
            return 400, {}, {"error": "unsupported_grant_type"}
        if request.headers.get("Authorization") != f"Basic {expected}":
            return 400, {}, {"error": "invalid_client", "error_description": "Invalid client"}
        return 200, {}, {"access_token": ACCESS_TOKEN, "token_type": "Bearer",
                         "expires_in": 3600}

    def _ids(self, request: Request) -> list[str]:
        raw = request.param("ids", "") or ""
        return [i for i in raw.split(",") if i]

    def _several_artists(self, request: Request) -> Answer:
        if self.batch_artists_status:
            return _error(self.batch_artists_status, "Forbidden")
        ids = self._ids(request)
        if not ids or len(ids) > 50:
            return _error(400, "Too many ids requested")
        return 200, {}, {"artists": [self.artists[i].json(self.dev) if i in self.artists else None
                                     for i in ids]}

    def _album_tracks(self, album_id: str, request: Request) -> Answer:
        for artist in self.artists.values():
            for i, album in enumerate(artist.albums):
                if f"alb{i}" + artist.id[4:] == album_id:
                    limit = int(request.param("limit", "20"))
                    return 200, {}, {"items": [t.simple(self.artists) for t in album][:limit]}
        return _error(404, "Resource not found")

    def _audio_features(self, request: Request) -> Answer:
        if self.audio_features_status:
            return _error(self.audio_features_status, "Forbidden")
        ids = self._ids(request)
        if not ids or len(ids) > 100:
            return _error(400, "Too many ids requested")
        out = []
        for i in ids:
            track = self.tracks.get(i)
            if track is None or track.features is None:
                out.append(None)
            else:
                out.append({"id": i, "type": "audio_features", "uri": f"spotify:track:{i}",
                            "duration_ms": 200000, **track.features})
        return 200, {}, {"audio_features": out}
