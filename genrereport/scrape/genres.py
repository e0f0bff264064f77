"""Where each artist's genres come from: the user's genres file, Spotify, or MusicBrainz.

`--genres` chooses among the network sources:

* `spotify`: the genres in Spotify's artist object, as the study did. Since February 2026 apps in
  Development Mode get artist objects without them.
* `musicbrainz`: the genres of the MusicBrainz artist linked to the artist's Spotify page, or its
  community tags when it has no genres.
* `auto` (the default): Spotify's genres when the artist object has some, else MusicBrainz.

An artist listed in `--genres-file` takes its genres from the file in every mode, and nothing is
asked about it. Each row records its source (`GENRE_SOURCE_COLUMN`), so the counts by source
can be rebuilt from the pulls at any time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from genrereport.scrape import rows as R
from genrereport.scrape.genres_file import GenresFile
from genrereport.scrape.lookup_cache import Entry, LookupCache
from genrereport.scrape.musicbrainz import MusicBrainzClient, pick_artist

SPOTIFY = "spotify"
MUSICBRAINZ = "musicbrainz"
MUSICBRAINZ_TAGS = "musicbrainz-tags"  # MusicBrainz had no genres, so its tags were used
FILE = "file"
# The sources counted in the manifest; MUSICBRAINZ_TAGS counts as MUSICBRAINZ there.
COUNTED = (SPOTIFY, MUSICBRAINZ, FILE)

# Skip reasons that depend on where genres were looked for (see `GenreChooser.retry`).
_SPOTIFY_REASONS = (R.NO_GENRES, R.GENRES_NOT_REPORTED)
_MUSICBRAINZ_REASONS = (R.NOT_ON_MUSICBRAINZ, R.NO_MUSICBRAINZ_GENRES)


def counted(source: str) -> str:
    """The manifest's name for a row's genre source."""
    return MUSICBRAINZ if source == MUSICBRAINZ_TAGS else source


@dataclass(frozen=True)
class Choice:
    """An artist's genres and their source, or the reason it has none."""

    genres: tuple[str, ...] = ()
    source: str = ""
    reason: str = ""


class MusicBrainzGenres:
    """Genres from MusicBrainz for Spotify artists, through the on-disk cache of lookups."""

    def __init__(self, client: MusicBrainzClient, cache: LookupCache):
        self.client = client
        self.cache = cache
        self._entries: dict[str, Entry] = {}

    def link(self, artist_ids: Iterable[str]) -> None:
        """Find the linked MusicBrainz artists of a batch at once (50 per request).

        Only the current batch is kept in memory; everything else is in the cache.
        """
        self._entries = {}
        self._look_up(artist_ids)

    def _look_up(self, artist_ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(artist_ids))
        missing = []
        for artist_id in ids:
            entry = self.cache.get(artist_id)
            if entry is None:
                missing.append(artist_id)
            else:
                self._entries[artist_id] = entry
        if missing:
            for artist_id, linked in self.client.linked_artists(missing).items():
                entry = Entry(tuple(linked))
                self.cache.put(artist_id, entry)
                self._entries[artist_id] = entry

    def genres(self, artist_id: str, name: str) -> Choice:
        """The artist's MusicBrainz genres, else its tags, else the reason for skipping it."""
        entry = self._entries.get(artist_id)
        if entry is None:  # not linked with its batch (a caller that skipped `link`)
            self._look_up([artist_id])
            entry = self._entries[artist_id]
        chosen = pick_artist(entry.linked, name)
        if chosen is None:
            return Choice(reason=R.NOT_ON_MUSICBRAINZ)
        tags = entry.tags if entry.tags is not None and entry.tags.mbid == chosen.mbid else None
        if tags is None:
            tags = self.client.artist_tags(chosen.mbid)
            if tags is None:
                # The link leads to an artist MusicBrainz no longer has (deleted just now).
                self.cache.put(artist_id, Entry(()))
                return Choice(reason=R.NOT_ON_MUSICBRAINZ)
            self.cache.put(artist_id, Entry(entry.linked, tags))
        if tags.genres:
            return Choice(tags.genres, MUSICBRAINZ)
        if tags.tags:
            return Choice(tags.tags, MUSICBRAINZ_TAGS)
        return Choice(reason=R.NO_MUSICBRAINZ_GENRES)


class GenreChooser:
    """Applies `--genres` and `--genres-file` to each artist of a batch."""

    def __init__(self, mode: str, file: GenresFile | None = None,
                 musicbrainz: MusicBrainzGenres | None = None):
        self.mode = mode
        self.file = file.genres if file is not None else {}
        self.musicbrainz = musicbrainz

    def may_ask_musicbrainz(self, artist_ids: Iterable[str]) -> bool:
        """Whether scraping these artists might need MusicBrainz (decided before any request)."""
        return self.mode != SPOTIFY and any(a not in self.file for a in artist_ids)

    def _wants_musicbrainz(self, artist_id: str, artist: Mapping) -> bool:
        if artist_id in self.file or self.mode == SPOTIFY:
            return False
        return self.mode == MUSICBRAINZ or not R.genres_of(artist)

    def prepare(self, artists: Mapping[str, Mapping]) -> None:
        """Look up, in as few requests as possible, the artists of a batch that need MusicBrainz."""
        wanted = [a for a, artist in artists.items() if self._wants_musicbrainz(a, artist)]
        if wanted and self.musicbrainz is not None:
            self.musicbrainz.link(wanted)

    def choose(self, artist_id: str, artist: Mapping) -> Choice:
        """The genres for one artist that Spotify knows (`artist` is its Spotify object)."""
        if artist_id in self.file:
            return Choice(self.file[artist_id], FILE)
        if self._wants_musicbrainz(artist_id, artist):
            if self.musicbrainz is None:
                raise RuntimeError("MusicBrainz is needed but was not set up")
            return self.musicbrainz.genres(artist_id, str(artist.get("name") or ""))
        genres = R.genres_of(artist)
        if genres is None:
            return Choice(reason=R.GENRES_NOT_REPORTED)
        if not genres:
            # The study kept an artist only with a non-empty genre list.
            return Choice(reason=R.NO_GENRES)
        return Choice(tuple(genres), SPOTIFY)

    def retry(self, artist_id: str, reason: str) -> bool:
        """Whether an artist skipped earlier for `reason` may get genres with these settings.

        A skip for lack of genres only holds for the sources that were asked: an artist that
        Spotify gave no genres is worth another look once MusicBrainz or the genres file may
        have some, and one that MusicBrainz had nothing for once Spotify is asked instead.
        """
        if reason not in _SPOTIFY_REASONS + _MUSICBRAINZ_REASONS:
            return False
        if artist_id in self.file:
            return True
        if reason in _SPOTIFY_REASONS:
            return self.mode != SPOTIFY
        return self.mode == SPOTIFY
