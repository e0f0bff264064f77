"""The cache keeps what is used: it evicts the entries used longest ago once it is larger than
its budget, never an entry that a study's last build, a written site or a running build holds,
and `genrereport cache` lists and prunes it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from genrereport import cli, eviction
from genrereport.cache import StageCache

MB = 1024**2


def _store(cache: StageCache, stage: str, key: str, megabytes: float, used: float) -> None:
    """An entry of about this size, last used `used` seconds ago."""
    cache.store(stage, key, {"x": np.zeros(int(megabytes * MB / 8))})
    stamp = time.time() - used
    os.utime(cache.root / stage / key, (stamp, stamp))


def _keys(root) -> set[str]:
    return {e.key for e in eviction.entries(root)}


def test_eviction_follows_last_use_not_age_or_a_count_per_stage(tmp_path):
    cache = StageCache(tmp_path)
    for i in range(6):  # created in this order, a minute apart: k0 oldest
        _store(cache, "rf", f"k{i}", 1, used=600 - 60 * i)
    cache.load("rf", "k0")  # the oldest is read again: now the most recently used
    # Six entries of one stage, within budget: all kept (a count per stage kept four).
    assert eviction.prune(tmp_path, budget=100 * MB) == []
    assert _keys(tmp_path) == {f"k{i}" for i in range(6)}
    evicted = eviction.prune(tmp_path, budget=int(3.5 * MB))
    assert [e.key for e in evicted] == ["k1", "k2", "k3"]  # used longest ago, in that order
    assert _keys(tmp_path) == {"k0", "k4", "k5"}
    assert sum(e.size for e in eviction.entries(tmp_path)) <= 3.5 * MB


def test_pinned_entries_stay_whatever_the_budget(tmp_path):
    cache = StageCache(tmp_path)
    for key in ("study", "site", "running", "gone", "dead", "loose"):
        _store(cache, "bin", key, 0.1, used=3600)
    settings = type("S", (), {"study": type("St", (), {"path": tmp_path / "study.toml",
                                                          "id": "x"})(), "data_dir": None})()
    eviction.keep_study(tmp_path, settings, [("bin", "study")])
    site = tmp_path / "site_src"
    site.mkdir()
    (site / "results.json").write_text("{}")
    eviction.keep_site(tmp_path, site, [("bin", "site")])
    # A site pin holds while its site is there; a running pin while its process lives.
    gone = tmp_path / "gone_site"
    eviction.keep_site(tmp_path, gone, [("bin", "gone")])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    eviction._write_pin(tmp_path, "running-dead", {"what": "a build that was killed",
                                                   "pid": int(dead),
                                                   "entries": [["bin", "dead"]]})
    with eviction.running(tmp_path, [("bin", "running")]):
        evicted = eviction.prune(tmp_path, budget=0)
    assert {e.key for e in evicted} == {"gone", "dead", "loose"}
    assert _keys(tmp_path) == {"study", "site", "running"}
    assert not list((tmp_path / "pins").glob("running-*"))  # the build's pin left with it


def test_a_build_pins_its_study_and_site_and_keeps_within_its_budget(tmp_path, spine_only):
    from genrereport import pipeline
    from genrereport.progress import Reporter
    from tests.conftest import quick_settings
    from tests.pulls import varied_songs, write_pull

    write_pull(tmp_path / "data" / "mine.csv", varied_songs(80))
    settings = quick_settings(tmp_path, tmp_path / "data")
    pipeline.run_build(settings, Reporter(quiet=True))
    stages = {e.stage for e in eviction.entries(tmp_path / "cache")}
    assert {"load", "clean", "bin", "eda"} <= stages
    # Not used by the next build, and over a budget of nothing: the charts go, the entries of
    # the study's last build and of its site stay.
    log = io.StringIO()
    pipeline.run_build(settings.with_(cache_budget=0, out_dir=tmp_path / "other"),
                       Reporter(stream=log))
    held = eviction.pinned(tmp_path / "cache")
    assert {e.stage for e in eviction.entries(tmp_path / "cache")} == {"load", "clean", "bin",
                                                                        "eda"}
    assert all((e.stage, e.key) in held for e in eviction.entries(tmp_path / "cache"))
    assert "evicted to keep within 0 B" in log.getvalue()


def test_cache_command_lists_and_prunes(tmp_path, capsys):
    cache = StageCache(tmp_path)
    _store(cache, "rf", "old", 2, used=7200)
    _store(cache, "rf", "new", 2, used=10)
    _store(cache, "eda", "e", 0.5, used=10)
    assert cli.main(["cache", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "4.5 MB in 3 entries, budget 5.0 GB" in out
    # Largest stage first, with its entries and their size.
    assert [line.split()[:4] for line in out.splitlines()[2:4]] == [["rf", "2", "4.0", "MB"],
                                                                    ["eda", "1", "512.4", "KB"]]
    assert cli.main(["cache", "prune", "--budget", "3M", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("evicted 1 entries (2.0 MB)")
    assert _keys(tmp_path) == {"new", "e"}
    assert cli.main(["cache", "dir", "--cache-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path)


@pytest.mark.parametrize("argv", [["cache", "prune", "--budget", "lots"],
                                  ["build", "--cache-budget", "5 gallons"]])
def test_a_budget_that_is_not_a_size_is_a_one_line_error(argv, tmp_path, capsys):
    assert cli.main([*argv, "--cache-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expected a size such as 5G" in err and "Traceback" not in err


def test_sizes_read_as_du_and_ccache_read_them():
    assert eviction.parse_size("5G") == 5 * 1024**3
    assert eviction.parse_size("500m") == 500 * MB
    assert eviction.parse_size("2.5GB") == int(2.5 * 1024**3)
    assert eviction.parse_size("0") == 0
    with pytest.raises(Exception, match="GENREREPORT_CACHE_BUDGET 'x'"):
        eviction.parse_size("x", eviction.BUDGET_ENV)
