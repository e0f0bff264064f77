"""results.json: every figure the site shows, kept light however many genres a study has.

Three rules keep it so:

- what no page shows at this study's size is left out (`slim`): each pair of genres' overlap
  on every feature is drawn only up to `FEATURE_HEATMAP_MAX_GENRES` genres (the per-feature
  heatmap), and its summaries (`feature_overlap`, each pair's `features_overlapping`) stay;
- an array of more than `BESIDE_BYTES` goes beside it, in `assets/results/<path>.json`, and
  results.json holds `{"$ref": that file, "items": its length}`; an array of records with the
  same keys is written as `{"columns": [...], "rows": [[...], ...]}` (`read` turns it back);
- the layout is compact: a value that fits on a line of `WIDTH` characters is written on one,
  a list of numbers always is, so that a 200 × 200 matrix takes 200 lines and not 40,000.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from genrereport.charts.eda import FEATURE_HEATMAP_MAX_GENRES

NAME = "results.json"
BESIDE = "assets/results"
BESIDE_BYTES = 500_000
WIDTH = 120


def slim(results: dict) -> dict:
    """`results` without what no page shows (a copy where it differs; the input is kept)."""
    overlap = results.get("eda", {}).get("overlap")
    if not overlap or len(overlap.get("genres", [])) <= FEATURE_HEATMAP_MAX_GENRES:
        return results
    pairs = [{k: v for k, v in p.items() if k != "overlap"} for p in overlap["pairs"]]
    eda = {**results["eda"], "overlap": {**overlap, "pairs": pairs}}
    return {**results, "eda": eda}


def _size(value) -> int:
    return len(json.dumps(value, separators=(",", ":"), allow_nan=False))


def _columns(records: list) -> dict | list:
    """Records with the same keys as columns and rows; anything else as it is."""
    if not records or not all(isinstance(r, dict) for r in records):
        return records
    keys = sorted(records[0])
    if any(sorted(r) != keys for r in records):
        return records
    return {"columns": keys, "rows": [[r[k] for k in keys] for r in records]}


def split(results: dict, limit: int = BESIDE_BYTES) -> tuple[dict, dict[str, str]]:
    """results.json's tree with its large arrays replaced by references, and the files they go
    to ({path relative to the site: JSON text})."""
    files: dict[str, str] = {}

    def walk(obj, path: list[str]):
        if isinstance(obj, dict):
            return {k: walk(v, path + [k]) for k, v in obj.items()}
        if isinstance(obj, list) and path and _size(obj) > limit:
            stem = ".".join(re.sub(r"[^A-Za-z0-9_-]", "_", p) for p in path)
            rel, n = f"{BESIDE}/{stem}.json", 1
            while rel in files:
                n += 1
                rel = f"{BESIDE}/{stem}-{n}.json"
            files[rel] = layout(_columns(obj)) + "\n"
            return {"$ref": rel, "items": len(obj)}
        return obj

    return walk(results, []), files


def _scalars(value) -> bool:
    items = value.values() if isinstance(value, dict) else value
    return not any(isinstance(v, (dict, list)) for v in items)


def layout(value, indent: int = 0) -> str:
    """JSON with sorted keys and no spaces between items: a value on one line if it fits in
    WIDTH or is a list of plain values, else its items one per line, indented by one space
    per level."""
    flat = json.dumps(value, separators=(",", ":"), sort_keys=True, allow_nan=False)
    if (not isinstance(value, (dict, list)) or not value or indent + len(flat) <= WIDTH
            or (isinstance(value, list) and _scalars(value))):
        return flat
    pad, end = " " * (indent + 1), " " * indent
    if isinstance(value, dict):
        lines = [f"{pad}{json.dumps(k)}:{layout(v, indent + 1)}" for k, v in sorted(value.items())]
        return "{\n" + ",\n".join(lines) + "\n" + end + "}"
    lines = [pad + layout(v, indent + 1) for v in value]
    return "[\n" + ",\n".join(lines) + "\n" + end + "]"


def files(results: dict) -> dict[str, str]:
    """What a site's results take: results.json and the files beside it ({relative path:
    text})."""
    tree, beside = split(slim(results))
    return {NAME: layout(tree) + "\n", **beside}


def read(folder: Path) -> dict:
    """The results of the site in `folder`, its files beside results.json read back in."""
    folder = Path(folder)

    def resolve(obj):
        if isinstance(obj, dict):
            if set(obj) == {"$ref", "items"}:
                data = json.loads((folder / obj["$ref"]).read_text(encoding="utf-8"))
                if isinstance(data, dict):
                    data = [dict(zip(data["columns"], row)) for row in data["rows"]]
                return resolve(data)
            return {k: resolve(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [resolve(v) for v in obj]
        return obj

    return resolve(json.loads((folder / NAME).read_text(encoding="utf-8")))
