"""Find the study's pulls: from the pinned upstream URLs (with pooch) or from a local folder.

The registry (`data/sources.csv`) pins each pull's sha256 and URL. A folder given with `--data`
or `GENREREPORT_DATA_DIR` may be an offline mirror (files named like the registry's are checked
against their hashes) and may also hold the user's own pulls under any other names.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from genrereport import resources
from genrereport.atomic import file_sha256
from genrereport.errors import DataError
from genrereport.settings import DATA_DIR_ENV, Settings


@dataclass(frozen=True)
class RegistryEntry:
    name: str
    sha256: str
    url: str


@dataclass(frozen=True)
class SourceFile:
    """One pull ready to read: where it is, its content hash, and whether the registry knows it."""

    name: str
    path: Path
    sha256: str
    registered: bool

    def to_dict(self) -> dict:
        return {"name": self.name, "sha256": self.sha256, "registered": self.registered}


def load_registry(path: Path | None = None) -> list[RegistryEntry]:
    """Read the source registry, in the study's order (info_1 … info_36)."""
    path = path or resources.sources_registry_path()
    with open(path, newline="", encoding="utf-8") as fh:
        entries = [RegistryEntry(r["name"], r["sha256"].lower(), r["url"]) for r in csv.DictReader(fh)]
    return sorted(entries, key=lambda e: _natural_key(e.name))


def _natural_key(name: str) -> tuple:
    # info_2 must come before info_10: the study concatenated the pulls in numeric order.
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


def combined_sha256(files: list[SourceFile]) -> str:
    """One hash for the whole data set: names and contents, in reading order."""
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.name}\0{f.sha256}\n".encode())
    return h.hexdigest()


# The data files a build reads.
DATA_SUFFIXES = (".csv", ".parquet")


def _data_files(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if p.suffix.lower() in DATA_SUFFIXES
                   and p.is_file()), key=lambda p: _natural_key(p.name))


def from_folder(folder: Path, registry: list[RegistryEntry]) -> list[SourceFile]:
    """Every CSV or Parquet file in `folder` (or `folder` itself, if it is a file): registry
    files first (hash-checked, in registry order), then others."""
    if folder.is_file():
        files = [folder]
    elif folder.is_dir():
        files = _data_files(folder)
    else:
        raise DataError(f"{folder}: data folder not found (check --data or {DATA_DIR_ENV})")
    if not files:
        raise DataError(f"{folder}: no CSV or Parquet files in this folder (run `genrereport "
                        f"fetch`, or point --data / {DATA_DIR_ENV} at a folder of pulls)")
    return _checked(files, registry)


def from_paths(patterns: tuple[str, ...], base: Path, registry: list[RegistryEntry],
               where: str) -> list[SourceFile]:
    """The files a study's [data] paths name: files, folders or globs, relative to `base`."""
    files: list[Path] = []
    for pattern in patterns:
        target = Path(pattern).expanduser()
        target = target if target.is_absolute() else base / target
        if any(ch in pattern for ch in "*?["):
            matched = sorted(p for p in Path(target.anchor).glob(str(target.relative_to(
                target.anchor))) if p.is_file() and p.suffix.lower() in DATA_SUFFIXES)
        elif target.is_dir():
            matched = _data_files(target)
        elif target.is_file():
            matched = [target]
        else:
            matched = []
        if not matched:
            raise DataError(f"{where}: [data] paths {pattern!r} names no CSV or Parquet file "
                            f"(looked in {target})")
        files += [m for m in matched if m not in files]
    return _checked(files, registry)


def _checked(files: list[Path], registry: list[RegistryEntry]) -> list[SourceFile]:
    known = {e.name: e for e in registry}
    registered, own = [], []
    for p in files:
        digest = file_sha256(p)
        entry = known.get(p.name)
        if entry is not None:
            if digest != entry.sha256:
                raise DataError(
                    f"{p}: sha256 mismatch (expected {entry.sha256[:12]}…, got {digest[:12]}…); "
                    f"the file is damaged or not the study's pull: delete it and fetch it again "
                    f"from {entry.url}")
            registered.append(SourceFile(p.name, p, digest, True))
        else:
            own.append(SourceFile(p.name, p, digest, False))
    order = {e.name: i for i, e in enumerate(registry)}
    registered.sort(key=lambda f: order[f.name])
    return registered + own


def fetch(cache_dir: Path, registry: list[RegistryEntry], progress: bool = True) -> list[SourceFile]:
    """Download (or reuse) every registered pull into the user cache, checking each hash."""
    import pooch

    folder = cache_dir / "pulls"
    # pooch logs each download through its own handler; the progress bar says enough.
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    try:
        return [_retrieve(pooch, entry, folder, progress) for entry in registry]
    finally:
        logger.setLevel(level)


def _retrieve(pooch, entry: RegistryEntry, folder: Path, progress: bool) -> SourceFile:
    """One pull into `folder`, or a DataError that says which file failed and what to do."""
    try:
        path = pooch.retrieve(entry.url, known_hash=f"sha256:{entry.sha256}", fname=entry.name,
                              path=folder, progressbar=progress)
    except ValueError as exc:  # pooch raises ValueError on a hash mismatch
        raise DataError(f"{entry.name}: downloaded file fails its sha256 check (expected {entry.sha256[:12]}…); "
                        f"the upstream file changed or the download was damaged") from exc
    except Exception as exc:  # network errors come in many types (requests, OSError, …)
        raise DataError(
            f"{entry.name}: cannot download {entry.url} ({type(exc).__name__}); if this machine "
            f"is offline, set {DATA_DIR_ENV} (or --data) to a folder holding the pulls") from exc
    return SourceFile(entry.name, Path(path), entry.sha256, True)


def resolve(settings: Settings, progress: bool = True) -> list[SourceFile]:
    """The files this build reads: --data if given, else the study's [data] paths, else the
    study's registry (downloaded into the cache)."""
    study = settings.study
    registry = load_registry(study.registry) if study.registry else []
    if settings.data_dir is not None:
        return from_folder(settings.data_dir, registry)
    if study.data_paths:
        return from_paths(study.data_paths, study.path.parent, registry, str(study.path))
    if registry:
        return fetch(settings.cache_dir, registry, progress=progress)
    raise DataError(f"{study.path}: no data: set [data] paths in the study file, or give --data")
