"""Turn results (plain dicts) into Vega-Lite specs with Altair. No analysis happens here.

Each submodule has `charts(results) -> list[Chart]` for one part of the site; `build_charts`
collects them by id for the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from genrereport.parts import collect

# Submodules, in page order; each is skipped when its part of the results is absent.
PARTS = (
    ("eda", "genrereport.charts.eda"),
    ("models", "genrereport.charts.models"),
    ("audit", "genrereport.charts.audit"),
    ("clustering", "genrereport.charts.clustering"),
)


@dataclass
class Chart:
    """A chart: its Vega-Lite spec and the rows behind it (offered as a CSV download)."""

    id: str
    title: str
    spec: dict
    data: list[dict] = field(default_factory=list)
    description: str = ""


def to_spec(chart) -> dict:
    """An Altair chart as a plain Vega-Lite dict, its numbers rounded to keep pages light."""
    return _round(chart.to_dict())


def _round(obj, digits: int = 5):
    # Float noise (0.30000000000000004) in inlined data costs page weight and shows nothing.
    if isinstance(obj, float):
        return float(f"{obj:.{digits}g}")
    if isinstance(obj, dict):
        return {k: _round(v, digits) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round(v, digits) for v in obj]
    return obj


def build_charts(results: dict) -> dict[str, Chart]:
    """Every chart of the site, keyed by id."""
    return collect(results, PARTS, "charts")
