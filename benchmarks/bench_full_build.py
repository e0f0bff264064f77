"""Time a cold full-profile build: wall time per stage, peak memory, CPU seconds against wall.

    .venv/bin/python benchmarks/bench_full_build.py [--profile full] [--data DIR] [--before REF]

With `--before REF` the same cold build runs first with the code of commit REF (a temporary git
worktree, the same venv), then with this tree: before and after in one run, on the same machine
in the same state.

The build runs in a fresh temporary cache (nothing reused) under `/usr/bin/time -v`. Besides
GNU time's figures, the script samples the resident memory of the whole process tree twice a
second: GNU time reports the largest single process, while joblib workers run beside the main
one. Results go to benchmarks/out/ (git-ignored) as JSON and Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
TARGET_MINUTES = 15
STRETCH_MINUTES = 10
TARGET_RSS_GB = 4
# A line of the stage summary: name, status, wall seconds, then (since stages ran in processes of
# their own) CPU seconds and peak MB where the stage had a process, and when it started.
STAGE_LINE = re.compile(r"^(?P<name>[\w.-]+)\s+(?P<status>ran|cached|failed)\s+(?P<seconds>[\d.]+)"
                        r"(?:\s+(?P<cpu>[\d.]+)\s+(?P<peak>[\d,]+))?"
                        r"(?:\s+(?P<started>[\d.]+))?(?:\s+(?P<where>\S+))?$")
TIME_FIELDS = {
    "user_seconds": r"User time \(seconds\): ([\d.]+)",
    "system_seconds": r"System time \(seconds\): ([\d.]+)",
    "max_rss_kb": r"Maximum resident set size \(kbytes\): (\d+)",
    "cpu_percent": r"Percent of CPU this job got: (\d+)%",
    "wall_clock": r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)",
}


def default_data_dir() -> Path:
    """GENREREPORT_DATA_DIR, else the shared mirror beside the project."""
    env = os.environ.get("GENREREPORT_DATA_DIR")
    return Path(env) if env else ROOT.parent / "shared" / "capstone-data"


def _children(pid: int) -> list[int]:
    # Each thread has its own list of children (joblib starts workers from helper threads).
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid: int) -> int:
    # The proportional set size: each shared page counted once across the processes sharing it
    # (a stage's process shares the libraries' pages with the server it was forked from).
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peaks of the summed RSS and of the summed PSS of a process and all its descendants,
    sampled periodically. RSS counts a page shared by several processes once in each; PSS
    shares it out, so its sum is the memory the tree really holds."""

    def __init__(self, pid: int, every: float = 0.5, running: Path | None = None):
        super().__init__(daemon=True)
        # `running`: a file that gets the peaks so far every 30 s, for a long run stopped early.
        self.pid, self.every, self.running = pid, every, running
        self.peak_kb = 0
        self.peak_pss_kb = 0
        self.peak_pss_at = None
        self.peak_pss_parts: list = []
        self.peak_processes = 0
        self.stop = threading.Event()

    def run(self) -> None:
        start = written = time.perf_counter()
        while not self.stop.is_set():
            if self.running is not None and time.perf_counter() - written > 30:
                written = time.perf_counter()
                self.running.write_text(json.dumps({
                    "seconds": round(written - start), "peak_tree_pss_gb": self.peak_pss_kb / 1024 ** 2,
                    "peak_tree_rss_gb": self.peak_kb / 1024 ** 2, "peak_pss_at": self.peak_pss_at,
                    "peak_pss_parts_mb": self.peak_pss_parts}), encoding="utf-8")
            pids = _tree(self.pid)
            total = sum(_rss_kb(p) for p in pids)
            if total > self.peak_kb:
                self.peak_kb, self.peak_processes = total, len(pids)
            pss = {p: _pss_kb(p) for p in pids}
            if sum(pss.values()) > self.peak_pss_kb:
                self.peak_pss_kb = sum(pss.values())
                # What held the memory then: each process's PSS by what it is.
                self.peak_pss_at = round(time.perf_counter() - start, 1)
                self.peak_pss_parts = sorted(((_kind(p), round(kb / 1024)) for p, kb in pss.items()),
                                             key=lambda part: -part[1])
            self.stop.wait(self.every)


