"""The quick build of the mirror: exact study figures in results.json and a strict MkDocs build."""

import json
import subprocess
import sys

import pytest

from genrereport import links

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
    # every feature has a histogram for every genre, on its feature's bins, counting every song
    pairs = {(h["feature"], h["genre"]) for h in eda["histograms"]}
    assert len(pairs) == len(eda["histograms"]) == 9 * 12
    songs = {s["genre"]: s["count"] for s in eda["shares"]}
    for h in eda["histograms"]:
        assert len(h["counts"]) == len(eda["hist_edges"][h["feature"]]) - 1 == eda["hist_bins"]
        assert sum(h["counts"]) == h["songs"] == songs[h["genre"]]


def test_separation_and_overlap_figures(quick_build):
    _, results, _ = quick_build
    eda = results["eda"]
    genres = sorted(STUDY_COUNTS)
    o = eda["overlap"]
    assert o["genres"] == genres and sorted(o["order"]) == genres
    n_pairs = len(genres) * (len(genres) - 1) // 2
    # 66 pairs are within the budget: every one is measured by the classifier
    assert len(o["pairs"]) == o["exact_pairs"] == n_pairs and o["estimated_pairs"] == 0
    values = [p["balanced_accuracy"] for p in o["pairs"]]
    assert values == sorted(values)  # hardest first
    # every pair is told apart better than chance and none perfectly: the genres overlap
    assert 0.5 < values[0] and values[-1] < 1
    assert all(max(p["sampled_a"], p["sampled_b"]) <= o["sample_per_genre"] for p in o["pairs"])
    # the Gaussian stand-in for many genres is close to the classifier on the study's data
    assert o["estimate_agreement"]["pairs"] == n_pairs
    assert o["estimate_agreement"]["max_abs_diff"] < 0.1
    assert o["estimate_agreement"]["rank_correlation"] > 0.9
    sep = eda["separation"]
    assert {r["feature"] for r in sep["features"]} == set(results["models"]["setup"]["features"])
    assert sep["rows"] == sep["distinct_rows"] < eda["rows"]  # no sample needed at 35k songs
    mi = [r["mutual_info"] for r in sep["features"]]
    assert mi == sorted(mi, reverse=True) and min(mi) >= 0
    # the three measures broadly agree: the top feature by mutual information is in the top
    # three by the ANOVA and by Kruskal-Wallis
    top = sep["features"][0]
    assert top["eta_squared_rank"] <= 3 and top["epsilon_squared_rank"] <= 3


def test_profiler_figures(quick_build):
    _, results, _ = quick_build
    eda = results["eda"]
    a = eda["alerts"]
    dup = a["duplicates"]
    # the count ydata-profiling 4.18 reports for these songs: distinct combinations of the 11
    # features and the genre that occur more than once
    assert dup["groups"] == 2390
    assert dup["rows_in_groups"] == dup["groups"] + dup["extra_copies"]
    # rows repeated on features and genre are also repeated on the features alone (the audit)
    assert dup["rows_in_groups"] <= results["audit"]["duplicates"]["feature_rows"]
    largest, smallest = max(STUDY_COUNTS.values()), min(STUDY_COUNTS.values())
    assert a["imbalance"]["ratio"] == pytest.approx(largest / smallest)
    assert a["strong_correlations"]["pairs"]
    assert all(p["strength"] >= a["strong_correlations"]["threshold"]
               for p in a["strong_correlations"]["pairs"])
    corr = eda["correlations"]
    assert corr["scopes"] == ["all songs"] + sorted(STUDY_COUNTS)
    n = len(corr["features"])
    assert len(corr["rows"]) == len(corr["scopes"]) * 2 * n * (n - 1) // 2
    assert all(r["r"] is None or -1 <= r["r"] <= 1 for r in corr["rows"])
    assert {v["feature"] for v in eda["values"]} == set(corr["features"])
    for v in eda["values"]:
        assert v["smallest"][0]["value"] <= v["largest"][0]["value"]
        assert sum(c["count"] for c in v["common"]) <= eda["rows"]


