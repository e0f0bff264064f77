"""Read `--genres-file`: the user's own genres per artist (Last.fm or Discogs exports, hand labels).

A CSV with a header row that names an artist column (`id`, `artist_id`, `uri` or `artist_uri`;
a bare id, a `spotify:artist:` URI or an `open.spotify.com/artist/` link) and a genres column
(`genres`, `genre` or `tags`). A genres cell is either a list as Python or JSON writes it
(`['pop', 'rock']`, `["pop", "rock"]`) or text separated by `;` or `|` (`pop; rock`). Genres are
written in lower case, like Spotify's, which the binning rules were written for.

Several rows for one artist add up (an export with one row per artist and tag works as it is);
a row with an empty genres cell is ignored, so that artist's genres come from `--genres`.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from genrereport.scrape.artists import parse_artist
from genrereport.scrape.errors import ScrapeError

ARTIST_COLUMNS = ("id", "artist_id", "uri", "artist_uri")
GENRE_COLUMNS = ("genres", "genre", "tags")
_SEPARATORS = re.compile(r"[;|]")


@dataclass(frozen=True)
class GenresFile:
    """Genres by Spotify artist id, in the file's order, and the file they came from."""

    path: Path
    sha256: str
    genres: dict[str, tuple[str, ...]] = field(default_factory=dict)


def parse_genres(cell: str) -> list[str] | None:
    """The genres in one cell, cleaned; None if the cell looks like a list but is not one."""
    text = cell.strip()
    if text.startswith("["):
        value = None
        for parse in (json.loads, ast.literal_eval):
            try:
                value = parse(text)
                break
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None
        items = value
    else:
        items = _SEPARATORS.split(text)
    out: list[str] = []
    for item in items:
        name = " ".join(item.split()).lower()
        if name and name not in out:
            out.append(name)
    return out


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def read_genres_file(path: Path) -> GenresFile:
    """Read and check the file; any problem is a one-line error naming the file (and row)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScrapeError(f"{path}: genres file not found (check --genres-file)") from None
    except OSError as exc:
        raise ScrapeError(f"{path}: cannot read the genres file ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8-sig")  # a spreadsheet's byte-order mark is harmless
    except UnicodeDecodeError as exc:
        raise ScrapeError(f"{path}: the genres file is not UTF-8 text (byte {exc.start})") from exc
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:
        raise ScrapeError(f"{path}: not a readable CSV ({exc})") from exc
    if not rows:
        raise ScrapeError(f"{path}: the genres file is empty (it needs a header row with an "
                          f"artist column and a genres column)")

    header = [c.strip().lower() for c in rows[0]]
    artist_col = _column(header, ARTIST_COLUMNS)
    genres_col = _column(header, GENRE_COLUMNS)
    if artist_col is None or genres_col is None:
        missing = (f"an artist column ({', '.join(ARTIST_COLUMNS)})" if artist_col is None
                   else f"a genres column ({', '.join(GENRE_COLUMNS)})")
        raise ScrapeError(f"{path}, row 1: the header has no {missing}")

    genres: dict[str, list[str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue  # blank lines are harmless
        value = row[artist_col] if artist_col < len(row) else ""
        artist = parse_artist(value)
        if artist is None:
            shown = value if len(value) <= 60 else value[:57] + "..."
            raise ScrapeError(f"{path}, row {number}: {shown!r} is not a Spotify artist id, URI "
                              f"or URL")
        cell = row[genres_col] if genres_col < len(row) else ""
        found = parse_genres(cell)
        if found is None:
            shown = cell if len(cell) <= 60 else cell[:57] + "..."
            raise ScrapeError(f"{path}, row {number}: {shown!r} is not a list of genre names "
                              f"(write ['pop', 'rock'] or pop; rock)")
        if not found:
            continue  # nothing for this artist here: its genres come from --genres
        merged = genres.setdefault(artist, [])
        merged.extend(g for g in found if g not in merged)
    return GenresFile(path, hashlib.sha256(raw).hexdigest(),
                      {a: tuple(g) for a, g in genres.items()})
