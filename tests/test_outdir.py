"""--out can only ever replace a folder the build wrote; everything else is refused with one
line, and a killed build never leaves the user without a site."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from genrereport import atomic, cli, outdir, render
from tests.conftest import lean_study_file
from tests.pulls import varied_songs, write_pull


@pytest.fixture(scope="module")
def songs(tmp_path_factory):
    """80 songs, and a stage cache that the builds of this module share: what they test is
    where the site goes, which needs the analyses done once, not retrained each time."""
    folder = tmp_path_factory.mktemp("outdir")
    write_pull(folder / "data" / "mine.csv", varied_songs(80))
    return folder


# Where the site goes does not depend on the models: one stands for all (a study file of its
# own, outside the folders the tests look into).
_LEAN: list = []


@pytest.fixture(scope="module", autouse=True)
def _lean_study(tmp_path_factory):
    _LEAN[:] = [lean_study_file(tmp_path_factory.mktemp("lean"))]


def _build(capsys, base, out, *extra):
    """A quick build of the songs in `base`/data (80 written there if it has none), with its
    stage cache in `base`/cache."""
    if not (base / "data").exists():
        write_pull(base / "data" / "mine.csv", varied_songs(80))
    code = cli.main(["build", "--data", str(base / "data"), "--out", str(out), "--study",
                     str(_LEAN[0]), "--cache-dir", str(base / "cache"), "--profile", "quick",
                     *extra])
    return code, capsys.readouterr().err


def _one_line_refusal(code, err):
    assert code == 2, err
    lines = [line for line in err.strip().splitlines() if line.startswith("genrereport: error")]
    assert len(lines) == 1 and "Traceback" not in err
    return lines[0]


def test_a_folder_of_the_users_files_is_refused_and_kept(capsys, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# my notes\n")
    (docs / "img").mkdir()
    (docs / "img" / "a.png").write_bytes(b"\x89PNG")
    line = _one_line_refusal(*_build(capsys, tmp_path, docs))
    assert "not written by genrereport" in line
    assert (docs / "index.md").read_text() == "# my notes\n"
    assert (docs / "img" / "a.png").read_bytes() == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "docs"]  # nothing trained


def test_a_file_is_refused_and_left_where_it_is(capsys, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    line = _one_line_refusal(*_build(capsys, tmp_path, notes))
    assert "is a file" in line
    assert notes.read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("where", ["cache", "cache/site", "."])
def test_the_cache_and_the_current_folder_are_refused(capsys, tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cache" / "stages").mkdir(parents=True)
    (tmp_path / "cache" / "stages" / "keep").write_text("x")
    line = _one_line_refusal(*_build(capsys, tmp_path, tmp_path / where))
    assert "overlaps the cache" in line or "current folder" in line
    assert (tmp_path / "cache" / "stages" / "keep").read_text() == "x"


def test_a_stamped_folder_with_an_added_file_is_refused(capsys, tmp_path, songs):
    out = tmp_path / "site_src"
    code, err = _build(capsys, songs, out)
    assert code == 0, err
    (out / "my-page.md").write_text("mine")
    line = _one_line_refusal(*_build(capsys, songs, out, "--force"))
    assert "my-page.md" in line and (out / "my-page.md").read_text() == "mine"


def test_missing_empty_and_previous_outputs_are_accepted(tmp_path):
    cache = tmp_path / "cache"
    assert outdir.check(tmp_path / "new" / "site", cache_dir=cache) == tmp_path / "new" / "site"
    (tmp_path / "empty").mkdir()
    outdir.check(tmp_path / "empty", cache_dir=cache)
    prev = tmp_path / "prev"
    (prev / "assets").mkdir(parents=True)
    (prev / "index.md").write_text("x")
    (prev / "assets" / "a.js").write_text("x")
    (prev / outdir.STAMP).write_text(json.dumps({"key": "k", "files": ["index.md", "assets/a.js"]}))
    outdir.check(prev, cache_dir=cache)
    # a stamp from before stamps listed files: its pages, its results and the assets a build
    # writes are the build's; a file of the user's in assets/ is not
    (prev / "assets" / "a.js").unlink()
    (prev / "assets" / "charts").mkdir()
    (prev / "assets" / "charts" / "eda-shares.svg").write_text("<svg/>")
    (prev / "assets" / "js").mkdir()
    (prev / "assets" / "js" / "charts.js").write_text("x")
    (prev / outdir.STAMP).write_text(json.dumps({"key": "k", "pages": ["index.md"]}))
    outdir.check(prev, cache_dir=cache)
    (prev / "assets" / "custom.css").write_text("mine")
    with pytest.raises(outdir.OutputError, match="assets/custom.css"):
        outdir.check(prev, cache_dir=cache)
    (prev / "assets" / "custom.css").unlink()
    (prev / "notes.txt").write_text("mine")
    with pytest.raises(outdir.OutputError, match="notes.txt"):
        outdir.check(prev, cache_dir=cache)


def test_a_write_that_the_system_refuses_is_a_one_line_error(capsys, tmp_path, monkeypatch,
                                                             songs):
    def refuse(out_dir):
        raise PermissionError(13, "Permission denied", str(out_dir.parent))

    monkeypatch.setattr(render, "_staging_dir", refuse)
    line = _one_line_refusal(*_build(capsys, songs, tmp_path / "site"))
    assert "cannot write the site" in line and "Permission denied" in line


def test_a_read_only_folder_cannot_be_written_even_by_root(tmp_path, monkeypatch):
    """Permissions are checked the way the system answers them: an access check that says no
    is a one-line refusal (root passes it, hence the check is faked here)."""
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(outdir.OutputError, match="permission denied"):
        outdir.check(tmp_path / "site", cache_dir=tmp_path / "cache")


def test_leftovers_of_a_killed_build_are_cleaned_and_the_old_site_restored(tmp_path):
    out = tmp_path / "site_src"
    dead = 2 ** 22 + 12345  # above the default pid_max: no such process
    (tmp_path / f".site_src.staging-{dead}").mkdir()
    (tmp_path / f".site_src.staging-{dead}" / "half.md").write_text("half")
    old = tmp_path / f".site_src.old-{dead}"
    old.mkdir()
    (old / "index.md").write_text("last good")
    alive = tmp_path / f".site_src.staging-{os.getpid()}"
    alive.mkdir()  # a build still running (this process) is left alone
    notes = render.recover_leftovers(out)
    assert (out / "index.md").read_text() == "last good"
    assert not (tmp_path / f".site_src.staging-{dead}").exists() and not old.exists()
    assert alive.is_dir() and len(notes) == 2


def test_replacing_the_site_always_leaves_a_complete_copy(tmp_path, monkeypatch):
    """At every rename, the site is complete somewhere: at its place, or at the old copy the
    next build puts back."""
    target, staged, old = tmp_path / "site", tmp_path / ".site.staging-1", tmp_path / ".site.old-1"
    target.mkdir()
    (target / "v").write_text("old")
    staged.mkdir()
    (staged / "v").write_text("new")
    seen = []
    real_replace = os.replace

    def watch(src, dst):
        real_replace(src, dst)
        seen.append({p.name: (p / "v").read_text() for p in (target, old) if p.is_dir()})

    monkeypatch.setattr(os, "replace", watch)
    atomic.replace_dir(staged, target, old)
    assert (target / "v").read_text() == "new" and not staged.exists() and not old.exists()
    assert seen == [{".site.old-1": "old"}, {"site": "new", ".site.old-1": "old"}]


def test_the_old_site_survives_a_failed_rename(tmp_path, monkeypatch):
    target, staged, old = tmp_path / "site", tmp_path / "staged", tmp_path / ".site.old-1"
    target.mkdir()
    (target / "v").write_text("old")
    staged.mkdir()
    real_replace = os.replace

    def fail_second(src, dst):
        if Path(src) == staged:
            raise KeyboardInterrupt
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_second)
    with pytest.raises(KeyboardInterrupt):
        atomic.replace_dir(staged, target, old)
    assert (target / "v").read_text() == "old"


def test_written_files_are_readable_by_others(tmp_path):
    atomic.write_text(tmp_path / "mkdocs.yml", "site_name: x\n")
    mode = stat.S_IMODE((tmp_path / "mkdocs.yml").stat().st_mode)
    assert mode & stat.S_IROTH and mode & stat.S_IRGRP


def test_debug_before_the_command_shows_the_traceback(tmp_path):
    with pytest.raises(Exception, match="data folder not found"):
        cli.main(["--debug", "build", "--data", str(tmp_path / "missing"), "--cache-dir",
                  str(tmp_path / "c"), "--out", str(tmp_path / "site")])


def test_the_closing_hint_serves_the_folder_just_written(capsys, tmp_path, songs, monkeypatch):
    """With a project's mkdocs.yml beside --out that serves another folder, `mkdocs serve`
    would show the old site: the hint names a configuration of this folder's own."""
    import subprocess
    import sys

    monkeypatch.chdir(tmp_path)
    code, err = _build(capsys, songs, tmp_path / "site_src")
    assert code == 0, err
    assert "run `mkdocs serve` to read it" in err  # mkdocs.yml here serves site_src
    mine = (tmp_path / "mkdocs.yml").read_text()
    code, err = _build(capsys, songs, tmp_path / "other")
    assert code == 0, err
    assert "run `mkdocs serve -f mkdocs-other.yml` to read it" in err
    assert (tmp_path / "mkdocs.yml").read_text() == mine  # the project's own stays as it was
    site = tmp_path / "built"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                    str(tmp_path / "mkdocs-other.yml"), "-d", str(site)], check=True,
                   capture_output=True)
    assert (site / "index.html").is_file()
    # from elsewhere, the hint gives the path
    monkeypatch.chdir(songs)
    code, err = _build(capsys, songs, tmp_path / "other")
    assert code == 0, err
    assert f"run `mkdocs serve -f {os.path.relpath(tmp_path / 'mkdocs-other.yml')}`" in err


def test_a_mount_point_is_refused_before_anything_runs(tmp_path, monkeypatch):
    """A mount point (a read-only one, say) cannot be replaced by renames: the build would
    fail after its whole run, so --out refuses it at once and suggests a folder inside it."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == mount or real(p))
    with pytest.raises(outdir.OutputError, match="is a mount point") as err:
        outdir.check(mount, cache_dir=tmp_path / "cache")
    assert str(mount / "site_src") in str(err.value)
    assert outdir.check(mount / "site_src", cache_dir=tmp_path / "cache") == mount / "site_src"
