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


@pytest.mark.parametrize("stage, after", [("models", 1.0), ("models", 4.0)])
def test_ctrl_c_ends_the_build_and_keeps_the_site(tmp_path, stage, after):
    write_pull(tmp_path / "data" / "mine.csv", varied_songs(240))
    args = [sys.executable, "-m", "genrereport", "build", "--profile", "quick", "--data",
            str(tmp_path / "data"), "--cache-dir", str(tmp_path / "cache"), "--out",
            str(tmp_path / "site_src")]
    subprocess.run(args, cwd=REPO, check=True, capture_output=True)
    before = (tmp_path / "site_src" / "results.json").read_bytes()
    proc = subprocess.Popen(args + ["--force"], cwd=REPO, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if f"▸ {stage} …" in line:
            break
    time.sleep(after)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)  # a guard against a hang, not a speed measure
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the build did not end after Ctrl-C")
    waited = time.monotonic() - sent
    assert proc.returncode == 130, err
    assert "genrereport: interrupted" in err and "Traceback" not in err
    assert (tmp_path / "site_src" / "results.json").read_bytes() == before
    assert waited < 10, f"{waited:.1f} s from Ctrl-C to exit"
