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


def _child_then_fail(frame, *upstream, settings, reporter):
    import subprocess
    import time

    child = subprocess.Popen(["sleep", "60"])
    (settings.cache_dir.parent / "child.pid").write_text(str(child.pid))
    time.sleep(0.2)
    raise DataError("songs.csv, column tempo: not a number in 20 rows")


def _child_then_answer(frame, *upstream, settings, reporter):
    import subprocess

    child = subprocess.Popen(["sleep", "60"])
    (settings.cache_dir.parent / "child.pid").write_text(str(child.pid))
    return {"rows": 0}


def _gone(pid: int, seconds: float = 5.0) -> bool:
    import time

    import psutil

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("function", ["_child_then_fail", "_child_then_answer"])
def test_what_a_stage_started_ends_with_it_whether_it_fails_or_answers(tmp_path, function):
    b = _build(tmp_path, function)
    try:
        b.compute(["probe"])
    except DataError:
        assert function == "_child_then_fail"
    pid = int((tmp_path / "child.pid").read_text())
    try:
        assert _gone(pid, seconds=2.0)
    finally:
        if not _gone(pid, seconds=0):
            os.kill(pid, signal.SIGKILL)


def _sleep_long(frame, *upstream, settings, reporter):
    import time

    (settings.cache_dir.parent / "stage.pid").write_text(str(os.getpid()))
    time.sleep(60)


BUILD_THAT_DIES = """
import sys
from pathlib import Path
from tests.test_stage_processes import _build
if __name__ == "__main__":
    _build(Path(sys.argv[1]), "_sleep_long").compute(["probe"])
"""


def test_a_stage_ends_when_its_build_is_killed_outright(tmp_path):
    """SIGKILL (or a closed terminal, an out-of-memory kill) gives the build no chance to end
    its stages: each stage watches its build and leaves with its group when the build is gone."""
    import subprocess
    import sys
    import time

    script = tmp_path / "build.py"
    script.write_text(BUILD_THAT_DIES)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = subprocess.Popen([sys.executable, str(script), str(tmp_path)], cwd=root,
                             env={**os.environ, "PYTHONPATH": root})
    pid_file = tmp_path / "stage.pid"
    try:
        end = time.monotonic() + 60
        while not pid_file.exists() and time.monotonic() < end and build.poll() is None:
            time.sleep(0.05)
        assert pid_file.exists(), "the stage never started"
        stage = int(pid_file.read_text())
    finally:
        build.kill()
        build.wait()
    try:
        assert _gone(stage, seconds=3.0)
    finally:
        if not _gone(stage, seconds=0):
            os.kill(stage, signal.SIGKILL)


def _die_reading(running):
    # Dies as a stage killed while it reads its share would: holding whatever the read takes.
    lock = getattr(running, "get_lock", None)
    if lock is not None:
        lock().acquire()
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_stage_killed_while_it_reads_its_share_leaves_the_count_usable():
    import threading

    ctx = processes.context()
    runner = processes.LocalRunner(2)
    child = ctx.Process(target=_die_reading, args=(runner._running,))
    child.start()
    child.join(10)
    counted = threading.Event()
    threading.Thread(target=lambda: (runner._count(1), runner._count(-1), counted.set()),
                     daemon=True).start()
    assert counted.wait(5), "the build waits for a lock held by a dead stage"
    assert processes.Share(runner._running, 8)() == 8
