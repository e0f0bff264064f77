"""Builds of the same inputs give the same results.json, apart from how long things took,
whatever the number of cores they run on."""

from __future__ import annotations

import json

import pytest

from genrereport import pipeline
from genrereport.progress import Reporter
from tests.conftest import quick_settings

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


def test_one_core_and_eight_write_the_same_results(varied_builds):
    """--jobs 8 on this machine runs up to eight stages at once, each with its share of the
    cores (on two cores, many more workers than cores); --jobs 1 runs one stage at a time, each
    fit on one core. The results are the same."""
    one = varied_builds("jobs1", n_jobs=1)
    eight = varied_builds("jobs8", n_jobs=8)
    a, b = _without_timings(one.results), _without_timings(eight.results)
    assert a["build"].pop("stage_keys") == b["build"].pop("stage_keys")
    for key in a:
        assert a[key] == b[key], key

    def most_at_once(records):
        spans = [(r.started, r.started + r.seconds) for r in records if r.status == "ran"]
        return max(sum(s <= t < e for s, e in spans) for t, _ in spans)

    assert most_at_once(one.records) == 1
    assert most_at_once(eight.records) > 2


def test_a_warm_build_reads_everything_from_the_cache_and_writes_the_same_file(varied_builds,
                                                                              tmp_path):
    cold = varied_builds("jobs1", n_jobs=1)
    warm = quick_settings(tmp_path, varied_builds.data).with_(
        cache_dir=cold.settings.cache_dir)
    reporter = Reporter(quiet=True)
    pipeline.run_build(warm, reporter)
    # Everything the results need comes from the cache: the sections and the data stages
    # (the model and experiment stages are not even read: their summaries are cached).
    assert {r.name: r.status for r in reporter.records if r.name != "render"} == {
        name: "cached" for name in ("load", "clean", "bin", "eda", "models", "audit",
                                    "clustering")}
    # The cache returns exactly what was computed.
    assert ((warm.out_dir / "results.json").read_bytes()
            == (cold.settings.out_dir / "results.json").read_bytes())
    assert json.loads((warm.out_dir / "results.json").read_text())["build"]["profile"] == "quick"