def _kind(pid: int) -> str:
    """What a process of the build is, from its command line."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "gone"
    for word, kind in (("forkserver", "forkserver or a stage"), ("resource_tracker", "tracker"),
                       ("loky", "joblib worker"), ("genrereport build", "build"),
                       ("/usr/bin/time", "time")):
        if word in cmd:
            return kind
    return cmd[:40]


class CpuMeter:
    """CPU seconds of a process and every process it starts, reaped by whom it may be (a stage's
    process by the server that forked it, which ends after the build): a cgroup's CPU account
    where this machine lets us make one, else the whole machine's CPU time over the run (on a
    machine otherwise idle)."""

    def __init__(self):
        self.group = None
        for root, usage in ((Path("/sys/fs/cgroup/cpuacct"), "cpuacct.usage"),
                            (Path("/sys/fs/cgroup"), "cpu.stat")):
            group = root / f"genrereport-bench-{os.getpid()}-{time.monotonic_ns()}"
            try:
                group.mkdir()
            except OSError:
                continue
            if (group / usage).exists() and (group / "cgroup.procs").exists():
                self.group, self.usage = group, usage
                break
            group.rmdir()
        self.how = "cgroup" if self.group else "machine"
        self.start = self._machine()

    def enter(self) -> None:
        """Called in the child, before it runs the build: it and all it starts are counted."""
        if self.group is not None:
            (self.group / "cgroup.procs").write_text(str(os.getpid()))

    @staticmethod
    def _machine() -> float:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[:7])
        return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")

    def seconds(self) -> float:
        if self.group is None:
            return self._machine() - self.start
        text = (self.group / self.usage).read_text()
        value = (int(text) / 1e9 if self.usage == "cpuacct.usage"
                 else int(re.search(r"usage_usec (\d+)", text).group(1)) / 1e6)
        try:
            self.group.rmdir()
        except OSError:
            pass
        return value


def parse_stages(log: str) -> list[dict]:
    """The stage summary the build prints at the end (name, status, seconds)."""
    rows = []
    for line in log.splitlines():
        match = STAGE_LINE.match(line.strip())
        if match:
            rows.append({"stage": match["name"], "status": match["status"],
                         "seconds": float(match["seconds"]),
                         "cpu_seconds": float(match["cpu"]) if match["cpu"] else None,
                         "peak_mb": float(match["peak"].replace(",", "")) if match["peak"]
                         else None,
                         "started": float(match["started"]) if match["started"] else None})
    return rows


def parse_time(log: str) -> dict:
    """GNU time's -v report."""
    out = {}
    for key, pattern in TIME_FIELDS.items():
        match = re.search(pattern, log)
        if match:
            out[key] = match.group(1) if key == "wall_clock" else float(match.group(1))
    return out


def model_seconds(site: Path) -> list[dict]:
    """Per-model seconds from the build's results.json, if it got that far."""
    path = site / "results.json"
    if not path.is_file():
        return []
    models = json.loads(path.read_text(encoding="utf-8")).get("models", {})
    return [{"model": i, "fit_seconds": models[i]["fit_seconds"],
             "total_seconds": models[i]["total_seconds"],
             "test_accuracy": models[i]["test_accuracy"]} for i in models.get("order", [])]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


