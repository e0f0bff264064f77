"""What the permutation importances cost the forest: the study's final forest (100-tree
chunks, max_features sqrt) grown on the 2018 study's training songs for a few chunks, with and
without the shuffled test songs it also scores, in one run. The full profile's 5,000 trees are
50 such chunks; XGBoost and the logistic regression each predict the shuffled songs once.

    python benchmarks/bench_permutation.py --cache CACHE [--chunks 5]

CACHE: the stage cache of a build of the 2018 study (its `bin` entry holds the binned songs).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", required=True, type=Path)
    ap.add_argument("--chunks", type=int, default=5)
    args = ap.parse_args()

    from genrereport.cache import StageCache
    from genrereport.models import forest, permutation, splits
    from genrereport.study import load_study

    store = StageCache(args.cache)
    key = sorted((args.cache / "stages" / "bin").iterdir(), key=lambda p: p.stat().st_mtime)[-1]
    frame = store.load("bin", key.name, 0)
    cut = splits.make_splits(frame, 24, load_study().model_features(frame.columns))
    sets, _ = permutation.shuffled_sets(cut.X_test, cut.y_test, 24)
    n = 100 * args.chunks
    common = dict(n_classes=len(cut.classes), seed=24, chunk=100, n_jobs=2,
                  params={"max_features": "sqrt"})
    evals = {"val": cut.X_val, "test": cut.X_test}
    for label, extra in (("without", {}), ("with", {"perm": permutation.stacked(sets)})):
        start, cpu = time.perf_counter(), time.process_time()
        grown = forest.grow_forest(cut.X_train, cut.y_train, {**evals, **extra}, n,
                                   apart=tuple(extra), **common)
        print(f"{label:8} permutation: {n} trees, {time.perf_counter() - start:6.1f} s wall, "
              f"{time.process_time() - cpu:6.1f} s CPU (this process's threads); scoring the "
              f"shuffled songs {grown.apart_seconds.get('perm', 0.0):5.1f} s wall")


if __name__ == "__main__":
    main()
