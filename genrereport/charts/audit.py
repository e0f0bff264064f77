"""Charts of the Audit page, drawn from results["audit"] only: accuracies with their intervals."""

from __future__ import annotations

import altair as alt
import pandas as pd

from genrereport.charts import Chart, to_spec

WIDTH = "container"


def _dots(rows: list[dict], chart_id: str, title: str, series_order: list[str],
          x_title: str, fmt: str = ".1%") -> Chart:
    """Dots with interval bars: one row per (model, series)."""
    names = list(dict.fromkeys(r["name"] for r in rows))
    frame = pd.DataFrame(rows)
    base = alt.Chart(frame).encode(
        y=alt.Y("name:N", sort=names, title=None),
        yOffset=alt.YOffset("series:N", sort=series_order),
        color=alt.Color("series:N", sort=series_order, title=None,
                        legend=alt.Legend(orient="bottom")))
    bars = base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", title=x_title,
                                                        axis=alt.Axis(format="%")),
                                                x2="high:Q")
    dots = base.mark_point(filled=True, size=60).encode(
        x="value:Q", tooltip=["name", "series", alt.Tooltip("value:Q", format=fmt),
                              alt.Tooltip("low:Q", format=fmt), alt.Tooltip("high:Q", format=fmt)])
    c = alt.layer(bars, dots).properties(width=WIDTH, height=34 * len(names) + 40)
    return Chart(chart_id, title, to_spec(c), rows)


def _level(a: dict) -> str:
    return f"{100 * a['level']:.0f} %"


def _twinned(a: dict) -> Chart:
    rows = []
    for r in a["twinned"]:
        for key, series in (("twinned", "test songs with a twin in training"),
                            ("unseen", "test songs without one")):
            if r[key] is None:
                continue
            lo, hi = r[f"{key}_ci"]
            rows.append({"name": r["name"], "series": series, "value": r[key], "low": lo,
                         "high": hi})
    return _dots(rows, "audit-twinned", "Test accuracy on songs with and without a twin in "
                 f"training (bars: {_level(a)} intervals)",
                 ["test songs with a twin in training", "test songs without one"],
                 "test accuracy")


def _grouped(a: dict) -> Chart:
    rows = []
    for r in a["grouped"]["models"]:
        for key, series in (("study_split", "the study's split"),
                            ("grouped", "split without shared twins")):
            lo, hi = r[f"{key}_ci"]
            rows.append({"name": r["name"], "series": series, "value": r[key], "low": lo,
                         "high": hi})
    return _dots(rows, "audit-grouped", "Test accuracy on the study's split and on a split "
                 f"without shared twins (bars: {_level(a)} intervals)",
                 ["the study's split", "split without shared twins"], "test accuracy")


def _leaks(a: dict) -> Chart:
    rows = [{"name": e["title"], "series": "effect", "value": e["effect"],
             "low": e["effect_ci"][0], "high": e["effect_ci"][1]}
            for e in a["leaks"] if e["effect"] is not None and e["effect_ci"]]
    return _dots(rows, "audit-leaks", f"What each leak adds to a test score (bars: {_level(a)} "
                 "intervals; right of zero: the study's way looks better)", ["effect"],
                 "effect on test accuracy", fmt="+.1%")


def charts(results: dict) -> list[Chart]:
    """Every chart of the Audit page."""
    a = results["audit"]
    return [_twinned(a), _grouped(a), _leaks(a)]
