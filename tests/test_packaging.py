"""A non-editable install works: the wheel carries templates, rules, registry and mkdocs.yml."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(REPO)],
                   check=True, capture_output=True)
    (whl,) = out.glob("genrereport-*.whl")
    return whl


def test_wheel_ships_its_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("genrereport/_shipped/data/genre_rules.toml", "genrereport/_shipped/data/sources.csv",
                   "genrereport/_shipped/mkdocs.yml", "genrereport/_shipped/templates/pages/index.md.j2",
                   "genrereport/_shipped/templates/assets/js/charts.js"):
        assert needed in names
    assert not any(n.endswith(".csv") and "info_" in n for n in names)


def test_installed_wheel_builds_a_site(wheel, quick_build, tmp_path):
    """Install the wheel into a folder of its own and build from a directory with no checkout."""
    settings, results, _ = quick_build
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    work = tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, PYTHONPATH=str(target))
    probe = subprocess.run([sys.executable, "-c", "import genrereport.resources as r; print(r.templates_dir())"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert str(target) in probe.stdout  # the wheel's copy, not the checkout's
    # Same code and data as the session's quick build, so its cached stages are reused.
    proc = subprocess.run([sys.executable, "-m", "genrereport", "build", "--profile", "quick",
                           "--data", str(settings.data_dir), "--cache-dir", str(settings.cache_dir)],
                          cwd=work, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (work / "mkdocs.yml").is_file() and (work / "site_src" / "index.md").is_file()
    assert "render" in proc.stderr
    strict = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], cwd=work,
                            capture_output=True, text=True)
    assert strict.returncode == 0, strict.stderr


def test_the_wheel_with_its_dependencies_builds_the_whole_site(wheel, tmp_path):
    """What `pip install genrereport` gives a user: a fresh venv, the wheel and its declared
    dependencies (no extras), then a build. Keras is not among them: the build must say what it
    left out instead of failing, and no GPU-only library may come with the default install."""
    from tests.pulls import varied_songs, write_pull

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    site_packages = next((venv / "lib").glob("python3*/site-packages"))
    assert not (site_packages / "nvidia").exists()
    assert not list(site_packages.glob("nvidia_*")) and not list(site_packages.glob("keras*"))
    write_pull(tmp_path / "data" / "mine.csv", varied_songs(240))
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    proc = subprocess.run([str(venv / "bin" / "genrereport"), "build", "--profile", "quick",
                           "--data", str(tmp_path / "data"), "--cache-dir", str(tmp_path / "c")],
                          cwd=work, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "neural network is left out" in proc.stderr
    nn_page = (work / "site_src" / "models-nn.md").read_text()
    assert "<code>pip install &#39;genrereport&#91;nn&#93;&#39;</code>" in nn_page
    strict = subprocess.run([str(venv / "bin" / "mkdocs"), "build", "--strict", "-q"], cwd=work,
                            env=env, capture_output=True, text=True)
    assert strict.returncode == 0, strict.stderr
