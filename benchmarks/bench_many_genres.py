"""A data set the size of Hugging Face's "spotify tracks" (114,000 songs in 114 genres), made by
resampling the study's real songs, built cold in the quick and the full profile.

    .venv/bin/python benchmarks/bench_many_genres.py [--profile quick|full|both] [--songs N]

Each song's label is the first of its artist's Spotify genre tags; the 114 commonest tags are
kept, and songs are drawn from them with replacement (each copy gets a track id of its own, so
exact de-duplication keeps it; the audit sees the copies as twins, as they are). The study file
is written beside the data. Figures (wall and CPU time, peak memory of the process tree, stage
times) go to benchmarks/out/many-genres-<profile>.{json,md}, as bench_full_build.py writes them.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_full_build as bench  # noqa: E402  (the shared runner)

SONGS = 114_000
GENRES = 114
SEED = 7
FEATURES = ["acousticness", "danceability", "energy", "instrumentalness", "liveness", "loudness",
            "mode", "speechiness", "tempo", "time_signature", "valence"]


def make_dataset(mirror: Path, folder: Path, songs: int = SONGS, genres: int = GENRES) -> Path:
    """Write songs.parquet and study.toml into `folder`; returns the study file."""
    from genrereport import clean, load, sources

    frame = clean.clean(load.load(sources.from_folder(mirror, sources.load_registry())).frame)[0]
    first = frame["genre"].map(lambda text: (ast.literal_eval(text) or [None])[0])
    frame = frame.assign(label=first).dropna(subset=["label"])
    top = frame["label"].value_counts().head(genres).index
    pool = frame[frame["label"].isin(top)]
    rng = np.random.RandomState(SEED)
    sample = pool.iloc[rng.randint(0, len(pool), songs)].reset_index(drop=True)
    sample["track_id"] = sample["track_id"] + "-" + sample.index.astype(str)
    sample.drop(columns=["genre"]).to_parquet(folder / "songs.parquet", index=False)
    study = folder / "study.toml"
    study.write_text(f"""[study]
title = "{genres} genres, {songs:,} songs (resampled from the 2018 pulls)"
[data]
paths = ["songs.parquet"]
[columns]
track_id = "track_id"
title = "track_name"
artist = "artist_name"
label = "label"
[features]
use = {json.dumps(FEATURES)}
""", encoding="utf-8")
    return study


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="both", choices=("quick", "full", "both"))
    p.add_argument("--songs", type=int, default=SONGS)
    p.add_argument("--genres", type=int, default=GENRES)
    p.add_argument("--data", type=Path, default=None, help="the 2018 pulls to resample")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args(argv)
    mirror = args.data or bench.default_data_dir()
    folder = Path(tempfile.mkdtemp(prefix="genrereport-many-"))
    study = make_dataset(mirror, folder, args.songs, args.genres)
    bench.OUT.mkdir(parents=True, exist_ok=True)
    code = 0
    for profile in (("quick", "full") if args.profile == "both" else (args.profile,)):
        label = f"many-genres-{profile}"
        result = bench.run(profile, folder, args.keep, ["--study", str(study)], label)
        result["data"] = f"{args.songs:,} songs in {args.genres} genres, resampled"
        bench.publish(label, result, bench.markdown(result))
        code = code or (0 if result["returncode"] == 0 else 1)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
