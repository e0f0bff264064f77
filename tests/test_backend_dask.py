"""`--backend dask` submits the stages themselves to a Dask cluster (here a LocalCluster of
processes on 127.0.0.1, as CI has no other), and writes the same results as a local build."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest

from genrereport import backends, cache, pipeline, stagejob
from genrereport.errors import GenreReportError
from genrereport.progress import Reporter
from genrereport.study import load_study
from tests.conftest import quick_settings
from tests.test_reproducible import _without_timings

pytestmark = pytest.mark.slow


def test_a_dask_build_runs_each_stage_but_load_on_a_worker_and_writes_the_local_results(
        varied_builds):
    # One model stands for all (each is a stage like the others): the data, exploration,
    # model, audit and clustering stages all go through the cluster.
    lean = dataclasses.replace(load_study(), models=("logreg",))
    local = varied_builds("lean-jobs1", n_jobs=1, study=lean)
    settings = quick_settings(varied_builds.root / "dask", varied_builds.data, backend="dask",
                              study=lean)
    log = io.StringIO()
    reporter = Reporter(stream=log)
    pipeline.run_build(settings, reporter)
    ran = {r.name: r for r in reporter.records if r.status == "ran"}
    # The data files are on this machine only (workers share no disk with it): `load` reads
    # them here, and the songs travel to the cluster with the stages after it.
    assert ran["load"].where is None
    analyses = [r for name, r in ran.items() if name not in ("load", "render")]
    assert len(analyses) >= 12 and {"clean", "bin", "logreg", "audit.logreg", "clustering.scan",
                                     "clustering"} <= {r.name for r in analyses}
    for record in analyses:  # the log says which worker ran each stage
        assert record.where is not None and record.where.startswith("tcp://127.0.0.1:")
        assert f"  {record.name}: ran in " in log.getvalue()
        assert f" on {record.where}" in log.getvalue()
    dask = _without_timings(json.loads((settings.out_dir / "results.json").read_text()))
    ours = _without_timings(local.results)
    assert ours["build"].pop("stage_keys") == dask["build"].pop("stage_keys")
    for key in ours:
        assert ours[key] == dask[key], key


def test_a_stage_on_a_worker_needs_no_cache_of_its_own(tmp_path):
    """A worker gets its inputs with the stage and hands the result back: it never reads or
    writes a cache folder (workers on other machines have none of the build's)."""
    from genrereport.settings import PROFILES, Settings
    from tests.pulls import varied_songs

    import pandas as pd

    frame = pd.DataFrame(varied_songs(40))
    frame["target"] = frame["genre"]
    settings = Settings(cache_dir=tmp_path / "nowhere", profile=PROFILES["quick"])
    job = stagejob.StageJob("probe", "k", "tests.test_backend_dask", "_rows", (),
                            (("bin", "k0"),), settings, cache=False)
    outcome = stagejob.execute(job, {"bin": (frame, {})})
    assert outcome.error is None and outcome.value == {"rows": 40}
    assert not outcome.in_cache and not (tmp_path / "nowhere").exists()


def _rows(frame, *upstream, settings, reporter):
    return {"rows": len(frame)}


def test_a_daemon_worker_is_a_one_line_error(tmp_path):
    """Dask's workers are daemon processes by default, which may not start a stage's process:
    the build says which setting to change."""
    from dask.distributed import Client, LocalCluster

    settings = quick_settings(tmp_path, tmp_path)
    job = stagejob.StageJob("probe", "k", "tests.test_backend_dask", "_rows", (), (), settings,
                            cache=False)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        with pytest.raises(GenreReportError, match=backends.DAEMON_SETTING):
            client.submit(backends.on_worker, job).result()


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setattr(backends, "CONNECT_SECONDS", 2)
    settings = quick_settings(tmp_path, tmp_path, backend="dask", scheduler="tcp://127.0.0.1:9")
    with pytest.raises(GenreReportError, match="cannot reach tcp://127.0.0.1:9"):
        with backends.runner(settings, cache.StageCache(tmp_path)):
            pass


def _sleeps(*, settings, reporter):
    import os
    import time

    (settings.cache_dir.parent / f"{settings.seed}.pid").write_text(str(os.getpid()))
    time.sleep(60)


def _cores(*, settings, reporter):
    return {"cores": settings.jobs_now()}


def _probe(settings, function: str, name: str = "probe") -> stagejob.StageJob:
    return stagejob.StageJob(name, "k", "tests.test_backend_dask", function, (), (), settings,
                             analysis=False)


def _wait_for(path, seconds: float = 60.0) -> int:
    import time

    end = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < end:
        time.sleep(0.05)
    return int(path.read_text())


def test_a_stopped_build_ends_its_stages_on_the_workers_and_its_keys_are_its_own(tmp_path):
    """Two builds on one cluster submit the same stage (same name, same key): each is its own
    task, and stopping one build ends its stage's process on the worker, not the other's."""
    from tests.test_stage_processes import _gone

    one = quick_settings(tmp_path, tmp_path, backend="dask", n_jobs=2, seed=1)
    two = one.with_(seed=2)
    with backends.runner(one, cache.StageCache(one.cache_dir)) as first:
        first.start(_probe(one, "_sleeps"), {}, 0)
        pid_one = _wait_for(tmp_path / "1.pid")
        second = backends.DaskRunner(first.client, cache.StageCache(one.cache_dir),
                                     first._here)
        second.start(_probe(two, "_sleeps"), {}, 0)
        pid_two = _wait_for(tmp_path / "2.pid")
        try:
            second.stop()
            assert _gone(pid_two, seconds=5.0)
            assert not _gone(pid_one, seconds=0.5)
        finally:
            first.stop()
        assert _gone(pid_one, seconds=5.0)


def test_a_local_cluster_keeps_to_the_builds_cores(tmp_path):
    settings = quick_settings(tmp_path, tmp_path, backend="dask", n_jobs=1)
    with backends.runner(settings, cache.StageCache(settings.cache_dir)) as runner:
        runner.start(_probe(settings, "_cores"), {}, 0)
        outcomes = []
        while not outcomes:
            outcomes = runner.wait(1.0)
    assert outcomes[0].error is None and outcomes[0].value == {"cores": 1}


def test_a_stage_lost_on_the_cluster_is_a_one_line_error(tmp_path):
    settings = quick_settings(tmp_path, tmp_path, backend="dask")
    with backends.runner(settings, cache.StageCache(settings.cache_dir)) as runner:
        runner.start(_probe(settings, "_sleeps"), {}, 0)
        _wait_for(tmp_path / f"{settings.seed}.pid")
        runner.client.cancel(list(runner._running.values()))  # as a lost worker would
        outcomes = []
        while not outcomes:
            outcomes = runner.wait(1.0)
    error = outcomes[0].error
    assert isinstance(error, GenreReportError)
    assert str(error).startswith("stage probe on the Dask cluster: ") and "\n" not in str(error)
