"""Two forests taking turns on the tree budget: the cores they use, before and after a change.

On the 114-genre set a chunk of trees takes about the whole tree budget (models/tree_memory.py),
so two forests growing in stages side by side take turns. This benchmark reproduces that on
synthetic data: two forests' stages in a build of 2 cores, with a budget that holds one chunk
at a time. Each build runs under `/usr/bin/time -v`, first with the code of `--before REF`
(checked out in a temporary git worktree, with the same venv), then with this tree.

    .venv/bin/python benchmarks/bench_forest_turns.py --before f14bf1e
    .venv/bin/python benchmarks/bench_forest_turns.py --rows 5000 --trees 10   # a quick look

Writes benchmarks/out/forest-turns.md and .json: wall and CPU seconds, CPU / wall (2.0 means
both cores busy), the workers each chunk was grown with, and a digest of both forests'
probabilities (the same before and after: turns change when a chunk grows, not what it grows).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_full_build as bench  # noqa: E402  (GNU time's report, worktrees, commits)


def scenario(rows: int, genres: int, trees: int, chunk: int) -> dict:
    """Both forests' stages side by side in one process, as the build's scheduler runs them."""
    import numpy as np
    from sklearn.datasets import make_classification

    from genrereport import scheduler
    from genrereport.models import forest, tree_memory

    X, y = make_classification(n_samples=rows, n_features=12, n_informative=8,
                               n_clusters_per_class=1, n_classes=genres, random_state=0)
    cores = scheduler.Cores(2)
    # The stage's share as each version of the code hands it to a forest: a Share with its
    # turns where there is one, else the plain function read before each chunk.
    share = scheduler.Share(cores, 2) if hasattr(scheduler, "Share") else cores.share
    # Room for one chunk at a time: the 114-genre set's chunks each take about the whole budget.
    forest.TREES = tree_memory.TreeBudget(1.0)
    workers: list[int] = []
    real_chunk = forest._chunk

    def chunk_seen(k, rng, n_jobs, *rest):
        workers.append(n_jobs)
        return real_chunk(k, rng, n_jobs, *rest)

    forest._chunk = chunk_seen
    grown = {}
    both_in = threading.Barrier(2)

    def stage(seed: int) -> None:
        cores.enter()  # as scheduler.share does around each stage
        try:
            both_in.wait()
            grown[seed] = forest.grow_forest(X, y, {"x": X}, trees, n_classes=genres,
                                             seed=seed, chunk=chunk, n_jobs=share)
        finally:
            cores.leave()

    threads = [threading.Thread(target=stage, args=(seed,)) for seed in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    digest = hashlib.sha256(b"".join(np.ascontiguousarray(grown[s].proba["x"]).tobytes()
                                     for s in (1, 2))).hexdigest()[:16]
    return {"workers": workers, "proba_sha256": digest,
            "seconds": {s: round(grown[s].seconds, 1) for s in (1, 2)}}


def run(tree: Path, args) -> dict:
    """The scenario in a child process of `tree`'s code, under GNU time."""
    fd, result = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    cmd = ["/usr/bin/time", "-v", sys.executable, __file__, "--scenario", result,
           "--rows", str(args.rows), "--genres", str(args.genres), "--trees", str(args.trees),
           "--chunk", str(args.chunk)]
    env = dict(os.environ, PYTHONPATH=str(tree))
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"the scenario failed with {tree}'s code:\n{proc.stderr[-2000:]}")
    out = json.loads(Path(result).read_text())
    os.unlink(result)
    t = bench.parse_time(proc.stderr)
    cpu = t.get("user_seconds", 0.0) + t.get("system_seconds", 0.0)
    wall = bench.clock_seconds(t.get("wall_clock", "0:0"))
    return {"commit": bench._commit(tree), "wall_s": wall, "cpu_s": round(cpu, 1),
            "cpu_per_wall": round(cpu / wall, 2) if wall else None,
            "max_rss_kb": t.get("max_rss_kb"), **out}


def markdown(runs: dict, args) -> str:
    lines = [f"# Two forests taking turns ({args.rows} rows, {args.genres} genres, "
             f"{args.trees} trees each, chunks of {args.chunk}, 2 cores)", "",
             "| build | commit | wall s | CPU s | CPU / wall | chunks on 2 workers | "
             "peak RSS MB | probabilities |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for name, r in runs.items():
        two = sum(w >= 2 for w in r["workers"])
        lines.append(f"| {name} | {r['commit']} | {r['wall_s']} | {r['cpu_s']} | "
                     f"{r['cpu_per_wall']} | {two} of {len(r['workers'])} | "
                     f"{(r['max_rss_kb'] or 0) / 1024:.0f} | {r['proba_sha256']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REF", help="also run this commit's code first")
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--genres", type=int, default=114)
    parser.add_argument("--trees", type=int, default=40)
    parser.add_argument("--chunk", type=int, default=5)
    parser.add_argument("--scenario", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scenario:
        Path(args.scenario).write_text(json.dumps(scenario(args.rows, args.genres, args.trees,
                                                           args.chunk)))
        return 0
    runs = {}
    if args.before:
        with bench.checkout(args.before) as tree:
            runs["before"] = run(tree, args)
    runs["after"] = run(ROOT, args)
    bench.publish("forest-turns", runs, markdown(runs, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