def run(profile: str, data: Path, keep: bool, inputs: list[str] | None = None,
        label: str | None = None, root: Path = ROOT) -> dict:
    """Run one cold build and return its figures. `inputs` replaces `--data DATA` (for example
    with `--study FILE`); `label` names the run's output files; `root` is the source tree whose
    code runs (`python -m genrereport` from there)."""
    tmp = Path(tempfile.mkdtemp(prefix="genrereport-bench-"))
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "genrereport", "build",
           *(inputs or ["--data", str(data)]),
           "--profile", profile, "--out", str(tmp / "site_src"), "--cache-dir", str(tmp / "cache")]
    load_before = os.getloadavg()
    meter = CpuMeter()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=meter.enter)
    OUT.mkdir(parents=True, exist_ok=True)
    sampler = TreeSampler(proc.pid, running=OUT / f"{label or profile}.running.json")
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    time.sleep(1.0)  # the server that forks stages leaves after the build
    cpu = meter.seconds()
    log = stdout + stderr
    timing = parse_time(stderr)
    result = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "profile": profile,
        "code": _commit(root),
        "data": str(data),
        "returncode": proc.returncode,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "cpu_measured_by": meter.how,
        # GNU time counts only the processes the build itself waited for.
        "cpu_seconds_gnu_time": timing.get("user_seconds", 0.0) + timing.get("system_seconds", 0.0),
        "cpu_per_wall": cpu / wall if wall else None,
        "cores": os.cpu_count(),
        "max_rss_gb_largest_process": timing.get("max_rss_kb", 0) / 1024 ** 2,
        "peak_tree_rss_gb": sampler.peak_kb / 1024 ** 2,
        "peak_tree_pss_gb": sampler.peak_pss_kb / 1024 ** 2,
        "peak_pss_at_seconds": sampler.peak_pss_at,
        "peak_pss_parts_mb": sampler.peak_pss_parts,
        "peak_tree_processes": sampler.peak_processes,
        "time": timing,
        "stages": parse_stages(stderr),
        "models": model_seconds(tmp / "site_src"),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "python": platform.python_version(),
        "packages": {p: _version(p) for p in ("scikit-learn", "xgboost", "keras", "tensorflow-cpu",
                                              "numpy", "pandas")},
        "targets": {"wall_minutes": TARGET_MINUTES, "stretch_minutes": STRETCH_MINUTES,
                    "rss_gb": TARGET_RSS_GB},
        "work_dir": str(tmp) if keep else None,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"build-{label or profile}.log").write_text(log, encoding="utf-8")
    if (tmp / "site_src" / "results.json").is_file():
        shutil.copy(tmp / "site_src" / "results.json", OUT / f"results-{label or profile}.json")
    if not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def markdown(r: dict) -> str:
    """The figures as a short Markdown report."""
    minutes = r["wall_seconds"] / 60
    verdict = ("within the stretch target" if minutes < r["targets"]["stretch_minutes"] else
               "within the target" if minutes < r["targets"]["wall_minutes"] else "over the target")
    lines = [
        f"# Cold {r['profile']} build ({r['when']})", "",
        f"- wall time: **{r['wall_seconds']:.0f} s ({minutes:.1f} min)**, {verdict} "
        f"(target {r['targets']['wall_minutes']} min, stretch {r['targets']['stretch_minutes']})",
        f"- CPU time (user + system, the build and every process it started, measured by "
        f"{r.get('cpu_measured_by', 'GNU time')}): {r['cpu_seconds']:.0f} s = "
        f"{r['cpu_per_wall']:.2f}× wall on {r['cores']} cores",
        f"- peak memory, whole process tree (sampled every 0.5 s): "
        f"**{r['peak_tree_pss_gb']:.2f} GB** PSS (shared pages counted once), "
        f"{r['peak_tree_rss_gb']:.2f} GB RSS summed ({r['peak_tree_processes']} processes); "
        f"largest single process (GNU time): {r['max_rss_gb_largest_process']:.2f} GB; target "
        f"< {r['targets']['rss_gb']} GB",
        f"- at the PSS peak ({r.get('peak_pss_at_seconds')} s), MB by process: "
        + ", ".join(f"{kind} {mb:,}" for kind, mb in r.get("peak_pss_parts_mb", [])),
        f"- load average before / after: {r['load_average_before'][0]:.2f} / "
        f"{r['load_average_after'][0]:.2f} (other work on the machine slows the build)",
        f"- exit code {r['returncode']}", "",
        "| stage | status | wall s | CPU s | peak MB | started at (s) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {s['stage']} | {s['status']} | {s['seconds']:.1f} | "
              f"{_blank(s.get('cpu_seconds'), '.1f')} | {_blank(s.get('peak_mb'), ',.0f')} | "
              f"{_blank(s.get('started'), '.1f')} |" for s in r["stages"]]
    if r["models"]:
        lines += ["", "| model | final fit (s) | all steps (s) | test accuracy |",
                  "|---|---:|---:|---:|"]
        lines += [f"| {m['model']} | {m['fit_seconds']:.1f} | {m['total_seconds']:.1f} | "
                  f"{m['test_accuracy']:.3f} |" for m in r["models"]]
    return "\n".join(lines) + "\n"


def _blank(value, fmt: str) -> str:
    return "" if value is None else format(value, fmt)


def _commit(root: Path) -> str:
    """The commit of a source tree, marked `+changes` if its files differ from it."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def _worktree(ref: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="genrereport-before-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), ref], cwd=ROOT, check=True,
                   capture_output=True)
    return folder


@contextmanager
def checkout(ref: str) -> Iterator[Path]:
    """The code of commit `ref` in a temporary git worktree, removed afterwards."""
    tree = _worktree(ref)
    try:
        yield tree
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                       capture_output=True)


def clock_seconds(clock: str) -> float:
    """GNU time's wall clock ("h:mm:ss" or "m:ss.ss") in seconds."""
    parts = [float(p) for p in clock.split(":")]
    return round(sum(p * 60 ** i for i, p in enumerate(reversed(parts))), 1)


