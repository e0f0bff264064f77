"""Small hand-made pulls for tests: the study's CSV layout with rows the test chooses."""

from __future__ import annotations

import csv
from pathlib import Path

from genrereport.schema import PULL_COLUMNS

BASE_SONG = {
    "acousticness": 0.5, "artist_name": "Artist", "artist_uri": "spotify:artist:000",
    "danceability": 0.5, "energy": 0.5, "genre": "['pop']", "instrumentalness": 0.0, "key": 5,
    "liveness": 0.1, "loudness": -7.0, "mode": 1, "popularity": 50, "speechiness": 0.05,
    "tempo": 120.0, "time_signature": 4, "track_id": "t000", "track_name": "Song", "valence": 0.5,
}


def song(i: int = 0, **overrides) -> dict:
    """One valid row; `i` makes ids and names unique so rows are not duplicates."""
    row = dict(BASE_SONG, artist_uri=f"spotify:artist:{i:03d}", track_id=f"t{i:03d}",
               track_name=f"Song {i}", artist_name=f"Artist {i}")
    row.update(overrides)
    return row


def write_pull(path: Path, rows: list[dict], columns=PULL_COLUMNS, index: bool = True) -> Path:
    """Write rows as a pull: an unnamed index column first, like pandas' to_csv."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(([""] if index else []) + list(columns))
        for i, r in enumerate(rows):
            w.writerow(([i] if index else []) + [r.get(c, "") for c in columns])
    return path


def varied_songs(n: int = 240) -> list[dict]:
    """n valid songs spread over four genres with distinct feature profiles (enough to train on)."""
    import random

    rng = random.Random(7)
    genres = [("['dance pop']", 0.8, 0.1), ("['album rock']", 0.5, 0.2),
              ("['baroque']", 0.2, 0.9), ("['gangster rap']", 0.85, 0.1)]
    rows = []
    for i in range(n):
        g, dance, acoustic = genres[i % len(genres)]
        rows.append(song(i, genre=g,
                         danceability=round(min(1, max(0, rng.gauss(dance, 0.1))), 3),
                         acousticness=round(min(1, max(0, rng.gauss(acoustic, 0.1))), 3),
                         energy=round(rng.random(), 3), valence=round(rng.random(), 3),
                         tempo=round(rng.uniform(60, 180), 3), loudness=round(rng.uniform(-20, -2), 3),
                         mode=rng.randint(0, 1), key=rng.randint(0, 11),
                         time_signature=rng.choice([3, 4, 4, 4, 5])))
    return rows
