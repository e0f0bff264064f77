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
    for i in range(2):
        settings = quick_settings(tmp_path / f"run{i}", tmp_path / "data")
        pipeline.run_build(settings, Reporter(quiet=True))
        texts.append(json.loads((settings.out_dir / "results.json").read_text()))
    a, b = (_without_timings(t) for t in texts)
    assert a["build"].pop("stage_keys") == b["build"].pop("stage_keys")
    for key in a:
        assert a[key] == b[key], key