def publish(name: str, data: Any, report: str) -> None:
    """Write benchmarks/out/<name>.json and <name>.md, and print the report."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    (OUT / f"{name}.md").write_text(report, encoding="utf-8")
    print(report, flush=True)


def compare(before: dict, after: dict) -> str:
    """Before and after side by side, with the stages of each."""
    def row(name, key, fmt):
        return f"| {name} | {fmt(before[key])} | {fmt(after[key])} |"

    lines = [f"# Cold {after['profile']} build: {before['code']} → {after['code']}", "",
             "| | before | after |", "|---|---:|---:|",
             row("wall (s)", "wall_seconds", lambda v: f"{v:.0f}"),
             row("CPU, user + system (s)", "cpu_seconds", lambda v: f"{v:.0f}"),
             row("CPU / wall", "cpu_per_wall", lambda v: f"{v:.2f}"),
             row("peak PSS, process tree (GB)", "peak_tree_pss_gb", lambda v: f"{v:.2f}"),
             row("peak RSS summed, process tree (GB)", "peak_tree_rss_gb", lambda v: f"{v:.2f}"),
             row("largest process (GNU time, GB)", "max_rss_gb_largest_process",
                 lambda v: f"{v:.2f}"),
             row("exit code", "returncode", str), "",
             f"CPU after / before: {after['cpu_seconds'] / before['cpu_seconds']:.3f}.",
             f"Wall against CPU / {after['cores']} cores (the floor for this much work): "
             f"before {before['wall_seconds'] / (before['cpu_seconds'] / before['cores']):.2f}×, "
             f"after {after['wall_seconds'] / (after['cpu_seconds'] / after['cores']):.2f}×.", "",
             "results.json, apart from timings and the code's own paths: "
             + results_difference(before, after), ""]
    return "\n".join(lines) + "\n## Before\n\n" + markdown(before) + "\n## After\n\n" + markdown(after)


# Keys that hold measured durations, which differ from run to run by nature.
TIMING = ("seconds", "fit_seconds", "total_seconds", "refit_time")
# What names the checkout the build ran from (the --before worktree sits elsewhere), and the
# stage keys, which hold the code's own hashes.
PATHS = (("study", "file"), ("build", "rules_file"), ("build", "stage_keys"))


def _figures(obj):
    if isinstance(obj, dict):
        return {k: _figures(v) for k, v in obj.items()
                if not (k in TIMING or k.endswith("_seconds"))}
    if isinstance(obj, list):
        return [_figures(v) for v in obj]
    return obj


def _without_paths(results: dict) -> dict:
    for section, key in PATHS:
        results.get(section, {}).pop(key, None)
    return results


def _differences(a, b, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                out.append(f"{path}/{key} (only {'after' if key not in a else 'before'})")
            else:
                out += _differences(a[key], b[key], f"{path}/{key}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [path]


def results_difference(before: dict, after: dict) -> str:
    """Where the two builds' results.json differ, apart from timings and paths."""
    files = [OUT / f"results-{r['profile']}-{side}.json" for r, side in ((before, "before"),
                                                                         (after, "after"))]
    if not all(f.is_file() for f in files):
        return "not compared (a build wrote none)"
    a, b = (_figures(_without_paths(json.loads(f.read_text(encoding="utf-8")))) for f in files)
    found = _differences(a, b)
    if not found:
        return "**identical**"
    # Many differences in one list or table: name its parent once.
    parents = sorted({re.sub(r"\[\d+\].*$", "[…]", d) for d in found})
    return f"{len(found)} figures differ, under: " + ", ".join(parents[:40])


def main(argv: list[str] | None = None) -> int:
    """Command line entry: run the benchmark and write benchmarks/out/bench-<profile>.{json,md}."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="full", choices=("full", "quick"))
    p.add_argument("--data", type=Path, default=None, help="the pulls (default: "
                   "GENREREPORT_DATA_DIR or ../shared/capstone-data)")
    p.add_argument("--keep", action="store_true", help="keep the temporary site and cache")
    p.add_argument("--before", metavar="REF", help="first build with the code of this commit")
    args = p.parse_args(argv)
    data = args.data or default_data_dir()
    if not (data / "SHA256SUMS").is_file():
        print(f"no pulls in {data}: pass --data or set GENREREPORT_DATA_DIR", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    if args.before:
        with checkout(args.before) as tree:
            before = run(args.profile, data, args.keep, label=f"{args.profile}-before", root=tree)
        after = run(args.profile, data, args.keep, label=f"{args.profile}-after")
        publish(f"bench-{args.profile}-before-after", {"before": before, "after": after},
                compare(before, after))
        return 0 if before["returncode"] == after["returncode"] == 0 else 1
    result = run(args.profile, data, args.keep)
    publish(f"bench-{args.profile}", result, markdown(result))
    return 0 if result["returncode"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
