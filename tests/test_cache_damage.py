"""A cache that can't hurt: entries are data (no pickles), every entry is checked when read,
and a damaged one is computed again with a one-line note instead of wedging the build."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genrereport import cache, codec, pipeline
from genrereport.progress import Reporter
from tests.conftest import REPO, quick_settings
from tests.pulls import varied_songs, write_pull


@pytest.fixture
def small(tmp_path, spine_only):
    write_pull(tmp_path / "data" / "mine.csv", varied_songs(80))
    return quick_settings(tmp_path, tmp_path / "data")


def build(settings):
    reporter = Reporter(quiet=True)
    lines = []
    reporter.say = lines.append  # keep what the build tells the user
    pipeline.run_build(settings, reporter)
    return {r.name: r.status for r in reporter.records}, lines


def _entry(settings, stage: str) -> Path:
    (entry,) = [p for p in (settings.cache_dir / "stages" / stage).iterdir()
                if p.is_dir() and not p.name.startswith(".")]
    return entry


@pytest.mark.parametrize("damage", ["truncate", "garble", "drop manifest", "drop array"])
def test_a_damaged_entry_is_computed_again_with_a_note(small, damage):
    build(small)
    entry = _entry(small, "bin")
    files = sorted(p for p in entry.iterdir() if p.suffix in (".parquet", ".npy"))
    if damage == "truncate":
        data = (entry / cache.VALUE).read_bytes()
        (entry / cache.VALUE).write_bytes(data[: len(data) // 2])
    elif damage == "garble":
        files[0].write_bytes(b"\x00garbage" + files[0].read_bytes()[8:])
    elif damage == "drop manifest":
        (entry / cache.MANIFEST).unlink()
    else:
        files[0].unlink()
    status, lines = build(small.with_(out_dir=small.out_dir.parent / "again"))
    assert status["bin"] == "ran" and status["load"] == "cached"
    if damage != "drop manifest":  # an entry without its manifest is simply not there
        assert any("bin: the cached result is unreadable" in line for line in lines)
    status, _ = build(small.with_(out_dir=small.out_dir.parent / "third"))
    assert status["bin"] == "cached"  # and the recomputed entry is good again


def test_the_cache_holds_no_pickles_and_ignores_planted_ones(small, tmp_path):
    """A pickle where the old cache kept the stage (stages/<stage>/<key>.pkl), as a shared or
    restored cache folder could hold it, is never loaded: loading it would run its code."""
    build(small)
    stages = small.cache_dir / "stages"
    assert not list(stages.rglob("*.pkl"))
    marker = tmp_path / "pwned"
    key = _entry(small, "bin").name
    payload = f"cos\nsystem\n(S'touch {marker}'\ntR.".encode()
    (stages / "bin" / f"{key}.pkl").write_bytes(payload)
    (_entry(small, "bin") / cache.MANIFEST).unlink()  # and the good entry is gone
    status, _ = build(small.with_(out_dir=small.out_dir.parent / "again"))
    assert status["bin"] == "ran" and not marker.exists()
    assert not (stages / "bin" / f"{key}.pkl").exists()  # old pickles are cleared away


def test_values_round_trip_as_data(tmp_path):
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "NaN"], "c": [0.5, float("nan")],
                          "d": pd.array([1, None], dtype="Int64")})
    value = {"frame": frame, "arr": np.arange(3), "t": (1, "two", None), "nan": float("nan"),
             "inf": float("-inf"), "nested": [{"k": np.float64(0.25)}], "flag": np.bool_(True)}
    tree, files = codec.encode(value, tmp_path)
    back = codec.decode(json.loads(json.dumps(tree, allow_nan=False)), tmp_path)
    pd.testing.assert_frame_equal(back["frame"], frame)
    assert back["arr"].tolist() == [0, 1, 2] and back["t"] == (1, "two", None)
    assert np.isnan(back["nan"]) and back["inf"] == float("-inf")
    assert back["nested"] == [{"k": 0.25}] and back["flag"] is True
    assert len(files) == 2


def test_code_cannot_be_stored_or_named(tmp_path):
    with pytest.raises(codec.CodecError):
        codec.encode({"f": print}, tmp_path)
    with pytest.raises(codec.CodecError):
        codec.encode({"a": np.array([object()], dtype=object)}, tmp_path)
    with pytest.raises(codec.CodecError):
        codec.decode({codec.TYPE: "ndarray", "file": "../../etc/passwd"}, tmp_path)


@pytest.mark.parametrize("blob", ["svg", "vendor"])
def test_damaged_svgs_and_bundle_are_made_again(small, blob):
    build(small)
    folder = small.cache_dir / blob
    (victim,) = sorted(p for p in folder.iterdir() if not p.name.endswith(".sha256"))[:1]
    good = victim.read_bytes()
    victim.write_bytes(good[: len(good) // 3])
    # a new output folder, no --force: the render reads the cache, and must notice the damage
    build(small.with_(out_dir=small.out_dir.parent / "again"))
    small = small.with_(out_dir=small.out_dir.parent / "again")
    assert victim.read_bytes() == good
    site = small.out_dir / "assets"
    if blob == "vendor":
        assert (site / "vendor" / "vega-bundle.js").read_bytes() == good
    else:
        assert all(p.read_bytes().rstrip().endswith(b"</svg>") for p in site.rglob("*.svg"))


@pytest.mark.slow
def test_two_builds_sharing_a_cache_both_succeed(tmp_path):
    from tests.conftest import lean_study_file

    write_pull(tmp_path / "data" / "mine.csv", varied_songs(120))
    study = lean_study_file(tmp_path)  # every kind of stage, one model
    code = ("import sys; from genrereport import cli; sys.exit(cli.main(sys.argv[1:]))")
    procs = [subprocess.Popen([sys.executable, "-c", code, "build", "--profile", "quick",
                               "--study", str(study),
                               "--data", str(tmp_path / "data"), "--cache-dir",
                               str(tmp_path / "cache"), "--out", str(tmp_path / f"site{i}")],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    outs = [p.communicate(timeout=900) for p in procs]
    for p, (_, err) in zip(procs, outs):
        assert p.returncode == 0, err
    a = json.loads((tmp_path / "site0" / "results.json").read_text())
    b = json.loads((tmp_path / "site1" / "results.json").read_text())
    assert a["binning"] == b["binning"] and a["eda"] == b["eda"]


def test_a_charts_svg_depends_on_its_spec_alone(tmp_path):
    # Vega numbers gradients for the whole process: a damaged SVG made again in a new build came
    # out with gradient_0 where the first build, after other charts, had written gradient_3.
    import altair as alt

    from genrereport import charts, render

    def heatmap(n):
        frame = pd.DataFrame({"x": list(range(n)) * 2, "y": [0] * n + [1] * n,
                              "v": list(range(2 * n))})
        return charts.to_spec(alt.Chart(frame).mark_rect().encode(x="x:O", y="y:O", color="v:Q"))

    first = render._svg(heatmap(3), tmp_path / "a")
    render._svg(heatmap(4), tmp_path / "b")
    again = render._svg(heatmap(3), tmp_path / "c")
    assert b"url(#gradient_" in again
    assert again == first
