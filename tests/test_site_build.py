"""The quick build of the mirror: exact study figures in results.json and a strict MkDocs build."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

STUDY_COUNTS = {
    "pop": 12197, "rock": 4309, "dance": 3696, "rap/hip hop": 2729, "classical": 2665,
    "jazz/blues": 2593, "country, folk": 1536, "hardcore": 1500, "mexicano/latino": 1435,
    "old school dance": 922, "focus/sleep": 922, "gospel/worship": 545,
}


def test_data_and_binning_figures(quick_build):
    _, results, _ = quick_build
    data, binning = results["data"], results["binning"]
    assert data["rows_pulled"] == 46291
    assert data["duplicates_dropped"] == 7756
    assert data["rows_after_dedup"] == 38535
    assert data["rows_rejected"] == 0
    assert binning["unbinned"] == 3486
    assert binning["rows"] == 35049
    assert binning["counts"] == STUDY_COUNTS
    assert 0 < binning["multi_match"] < binning["rows"]


def test_exploration_figures(quick_build):
    _, results, _ = quick_build
    eda = results["eda"]
    ts = {r["time_signature"]: r["count"] for r in eda["time_signature_counts"]}
    assert ts == {4: 31137, 3: 2972, 5: 535, 1: 335, 0: 70}
    assert {r["mode"]: r["count"] for r in eda["mode_counts"]} == {1: 22225, 0: 12824}
    assert eda["tempo_zero_count"] == 68 == len(eda["tempo_zero_tracks"])
    # every feature has a histogram for every genre, and each genre's shares sum to 1
    pairs = {(h["feature"], h["genre"]) for h in eda["histograms"]}
    assert len(pairs) == 9 * 12
    for feature, genre in list(pairs)[:10]:
        total = sum(h["share"] for h in eda["histograms"] if h["feature"] == feature and h["genre"] == genre)
        assert total == pytest.approx(1.0)


def test_build_section_identifies_inputs(quick_build):
    settings, results, _ = quick_build
    build = results["build"]
    assert build["profile"] == "quick"
    assert len(build["data_sha256"]) == 64 and len(build["rules_sha256"]) == 64
    assert build["packages"]["genrereport"] and build["packages"]["scikit-learn"] != "absent"


def test_site_files(quick_build):
    settings, results, _ = quick_build
    out = settings.out_dir
    for page in ("index.md", "data.md", "binning.md", "exploration.md"):
        assert (out / page).is_file()
    assert (out / "assets/vendor/vega-bundle.js").stat().st_size > 100_000
    index = (out / "index.md").read_text()
    assert "35,049" in index and "46,291" in index
    charts = list((out / "assets/charts").glob("*.svg"))
    assert charts and all(c.with_suffix(".csv").is_file() for c in charts)
    assert (out / "assets/tables/binning-counts.csv").read_text().startswith("target,count,share")
    assert json.loads((out / "results.json").read_text()) == results


def test_mkdocs_strict_build(quick_build, tmp_path):
    settings, _, _ = quick_build
    config = settings.out_dir.parent / "mkdocs.yml"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config),
                           "-d", str(tmp_path / "site")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "site" / "index.html").read_text()
    assert "fonts.googleapis.com" not in html and "cdn.jsdelivr" not in html
