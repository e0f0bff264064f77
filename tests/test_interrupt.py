"""Ctrl-C, SIGTERM or SIGHUP ends a build at once, whatever stage is running, with every stage's
process and the workers it started, and keeps the last good site."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import psutil
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

TAG = "GENREREPORT_TEST_RUN"


def _tagged(tag: str) -> list[psutil.Process]:
    """The processes still running with this run's tag in their environment (every process a
    build starts inherits it)."""
    found = []
    for proc in psutil.process_iter(["status"]):
        try:
            if proc.info["status"] != psutil.STATUS_ZOMBIE and proc.environ().get(TAG) == tag:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


# A model stage early on (its search runs its fits in worker processes), and one of the audit's
# retrainings (the network's, the longest of them on these songs).
@pytest.mark.parametrize("stage, after, signum", [("rf", 1.0, signal.SIGINT),
                                                   ("logreg", 0.5, signal.SIGINT),
                                                   ("audit.nn", 1.0, signal.SIGTERM),
                                                   ("xgb", 0.5, signal.SIGHUP)])
def test_a_signal_ends_the_build_and_its_processes_and_keeps_the_site(varied_builds, tmp_path,
                                                                      stage, after, signum):
    cold = varied_builds("jobs1", n_jobs=1)
    before = (cold.settings.out_dir / "results.json").read_bytes()
    out = tmp_path / "site_src"
    subprocess.run(["cp", "-r", str(cold.settings.out_dir), str(out)], check=True)
    args = [sys.executable, "-m", "genrereport", "build", "--profile", "quick", "--data",
            str(varied_builds.data), "--cache-dir", str(tmp_path / "cache"), "--out", str(out),
            "--jobs", "2"]
    tag = uuid.uuid4().hex
    # stderr to a file: a pipe would stay open as long as any process holding it lives, which
    # is what the test checks by other means.
    log = tmp_path / "stderr.log"
    with open(log, "w") as sink:
        proc = subprocess.Popen(args, cwd=REPO, stderr=sink, text=True,
                                env={**os.environ, TAG: tag})
        deadline = time.monotonic() + 300
        while f"▸ {stage} …" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(after)
        assert len(_tagged(tag)) > 2  # the build, its stages' processes and their workers
        sent = time.monotonic()
        proc.send_signal(signum)
        try:
            proc.wait(timeout=60)  # a guard against a hang, not a speed measure
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("the build did not end after the signal")
    waited = time.monotonic() - sent
    # The process multiprocessing forks stages from leaves when the build has left.
    while (left := _tagged(tag)) and time.monotonic() - sent < 2:
        time.sleep(0.05)
    gone = time.monotonic() - sent
    err = log.read_text()
    assert proc.returncode == 128 + signum, err
    assert "genrereport: interrupted" in err and "Traceback" not in err
    assert (out / "results.json").read_bytes() == before
    assert waited < 2, f"{waited:.1f} s from the signal to the build's exit"
    assert not left, [p.cmdline() for p in left]
    assert gone < 2, f"{gone:.1f} s from the signal until nothing of the build ran"
