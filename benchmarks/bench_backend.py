"""What `--backend dask` costs on one machine: the same cold build with its stages in local
processes and submitted to a Dask LocalCluster, and whether their results are the same.

    .venv/bin/python benchmarks/bench_backend.py [--profile quick|full] [--data DIR]

Both builds run from this tree, in fresh caches, under `/usr/bin/time -v` with the process tree's
peak memory sampled (bench_full_build.run). Figures go to benchmarks/out/backend-<profile>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import bench_full_build as bench  # noqa: E402  (the shared runner)


def differences(a, b, path: str = "") -> list[str]:
    """The paths (like /models/rf/test_accuracy) where two JSON trees differ."""
    if type(a) is not type(b):
        return [path or "/"]
    if isinstance(a, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                out.append(f"{path}/{key}")
            else:
                out += differences(a[key], b[key], f"{path}/{key}")
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path} (length)"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [path or "/"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="quick", choices=("quick", "full"))
    p.add_argument("--data", type=Path, default=None)
    args = p.parse_args(argv)
    data = args.data or bench.default_data_dir()
    runs = {}
    for backend in ("local", "dask"):
        runs[backend] = bench.run(args.profile, data, True,
                                  ["--data", str(data), "--backend", backend],
                                  label=f"backend-{backend}-{args.profile}")
    from tests.test_reproducible import _without_timings

    texts = {b: _without_timings(json.loads((Path(r["work_dir"]) / "site_src" / "results.json")
                                            .read_text())) for b, r in runs.items()}
    for t in texts.values():
        t["build"].pop("stage_keys")
    same = texts["local"] == texts["dask"]
    differ = differences(texts["local"], texts["dask"])
    if same:
        import shutil

        for r in runs.values():
            shutil.rmtree(r["work_dir"], ignore_errors=True)
    local, dask = runs["local"], runs["dask"]
    lines = [f"# `--backend dask` on this machine ({args.profile} profile)", "",
             "| | local | dask (LocalCluster) |", "|---|---:|---:|",
             f"| wall (s) | {local['wall_seconds']:.0f} | {dask['wall_seconds']:.0f} |",
             f"| CPU of the build and every process it started (s) | {local['cpu_seconds']:.0f} | "
             f"{dask['cpu_seconds']:.0f} |",
             f"| peak PSS, process tree (GB) | {local['peak_tree_pss_gb']:.2f} | "
             f"{dask['peak_tree_pss_gb']:.2f} |",
             f"| exit code | {local['returncode']} | {dask['returncode']} |", "",
             f"Overhead: {dask['wall_seconds'] - local['wall_seconds']:+.0f} s wall "
             f"({dask['wall_seconds'] / local['wall_seconds'] - 1:+.0%}).",
             f"results.json apart from timings: {'identical' if same else 'DIFFERENT'}.", ""]
    if not same:
        lines += ["Where they differ (the two sites are kept in "
                  f"{runs['local']['work_dir']} and {runs['dask']['work_dir']}):", ""]
        lines += [f"- `{where}`" for where in differ[:40]] + [""]
    report = "\n".join(lines)
    bench.publish(f"backend-{args.profile}", runs, report)
    return 0 if same and local["returncode"] == dask["returncode"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
