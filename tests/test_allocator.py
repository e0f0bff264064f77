"""glibc's malloc keeps what a thread frees in that thread's arena; the build makes it give
memory back (allocator.py). These tests check glibc's behaviour itself, each in a fresh process,
since the settings are the process's."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

from genrereport import allocator

# What both scripts below start with: their imports and the process's resident MB.
PRELUDE = textwrap.dedent("""
    import sys, threading
    import numpy as np
    from genrereport import allocator

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024

""")

# In a thread, twenty 8 MB blocks are held at once, like a chunk of trees, each followed by a
# small block that outlives them; then the big ones are dropped. Prints the MB still resident
# after the drop, then after `allocator.trim()`.
HOLES = PRELUDE + textwrap.dedent("""
    if sys.argv[1] == "set":
        assert allocator.return_large_blocks()
    # A 16 MB block freed raises glibc's default threshold: blocks up to 16 MB then come from
    # the arenas.
    np.ones(2 << 20)
    kept = []
    before = rss_mb()

    def work():
        held = []
        for _ in range(20):
            held.append(np.ones(1 << 20))
            kept.append(bytearray(4096))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    after = rss_mb()
    allocator.trim()
    print(round(after - before), round(rss_mb() - before))
""")

# A 16 MB block freed, then the settings; then sixty 480 KB blocks (below the mapped size)
# held and dropped, the last thing in their arena. Prints the MB still resident.
TOP = PRELUDE + textwrap.dedent("""
    # The freed block raises the mmap threshold to 16 MB and the trim threshold to 32 MB.
    np.ones(2 << 20)
    if sys.argv[1] == "set":
        assert allocator.return_large_blocks()
    elif sys.argv[1] == "mmap-threshold-alone":
        assert allocator._glibc().mallopt(allocator.M_MMAP_THRESHOLD, allocator.LARGE) == 1
    before = rss_mb()

    def work():
        held = [None] * 60
        for i in range(60):
            # a bytearray, written: a NumPy array would add small blocks between them
            held[i] = bytearray(b"x" * (480 << 10))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    print(round(rss_mb() - before))
""")

glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc",
                                reason="the settings are glibc's malloc's")


def _run(script: str, mode: str) -> list[int]:
    proc = subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [int(v) for v in proc.stdout.split()]


@glibc_only
def test_glibc_is_found():
    assert allocator.available()


@glibc_only
def test_by_default_glibc_keeps_freed_blocks_and_trim_gives_them_back():
    kept, after_trim = _run(HOLES, "default")
    assert kept >= 120  # of the 160 MB dropped
    assert after_trim <= 20


@glibc_only
def test_large_blocks_go_back_as_soon_as_they_are_freed():
    kept, _ = _run(HOLES, "set")
    assert kept <= 20


@glibc_only
def test_an_arenas_free_top_goes_back_even_after_a_large_free():
    # By default glibc keeps up to 32 MB free at an arena's top once a 16 MB block has been
    # freed, and fixing the mmap threshold alone freezes that: hence allocator.TRIM.
    assert _run(TOP, "default")[0] >= 20
    assert _run(TOP, "mmap-threshold-alone")[0] >= 20
    assert _run(TOP, "set")[0] <= 4


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
