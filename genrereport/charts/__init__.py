"""Turn results (plain dicts) into Vega-Lite specs with Altair. No analysis happens here.

Each submodule has `charts(results) -> list[Chart]` for one part of the site; `build_charts`
collects them by id for the templates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from genrereport.parts import collect

# A dataset larger than this is not written into the page but fetched by it from a JSON file
# beside the chart's other files. The study's own pages stay whole (viewable from disk); a data
# set of a hundred genres keeps its pages within a couple of megabytes (served over HTTP).
EXTERNAL_BYTES = 300_000
# A heatmap's cells carry their value as text only while they are large enough to read.
LABEL_MAX_GENRES = 16
# Each row of a genre or cluster heatmap gets at least this many pixels, so that a hundred rows
# keep their labels apart.
ROW_PX = 14

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
    # The spec the page carries, when its large datasets are fetched instead (see external()).
    page_spec: dict | None = None


def _swap_data(obj, urls: dict[str, str]):
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            if (key == "data" and isinstance(value, dict) and value.get("name") in urls
                    and len(value) == 1):
                out[key] = {"url": urls[value["name"]], "format": {"type": "json"}}
            else:
                out[key] = _swap_data(value, urls)
        return out
    if isinstance(obj, list):
        return [_swap_data(v, urls) for v in obj]
    return obj


def external(chart: Chart, folder: str, limit: int | None = None) -> dict[str, bytes]:
    """Move the chart's large datasets out of its page spec: sets `chart.page_spec` and returns
    the files to write ({file name: JSON}), which the page spec fetches from `folder`."""
    limit = EXTERNAL_BYTES if limit is None else limit
    datasets = chart.spec.get("datasets", {})
    blobs = {name: json.dumps(values, separators=(",", ":"), allow_nan=False).encode("utf-8")
             for name, values in datasets.items()}
    big = [name for name, blob in blobs.items() if len(blob) > limit]
    if not big:
        chart.page_spec = None
        return {}
    files, urls = {}, {}
    for i, name in enumerate(big):
        file = f"{chart.id}.data-{i}.json"
        files[file] = blobs[name]
        urls[name] = f"{folder}/{file}"
    spec = {k: v for k, v in chart.spec.items() if k != "datasets"}
    kept = {n: v for n, v in datasets.items() if n not in urls}
    if kept:
        spec["datasets"] = kept
    chart.page_spec = _swap_data(spec, urls)
    return files


def to_spec(chart) -> dict:
    """An Altair chart as a plain Vega-Lite dict, its numbers rounded to keep pages light."""
    import altair as alt

    # Altair refuses more than 5,000 rows (a guard for notebooks). Ours are aggregates that
    # grow with the genres (a histogram per genre and feature, a genre × genre matrix), and
    # `externalize` moves large data out of the page, so the guard is lifted for this call only.
    with alt.data_transformers.enable("default", max_rows=None):
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


def heatmap_height(rows: int, least: int) -> int:
    """The height of a heatmap of `rows` rows: `least`, or more when the rows need it."""
    return max(least, ROW_PX * rows)
