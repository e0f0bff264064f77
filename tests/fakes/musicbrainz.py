"""A fake MusicBrainz web service (`/ws/2/`): URL lookups by resource, and artist lookups.

The shapes follow the real service (musicbrainz-server's WS/2 URL controller and JSON
serializer):

* `GET /ws/2/url?resource=A[&resource=B…]&inc=artist-rels&fmt=json`: one resource answers its
  url object, or 404 if MusicBrainz does not have it; several (at most 100 are read) answer
  `{"url-count", "url-offset", "urls"}` with the unknown ones left out. Here the urls come back
  in reverse order, so a client that matched them by position would mix artists up.
* `GET /ws/2/artist/<mbid>?inc=genres+tags&fmt=json`: the artist, with its genres and tags
  (votes above zero only, sorted by name, as the real serializer does).

Without `fmt=json` the real service answers XML; this fake answers 400 so such a client fails
loudly. A User-Agent that does not name the application and a contact gets 403, as the real
service blocks anonymous agents. `strict_interval` makes it answer 503 to a request that comes
sooner than that many seconds after the previous one, like the real per-IP limit.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from tests.fakes.server import Answer, FakeApp, Request

MAX_RESOURCES = 100
SPOTIFY_ARTIST = "https://open.spotify.com/artist/"
USER_AGENT = re.compile(r"^genrereport/\S+ \( \S.* \)$")
FREE_STREAMING = "769085a1-c2f7-4c24-a532-2375a77693bd"  # the relationship type of Spotify links
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def mbid(name: str) -> str:
    """A stable MusicBrainz id for a fake artist."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mb:{name}"))


@dataclass
class MBArtist:
    mbid: str
    name: str
    genres: dict[str, int] = field(default_factory=dict)  # genre -> votes
    tags: dict[str, int] = field(default_factory=dict)    # tag -> votes

    def json(self, include: set[str]) -> dict:
        out = {"id": self.mbid, "name": self.name, "sort-name": self.name, "type": "Person",
               "type-id": "b6e035f4-3ce9-331c-97df-83397230b0df", "disambiguation": "",
               "country": None, "life-span": {"begin": None, "end": None, "ended": False}}
        if "genres" in include:
            out["genres"] = [{"count": n, "disambiguation": "", "id": mbid(f"genre:{g}"),
                              "name": g} for g, n in sorted(self.genres.items()) if n > 0]
        if "tags" in include:
            out["tags"] = [{"count": n, "name": t} for t, n in sorted(self.tags.items()) if n > 0]
        return out

    def stub(self) -> dict:
        return {"id": self.mbid, "name": self.name, "sort-name": self.name, "type": "Person",
                "type-id": "b6e035f4-3ce9-331c-97df-83397230b0df", "disambiguation": "",
                "country": None}


def _error(status: int, message: str) -> Answer:
    return status, {}, {"error": message, "help": "For usage, please see: "
                                                  "https://musicbrainz.org/development/mmd"}


class FakeMusicBrainz(FakeApp):
    """The fake service. `links`: Spotify artist id -> the MusicBrainz artists linked to it."""

    def __init__(self, artists: list[MBArtist], links: dict[str, list[str]]):
        super().__init__()
        self.artists = {a.mbid: a for a in artists}
        self.links = {k: list(v) for k, v in links.items()}
        self.strict_interval = 0.0
        self.too_soon = 0

    # -- what the tests look at ----------------------------------------------------------

    def url_lookups(self) -> list[Request]:
        return self.requests_to("/ws/2/url")

    def artist_lookups(self) -> list[Request]:
        return self.requests_to("/ws/2/artist/")

    def resources_asked(self) -> list[str]:
        return [r for req in self.url_lookups() for r in req.query.get("resource", [])]

    # -- serving ---------------------------------------------------------------------------

    def route(self, request: Request) -> Answer:
        if self.strict_interval and self._came_too_soon(request):
            return _error(503, "Your requests are exceeding the allowable rate limit.")
        if not USER_AGENT.match(request.headers.get("User-Agent", "")):
            return _error(403, "a meaningful User-Agent with a contact is required")
        if request.param("fmt") != "json":
            return _error(400, "this fake only speaks fmt=json")
        include = set(re.split(r"[+ ]", request.param("inc", "") or "")) - {""}
        parts = [p for p in request.path.split("/") if p]
        if parts[:2] != ["ws", "2"]:
            return _error(404, "Not Found")
        parts = parts[2:]
        if parts == ["url"]:
            return self._urls(request.query.get("resource", []), include)
        if len(parts) == 2 and parts[0] == "artist":
            if not _UUID.match(parts[1]):
                return _error(400, f"Invalid mbid: {parts[1]}")
            artist = self.artists.get(parts[1])
            if artist is None:
                return _error(404, "Not Found")
            return 200, {}, artist.json(include)
        return _error(404, "Not Found")

    def _came_too_soon(self, request: Request) -> bool:
        with self.lock:
            index = next(i for i, r in enumerate(self.log) if r is request)
            previous = self.log[index - 1] if index else None
        if previous is not None and request.received - previous.received < self.strict_interval:
            self.too_soon += 1
            return True
        return False

    def _url(self, resource: str, include: set[str]) -> dict | None:
        if not resource.startswith(SPOTIFY_ARTIST):
            return None
        linked = self.links.get(resource[len(SPOTIFY_ARTIST):])
        if not linked:
            return None
        out = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, resource)), "resource": resource}
        if "artist-rels" in include:
            out["relations"] = [
                {"attribute-ids": {}, "attribute-values": {}, "attributes": [], "begin": None,
                 "direction": "backward", "end": None, "ended": False, "source-credit": "",
                 "target-credit": "", "target-type": "artist", "type": "free streaming",
                 "type-id": FREE_STREAMING, "artist": self.artists[m].stub()}
                for m in linked]
        return out

    def _urls(self, resources: list[str], include: set[str]) -> Answer:
        if not resources:
            return _error(400, "resource is required")
        if len(resources) == 1:
            found = self._url(resources[0], include)
            return (200, {}, found) if found else _error(404, "Not Found")
        urls = [u for u in (self._url(r, include) for r in resources[:MAX_RESOURCES]) if u]
        urls.reverse()
        return 200, {}, {"url-count": len(urls), "url-offset": 0, "urls": urls}