def test_overlap_pages(quick_build):
    settings, results, _ = quick_build
    out = settings.out_dir
    overlap = (out / "overlap.md").read_text()
    for chart in ("eda-separation", "eda-overlap", "eda-overlap-features"):
        assert f'id="chart-{chart}"' in overlap
    assert "The hardest genres to tell apart" in overlap and "The study's claim" in overlap
    exploration = (out / "exploration.md").read_text()
    assert 'id="chart-eda-correlations"' in exploration and 'id="table-eda-values"' in exploration
    assert exploration.count('!!! warning "Alert"') + exploration.count('!!! success "No alert"') == 5
    models = (out / "models.md").read_text()
    assert 'id="chart-models-separation-importances"' in models
    assert 'id="chart-models-confusion-overlap"' in models
    # the harder a pair is to separate, the more the best model confuses it
    pick = results["models"]["summary"]["best_val"]
    joined = links.confusion_vs_overlap(results["eda"]["overlap"],
                                        results["models"][pick]["confusion"])
    assert joined["rank_correlation"] < 0


def test_build_section_identifies_inputs(quick_build):
    settings, results, _ = quick_build
    build = results["build"]
    assert build["profile"] == "quick"
    assert len(build["data_sha256"]) == 64 and len(build["rules_sha256"]) == 64
    assert build["packages"]["genrereport"] and build["packages"]["scikit-learn"] != "absent"


def test_site_files(quick_build):
    settings, results, _ = quick_build
    out = settings.out_dir
    for page in ("index.md", "data.md", "binning.md", "exploration.md", "overlap.md"):
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
    # the page-weight budget: about 2 MB a page
    heavy = {p.name: p.stat().st_size for p in (tmp_path / "site").glob("*.html")
             if p.stat().st_size > 2 * 1024 * 1024}
    assert heavy == {}


def test_home_answers_first_with_the_figures_of_the_models_and_audit_pages(quick_build):
    """What we found opens Home, and its figures are the ones the other pages give the same
    model: one name per number."""
    import re

    from genrereport.filters import pct

    settings, results, _ = quick_build
    out = settings.out_dir
    index = (out / "index.md").read_text()
    found = index.split("## What we found", 1)[1].split("## The study", 1)[0]
    assert index.index("## What we found") < index.index("## The study")
    m = results["models"]
    pick = m["summary"]["best_val"]
    accuracy = pct(m[pick]["test_accuracy"])
    # The same model and figure on Home, the Models overview and the model's own listing.
    assert f"**{m[pick]['name']}**, names the genre of {accuracy}" in found
    assert f"test accuracy {accuracy}" in (out / "models.md").read_text()
    row = next(r for r in results["audit"]["grouped"]["models"] if r["model"] == "rf")
    # The audit's forest is smaller than the Models page's: every page says which it is.
    assert row["trees"] != m["rf"]["params"]["n_estimators"]
    named = f"{row['trees']:,}-tree"
    assert f"the {named} **Random forest** scores {pct(row['grouped'])}" in found
    audit = (out / "audit.md").read_text()
    assert "headline forest" not in audit
    for page in (index, audit, (out / "conclusion.md").read_text()):
        for hit in re.finditer(re.escape(pct(row["study_split"])), page):
            before = page[max(0, hit.start() - 300):hit.start()]
            # An interval's bound that happens to be the same figure is another number; in a
            # table, the row's note after the figure names the size.
            bound = before.endswith("interval ") or page[hit.end():].startswith(" to ")
            context = before + page[hit.start():hit.end() + 300]
            sized = named in context or f"{row['trees']:,} trees" in context
            assert bound or sized or pct(row["study_split"]) == accuracy, context
    assert "Can audio features predict the genre?" in (out / "conclusion.md").read_text()


def test_accuracy_differences_are_in_points_everywhere(quick_build):
    import re

    settings, _, _ = quick_build
    for page in ("audit.md", "models.md"):
        text = (settings.out_dir / page).read_text()
        # A table cell holding a bare signed fraction, such as "+0.038", is an accuracy
        # difference in the wrong unit.
        assert not re.findall(r"\| [+−-]0\.\d{3} \|", text), page
        assert " pts" not in text
