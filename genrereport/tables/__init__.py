"""Tables of the site, built from results (plain dicts). Templates place them by id.

Each submodule has `tables(results) -> list[Table]`; `build_tables` collects them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from genrereport.parts import collect

PARTS = (
    ("data", "genrereport.tables.core"),
    ("models", "genrereport.tables.models"),
    ("audit", "genrereport.tables.audit"),
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
    return collect(results, PARTS, "tables")
