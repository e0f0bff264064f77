"""Read the list of artists to scrape from a CSV file.

Two shapes are accepted:

* the study's headerless `name,uri` rows (`Drake,spotify:artist:3TVXtAsR1Inumwj472S9r4`), or a
  plain headerless column of ids: the last cell of each row is the artist;
* a CSV with a header naming an `id`, `uri`, `artist_id` or `artist_uri` column (so a pull
  itself can serve as an artist list).

Each artist may be a bare id, a `spotify:artist:` URI or an `open.spotify.com/artist/` URL.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from genrereport.scrape.errors import ScrapeError

HEADER_COLUMNS = ("id", "uri", "artist_id", "artist_uri")

# Spotify ids are 22 characters of base 62.
_ID = r"[0-9A-Za-z]{22}"
_BARE = re.compile(rf"^{_ID}$")
_URI = re.compile(rf"^spotify:artist:({_ID})$")
_URL = re.compile(rf"^(?:https?://)?open\.spotify\.com/(?:intl-[a-z]{{2}}(?:-[a-z]+)?/)?"
                  rf"artist/({_ID})(?:[/?#].*)?$", re.IGNORECASE)
_OTHER_URI = re.compile(r"^spotify:(track|album|playlist|show|episode|user):")


@dataclass(frozen=True)
class ArtistList:
    """The artist ids to scrape, in file order without repeats, and where they came from."""

    path: Path
    ids: tuple[str, ...]
    sha256: str
    duplicates: int


def parse_artist(value: str) -> str | None:
    """The artist id in `value` (id, URI or URL), or None if it is not an artist reference."""
    value = value.strip()
    if _BARE.match(value):
        return value
    for pattern in (_URI, _URL):
        m = pattern.match(value)
        if m:
            return m.group(1)
    return None


def _bad(path: Path, row: int, value: str, header: bool) -> ScrapeError:
    kind = _OTHER_URI.match(value.strip())
    if kind:
        why = f"is a {kind.group(1)} URI, not an artist"
    else:
        why = ("is not a Spotify artist id, URI or URL (expected e.g. "
               "spotify:artist:3TVXtAsR1Inumwj472S9r4)")
    # A first row that fails without a recognised header is probably a header we do not know.
    hint = ""
    if row == 1 and not header:
        hint = f" (a header row needs a column named {', '.join(HEADER_COLUMNS)})"
    shown = value if len(value) <= 60 else value[:57] + "..."
    return ScrapeError(f"{path}, row {row}: {shown!r} {why}{hint}")


def read_artists(path: Path) -> ArtistList:
    """Read and check the artist list; a bad file or row is a one-line error naming it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScrapeError(f"{path}: artist list not found (check --artists)") from None
    except OSError as exc:
        raise ScrapeError(f"{path}: cannot read the artist list ({exc.strerror})") from exc
    try:
        # utf-8-sig: spreadsheet programs often start a CSV with a byte-order mark.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScrapeError(f"{path}: the artist list is not UTF-8 text (byte {exc.start})") from exc
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:
        raise ScrapeError(f"{path}: not a readable CSV ({exc})") from exc

    column = None
    start = 0
    if rows:
        header = [c.strip().lower() for c in rows[0]]
        named = [c for c in HEADER_COLUMNS if c in header]
        if named:
            column = header.index(named[0])
            start = 1

    ids: list[str] = []
    seen: set[str] = set()
    duplicates = 0
    for number, row in enumerate(rows[start:], start=start + 1):
        cells = [c for c in row if c.strip()]
        if not cells:
            continue  # blank lines are harmless
        if column is None:
            value = cells[-1]
        else:
            if column >= len(row) or not row[column].strip():
                raise ScrapeError(f"{path}, row {number}: no value in column "
                                  f"{rows[0][column].strip()!r}")
            value = row[column]
        artist = parse_artist(value)
        if artist is None:
            raise _bad(path, number, value, header=column is not None)
        if artist in seen:
            duplicates += 1
            continue
        seen.add(artist)
        ids.append(artist)
    if not ids:
        raise ScrapeError(f"{path}: no artists in this file (expected rows like "
                          f"'Drake,spotify:artist:3TVXtAsR1Inumwj472S9r4')")
    return ArtistList(path, tuple(ids), hashlib.sha256(raw).hexdigest(), duplicates)
