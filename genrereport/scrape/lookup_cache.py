"""What MusicBrainz answered about each Spotify artist, kept on disk so nothing is asked twice.

One small JSON file per (MusicBrainz base URL, Spotify artist id), under
`<cache dir>/musicbrainz/`. The file name is a hash of both: Spotify ids differ only in case
("abc…" and "ABC…" are two artists) and would collide on case-insensitive file systems, and a
mirror's answers must never stand in for the real service's. Each file is written atomically
(temporary file, fsync, rename) and carries a sha256 of its content; a file that is unreadable,
damaged, of another format, or about another key is a miss, so the worst a bad entry can cost
is one more request.

An entry is written in two steps, each after its request succeeded: the linked MusicBrainz
artists (from the URL lookup), then the chosen artist's genres and tags. A run stopped in
between asks only the second request again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from genrereport.scrape import writer
from genrereport.scrape.musicbrainz import ArtistTags, LinkedArtist

FORMAT = 1
FOLDER = "musicbrainz"


@dataclass(frozen=True)
class Entry:
    """What is known about one Spotify artist: its linked artists, and perhaps their tags."""

    linked: tuple[LinkedArtist, ...]
    tags: ArtistTags | None = None  # None: the artist lookup has not been made yet


def _digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class LookupCache:
    """Entries for one MusicBrainz base URL. Nothing is created on disk until the first `put`."""

    def __init__(self, cache_dir: Path, base_url: str):
        self.folder = cache_dir / FOLDER
        self.base_url = base_url
        self.hits = 0
        self.write_error: str | None = None  # set once writing failed; the scrape goes on

    def _path(self, artist_id: str) -> Path:
        key = hashlib.sha256(f"{self.base_url}\n{artist_id}".encode()).hexdigest()
        return self.folder / key[:2] / f"{key}.json"

    def get(self, artist_id: str) -> Entry | None:
        """The entry for this artist, or None if there is none or it cannot be trusted."""
        try:
            doc = json.loads(self._path(artist_id).read_text(encoding="utf-8"))
            entry = self._check(doc, artist_id)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        if entry is not None:
            self.hits += 1
        return entry

    def put(self, artist_id: str, entry: Entry) -> None:
        """Save the entry. A cache that cannot be written only costs requests, never the run."""
        if self.write_error is not None:
            return
        data = {
            "linked": [{"mbid": a.mbid, "name": a.name} for a in entry.linked],
            "tags": None if entry.tags is None else {
                "mbid": entry.tags.mbid, "name": entry.tags.name,
                "genres": list(entry.tags.genres), "tags": list(entry.tags.tags)},
        }
        key = {"base_url": self.base_url, "artist_id": artist_id}
        doc = {"format": FORMAT, **key, "data": data,
               "saved": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "sha256": _digest({**key, "data": data})}
        path = self._path(artist_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            writer.write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        except OSError as exc:
            self.write_error = f"{self.folder}: {exc.strerror or exc}"

    def _check(self, doc: dict, artist_id: str) -> Entry | None:
        if doc.get("format") != FORMAT:
            return None
        if doc.get("base_url") != self.base_url or doc.get("artist_id") != artist_id:
            return None
        data = doc["data"]
        if doc.get("sha256") != _digest({"base_url": self.base_url, "artist_id": artist_id,
                                         "data": data}):
            return None
        linked = tuple(LinkedArtist(_text(a["mbid"]), _text(a["name"])) for a in data["linked"])
        raw = data["tags"]
        tags = None
        if raw is not None:
            tags = ArtistTags(_text(raw["mbid"]), _text(raw["name"]), _texts(raw["genres"]),
                              _texts(raw["tags"]))
        return Entry(linked, tags)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _texts(values: object) -> tuple[str, ...]:
    if not isinstance(values, list):
        raise TypeError("not a list")
    return tuple(_text(v) for v in values)
