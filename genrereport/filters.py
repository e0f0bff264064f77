"""The Jinja filters: every way a template formats a number, a name, a chart or a table.

Song and artist names are data. They go through `text` (inline) or the table filter, which escape
HTML and the Markdown characters that would break a table or start emphasis.
"""

from __future__ import annotations

import json
import math
import re

from markupsafe import Markup, escape

from genrereport.charts import Chart
from genrereport.tables import Column, Table

CHART_ASSETS = "assets/charts"
TABLE_ASSETS = "assets/tables"

# Characters that Markdown would read as syntax inside running text or a pipe table.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")


_NEWLINES = re.compile(r"[\r\n]+")


def text(value) -> Markup:
    """Data shown inline in Markdown: HTML-escaped, Markdown syntax neutralised, and on one
    line (a newline in a name would end a table row or a list item)."""
    escaped = str(escape(_NEWLINES.sub(" ", "" if value is None else str(value))))
    return Markup(_MD_SPECIAL.sub(lambda m: f"&#{ord(m.group(1))};", escaped))


def code(value) -> Markup:
    """Data shown as code: escaped like `text`, in a <code> element (a Markdown code span would
    show the escapes literally)."""
    return Markup(f"<code>{text(value)}</code>")


def integer(value) -> str:
    """12345 → '12,345'."""
    return "–" if value is None else f"{int(value):,}"


def number(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):,.{digits}f}"


def pct(value, digits: int = 1) -> str:
    """0.348 → '34.8 %'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * float(value):.{digits}f} %"


def seconds(value) -> str:
    v = float(value)
    return f"{v:.1f} s" if v < 120 else f"{v / 60:.1f} min"


def signed(value, digits: int = 3) -> str:
    return f"{float(value):+.{digits}f}"


def points(value, digits: int = 1) -> str:
    """A difference of two shares in percentage points: 0.038 → '+3.8 points'."""
    if value is None:
        return "–"
    v = 100 * float(value)
    return f"{v:+.{digits}f} point{'' if abs(round(v, digits)) == 1 else 's'}"


_FORMATS = {
    "int": integer,
    "float": lambda v: number(v, 2),
    "float3": number,
    "pct": pct,
    "signed": signed,
    "points": points,
    "seconds": seconds,
}


def _cell(value, column: Column) -> str:
    # Cells go through `text` too: a table placed inside an admonition is parsed as Markdown.
    if column.fmt == "code":
        return str(code(value))
    fmt = _FORMATS.get(column.fmt)
    if fmt is not None and value is not None and value != "":
        return str(text(fmt(value)))
    return str(text(value))


# A table longer than this is folded (the reader opens it); one longer than SHOWN_ROWS shows its
# first rows, and the CSV download has them all (a hundred genres must not make a page heavy).
FOLD_ROWS = 100
SHOWN_ROWS = 300


def table(t: Table) -> Markup:
    """A table as escaped HTML (so no cell can break it), with a CSV download link."""
    numeric = {c.key for c in t.columns if c.fmt in _FORMATS}
    num_cls = ' class="gr-num"'
    head = "".join(
        f'<th{num_cls if c.key in numeric else ""}>{escape(c.label)}</th>' for c in t.columns)
    body = []
    for i, row in enumerate(t.rows[:SHOWN_ROWS]):
        cls = t.highlight.get(i)
        cells = "".join(
            f'<td{num_cls if c.key in numeric else ""}>{_cell(row.get(c.key), c)}</td>'
            for c in t.columns)
        row_cls = f' class="{escape(cls)}"' if cls else ""
        body.append(f"<tr{row_cls}>{cells}</tr>")
    if not t.rows:
        body.append(f'<tr><td colspan="{len(t.columns)}"><em>none</em></td></tr>')
    shown = (f" (the first {SHOWN_ROWS:,} of {len(t.rows):,} rows; the CSV has them all)"
             if len(t.rows) > SHOWN_ROWS else "")
    # The table scrolls sideways when wider than the page (Material's tables do): charts.js
    # lets keyboard users reach it when it does (its name says what it is), and the box around
    # it shows a fade on the side that has more.
    grid = (f'<div class="gr-scrollbox"><table aria-label="{escape(t.title)}">\n'
            f'<thead><tr>{head}</tr></thead>\n<tbody>\n' + "\n".join(body)
            + "\n</tbody>\n</table></div>\n")
    if len(t.rows) > FOLD_ROWS:
        grid = (f'<details class="gr-fold"><summary>{escape(t.title)}: '
                f'{len(t.rows):,} rows</summary>\n{grid}</details>\n')
    html = (
        f'<div class="gr-table" id="table-{escape(t.id)}">\n' + grid +
        f'<p class="gr-downloads">{escape(t.title)}{escape(shown)} · '
        f'<a href="{TABLE_ASSETS}/{escape(t.id)}.csv" download>CSV</a></p>\n</div>'
    )
    return Markup(html)


def _attr(value: str) -> str:
    # For a single-quoted attribute: JSON is full of double quotes, which `escape` would turn into
    # six-character entities and nearly double the page; only these four need escaping here.
    return (value.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def chart(c: Chart) -> Markup:
    """A chart: a Vega-Lite spec for vega-embed, an SVG fallback, and its data as CSV."""
    cid = escape(c.id)
    spec = json.dumps(c.page_spec or c.spec, separators=(",", ":"), allow_nan=False)
    svg = f"{CHART_ASSETS}/{cid}.svg"
    html = (
        f'<figure class="gr-chart" id="chart-{cid}">\n'
        # The spec rides in an attribute, not a <script> element: Material's instant navigation
        # re-creates scripts in new content and drops their type, which would run the JSON.
        f"<div class=\"gr-vega\" data-chart=\"{cid}\" data-spec='{_attr(spec)}'></div>\n"
        f'<noscript><img src="{svg}" alt="{escape(c.title)}"></noscript>\n'
        f'<figcaption>{escape(c.title)} · <a href="{svg}" download>SVG</a> · '
        f'<a href="{CHART_ASSETS}/{cid}.csv" download>data (CSV)</a></figcaption>\n'
        f'</figure>'
    )
    return Markup(html)


FILTERS = {
    "text": text,
    "code": code,
    "int": integer,
    "num": number,
    "pct": pct,
    "seconds": seconds,
    "signed": signed,
    "points": points,
    "chart": chart,
    "table": table,
}
