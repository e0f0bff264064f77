"""How fast `genrereport serve` shows a rules edit: the time from saving the rules file to the
Binning page served with the change, and to the complete site.

    .venv/bin/python benchmarks/bench_serve.py [--profile quick|full] [--data DIR]

It serves the study's pulls with a copy of the default rules in a fresh cache, waits for the
first build, renames one rule's target, and polls the served pages every 0.1 s. Figures go to
benchmarks/out/serve-<profile>.md.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_full_build as bench  # noqa: E402

ROOT = HERE.parent


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def _until(check, seconds: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return time.monotonic() - start
        time.sleep(0.1)
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="quick", choices=("quick", "full"))
    p.add_argument("--data", type=Path, default=None)
    args = p.parse_args(argv)
    data = args.data or bench.default_data_dir()
    tmp = Path(tempfile.mkdtemp(prefix="genrereport-serve-"))
    rules = tmp / "rules.toml"
    shutil.copy(ROOT / "data" / "genre_rules.toml", rules)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    log = tmp / "serve.log"
    cmd = [sys.executable, "-m", "genrereport", "serve", "--profile", args.profile, "--data",
           str(data), "--rules", str(rules), "--cache-dir", str(tmp / "cache"), "--out",
           str(tmp / "site_src"), "--port", str(port)]
    with open(log, "w") as sink:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=sink, stderr=sink)
        try:
            first = _until(lambda: "serving on" in log.read_text()
                           and "jazz/blues" in _get(f"{base}/binning.html"), 3600)
            saved = time.monotonic()
            rules.write_text(rules.read_text().replace('target = "pop"', 'target = "popular"'))
            binning = _until(lambda: "popular" in _get(f"{base}/binning.html"), 600)
            waiting = "Being recomputed" in _get(f"{base}/models-rf.html")
            complete = _until(lambda: "the site is complete" in log.read_text()
                              and "Being recomputed" not in _get(f"{base}/models-rf.html"),
                              3600)
            complete = None if complete is None else time.monotonic() - saved
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(60)
    lines = [f"# `genrereport serve`, {args.profile} profile, the study's pulls", "",
             f"- first build and first page served: {first:.0f} s" if first else "- first build: timed out",
             f"- rules edit → Binning page served with it: **{binning:.1f} s**" if binning
             else "- rules edit never reached the Binning page",
             f"- meanwhile the models pages said they were being recomputed: {waiting}",
             f"- rules edit → complete site served: {complete:.0f} s" if complete
             else "- the complete site: timed out", ""]
    report = "\n".join(lines)
    bench.OUT.mkdir(parents=True, exist_ok=True)
    (bench.OUT / f"serve-{args.profile}.md").write_text(report)
    (bench.OUT / f"serve-{args.profile}.log").write_text(log.read_text())
    shutil.rmtree(tmp, ignore_errors=True)
    print(report)
    return 0 if binning and complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
