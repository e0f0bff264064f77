"""Content-addressed cache of stage results.

A stage's key is the sha256 of everything its output depends on: its upstream stages' keys, the
settings and files it reads, the source of the modules that compute it, and the versions of the
libraries they call. Same key, same output, so a hit can be reused without looking at the data.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import pickle
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from genrereport import __version__, atomic


def digest(obj: Any) -> str:
    """sha256 of a JSON-able object, independent of dict order."""
    blob = json.dumps(obj, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


@lru_cache(maxsize=None)
def module_hash(name: str) -> str:
    """Hash of a module's source (a package: all its files), so editing the code that computes a
    stage invalidates the stage. Found with find_spec, not imported: a warm build must not pay
    for importing scikit-learn or TensorFlow just to learn that nothing changed."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(name)
    h = hashlib.sha256()
    if spec.submodule_search_locations:  # a package
        for folder in spec.submodule_search_locations:
            for path in sorted(Path(folder).rglob("*.py")):
                h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    else:
        h.update(Path(spec.origin).read_bytes())
    return h.hexdigest()


def code_version(modules: tuple[str, ...], libraries: tuple[str, ...] = ()) -> dict:
    """What 'the code' of a stage is: the package version, its modules and library versions."""
    return {
        "genrereport": __version__,
        "modules": {m: module_hash(m) for m in modules},
        "libraries": {lib: library_version(lib) for lib in libraries},
    }


def library_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


class StageCache:
    """Pickled stage outputs under `root/stages/<stage>/<key>.pkl`."""

    def __init__(self, root: Path):
        self.root = Path(root) / "stages"

    def _path(self, stage: str, key: str) -> Path:
        return self.root / stage / f"{key}.pkl"

    def has(self, stage: str, key: str) -> bool:
        return self._path(stage, key).is_file()

    def load(self, stage: str, key: str) -> Any:
        with open(self._path(stage, key), "rb") as fh:
            return pickle.load(fh)

    def store(self, stage: str, key: str, value: Any) -> None:
        atomic.write_bytes(self._path(stage, key), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self._prune(stage, keep=key)

    def _prune(self, stage: str, keep: str, max_entries: int = 4) -> None:
        # Keep a few recent entries per stage (switching profiles or rules back and forth stays
        # cheap) without letting the cache grow without bound.
        entries = sorted(self._path(stage, keep).parent.glob("*.pkl"),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[max_entries:]:
            if old.stem != keep:
                old.unlink(missing_ok=True)
