"""The canned catalog the scrape tests run against, and the artist-list files that point at it."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

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


@dataclass
class Expect:
    """What the scrape should produce for one input artist."""

    artist_id: str
    name: str
    row: bool
    reason: str = ""
    track_id: str = ""
    fallback_track_id: str = ""  # the track when top-tracks is unavailable


def build(extra: int = 0) -> tuple[list[Artist], list[Expect], dict[str, dict]]:
    """Artists for the fake API, the expected outcome per input artist, and all features.

    `extra` adds that many plain artists (for runs that need many batches).
    """
    artists: list[Artist] = []
    expect: list[Expect] = []
    features: dict[str, dict] = {}
    n = 0

    def add_normal(name: str, genres: list[str], title: str) -> None:
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
        expect.append(Expect(aid, name, True, track_id=top[0].id, fallback_track_id=own.id))

    for name, genres, title in NORMAL:
        add_normal(name, genres, title)

    # An artist without genres: skipped before any track lookup (the study's rule).
    aid = sid("nogenre", 1)
    artists.append(Artist(aid, "No Genre Person", [], top_tracks=[
        Track(sid("trknog", 1), "Untagged", [aid], features=features_for(1))]))
    expect.append(Expect(aid, "No Genre Person", False, "no genres"))

    # An artist with genres but no tracks at all.
    aid = sid("notracks", 1)
    artists.append(Artist(aid, "Silent Artist", ["jazz"], top_tracks=[], albums=[]))
    expect.append(Expect(aid, "Silent Artist", False, "no tracks"))

    # An artist Spotify does not know.
    expect.append(Expect(sid("missing", 1), "Ghost", False, "not found"))

    # An artist whose track has no audio features anywhere.
    aid = sid("nofeat", 1)
    bare = Track(sid("trknof", 1), "Featureless", [aid], features=None)
    bare_album = Track(sid("trknofalb", 1), "Featureless (album)", [aid], features=None)
    artists.append(Artist(aid, "Featureless Artist", ["lo-fi"], top_tracks=[bare],
                          albums=[[bare_album]]))
    expect.append(Expect(aid, "Featureless Artist", False, "features unavailable"))

    for k in range(extra):
        add_normal(f"Extra Artist {k + 1}", [EXTRA_GENRES[k % len(EXTRA_GENRES)]],
                   f"Extra Song {k + 1}")
    return artists, expect, features


def write_study_list(path: Path, expect: list[Expect]) -> Path:
    """The study's headerless `name,uri` artist list."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for e in expect:
            w.writerow([e.name, f"spotify:artist:{e.artist_id}"])
    return path
