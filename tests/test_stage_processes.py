"""Each analysis runs in a process of its own: what it sets stays there, what it raises reaches
the build as the build would have raised it, and a process that dies is a one-line error."""

from __future__ import annotations

import os
import signal

import pytest

from genrereport import cache, pipeline, processes
from genrereport.errors import DataError, GenreReportError
from genrereport.progress import Reporter
from genrereport.settings import Settings


def _no_songs(*, settings, reporter):
    return [], {}


def _environment(frame, *upstream, settings, reporter):
    return {k: os.environ.get(k) for k in processes.ALLOCATOR}


def _threads(frame, *upstream, settings, reporter):
    from threadpoolctl import threadpool_info

    return sorted({pool["num_threads"] for pool in threadpool_info()
                   if pool["user_api"] in ("blas", "openmp")})


def _bad_data(frame, *upstream, settings, reporter):
    raise DataError("songs.csv, column tempo: not a number in 20 rows")


def _killed(frame, *upstream, settings, reporter):
    os.kill(os.getpid(), signal.SIGKILL)


def _build(tmp_path, function: str):
    settings = Settings(cache_dir=tmp_path / "cache", n_jobs=2)
    b = pipeline.Build(settings, Reporter(quiet=True), cache.StageCache(settings.cache_dir))
    b.define("bin", (), pipeline.Job("tests.test_stage_processes", "_no_songs", analysis=False))
    b.define("probe", ("bin",), pipeline.Job("tests.test_stage_processes", function))
    return b


def test_a_stages_process_starts_with_the_allocator_set_and_the_build_keeps_its_own(tmp_path):
    before = {k: os.environ.get(k) for k in processes.ALLOCATOR}
    b = _build(tmp_path, "_environment")
    b.compute(["probe"])
    assert b.get("probe") == processes.ALLOCATOR
    assert {k: os.environ.get(k) for k in processes.ALLOCATOR} == before


def test_a_stages_native_thread_pools_start_with_its_share_of_the_cores(tmp_path):
    b = _build(tmp_path, "_threads")
    b.settings = b.settings.with_(n_jobs=1)
    b.compute(["probe"])
    assert b.get("probe") == [1]


def test_an_error_in_a_stage_is_the_builds_one_line_error(tmp_path):
    b = _build(tmp_path, "_bad_data")
    with pytest.raises(DataError, match="songs.csv, column tempo") as raised:
        b.compute(["probe"])
    assert "_bad_data" in str(raised.value.__cause__)  # --debug shows where, in the stage


def test_a_stage_whose_process_dies_is_a_one_line_error(tmp_path):
    b = _build(tmp_path, "_killed")
    with pytest.raises(GenreReportError, match="stage probe: its process was killed by signal 9"):
        b.compute(["probe"])
