"""`genrereport cache`: list what the cache holds, its size, and prune it to a budget."""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

from genrereport import eviction
from genrereport.settings import Settings


def _folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else 0


def describe(root: Path, budget: int) -> list[str]:
    """The lines `genrereport cache list` prints: per stage, its entries, their size, when one
    was last used and how many are pinned; then the pins, and what is never evicted."""
    found = eviction.entries(root)
    held = eviction.pinned(root)
    total = sum(e.size for e in found)
    lines = [f"cache {root}: {eviction.format_size(total)} in {len(found)} entries, "
             f"budget {eviction.format_size(budget)}"]
    if not found:
        return lines + ["(no entries)"]
    by_stage = defaultdict(list)
    for entry in found:
        by_stage[entry.stage].append(entry)
    lines.append(f"{'stage':<22}{'entries':>8}{'size':>11}  {'last used':<17}{'pinned':>7}")
    for stage, group in sorted(by_stage.items(), key=lambda kv: -sum(e.size for e in kv[1])):
        used = time.strftime("%Y-%m-%d %H:%M", time.localtime(max(e.used for e in group)))
        pins = sum((e.stage, e.key) in held for e in group)
        lines.append(f"{stage:<22}{len(group):>8}{eviction.format_size(sum(e.size for e in group)):>11}"
                     f"  {used:<17}{pins:>7}")
    reasons = sorted({why for whys in held.values() for why in whys})
    lines += [f"pinned (never evicted): {why}" for why in reasons]
    for name, what in (("pulls", "downloads"), ("vendor", "chart library")):
        size = _folder_size(Path(root) / name)
        if size:
            lines.append(f"{name}/ ({what}): {eviction.format_size(size)}, never evicted")
    return lines


def run(settings: Settings, action: str, say=print) -> int:
    """`genrereport cache list|prune|dir` on the settings' cache folder and budget."""
    root = settings.cache_dir
    if action == "dir":
        say(str(root))
        return 0
    if action == "prune":
        evicted = eviction.prune(root, settings.cache_budget) if root.is_dir() else []
        size = eviction.format_size(sum(e.size for e in evicted))
        say(f"evicted {len(evicted)} entries ({size}), used longest ago and not pinned")
    for line in describe(root, settings.cache_budget):
        say(line)
    return 0
