"""Song and artist names are data: markup in them must show as text and break no table."""

import html as html_lib
import json
import re
import subprocess
import sys

from genrereport import filters, pipeline
from genrereport.progress import Reporter
from genrereport.tables import Column, Table
from tests.conftest import quick_settings
from tests.pulls import song, varied_songs, write_pull

EVIL = "<script>alert(1)</script>"


def test_text_filter_escapes_html_and_markdown():
    out = str(filters.text("a | b <b>*x*</b> [l](u)"))
    assert "<b>" not in out and "|" not in out and "*" not in out and "[" not in out
    assert "&lt;b&gt;" in out


def test_table_filter_escapes_cells_and_keeps_columns():
    t = Table("t", "T", [Column("name", "name"), Column("n", "n", "int")],
              [{"name": EVIL, "n": 1}, {"name": "a | b", "n": 2}])
    html = str(filters.table(t))
    assert EVIL not in html and "&lt;script&gt;" in html
    assert html.count("<tr>") == 3  # header + 2 rows: the pipe did not split a row
    assert all(row.count("<td") == 2 for row in re.findall(r"<tr>(.*?)</tr>", html)[1:])


def test_chart_spec_is_escaped_in_its_attribute():
    from genrereport.charts import Chart

    html = str(filters.chart(Chart("c", "T", {"data": {"values": [{"name": EVIL}]}})))
    assert "<script" not in html
    spec = html_lib.unescape(re.search(r"data-spec='([^']*)'", html).group(1))
    assert EVIL in spec


def test_hostile_titles_in_the_built_site(tmp_path, spine_only):
    rows = varied_songs(40) + [
        song(900, track_name=EVIL, artist_name="a | b", tempo=0, genre="['dance pop']"),
        song(901, track_name="**bold** _x_ [link](http://x)", artist_name="<img src=x onerror=alert(2)>",
             tempo=0, genre="['dance pop']"),
    ]
    write_pull(tmp_path / "data" / "mine.csv", rows)
    settings = quick_settings(tmp_path, tmp_path / "data")
    pipeline.run_build(settings, Reporter(quiet=True))
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(tmp_path / "mkdocs.yml"),
                    "-d", str(tmp_path / "site")], check=True, capture_output=True)
    html = (tmp_path / "site" / "exploration.html").read_text(encoding="utf-8")
    assert EVIL not in html and "<img src=x" not in html
    cells = [html_lib.unescape(re.sub(r"<[^>]+>", "", c))
             for c in re.findall(r"<td>(.*?)</td>", html, re.S)]
    assert EVIL in cells and "a | b" in cells and "<img src=x onerror=alert(2)>" in cells
    assert "**bold** _x_ [link](http://x)" in cells
    assert "<strong>bold</strong>" not in html and 'href="http://x"' not in html
    # the tempo-0 table keeps its four columns on every row
    table = re.search(r'id="table-eda-tempo-zero".*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    assert len(rows) == 3
    assert all(r.count("<td") == 4 for r in rows[1:])


def test_csv_downloads_defuse_spreadsheet_formulas():
    from genrereport import render

    rows = [{"name": "=HYPERLINK(\"http://x\")", "other": "+1", "at": "@SUM(A1)",
             "dash": "-cmd", "loudness": -7.5, "plain": "pop"}]
    text = render._csv(rows).decode()
    assert "'=HYPERLINK" in text and "'+1" in text and "'@SUM" in text and "'-cmd" in text
    assert ",-7.5," in text and text.rstrip().endswith(",pop")


def test_names_stay_on_one_line_and_keep_their_backticks_harmless():
    out = str(filters.text("evil`name\n| col |\r\nnext"))
    assert "\n" not in out and "\r" not in out and "`" not in out and "|" not in out


def test_long_tables_fold_and_very_long_ones_show_their_first_rows():
    cols = [Column("name", "name"), Column("n", "n", "int")]
    short = str(filters.table(Table("s", "Short", cols, [{"name": str(i), "n": i}
                                                           for i in range(filters.FOLD_ROWS)])))
    assert "<details" not in short
    folded = str(filters.table(Table("f", "Folded", cols, [{"name": str(i), "n": i}
                                                            for i in range(150)])))
    assert '<details class="gr-fold"><summary>Folded: 150 rows</summary>' in folded
    assert folded.count("<tr>") == 151
    cut = str(filters.table(Table("c", "Cut", cols, [{"name": str(i), "n": i}
                                                     for i in range(1000)])))
    assert cut.count("<tr>") == filters.SHOWN_ROWS + 1
    assert "the first 300 of 1,000 rows; the CSV has them all" in cut


def test_large_chart_data_is_fetched_not_inlined():
    from genrereport.charts import Chart, external

    big = [{"x": i, "y": i * 2} for i in range(5000)]
    spec = {"datasets": {"big": big, "small": [{"x": 1}]},
            "layer": [{"data": {"name": "big"}, "mark": "point"},
                      {"data": {"name": "small"}, "mark": "rule"}]}
    c = Chart("c1", "T", spec)
    files = external(c, "assets/charts", limit=10_000)
    assert list(files) == ["c1.data-0.json"] and json.loads(files["c1.data-0.json"]) == big
    assert c.page_spec["layer"][0]["data"] == {"url": "assets/charts/c1.data-0.json",
                                              "format": {"type": "json"}}
    assert c.page_spec["datasets"] == {"small": [{"x": 1}]}
    assert c.spec["datasets"]["big"] == big  # the full spec still makes the SVG
    assert "5000" not in str(filters.chart(c)) and "c1.data-0.json" in str(filters.chart(c))
    assert external(Chart("c2", "T", {"datasets": {"s": [{"x": 1}]}}), "a") == {}
