"""Content-addressed cache of stage results.

A stage's key is the sha256 of everything its output depends on: its upstream stages' keys, the
settings and files it reads, the source of the modules that compute it, and the versions of the
libraries they call. Same key, same output, so a hit can be reused without looking at the data.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
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


def _module_file(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    return Path(spec.origin) if spec is not None and spec.origin else None


@lru_cache(maxsize=None)
def _imports(name: str) -> tuple[str, ...]:
    """The modules of its own package that module `name` imports anywhere in its source, at the
    top or inside a function (this code base imports heavy parts lazily)."""
    import ast

    package = name.split(".")[0]
    path = _module_file(name)
    if path is None:
        raise ModuleNotFoundError(name)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == package)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                parts = name.split(".")[: len(name.split(".")) - node.level + is_package]
                base = ".".join(parts + ([base] if base else []))
            if base.split(".")[0] != package:
                continue
            for alias in node.names:
                # `from pkg import sub` depends on the submodule; `from pkg import NAME` on the
                # package's __init__ alone.
                sub = f"{base}.{alias.name}"
                found.add(sub if _is_module(sub) else base)
    return tuple(sorted(found))


def _is_module(name: str) -> bool:
    parent = name.rpartition(".")[0]
    try:
        # find_spec imports a name's parent to look inside it: a parent that is a module, not
        # a package, has no submodules, and importing it (with its scikit-learn) would make
        # the build's own process heavy just to learn that.
        if parent and importlib.util.find_spec(parent).submodule_search_locations is None:
            return False
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError, AttributeError):
        return False


def code_closure(entries: tuple[str, ...]) -> tuple[str, ...]:
    """Every module of their package that the `entries` run, following imports transitively:
    the code a stage's output depends on. Importing `a.b.c` runs `a/__init__` and `a/b/__init__`
    too, so those count."""
    seen: set[str] = set()
    todo = list(entries)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(2, len(parts)))
        todo.extend(_imports(name))
    return tuple(sorted(seen))


@lru_cache(maxsize=None)
def file_hash(name: str) -> str:
    """sha256 of one module's own file (a package: its __init__.py)."""
    path = _module_file(name)
    if path is None:
        raise ModuleNotFoundError(name)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def closure_version(entries: tuple[str, ...], libraries: tuple[str, ...] = ()) -> dict:
    """`code_version` for the modules the entries import (transitively), file by file: editing
    one model's module reruns that model's stage, not the others'."""
    return {
        "genrereport": __version__,
        "files": {m: file_hash(m) for m in code_closure(entries)},
        "libraries": {lib: library_version(lib) for lib in libraries},
    }


# Distributions that provide the same import under other names (the CPU build of xgboost, the
# full TensorFlow in place of tensorflow-cpu).
ALIASES = {"xgboost": ("xgboost", "xgboost-cpu"), "xgboost-cpu": ("xgboost-cpu", "xgboost"),
           "tensorflow-cpu": ("tensorflow-cpu", "tensorflow")}


def library_version(dist: str) -> str:
    """The installed version of a distribution (or of one that stands in for it), or 'absent'."""
    for name in ALIASES.get(dist, (dist,)):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "absent"


def cached_blob(path: Path, make, *, force: bool = False) -> bytes:
    """The bytes cached at `path`, checked against the sha256 stored beside them; made again
    with `make()` (and stored) when missing, damaged or forced."""
    sidecar = path.with_name(path.name + ".sha256")
    if not force:
        try:
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() == sidecar.read_text(encoding="ascii").strip():
                _used(path)
                return data
        except (OSError, UnicodeDecodeError):
            pass
    data = make()
    # The data first, its checksum last: a build killed in between leaves a mismatch, a miss.
    try:
        atomic.write_bytes(path, data)
        atomic.write_text(sidecar, hashlib.sha256(data).hexdigest())
    except OSError:
        pass  # an unwritable cache costs time later, never this build its output
    return data


class CacheMiss(Exception):
    """A cache entry that is absent, incomplete, damaged or unreadable: compute the stage."""


MANIFEST = "MANIFEST.json"
# A temporary entry older than this belongs to a build that was killed, not to one still writing.
STALE_SECONDS = 3600
VALUE = "value.json"
FORMAT = 2


