"""Stage caching: a second build reuses everything, and each input invalidates what it should."""

import json
import pytest

from genrereport import pipeline, render, resources
from genrereport.errors import GenreReportError
from genrereport.progress import Reporter
from tests.conftest import quick_settings
from tests.pulls import varied_songs, write_pull


@pytest.fixture
def small(tmp_path, spine_only):
    write_pull(tmp_path / "data" / "mine.csv", varied_songs(80))
    return quick_settings(tmp_path, tmp_path / "data")


def statuses(settings):
    reporter = Reporter(quiet=True)
    pipeline.run_build(settings, reporter)
    return {r.name: r.status for r in reporter.records}


def test_second_build_reuses_everything(small):
    assert statuses(small) == {"load": "ran", "clean": "ran", "bin": "ran", "eda": "ran", "render": "ran"}
    # a warm build does not even need the data frames: only the reports and the analyses
    assert set(statuses(small).values()) == {"cached"}


def test_force_reruns_everything(small):
    statuses(small)
    assert set(statuses(small.with_(force=True)).values()) == {"ran"}


def test_rules_edits_rerun_binning_and_below_and_the_original_rules_rerun_nothing(small,
                                                                                  tmp_path):
    """Five rules edits in a row (as under `serve`), then the original rules back: every stage
    of the original build is still cached. The cache evicts by last use within a size budget,
    not the oldest beyond a few entries per stage."""
    statuses(small)
    original = resources.default_rules_path().read_text()
    rules = tmp_path / "rules.toml"
    for n in range(5):
        rules.write_text(original.replace('target = "pop"', f'target = "pop {n}"'))
        got = statuses(small.with_(rules_path=rules))
        assert got == {"load": "cached", "clean": "cached", "bin": "ran", "eda": "ran",
                       "render": "ran"}
    rules.write_text(original)
    got = statuses(small.with_(rules_path=rules))
    assert got == {"load": "cached", "clean": "cached", "bin": "cached", "eda": "cached",
                   "render": "ran"}


def test_data_change_reruns_from_load(small, tmp_path):
    statuses(small)
    write_pull(tmp_path / "data" / "more.csv", varied_songs(8))
    assert set(statuses(small).values()) == {"ran"}


def test_template_change_reruns_only_render(small, spine_only):
    copy = spine_only
    statuses(small)
    page = copy / "pages" / "data.md.j2"
    page.write_text(page.read_text() + "\nA sentence added by the test.\n")
    got = statuses(small)
    assert got == {"load": "cached", "clean": "cached", "bin": "cached", "eda": "cached", "render": "ran"}
    assert "A sentence added by the test." in (small.out_dir / "data.md").read_text()


def test_profile_does_not_invalidate_exploration(small):
    from genrereport.settings import PROFILES

    statuses(small)
    got = statuses(small.with_(profile=PROFILES["full"]))
    assert got["eda"] == "cached"  # the exploration does not depend on model sizes


def test_failed_render_keeps_the_last_good_site(small, spine_only):
    statuses(small)
    before = (small.out_dir / "results.json").read_bytes()
    (spine_only / "pages" / "binning.md.j2").write_text("# Binning\n\n{{ results.no_such_key }}\n")
    with pytest.raises(GenreReportError) as err:
        statuses(small)
    assert "binning.md.j2, line 3: template error" in str(err.value)
    assert "no_such_key" in str(err.value)
    assert (small.out_dir / "results.json").read_bytes() == before
    assert (small.out_dir / "binning.md").is_file()
    leftovers = [p.name for p in small.out_dir.parent.iterdir() if p.name.startswith(".site_src")]
    assert leftovers == []


def test_interrupted_analysis_keeps_the_last_good_site(small, monkeypatch):
    from genrereport import processes

    statuses(small)
    stamp = (small.out_dir / render.STAMP).read_text()
    stages = []

    def interrupted(self, timeout):
        # Ctrl-C while the exploration runs in its own process.
        stages.extend(process for process, _ in self._stages.values())
        raise KeyboardInterrupt

    monkeypatch.setattr(processes.LocalRunner, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        statuses(small.with_(force=True))
    assert stages and not any(p.is_alive() for p in stages)  # ended with the build
    assert (small.out_dir / render.STAMP).read_text() == stamp
    assert json.loads((small.out_dir / "results.json").read_text())["binning"]["rows"] == 80


def test_results_json_is_strict_even_when_an_analysis_yields_nan(small):
    """results.json is strict JSON: a NaN or a NumPy number in the results is written as null or
    a plain number, not as the non-standard NaN token and not as a crash."""
    import numpy as np

    results = pipeline.run_build(small, Reporter(quiet=True))
    results["data"]["probe_nan"] = float("nan")
    results["data"]["probe_numpy"] = np.float64(0.5)
    render.render_site(results, small.with_(force=True), Reporter(quiet=True))
    written = json.loads((small.out_dir / "results.json").read_text(),
                         parse_constant=lambda name: pytest.fail(f"results.json holds {name}"))
    assert written["data"]["probe_nan"] is None and written["data"]["probe_numpy"] == 0.5
