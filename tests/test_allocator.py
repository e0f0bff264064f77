"""glibc's malloc keeps what a thread frees in that thread's arena; the build makes it give
large blocks back (allocator.py). These tests check glibc's behaviour itself, in a fresh
process each, since the settings are the process's."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from genrereport import allocator

# Twenty 8 MB blocks held at once in a thread, like a chunk of trees, each followed by a small
# block that outlives them; then the big ones are dropped. Prints the MB still resident after
# the drop, then after `allocator.trim()`.
HOLES = textwrap.dedent("""
    import sys, threading
    import numpy as np
    from genrereport import allocator

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024

    if sys.argv[1] == "large-blocks-returned":
        assert allocator.return_large_blocks()
    # A 16 MB block freed raises glibc's default threshold to 16 MB: the 8 MB blocks below
    # then come from the thread's arena.
    np.ones(2 << 20)
    kept = []
    before = rss_mb()

    def work():
        blocks = []
        for _ in range(20):
            blocks.append(np.ones(1 << 20))
            kept.append(bytearray(4096))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    after = rss_mb()
    assert allocator.trim()
    print(round(after - before), round(rss_mb() - before))
""")

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="glibc's allocator is Linux's")


def _holes(mode: str) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", HOLES, mode], capture_output=True, text=True,
                         check=True).stdout.split()
    return int(out[0]), int(out[1])


@linux_only
def test_glibc_is_found_on_linux():
    assert allocator.available()


@linux_only
def test_by_default_glibc_keeps_freed_blocks_and_trim_gives_them_back():
    kept, after_trim = _holes("default")
    assert kept >= 120  # of the 160 MB dropped
    assert after_trim <= 20


@linux_only
def test_large_blocks_go_back_as_soon_as_they_are_freed():
    kept, _ = _holes("large-blocks-returned")
    assert kept <= 20


def test_without_glibc_both_do_nothing(monkeypatch):
    monkeypatch.setattr(allocator, "_glibc", lambda: None)
    assert not allocator.available()
    assert not allocator.return_large_blocks()
    assert not allocator.trim()


def test_the_build_returns_large_blocks_before_its_stages_and_trims_after_each(tmp_path,
                                                                            monkeypatch):
    from genrereport import cache, pipeline
    from genrereport.progress import Reporter
    from genrereport.settings import Settings

    calls = []
    monkeypatch.setattr(allocator, "return_large_blocks", lambda: calls.append("large"))
    monkeypatch.setattr(allocator, "trim", lambda: calls.append("trim"))

    def stage(*_upstream, settings, name):
        calls.append(name)
        return {}

    settings = Settings(cache_dir=tmp_path / "cache")
    b = pipeline.Build(settings, Reporter(quiet=True), cache.StageCache(settings.cache_dir))
    b.define("one", (), lambda *up, settings: stage(*up, settings=settings, name="one"))
    b.define("two", ("one",), lambda *up, settings: stage(*up, settings=settings, name="two"))
    b.compute(["two"], jobs=2)
    assert calls == ["large", "one", "trim", "two", "trim"]
