"""The canned catalog the scrape tests run against (Spotify and MusicBrainz), what a scrape should
make of each artist, and the artist-list files that point at it."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakes.musicbrainz import MBArtist, mbid
from tests.fakes.spotify import Artist, Track, features_for, sid

# (name, genres, top track name): unicode, commas and quotes on purpose.
NORMAL = [
    ("Björk", ["art pop", "icelandic pop"], "Jóga"),
    ("坂本龍一", ["japanese classical", "ambient"], "戦場のメリークリスマス"),
    ("Beyoncé", ["pop", "r&b"], "Halo"),
    ("Sigur Rós", ["icelandic rock", "post-rock"], "Hoppípolla"),
    ("Motörhead", ["metal", "hard rock"], "Ace of Spades"),
    ("Earth, Wind & Fire", ["funk", "disco"], "September"),
    ('The "Quoted" Band', ["indie rock"], 'Song, with "quotes"'),
    ("Drake", ["canadian hip hop", "rap"], "God's Plan"),
    ("Ибица", ["russian pop"], "Ночь"),
    ("Ólafur Arnalds", ["neo-classical"], "Near Light"),
]


# One genre per target of the study's binning rules, so a big fake scrape has every class.
EXTRA_GENRES = ["dance pop", "modern rock", "smooth jazz", "death metal", "deep house",
                "contemporary country", "southern hip hop", "baroque", "classic soul",
                "reggaeton", "christian worship", "sleep"]


# What MusicBrainz has for the NORMAL artists: (genres, tags), each {name: votes}. Ибица has no
# MusicBrainz entry; two artists have tags only; Björk's Spotify link also leads to a second
# MusicBrainz artist, which the scraper must not take (it picks the one named like the artist).
MUSICBRAINZ = {
    "Björk": ({"art pop": 5, "electronic": 3, "experimental": 1}, {"art pop": 5, "icelandic": 4}),
    "坂本龍一": ({"ambient": 4, "contemporary classical": 4}, {}),
    "Beyoncé": ({"contemporary r&b": 8, "pop": 10}, {"pop": 10, "seen live": 2}),
    "Sigur Rós": ({}, {"post-rock": 7, "icelandic": 3, "downvoted": 0}),
    "Motörhead": ({"heavy metal": 6, "hard rock": 4}, {}),
    "Earth, Wind & Fire": ({"funk": 5, "disco": 4, "soul": 3}, {}),
    'The "Quoted" Band': ({}, {"indie rock": 1}),
    "Drake": ({"hip hop": 9, "pop rap": 5}, {}),
    "Ólafur Arnalds": ({"neo-classical": 3, "ambient": 2}, {}),
}
BJORK_TRIO = "Björk Guðmundsdóttir & tríó Guðmundar Ingólfssonar"

NOT_ON_MUSICBRAINZ = "not on MusicBrainz"
NO_MUSICBRAINZ_GENRES = "no genres or tags on MusicBrainz"


def ranked(votes: dict[str, int]) -> list[str]:
    """Names with votes, most votes first (ties by name): the order the scraper writes."""
    return [name for name, n in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])) if n > 0]


@dataclass(frozen=True)
class Outcome:
    row: bool
    reason: str = ""
    genres: tuple[str, ...] = ()
    source: str = ""


@dataclass
class Expect:
    """One input artist: what each source knows of it, and the track it should get."""

    artist_id: str
    name: str
    known: bool = True                     # Spotify knows the artist
    spotify_genres: list[str] | None = None  # None: no genres field in the artist object
    mb_genres: dict[str, int] | None = None  # None: no MusicBrainz entry for its Spotify link
    mb_tags: dict[str, int] = field(default_factory=dict)
    later_reason: str = ""                 # the skip reason once it has genres ("no tracks", ...)
    track_id: str = ""
    fallback_track_id: str = ""  # the track when top-tracks is unavailable

    def outcome(self, genres: str = "auto", dev: bool = False,
                file: dict[str, list[str]] | None = None) -> Outcome:
        """What a scrape with `--genres genres` should make of this artist.

        `dev`: Spotify answers as to a Development Mode app (no genres); `file`: a genres file.
        """
        if not self.known:
            return Outcome(False, "not found")
        spotify = None if dev else self.spotify_genres
        if file and self.artist_id in file:
            found = Outcome(True, genres=tuple(file[self.artist_id]), source="file")
        elif genres == "spotify" or (genres == "auto" and spotify):
            if spotify is None:
                return Outcome(False, "genres not reported")
            if not spotify:
                return Outcome(False, "no genres")
            found = Outcome(True, genres=tuple(spotify), source="spotify")
        elif self.mb_genres is None:
            return Outcome(False, NOT_ON_MUSICBRAINZ)
        elif ranked(self.mb_genres):
            found = Outcome(True, genres=tuple(ranked(self.mb_genres)), source="musicbrainz")
        elif ranked(self.mb_tags):
            found = Outcome(True, genres=tuple(ranked(self.mb_tags)), source="musicbrainz-tags")
        else:
            return Outcome(False, NO_MUSICBRAINZ_GENRES)
        if self.later_reason:
            return Outcome(False, self.later_reason)
        return found

    @property
    def row(self) -> bool:
        """With the default settings (`--genres auto`) against the full Web API."""
        return self.outcome().row

    @property
    def reason(self) -> str:
        return self.outcome().reason


@dataclass
class World:
    """Everything the fakes serve."""

    spotify: list[Artist]
    musicbrainz: list[MBArtist]
    links: dict[str, list[str]]  # Spotify artist id -> MusicBrainz ids
    expect: list[Expect]
    features: dict[str, dict]


def build(extra: int = 0) -> World:
    """Artists for the fake APIs, the expected outcome per input artist, and all features.

    `extra` adds that many plain artists (for runs that need many batches).
    """
    artists: list[Artist] = []
    mb: list[MBArtist] = []
    links: dict[str, list[str]] = {}
    expect: list[Expect] = []
    features: dict[str, dict] = {}
    n = 0

    def on_musicbrainz(spotify_id: str, name: str, genres: dict, tags: dict,
                       artist_mbid: str | None = None) -> None:
        entry = MBArtist(artist_mbid or mbid(name), name, dict(genres), dict(tags))
        mb.append(entry)
        links.setdefault(spotify_id, []).append(entry.mbid)

    def add_normal(name: str, genres: list[str], title: str,
                   mb_data: tuple[dict, dict] | None) -> None:
        nonlocal n
        n += 1
        aid = sid("artist", n)
        top = [Track(sid("track", 100 * n + k), f"{title}" if k == 0 else f"{title} (live)",
                     [aid], popularity=60 + k, features=features_for(100 * n + k))
               for k in range(2)]
        # An album whose first track is someone else's: the fallback must pick the artist's own.
        other = Track(sid("trkother", n), "Guest song", [sid("guest", n)], features=features_for(n))
        own = Track(sid("trkalbum", n), f"{title} (album)", [aid], features=features_for(5000 + n))
        artists.append(Artist(aid, name, genres, popularity=30 + n, top_tracks=top,
                              albums=[[other, own]]))
        for t in top + [other, own]:
            features[t.id] = t.features
        if name == "Björk":
            # Listed first and with the lowest id, so that taking the first linked artist, in
            # either order, would be wrong.
            on_musicbrainz(aid, BJORK_TRIO, {"jazz": 3}, {},
                           artist_mbid="00000000-0000-4000-8000-000000000001")
        if mb_data is not None:
            # MusicBrainz spells Björk with a combining diaeresis (NFD); still the same name.
            mb_name = unicodedata.normalize("NFD", name) if name == "Björk" else name
            on_musicbrainz(aid, mb_name, *mb_data)
        expect.append(Expect(aid, name, spotify_genres=genres,
                             mb_genres=None if mb_data is None else mb_data[0],
                             mb_tags={} if mb_data is None else mb_data[1],
                             track_id=top[0].id, fallback_track_id=own.id))

    for name, genres, title in NORMAL:
        add_normal(name, genres, title, MUSICBRAINZ.get(name))

    # An artist without genres: skipped before any track lookup (the study's rule). MusicBrainz
    # knows it, but has neither genres nor tags for it.
    aid = sid("nogenre", 1)
    untagged = Track(sid("trknog", 1), "Untagged", [aid], features=features_for(1))
    untagged_album = Track(sid("trknogalb", 1), "Untagged (album)", [aid],
                           features=features_for(2))
    artists.append(Artist(aid, "No Genre Person", [], top_tracks=[untagged],
                          albums=[[untagged_album]]))
    features.update({t.id: t.features for t in (untagged, untagged_album)})
    on_musicbrainz(aid, "No Genre Person", {}, {})
    expect.append(Expect(aid, "No Genre Person", spotify_genres=[], mb_genres={}))

    # An artist with genres but no tracks at all.
    aid = sid("notracks", 1)
    artists.append(Artist(aid, "Silent Artist", ["jazz"], top_tracks=[], albums=[]))
    on_musicbrainz(aid, "Silent Artist", {"jazz": 2}, {})
    expect.append(Expect(aid, "Silent Artist", spotify_genres=["jazz"], mb_genres={"jazz": 2},
                         later_reason="no tracks"))

    # An artist Spotify does not know.
    expect.append(Expect(sid("missing", 1), "Ghost", known=False))

    # An artist whose track has no audio features anywhere.
    aid = sid("nofeat", 1)
    bare = Track(sid("trknof", 1), "Featureless", [aid], features=None)
    bare_album = Track(sid("trknofalb", 1), "Featureless (album)", [aid], features=None)
    artists.append(Artist(aid, "Featureless Artist", ["lo-fi"], top_tracks=[bare],
                          albums=[[bare_album]]))
    on_musicbrainz(aid, "Featureless Artist", {"lo-fi": 1}, {})
    expect.append(Expect(aid, "Featureless Artist", spotify_genres=["lo-fi"],
                         mb_genres={"lo-fi": 1}, later_reason="features unavailable"))

    for k in range(extra):
        genre = EXTRA_GENRES[k % len(EXTRA_GENRES)]
        add_normal(f"Extra Artist {k + 1}", [genre], f"Extra Song {k + 1}", ({genre: 1}, {}))
    return World(artists, mb, links, expect, features)


def write_study_list(path: Path, expect: list[Expect]) -> Path:
    """The study's headerless `name,uri` artist list."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for e in expect:
            w.writerow([e.name, f"spotify:artist:{e.artist_id}"])
    return path