class StageCache:
    """Stage outputs as data under `root/stages/<stage>/<key>/`.

    An entry is a folder: `value.json` (the value's tree, see codec.py), its arrays and frames,
    and `MANIFEST.json`, written last, with the sha256 of every other file. It is assembled in a
    temporary folder, flushed to disk and renamed into place, so a reader sees a whole entry or
    none; two builds writing the same key both write the same data and the first rename wins.
    Reading checks every hash: a damaged entry is a miss, never a crash, and marks the entry
    used. Which entries stay is eviction.py's decision, made at the end of a build.
    """

    def __init__(self, root: Path):
        self.root = Path(root) / "stages"

    def _path(self, stage: str, key: str) -> Path:
        return self.root / stage / key

    def has(self, stage: str, key: str) -> bool:
        return (self._path(stage, key) / MANIFEST).is_file()

    def load(self, stage: str, key: str, part: int | None = None) -> Any:
        """The stored value, or item `part` of a stored tuple (its other items are not read);
        CacheMiss (with the reason) if the entry cannot be trusted."""
        from genrereport import codec

        folder = self._path(stage, key)
        try:
            tree = self.verify(stage, key)
            if part is not None:
                if not (isinstance(tree, dict) and tree.get(codec.TYPE) == "tuple"):
                    raise CacheMiss(f"not a tuple, no item {part}")
                tree = tree["items"][part]
            return codec.decode(tree, folder)
        except CacheMiss:
            raise
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise CacheMiss(f"{type(exc).__name__}: {exc}") from exc

    def verify(self, stage: str, key: str) -> Any:
        """Check every file of an entry against its checksum, and return the entry's tree
        (codec.py) without reading its arrays and frames; CacheMiss if it cannot be trusted."""
        from genrereport import codec

        folder = self._path(stage, key)
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("format") != FORMAT or manifest.get("key") != key:
                raise CacheMiss("written by another version")
            for name, digest in manifest["files"].items():
                if atomic.file_sha256(codec._inside(folder, name)) != digest:
                    raise CacheMiss(f"{name} does not match its checksum")
            tree = json.loads((folder / VALUE).read_text(encoding="utf-8"))
        except CacheMiss:
            raise
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CacheMiss(f"{type(exc).__name__}: {exc}") from exc
        _used(folder)
        return tree

    def store(self, stage: str, key: str, value: Any) -> None:
        """Write an entry. If another build wrote the same key meanwhile, its entry (the same
        data: same key) is kept and this one dropped."""
        from genrereport import codec

        target = self._path(stage, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{key[:16]}.", suffix=".tmp"))
        try:
            tree, files = codec.encode(value, tmp)
            (tmp / VALUE).write_text(json.dumps(tree, allow_nan=False, separators=(",", ":")),
                                     encoding="utf-8")
            digests = {name: atomic.file_sha256(tmp / name) for name in [*files, VALUE]}
            (tmp / MANIFEST).write_text(json.dumps({"format": FORMAT, "stage": stage, "key": key,
                                                    "files": digests}), encoding="utf-8")
            for name in [*files, VALUE, MANIFEST]:
                _fsync(tmp / name)
            atomic.fsync_dir(tmp)
            if target.exists() and not self._intact(stage, key):
                self.discard(stage, key)  # a damaged entry of this key: replace it
            try:
                os.rename(tmp, target)
            except OSError:
                if not self._intact(stage, key):  # not another build's good entry: an error
                    raise
            atomic.fsync_dir(target.parent)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _intact(self, stage: str, key: str) -> bool:
        try:
            self.load(stage, key)
        except CacheMiss:
            return False
        return True

    def discard(self, stage: str, key: str) -> None:
        """Remove an entry: moved aside first (one rename), so that another build never reads a
        half-deleted folder, then deleted."""
        path = self._path(stage, key)
        aside = path.with_name(f".{key[:16]}.{os.getpid()}.discarded")
        try:
            os.rename(path, aside)
        except OSError:
            return
        shutil.rmtree(aside, ignore_errors=True)


def _used(path: Path) -> None:
    # The mtime of an entry is when it was last used: eviction (eviction.py) removes the entries
    # used longest ago first. A read-only cache keeps its times; nothing is evicted from it.
    try:
        os.utime(path)
    except OSError:
        pass


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
