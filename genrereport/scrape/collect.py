"""Scrape one batch of artists into rows and skips, without touching any file.

For each artist: its genres (from the genres file, Spotify's artist object or MusicBrainz; see
genres.py), its first track from the artist itself (never a search by name), and that track's
audio features. Genres come first: an artist without them is skipped before its track is looked
up, which saves requests. An artist that fails any step gets a skip with the reason and no row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from genrereport.scrape import rows as R
from genrereport.scrape.genres import Choice, GenreChooser


class Catalog(Protocol):
    def artists(self, ids: Sequence[str]) -> dict[str, dict | None]: ...
    def first_track(self, artist_id: str) -> dict | None: ...


class FeatureSource(Protocol):
    def audio_features(self, track_ids: Sequence[str]) -> dict[str, dict]: ...


@dataclass
class BatchResult:
    """The rows and skips of one batch, both in input order."""

    rows: list[dict] = field(default_factory=list)
    skips: list[tuple[str, str]] = field(default_factory=list)


def collect_batch(ids: Sequence[str], catalog: Catalog, features: FeatureSource,
                  has_time_signature: bool, genres: GenreChooser,
                  tick: Callable[[int], None] = lambda n: None) -> BatchResult:
    """Rows for the artists in `ids`; `tick(n)` reports n more artists looked at."""
    reasons: dict[str, str] = {}
    picks: list[tuple[str, dict, Choice, dict]] = []

    artists = catalog.artists(ids)
    genres.prepare({a: artists[a] for a in ids if artists.get(a) is not None})
    for artist_id in ids:
        artist = artists.get(artist_id)
        if artist is None:
            reasons[artist_id] = R.NOT_FOUND
        else:
            choice = genres.choose(artist_id, artist)
            if choice.reason:
                reasons[artist_id] = choice.reason
            else:
                track = catalog.first_track(artist_id)
                if track is None:
                    reasons[artist_id] = R.NO_TRACKS
                else:
                    picks.append((artist_id, artist, choice, track))
        tick(1)

    found = features.audio_features([track["id"] for _, _, _, track in picks]) if picks else {}
    rows_by_artist = {}
    for artist_id, artist, choice, track in picks:
        values = R.feature_values(found.get(track["id"]), has_time_signature)
        if values is None:
            reasons[artist_id] = R.FEATURES_UNAVAILABLE
            continue
        rows_by_artist[artist_id] = R.make_row(artist_id, artist, choice.genres, track, values,
                                               has_time_signature, choice.source)

    result = BatchResult()
    for artist_id in ids:
        if artist_id in rows_by_artist:
            result.rows.append(rows_by_artist[artist_id])
        else:
            result.skips.append((artist_id, reasons[artist_id]))
    return result
