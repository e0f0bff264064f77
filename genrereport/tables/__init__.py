"""Tables of the site, built from results (plain dicts). Templates place them by id.

Each submodule has `tables(results) -> list[Table]`; `build_tables` collects them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

PARTS = (
    ("data", "genrereport.tables.core"),
    ("models", "genrereport.tables.models"),
    ("clustering", "genrereport.tables.clustering"),
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    fmt: str = "text"  # text, int, float, float3, pct, signed


@dataclass
class Table:
    """Rows (dicts) with the columns to show; also offered as a CSV download."""

    id: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    # Optional: row index → CSS class, e.g. to highlight a cluster's leading genre.
    highlight: dict[int, str] = field(default_factory=dict)


def build_tables(results: dict) -> dict[str, Table]:
    """Every table of the site, keyed by id."""
    out: dict[str, Table] = {}
    for part, module_name in PARTS:
        if part not in results:
            continue
        module = importlib.import_module(module_name)
        for table in module.tables(results):
            if table.id in out:
                raise ValueError(f"duplicate table id {table.id!r}")
            out[table.id] = table
    return out
