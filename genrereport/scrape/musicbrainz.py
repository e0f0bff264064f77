"""The MusicBrainz web service (`/ws/2/`): which MusicBrainz artist a Spotify artist is, and its
genres and tags.

Two requests, in the forms MusicBrainz documents:

* `GET url?resource=<link>&resource=<link>…&inc=artist-rels&fmt=json` finds the MusicBrainz
  artists linked to Spotify artist pages (`https://open.spotify.com/artist/<id>`). One request
  takes up to 100 `resource` parameters and answers `{"urls": [...]}` with the links MusicBrainz
  does not have left out; a single `resource` answers the url object itself, or 404. We send 50
  at a time: 100 encoded links make a request line of nearly 8 KB, the limit of many web
  servers and proxies, and the second request per 100 artists costs little next to the 100
  artist lookups.
* `GET artist/<mbid>?inc=genres+tags&fmt=json` gives the artist's genres (curated) and tags
  (free community tags), each with its vote count.

MusicBrainz allows one request per second and blocks clients without a meaningful User-Agent, so
every attempt waits on a `MinInterval` and sends `genrereport/<version> ( <contact> )`; a 503 (its
answer to a client that is too fast) is retried through `RetryPolicy` as it asks.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from genrereport.scrape.artists import parse_artist
from genrereport.scrape.errors import HttpStatusError, ScrapeError
from genrereport.scrape.polite import MinInterval, RetryPolicy, classify_requests_error

SERVICE = "MusicBrainz"
URLS_PER_CALL = 50
SPOTIFY_ARTIST_URL = "https://open.spotify.com/artist/{id}"


@dataclass(frozen=True)
class LinkedArtist:
    """A MusicBrainz artist that a Spotify link belongs to."""

    mbid: str
    name: str


@dataclass(frozen=True)
class ArtistTags:
    """An artist's MusicBrainz genres and tags, most votes first."""

    mbid: str
    name: str
    genres: tuple[str, ...]
    tags: tuple[str, ...]


def spotify_link(artist_id: str) -> str:
    """The Spotify artist page as MusicBrainz stores it."""
    return SPOTIFY_ARTIST_URL.format(id=artist_id)


def ranked_names(items: object) -> tuple[str, ...]:
    """Names of genre or tag objects with votes, most votes first, ties by name, lower case.

    MusicBrainz sends only those with a positive count, sorted by name; checking again costs
    nothing and keeps a mirror's odd answer out of the data.
    """
    votes: dict[str, int] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        count = item.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, (int, float)) or count <= 0:
            continue
        # Spotify's genres, which the binning rules were written for, are lower case.
        name = " ".join(item["name"].split()).lower()
        if name:
            votes[name] = max(votes.get(name, 0), int(count))
    return tuple(n for n, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])))


def same_name(a: str, b: str) -> bool:
    """Names equal up to Unicode normal form, case and spacing ("Björk" == "Bjo\u0308rk")."""
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", s).casefold().split())
    return norm(a) == norm(b)


def pick_artist(linked: Sequence[LinkedArtist], name: str) -> LinkedArtist | None:
    """The linked artist that is this Spotify artist.

    A Spotify page is nearly always linked to one MusicBrainz artist; when it is linked to more
    (a person and their band, a duplicate), the one with the Spotify artist's name is it, and
    failing that the first by MusicBrainz id, so that every run picks the same.
    """
    if not linked:
        return None
    named = [a for a in linked if same_name(a.name, name)]
    return sorted(named or linked, key=lambda a: a.mbid)[0]


class MusicBrainzClient:
    """The two lookups, each request spaced by `min_interval` seconds and retried politely."""

    def __init__(self, base_url: str, policy: RetryPolicy, timeout: float, user_agent: str,
                 min_interval: float, session=None, limiter: MinInterval | None = None):
        import requests

        self.base = base_url.rstrip("/") + "/"
        self.policy = policy
        self.timeout = timeout
        self.limiter = limiter or MinInterval(min_interval)
        # A plain session: its adapters do not retry, so RetryPolicy is the only one that does.
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": user_agent})
        self.requests = 0  # attempts sent, for the summary

    # -- the lookups -----------------------------------------------------------------------

    def linked_artists(self, spotify_ids: Iterable[str]) -> dict[str, list[LinkedArtist]]:
        """The MusicBrainz artists linked to each Spotify artist ([] if none), 50 per request."""
        ids = list(dict.fromkeys(spotify_ids))
        found: dict[str, list[LinkedArtist]] = {a: [] for a in ids}
        for start in range(0, len(ids), URLS_PER_CALL):
            chunk = ids[start:start + URLS_PER_CALL]
            query = "&".join(f"resource={quote(spotify_link(a), safe='')}" for a in chunk)
            try:
                answer = self._get("GET /ws/2/url?resource=", f"url?{query}&inc=artist-rels")
            except HttpStatusError as exc:
                # A single resource that MusicBrainz does not have is a 404; several are a list.
                if exc.status == 404 and len(chunk) == 1:
                    continue
                raise
            for url in _url_objects(answer):
                # Matched by the link in the answer, never by position: unknown links are left
                # out of the list and the order is MusicBrainz's own.
                artist_id = parse_artist(str(url.get("resource") or ""))
                if artist_id in found:
                    found[artist_id] = _linked(url.get("relations"))
        return found

    def artist_tags(self, mbid: str) -> ArtistTags | None:
        """The artist's genres and tags; None if MusicBrainz no longer has the artist."""
        try:
            answer = self._get("GET /ws/2/artist/{mbid}",
                               f"artist/{quote(mbid, safe='')}?inc=genres+tags")
        except HttpStatusError as exc:
            if exc.status in (400, 404):
                return None
            raise
        return ArtistTags(mbid, str(answer.get("name") or ""), ranked_names(answer.get("genres")),
                          ranked_names(answer.get("tags")))

    # -- one request -------------------------------------------------------------------------

    def _get(self, what: str, path: str) -> dict:
        url = f"{self.base}{path}&fmt=json"

        def attempt() -> dict:
            # Every attempt, retries included, waits its turn: MusicBrainz counts them all.
            self.limiter.wait()
            self.requests += 1
            response = self.session.get(url, timeout=self.timeout)
            response.raise_for_status()
            return response.json()

        try:
            answer = self.policy.call(SERVICE, what, attempt, classify_requests_error)
        except HttpStatusError as exc:
            if exc.status == 403:
                raise ScrapeError(
                    f"{SERVICE} refused {what} (HTTP 403); it blocks clients whose User-Agent has "
                    f"no working contact, so check --contact") from None
            raise
        if not isinstance(answer, dict):
            raise ScrapeError(f"{SERVICE} answered {what} with something other than a JSON "
                              f"object; its API may have changed")
        return answer


def _url_objects(answer: Mapping) -> list[dict]:
    if isinstance(answer.get("urls"), list):
        return [u for u in answer["urls"] if isinstance(u, dict)]
    if "resource" in answer:
        return [dict(answer)]
    raise ScrapeError(f"{SERVICE} answered a URL lookup without 'urls' or 'resource'; its API "
                      f"may have changed")


def _linked(relations: object) -> list[LinkedArtist]:
    linked: dict[str, LinkedArtist] = {}
    for rel in relations if isinstance(relations, list) else []:
        if not isinstance(rel, dict) or rel.get("target-type") != "artist":
            continue
        artist = rel.get("artist")
        if isinstance(artist, dict) and isinstance(artist.get("id"), str):
            name = str(artist.get("name") or "")
            linked.setdefault(artist["id"], LinkedArtist(artist["id"], name))
    return list(linked.values())
