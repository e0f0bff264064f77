"""Forests in stages side by side on 114 genres: the build process's peak memory, before and after.

On the 114-genre set a chunk of trees takes about the whole tree budget (1 GB, forest.TREES),
yet the full-profile build went more than 1 GB past what its trees held. This benchmark runs
three forest stages of the real songs resampled into 114 genres (bench_many_genres.py) through
the build's own scheduler, as the models' and the audit's forests run: two side by side, then a
third after the first. Each run is a child process under `/usr/bin/time -v`, with the code of
each `--before REF` (in a temporary git worktree, same venv) and then with this tree.

    .venv/bin/python benchmarks/bench_forest_memory.py --before c34413f 1f747e0
    .venv/bin/python benchmarks/bench_forest_memory.py --trees 20        # a quick look

Writes benchmarks/out/forest-memory.md and .json: wall and CPU seconds, peak resident memory,
what was still resident once the forests had ended, and a digest of the three forests'
probabilities (the same for every version: memory changes, not results).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_full_build as bench  # noqa: E402  (GNU time's report, worktrees, commits)
import bench_many_genres as many  # noqa: E402  (the 114-genre data set)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def scenario(songs: Path, trees: int) -> dict:
    """Three forest stages in one build (two side by side, a third after the first)."""
    import numpy as np
    import pandas as pd

    from genrereport import cache, pipeline
    from genrereport.models import forest
    from genrereport.progress import Reporter
    from genrereport.settings import Settings

    frame = pd.read_parquet(songs)
    X = frame[many.FEATURES].to_numpy(np.float32)
    y = pd.factorize(frame["label"], sort=True)[0]
    n_classes = int(y.max()) + 1
    order = np.random.RandomState(0).permutation(len(X))
    # the models' split: 60% to fit, 20% and 20% to evaluate
    train, val, test = np.split(order, [int(0.6 * len(X)), int(0.8 * len(X))])
    digests: dict[str, str] = {}

    def stage(seed: int):
        def compute(*_upstream, settings):
            jobs = settings.share() if hasattr(settings, "share") else settings.n_jobs
            grown = forest.grow_forest(X[train], y[train], {"val": X[val], "test": X[test]},
                                       trees, n_classes=n_classes, seed=seed, chunk=500,
                                       n_jobs=jobs, params={"max_features": "sqrt"})
            digests[str(seed)] = hashlib.sha256(
                grown.proba["val"].tobytes() + grown.proba["test"].tobytes()).hexdigest()[:16]
            return {"trees": grown.n_trees}
        return compute

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(cache_dir=Path(tmp) / "cache", n_jobs=2)
        b = pipeline.Build(settings, Reporter(quiet=True), cache.StageCache(settings.cache_dir))
        b.define("first", (), stage(1))
        b.define("second", (), stage(2))
        b.define("after-first", ("first",), stage(3))
        samples = [_rss_mb()]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append(_rss_mb())
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start_mb = samples[0]
        b.compute(["second", "after-first"], jobs=2)
        done.set()
        sampler.join()
        end_mb = _rss_mb()
    digest = hashlib.sha256("".join(digests[k] for k in sorted(digests)).encode()).hexdigest()
    return {"start_mb": round(start_mb), "sampled_peak_mb": round(max(samples)),
            "end_mb": round(end_mb), "proba_sha256": digest[:16]}


def run(tree: Path, songs: Path, args) -> dict:
    """The scenario in a child process of `tree`'s code, under GNU time."""
    fd, result = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    cmd = ["/usr/bin/time", "-v", sys.executable, __file__, "--scenario", result,
           "--songs", str(songs), "--trees", str(args.trees)]
    proc = subprocess.run(cmd, env=dict(os.environ, PYTHONPATH=str(tree)), capture_output=True,
                          text=True)
    if proc.returncode != 0:
        sys.exit(f"the scenario failed with {tree}'s code:\n{proc.stderr[-2000:]}")
    out = json.loads(Path(result).read_text())
    os.unlink(result)
    t = bench.parse_time(proc.stderr)
    return {"commit": bench._commit(tree), "wall_s": bench.clock_seconds(t.get("wall_clock", "0")),
            "cpu_s": round(t.get("user_seconds", 0.0) + t.get("system_seconds", 0.0), 1),
            "peak_mb": round((t.get("max_rss_kb") or 0) / 1024), **out}


def markdown(runs: list[dict], args) -> str:
    lines = [f"# Three forest stages on 114 genres ({args.trees} trees each, 2 cores)", "",
             "| commit | wall s | CPU s | peak RSS MB | at start MB | after the forests MB "
             "| probabilities |", "|---|---:|---:|---:|---:|---:|---|"]
    for r in runs:
        lines.append(f"| {r['commit']} | {r['wall_s']} | {r['cpu_s']} | {r['peak_mb']} | "
                     f"{r['start_mb']} | {r['end_mb']} | {r['proba_sha256']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REF", nargs="*", default=[],
                        help="also run these commits' code first, in this order")
    parser.add_argument("--trees", type=int, default=96,
                        help="trees per forest (96: two chunks of the 1 GB budget)")
    parser.add_argument("--data", type=Path, default=bench.default_data_dir(),
                        help="the mirror of the study's pulls")
    parser.add_argument("--scenario", metavar="JSON", help=argparse.SUPPRESS)
    parser.add_argument("--songs", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scenario:
        Path(args.scenario).write_text(json.dumps(scenario(args.songs, args.trees)))
        return 0
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        many.make_dataset(args.data, Path(tmp))
        songs = Path(tmp) / "songs.parquet"
        for ref in args.before:
            with bench.checkout(ref) as tree:
                runs.append(run(tree, songs, args))
        runs.append(run(ROOT, songs, args))
    bench.publish("forest-memory", runs, markdown(runs, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
