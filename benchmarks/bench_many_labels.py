"""How heavy the site is for many labels in few songs: 200 labels, 2,000 songs, quick profile.

    .venv/bin/python benchmarks/bench_many_labels.py [--labels 200] [--songs 2000] [--keep]
    .venv/bin/python benchmarks/bench_many_labels.py --site DIR   # only measure a built site

Writes a synthetic CSV (a track id, a label column and the Spotify audio features; each label's songs drawn
around a centre of its own, so the models find something), builds it cold with
`genrereport build --data songs.csv --label label --profile quick`, then prints the size of the
site folder, of its results.json, the largest subtrees of results.json by serialized size and
the largest files. Target: a site of at most 30 MB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

LABELS = 200
SONGS = 2_000
SEED = 11
TARGET_MB = 30
# Label names as long as Spotify's genre tags ("progressive metal", "deep hip hop"): the names
# are repeated in every per-genre and per-pair view, so their length counts.
ADJECTIVES = ["deep", "modern", "indie", "alternative", "progressive", "classic", "dark",
              "melodic", "experimental", "southern"]
STYLES = ["rock", "pop", "hip hop", "jazz", "metal", "folk", "house", "trap", "soul", "punk",
          "country", "techno", "blues", "reggae", "ambient", "emo", "funk", "gospel", "disco",
          "grunge"]
UNIT = ["danceability", "energy", "speechiness", "acousticness", "instrumentalness", "liveness",
        "valence"]


def make_dataset(path: Path, songs: int = SONGS, labels: int = LABELS, seed: int = SEED) -> Path:
    """Write `songs` rows spread evenly over `labels` labels (each gets at least songs // labels)."""
    rng = np.random.RandomState(seed)
    label = np.arange(songs) % labels
    centre = rng.rand(labels, len(UNIT))
    frame = pd.DataFrame(np.clip(centre[label] + rng.normal(0, 0.12, (songs, len(UNIT))), 0, 1),
                         columns=UNIT).round(4)
    frame["key"] = rng.randint(0, 12, songs)
    frame["loudness"] = (-25 + 22 * rng.rand(labels)[label] + rng.normal(0, 2, songs)).round(3)
    frame["mode"] = rng.randint(0, 2, songs)
    frame["tempo"] = (70 + 110 * rng.rand(labels)[label] + rng.normal(0, 10, songs)).round(3)
    frame["duration_ms"] = rng.randint(90_000, 400_000, songs)
    frame["time_signature"] = rng.choice([3, 4, 4, 4, 5], songs)
    names = [f"{ADJECTIVES[i % len(ADJECTIVES)]} {STYLES[i // len(ADJECTIVES) % len(STYLES)]}"
             + (f" {i // (len(ADJECTIVES) * len(STYLES)) + 1}"
                if i >= len(ADJECTIVES) * len(STYLES) else "") for i in range(labels)]
    frame.insert(0, "label", [names[i] for i in label])
    frame.insert(0, "track_id", [f"t{i:05d}" for i in range(songs)])
    frame.to_csv(path, index=False)
    return path


def largest_subtrees(obj, path: str = "", depth: int = 3) -> list[tuple[int, str]]:
    """(serialized bytes, path) of every subtree down to `depth` levels."""
    out = [(len(json.dumps(obj, separators=(",", ":"))), path or "/")]
    if depth and isinstance(obj, dict):
        for key, value in obj.items():
            out += largest_subtrees(value, f"{path}/{key}", depth - 1)
    elif depth and isinstance(obj, list) and obj and isinstance(obj[0], (dict, list)):
        out += largest_subtrees(obj[0], f"{path}/[0]", depth - 1)
    return out


def measure(site: Path, top: int = 15) -> dict:
    """Print and return the site's size, results.json's size and what dominates each."""
    files = [p for p in site.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    results_path = site / "results.json"
    results_bytes = results_path.stat().st_size
    print(f"site: {total / 1e6:.2f} MB in {len(files)} files ({site})")
    print(f"results.json: {results_bytes / 1e6:.2f} MB")
    results = json.loads(results_path.read_text(encoding="utf-8"))
    print("\nlargest subtrees of results.json:")
    subtrees = sorted(largest_subtrees(results), reverse=True)[1:top + 1]
    for size, path in subtrees:
        print(f"  {size / 1e6:8.3f} MB  {path}")
    print("\nlargest files:")
    for p in sorted(files, key=lambda p: -p.stat().st_size)[:top]:
        print(f"  {p.stat().st_size / 1e6:8.3f} MB  {p.relative_to(site)}")
    by_kind: dict[str, int] = {}
    for p in files:
        by_kind[p.suffix] = by_kind.get(p.suffix, 0) + p.stat().st_size
    print("\nby suffix: " + ", ".join(f"{k or '(none)'} {v / 1e6:.2f} MB"
                                      for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1])))
    verdict = "within" if total <= TARGET_MB * 1e6 else "OVER"
    print(f"\n{verdict} the {TARGET_MB} MB target")
    return {"site_bytes": total, "results_bytes": results_bytes, "files": len(files)}


def build(folder: Path, songs: int, labels: int) -> Path:
    """Build the synthetic study cold into folder/site; returns the site folder."""
    data = make_dataset(folder / "songs.csv", songs, labels)
    site, cache = folder / "site", folder / "cache"
    cmd = [sys.executable, "-m", "genrereport", "build", "--data", str(data), "--label", "label",
           "--profile", "quick", "--out", str(site), "--cache-dir", str(cache)]
    started = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True)
    print(f"build: exit {done.returncode} after {time.monotonic() - started:.0f} s")
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        raise SystemExit(done.returncode)
    return site


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--labels", type=int, default=LABELS)
    p.add_argument("--songs", type=int, default=SONGS)
    p.add_argument("--site", type=Path, help="measure this built site instead of building")
    p.add_argument("--keep", action="store_true", help="keep the data, cache and site")
    args = p.parse_args(argv)
    if args.site:
        result = measure(args.site)
    else:
        folder = Path(tempfile.mkdtemp(prefix="genrereport-labels-"))
        try:
            result = measure(build(folder, args.songs, args.labels))
        finally:
            if args.keep:
                print(f"kept: {folder}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
    return 0 if result["site_bytes"] <= TARGET_MB * 1e6 else 1


if __name__ == "__main__":
    raise SystemExit(main())
