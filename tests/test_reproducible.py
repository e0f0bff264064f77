"""Two builds of the same inputs give the same results.json, apart from how long things took."""

from __future__ import annotations

import json

import pytest

from genrereport import pipeline
from genrereport.progress import Reporter
from tests.conftest import quick_settings
from tests.pulls import varied_songs, write_pull

pytestmark = pytest.mark.slow

# Keys that hold measured durations: they differ from run to run by nature.
TIMING = ("seconds", "fit_seconds", "total_seconds", "refit_time")


def _without_timings(obj):
    if isinstance(obj, dict):
        return {k: _without_timings(v) for k, v in obj.items()
                if not (k in TIMING or k.endswith("_seconds"))}
    if isinstance(obj, list):
        return [_without_timings(v) for v in obj]
    return obj


def test_two_cold_builds_write_the_same_results(tmp_path):
    write_pull(tmp_path / "data" / "mine.csv", varied_songs(240))
    texts = []
    # One build runs its stages one at a time, the other side by side on two cores: the
    # scheduling and each stage's share of the cores change nothing in the results.
    for i, jobs in enumerate((1, 2)):
        settings = quick_settings(tmp_path / f"run{i}", tmp_path / "data", n_jobs=jobs)
        pipeline.run_build(settings, Reporter(quiet=True))
        texts.append(json.loads((settings.out_dir / "results.json").read_text()))
    a, b = (_without_timings(t) for t in texts)
    assert a["build"].pop("stage_keys") == b["build"].pop("stage_keys")
    for key in a:
        assert a[key] == b[key], key
    # A warm build (every stage from the cache) writes the cold build's file byte for byte:
    # the cache returns exactly what was computed.
    warm = quick_settings(tmp_path / "run0", tmp_path / "data").with_(
        out_dir=tmp_path / "warm" / "site_src")
    reporter = Reporter(quiet=True)
    pipeline.run_build(warm, reporter)
    # Everything the results need comes from the cache: the sections and the data stages
    # (the model and experiment stages are not even read: their summaries are cached).
    assert {r.name: r.status for r in reporter.records if r.name != "render"} == {
        name: "cached" for name in ("load", "clean", "bin", "eda", "models", "audit",
                                    "clustering")}
    assert ((warm.out_dir / "results.json").read_bytes()
            == (tmp_path / "run0" / "site_src" / "results.json").read_bytes())
