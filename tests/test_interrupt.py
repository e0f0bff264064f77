"""Ctrl-C ends a build at once, whatever stage is running, and keeps the last good site."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO
from tests.pulls import varied_songs, write_pull

pytestmark = pytest.mark.slow


# A model stage early on, and one of the audit's retrainings (the network's, the longest of
# them on these songs).
@pytest.mark.parametrize("stage, after", [("rf", 1.0), ("audit.nn", 1.0)])
def test_ctrl_c_ends_the_build_and_keeps_the_site(tmp_path, stage, after):
    write_pull(tmp_path / "data" / "mine.csv", varied_songs(240))
    args = [sys.executable, "-m", "genrereport", "build", "--profile", "quick", "--data",
            str(tmp_path / "data"), "--cache-dir", str(tmp_path / "cache"), "--out",
            str(tmp_path / "site_src")]
    subprocess.run(args, cwd=REPO, check=True, capture_output=True)
    before = (tmp_path / "site_src" / "results.json").read_bytes()
    # stderr to a file: a pipe would stay open as long as any worker process lives, which is
    # not what this test is about (the build itself ending).
    log = tmp_path / "stderr.log"
    with open(log, "w") as sink:
        proc = subprocess.Popen(args + ["--force"], cwd=REPO, stderr=sink, text=True)
        deadline = time.monotonic() + 300
        while f"▸ {stage} …" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(after)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)  # a guard against a hang, not a speed measure
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("the build did not end after Ctrl-C")
    waited = time.monotonic() - sent
    err = log.read_text()
    assert proc.returncode == 130, err
    assert "genrereport: interrupted" in err and "Traceback" not in err
    assert (tmp_path / "site_src" / "results.json").read_bytes() == before
    assert waited < 10, f"{waited:.1f} s from Ctrl-C to exit"
