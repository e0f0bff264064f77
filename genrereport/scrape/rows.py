"""Turn one artist, its track and the track's audio features into a row of a pull.

Every value of a row comes from the objects passed in for that artist, so a failed lookup can
only ever skip the artist; it can never leave another artist's values behind (the study's
scraper appended a stale row whenever a lookup failed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from genrereport import schema

# Why an artist has no row. Written to the skipped-artists file.
NOT_FOUND = "not found"
NO_GENRES = "no genres"
GENRES_NOT_REPORTED = "genres not reported"
NO_TRACKS = "no tracks"
FEATURES_UNAVAILABLE = "features unavailable"
NOT_ON_MUSICBRAINZ = "not on MusicBrainz"
NO_MUSICBRAINZ_GENRES = "no genres or tags on MusicBrainz"

# Where the row's genres came from (spotify, musicbrainz, musicbrainz-tags or file). After the
# study's columns, so they keep their order; the build reads only the study's columns.
GENRE_SOURCE_COLUMN = "genre_source"

FEATURE_COLUMNS = ("acousticness", "danceability", "energy", "instrumentalness", "key",
                   "liveness", "loudness", "mode", "speechiness", "tempo", "valence")
INTEGER_FEATURES = ("key", "mode", "time_signature")


def pull_columns(has_time_signature: bool) -> tuple[str, ...]:
    """The columns of a pull: the study's, in its order (time_signature only if the source has
    it), then the genre source."""
    return tuple(c for c in schema.PULL_COLUMNS
                 if has_time_signature or c != "time_signature") + (GENRE_SOURCE_COLUMN,)


def genres_of(artist: Mapping) -> list[str] | None:
    """The artist's genres; None when the answer has no genres field at all.

    An empty list is an artist without genres; a missing field means Spotify did not report
    genres (as for some apps after its 2026 API changes), which is a different reason to skip.
    """
    genres = artist.get("genres")
    if not isinstance(genres, list):
        return None
    return [str(g) for g in genres]


def _number(value: object, integer: bool) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(str(value))
        except ValueError:
            return None
    if not math.isfinite(value):
        return None
    if integer:
        return int(value) if float(value).is_integer() else None
    return float(value) if isinstance(value, float) else value


def feature_values(features: Mapping | None, has_time_signature: bool) -> dict | None:
    """The audio features a row needs, or None if any is missing or not a number."""
    if not features:
        return None
    names = FEATURE_COLUMNS + (("time_signature",) if has_time_signature else ())
    values = {}
    for name in names:
        if features.get(name) is None:
            return None
        value = _number(features[name], integer=name in INTEGER_FEATURES)
        if value is None:
            return None
        values[name] = value
    return values


def popularity_of(track: Mapping, artist: Mapping) -> int | str:
    """The track's popularity, else the artist's; '' when Spotify reports neither.

    Tracks from an album listing carry no popularity, and Spotify stopped reporting it to
    Development Mode apps in 2026.
    """
    for source in (track, artist):
        value = source.get("popularity")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return int(value)
    return ""


def make_row(artist_id: str, artist: Mapping, genres: Sequence[str], track: Mapping,
             features: Mapping, has_time_signature: bool, genre_source: str = "spotify") -> dict:
    """One row of a pull. `artist_id` is the id as requested, so resuming can match it."""
    row = {
        "artist_name": str(artist.get("name") or ""),
        "artist_uri": f"spotify:artist:{artist_id}",
        # The study wrote the list with str(): "['classic opm', 'opm']".
        "genre": str(list(genres)),
        "popularity": popularity_of(track, artist),
        "track_id": str(track["id"]),
        "track_name": str(track.get("name") or ""),
        GENRE_SOURCE_COLUMN: genre_source,
    }
    row.update(features)
    return {c: row[c] for c in pull_columns(has_time_signature)}


def artist_id_of_uri(uri: str) -> str | None:
    """The id in a row's artist_uri (`spotify:artist:<id>`)."""
    prefix = "spotify:artist:"
    uri = uri.strip()
    return uri[len(prefix):] if uri.startswith(prefix) and len(uri) > len(prefix) else None
