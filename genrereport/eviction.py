"""What the cache keeps: entries in use first, then the most recently used, within a size budget.

Like ccache and pip's cache, the stage cache evicts the entries used longest ago once it is
larger than its budget (`--cache-budget`, env GENREREPORT_CACHE_BUDGET, default 5 GB). Reading
an entry counts as using it (`StageCache.verify` and `cache.cached_blob` touch it), so a study
rebuilt now and then keeps its models however many other data sets were tried in between.

Some entries are never evicted, whatever their age, because a site or a build depends on them.
Each such set of entries is a *pin*, a small JSON file under `<cache>/pins/`:
- `study-*.json`: the last successful build of each study;
- `site-*.json`: the entries of the site last written into each output folder (the site that
  `serve` shows, previews included), while that folder still holds it;
- `running-*.json`: a build in progress, while its process lives.

Downloads (`pulls/`) and the chart library (`vendor/`) are not entries: they are never evicted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from genrereport import atomic
from genrereport.cache import STALE_SECONDS, StageCache, digest
from genrereport.errors import GenreReportError

BUDGET_ENV = "GENREREPORT_CACHE_BUDGET"
PINS = "pins"
# An svg entry is the chart and its checksum beside it (cache.cached_blob).
SVG = "svg"

_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_size(text: str, what: str = "--cache-budget") -> int:
    """Bytes from '5G', '500M', '2.5GB', '0' (binary units, as du and ccache read them)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", str(text), re.IGNORECASE)
    if match is None:
        raise GenreReportError(f"{what} {text!r}: expected a size such as 5G, 500M or 0")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def format_size(n: float) -> str:
    """A size as people read it: 512 B, 3.4 MB, 1.2 GB."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


@dataclass(frozen=True)
class Entry:
    """One evictable thing in the cache: a stage result, or a rendered chart."""

    stage: str
    key: str
    path: Path
    size: int
    used: float  # when it was last written or read (the folder's or file's mtime)


def entries(root: Path) -> list[Entry]:
    """Every stage result and rendered chart under the cache `root`. Another build may remove
    entries meanwhile: a vanished one is skipped."""
    found = []
    stages = Path(root) / "stages"
    for folder in sorted(stages.iterdir()) if stages.is_dir() else ():
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            try:
                size = sum(f.stat().st_size for f in entry.rglob("*") if f.is_file())
                found.append(Entry(folder.name, entry.name, entry, size, entry.stat().st_mtime))
            except OSError:
                continue
    svg = Path(root) / SVG
    for chart in sorted(svg.glob("*.svg")) if svg.is_dir() else ():
        try:
            sidecar = chart.with_name(chart.name + ".sha256")
            size = chart.stat().st_size + (sidecar.stat().st_size if sidecar.exists() else 0)
            found.append(Entry(SVG, chart.stem, chart, size, chart.stat().st_mtime))
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _write_pin(root: Path, name: str, record: dict) -> Path:
    path = Path(root) / PINS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, json.dumps(record, sort_keys=True))
    return path


def pinned(root: Path) -> dict[tuple[str, str], list[str]]:
    """The entries no prune may evict, each with the pins that hold it. A pin that cannot be
    read, of a build no longer running or of a site no longer there, holds nothing."""
    held: dict[tuple[str, str], list[str]] = {}
    folder = Path(root) / PINS
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            pin = json.loads(path.read_text(encoding="utf-8"))
            stale = ("pid" in pin and not _alive(int(pin["pid"]))) or \
                    ("site" in pin and not (Path(pin["site"]) / "results.json").is_file())
            if stale:
                path.unlink(missing_ok=True)
                continue
            for stage, key in pin["entries"]:
                held.setdefault((stage, key), []).append(pin["what"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return held


def _identity(settings) -> str:
    study = settings.study
    return str(study.path) if study.path is not None else f"{study.id}:{settings.data_dir}"


def keep_study(root: Path, settings, keys: Iterable[tuple[str, str]]) -> None:
    """Pin the entries of this study's build, which succeeded (replacing its last one)."""
    name = _identity(settings)
    _write_pin(root, f"study-{digest(name)[:16]}",
               {"what": f"the last build of {name}", "entries": sorted(keys)})


def keep_site(root: Path, out_dir: Path, keys: Iterable[tuple[str, str]]) -> None:
    """Pin the entries of the site just written into `out_dir`, for as long as it is there."""
    out = str(Path(out_dir).resolve())
    _write_pin(root, f"site-{digest(out)[:16]}",
               {"what": f"the site in {out}", "site": out, "entries": sorted(keys)})


@contextmanager
def running(root: Path, keys: Iterable[tuple[str, str]]) -> Iterator[None]:
    """Pin a build's entries while it runs, so that a prune by a build beside it (or by
    `genrereport cache prune`) does not evict what this one is about to read."""
    try:
        path = _write_pin(root, f"running-{os.getpid()}-{time.monotonic_ns()}",
                          {"what": f"the build running as process {os.getpid()}",
                           "pid": os.getpid(), "entries": sorted(keys)})
    except OSError:  # a read-only cache: nothing will be pruned by this build either
        path = None
    try:
        yield
    finally:
        if path is not None:
            path.unlink(missing_ok=True)


def prune(root: Path, budget: int) -> list[Entry]:
    """Evict the entries used longest ago until the cache fits in `budget` bytes, never one
    that is pinned; returns what was evicted. Also removes what killed builds left behind."""
    root = Path(root)
    held = pinned(root)
    found = entries(root)
    total = sum(e.size for e in found)
    evicted = []
    for entry in sorted(found, key=lambda e: e.used):
        if total <= budget:
            break
        if (entry.stage, entry.key) in held:
            continue
        if entry.stage == SVG:
            entry.path.unlink(missing_ok=True)
            entry.path.with_name(entry.path.name + ".sha256").unlink(missing_ok=True)
        else:
            StageCache(root).discard(entry.stage, entry.key)
        total -= entry.size
        evicted.append(entry)
    _sweep(root)
    return evicted


def _sweep(root: Path) -> None:
    # Half-written entries of builds that were killed (a running build's are recent), and
    # pickles from before entries were data, which nothing reads.
    stages = root / "stages"
    for folder in stages.iterdir() if stages.is_dir() else ():
        if not folder.is_dir():
            continue
        for legacy in folder.glob("*.pkl"):
            legacy.unlink(missing_ok=True)
        for tmp in [*folder.glob(".*.tmp"), *folder.glob(".*.discarded")]:
            try:
                if time.time() - tmp.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(tmp, ignore_errors=True)
            except OSError:
                continue
