"""`--backend dask` runs the parallel steps on a Dask cluster (here a LocalCluster on
127.0.0.1, as CI has no other) and writes the same results as a local build."""

from __future__ import annotations

import json

import pytest

from genrereport import backends, pipeline
from genrereport.errors import GenreReportError
from genrereport.progress import Reporter
from tests.conftest import quick_settings
from tests.pulls import varied_songs, write_pull
from tests.test_reproducible import _without_timings

pytestmark = pytest.mark.slow


def test_a_dask_build_writes_the_local_builds_results(tmp_path):
    write_pull(tmp_path / "data" / "mine.csv", varied_songs(240))
    texts = {}
    for backend in ("local", "dask"):
        settings = quick_settings(tmp_path / backend, tmp_path / "data", backend=backend)
        pipeline.run_build(settings, Reporter(quiet=True))
        texts[backend] = _without_timings(
            json.loads((settings.out_dir / "results.json").read_text()))
    local, dask = texts["local"], texts["dask"]
    assert local["build"].pop("stage_keys") == dask["build"].pop("stage_keys")
    for key in local:
        assert local[key] == dask[key], key


def test_the_dask_backend_really_runs_the_steps_on_the_cluster(tmp_path):
    """The joblib calls inside a stage go to the cluster's workers, not to local processes."""
    from joblib import Parallel, delayed

    settings = quick_settings(tmp_path, tmp_path, backend="dask")
    with backends.session(settings) as running:
        with backends.stage_backend(running):
            pids = Parallel(n_jobs=2)(delayed(_worker_pid)() for _ in range(8))
        workers = running.client.run(_worker_pid)
    assert set(pids) <= set(workers.values())
    assert len(workers) == settings.n_jobs


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setattr(backends, "CONNECT_SECONDS", 2)
    settings = quick_settings(tmp_path, tmp_path, backend="dask", scheduler="tcp://127.0.0.1:9")
    with pytest.raises(GenreReportError, match="cannot reach tcp://127.0.0.1:9"):
        with backends.session(settings):
            pass


def _worker_pid() -> int:
    import os

    return os.getpid()
