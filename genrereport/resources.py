"""Where the files that ship with the package live.

In a wheel, `templates/`, `data/` and `mkdocs.yml` are copied inside the package; in a source or
editable checkout they sit at the project's top level, one folder up.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for base in (_PACKAGE / "_shipped", _PACKAGE.parent):
        candidate = base / name
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"genrereport is installed without its {name!r}; reinstall the package")


def templates_dir() -> Path:
    """Folder of the page templates and static assets."""
    return _find("templates")


def data_dir() -> Path:
    """Folder of the shipped binning rules and source registry."""
    return _find("data")


def default_rules_path() -> Path:
    """The study's 12 ordered genre rules."""
    return data_dir() / "genre_rules.toml"


def sources_registry_path() -> Path:
    """Registry of the study's cached pulls: file name, sha256 and pinned URL."""
    return data_dir() / "sources.csv"


def mkdocs_config_template() -> Path:
    """The MkDocs configuration that a build writes beside its output when none exists."""
    return _find("mkdocs.yml")
