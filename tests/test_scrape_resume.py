"""A scrape interrupted at any point resumes with no artist lost and no row repeated."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from genrereport.cli import main
from genrereport.scrape import checkpoint as checkpoint_mod
from genrereport.scrape import writer as writer_mod
from tests.fakes.fixtures import (FAST, artist_list, read_rows, read_skipped,  # noqa: F401
                                  scrape_env, services)


def scrape_args(tmp_path, services, *extra):
    return ["scrape", "--artists", str(artist_list(tmp_path, services)),
            "--out", str(tmp_path / "out"), "--batch-size", "3", *FAST, *extra]


def assert_complete_and_unique(out, services):
    """Every artist has exactly one row or one skip; nothing else is in the folder's pulls."""
    rows = read_rows(out)
    uris = Counter(r["artist_uri"] for r in rows)
    assert all(n == 1 for n in uris.values()), [u for u, n in uris.items() if n > 1]
    assert set(uris) == {f"spotify:artist:{e.artist_id}" for e in services.with_rows}
    skipped = read_skipped(out)
    assert len(skipped) == len({a for a, _ in skipped})
    assert dict(skipped) == {e.artist_id: e.reason for e in services.skipped}
    done = json.loads((out / "checkpoint.json").read_text(encoding="utf-8"))["done"]
    assert sorted(done) == sorted(e.artist_id for e in services.expect)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


class Crash:
    """Wrap `fn` so that its n-th call raises KeyboardInterrupt before or after doing its work."""

    def __init__(self, fn, nth: int, when: str):
        self.fn, self.nth, self.when, self.calls = fn, nth, when, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.nth and self.when == "before":
            raise KeyboardInterrupt
        result = self.fn(*args, **kwargs)
        if self.calls == self.nth and self.when == "after":
            raise KeyboardInterrupt
        return result


# Every step of committing a batch, killed just before and just after it. write_pull and
# write_skipped run once per batch (batch 1 has rows only, batch 4 has skips); save also runs
# once at start-up, so its 3rd call is the second batch's.
@pytest.mark.parametrize("target, nth", [("write_pull", 2), ("write_skipped", 1),
                                         ("write_skipped", 2), ("save", 3), ("write_atomic", 4)])
@pytest.mark.parametrize("when", ["before", "after"])
def test_interrupted_at_each_commit_step_resumes_exactly(scrape_env, tmp_path, monkeypatch,
                                                         capsys, target, nth, when):
    args = scrape_args(tmp_path, scrape_env)
    with monkeypatch.context() as patch:
        if target == "save":
            crash = Crash(checkpoint_mod.Progress.save, nth, when)
            # A plain function, so that it binds to the Progress instance like a method.
            patch.setattr(checkpoint_mod.Progress, "save", lambda self: crash(self))
        else:
            crash = Crash(getattr(writer_mod, target), nth, when)
            patch.setattr(writer_mod, target, crash)
        assert main(args) == 130
    assert crash.calls == nth
    assert "interrupted; finished batches are saved" in capsys.readouterr().err

    assert main(args) == 0
    assert_complete_and_unique(tmp_path / "out", scrape_env)


def test_a_killed_runs_temporary_file_is_never_read(scrape_env, tmp_path):
    args = scrape_args(tmp_path, scrape_env, "--limit", "6")
    assert main(args) == 0
    out = tmp_path / "out"
    # What SIGKILL during a write leaves behind: a hidden temporary file, never *.csv.
    stale = out / ".genrereport-pull_0003.csv.k1ll3d.tmp"
    stale.write_text((out / "pull_0001.csv").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(scrape_args(tmp_path, scrape_env)) == 0
    assert not stale.exists()
    assert_complete_and_unique(out, scrape_env)


def test_a_second_scrape_into_the_same_folder_is_refused(scrape_env, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    with checkpoint_mod.folder_lock(out):
        assert main(scrape_args(tmp_path, scrape_env)) == 2
    assert "another genrereport scrape is writing to this folder" in capsys.readouterr().err


def test_sigkill_mid_batch_then_resume(services, tmp_path):
    """A real kill: the CLI in a subprocess, SIGKILLed while a request of batch 3 is in flight."""
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("needs SIGKILL")
    out = tmp_path / "out"
    # Hold the third audio-features request (batch 3 of 3 artists) until the process is dead.
    release = services.spotify.hold("/v1/audio-features", after=2)
    env = {**os.environ, **services.env()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "genrereport", "scrape", "--artists",
         str(artist_list(tmp_path, services)), "--out", str(out), "--batch-size", "3", *FAST],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert services.spotify.held.wait(60), proc.communicate(timeout=5)
        done = json.loads((out / "checkpoint.json").read_text(encoding="utf-8"))["done"]
        assert len(done) == 6  # two whole batches are saved, the third is in flight
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
        release.set()
    assert proc.returncode == -signal.SIGKILL
    assert len(read_rows(out)) == 6

    env_before = dict(os.environ)
    try:
        os.environ.update(services.env())
        started = time.monotonic()
        assert main(["scrape", "--artists", str(artist_list(tmp_path, services)),
                     "--out", str(out), "--batch-size", "3", *FAST]) == 0
        assert time.monotonic() - started < 30
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    assert_complete_and_unique(out, services)
    # The two saved batches were not scraped again.
    first = services.expect[0].artist_id
    assert len(services.spotify.requests_to(f"/v1/artists/{first}/top-tracks")) == 1
