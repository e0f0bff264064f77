"""Where a build may write its site, checked before anything is trained or written.

A build replaces its output folder as a whole, so pointing `--out` at the wrong folder would
destroy it. The folder must be missing, empty, or a previous genrereport output (it holds the
build's stamp and nothing the build did not write); it may not be, contain or sit inside the
cache or the data, nor be the current folder or one above it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from genrereport.errors import GenreReportError

STAMP = ".genrereport-build.json"


class OutputError(GenreReportError):
    """The output folder cannot be used: replacing it could destroy what is there."""


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def stamp_files(folder: Path) -> set[str] | None:
    """The files a previous build wrote into `folder` (from its stamp), or None if unstamped."""
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or "key" not in stamp:
        return None
    files = stamp.get("files")
    if isinstance(files, list):
        return set(files)
    # A stamp from before builds listed their files: its pages, its results, and the assets a
    # build writes (the templates' own, the script bundle, each chart's and table's files). A
    # file of the user's in assets/ is none of these, and is kept.
    from genrereport import resources

    pages = stamp.get("pages") if isinstance(stamp.get("pages"), list) else []
    shipped = resources.templates_dir() / "assets"
    ours = {f"assets/{p.relative_to(shipped).as_posix()}" for p in shipped.rglob("*")
            if p.is_file()}
    ours.add("assets/vendor/vega-bundle.js")
    for p in folder.glob("assets/charts/*"):
        if p.suffix in (".svg", ".csv"):
            ours.add(f"assets/charts/{p.name}")
    for p in folder.glob("assets/tables/*.csv"):
        ours.add(f"assets/tables/{p.name}")
    return set(pages) | {"results.json"} | ours


def list_files(folder: Path) -> list[str]:
    """Every file under `folder`, as sorted relative paths."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def foreign_files(folder: Path, written: set[str]) -> list[str]:
    """Files in `folder` that the build did not write (relative paths, sorted)."""
    return [rel for rel in list_files(folder) if rel != STAMP and rel not in written]


def check(out: Path, *, cache_dir: Path, data_dir: Path | None = None) -> Path:
    """The absolute output folder, or an OutputError that says why it cannot be used."""
    target = Path(os.path.abspath(out.expanduser()))
    shown = str(out)
    here = Path.cwd().resolve()
    real = target.resolve()
    if real == here or real in here.parents:
        raise OutputError(f"--out {shown}: this is the current folder or one above it; the build "
                          "replaces its output folder as a whole, so give it a folder of its own "
                          "(for example --out site_src)")
    if real == Path(real.anchor) or real == Path.home().resolve():
        raise OutputError(f"--out {shown}: refusing to replace a root or home folder")
    for name, other in (("cache", cache_dir), ("data", data_dir)):
        if other is None:
            continue
        other = Path(os.path.abspath(other.expanduser())).resolve()
        if _inside(real, other) or _inside(other, real):
            raise OutputError(f"--out {shown}: overlaps the {name} folder {other}; the site needs "
                              "a folder of its own")
    if target.is_symlink():
        raise OutputError(f"--out {shown}: is a symbolic link; give the folder it points to "
                          f"({os.path.realpath(target)})")
    if target.exists() and not target.is_dir():
        raise OutputError(f"--out {shown}: is a file, not a folder; give a folder for the site")
    if target.is_dir() and os.path.ismount(target):
        # The site replaces its folder by renames beside it, which a mount point refuses: the
        # build would fail at its very end.
        raise OutputError(f"--out {shown}: is a mount point, which the build cannot replace; "
                          f"give a folder inside it (for example --out {target / 'site_src'})")
    try:
        occupied = target.is_dir() and any(target.iterdir())
    except OSError as exc:
        raise OutputError(f"--out {shown}: cannot look inside the folder ({exc.strerror})") from exc
    if occupied:
        written = stamp_files(target)
        if written is None:
            raise OutputError(f"--out {shown}: the folder is not empty and was not written by "
                              "genrereport, so replacing it would delete its files; choose a new "
                              "or empty folder")
        foreign = foreign_files(target, written)
        if foreign:
            more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
            raise OutputError(f"--out {shown}: {foreign[0]}{more} was not written by genrereport; "
                              "move it out of the folder (the build replaces the folder as a "
                              "whole) or choose another --out")
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"--out {shown}: cannot write in {parent} (permission denied)")
    return target
