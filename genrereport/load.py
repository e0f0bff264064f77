"""Read the pulls, check each row against the schema, and count what is rejected and why.

Rows that break the schema are never dropped silently: each is counted under its first failing
reason, and the first few are kept as examples (file and line) for the Data page.
"""

from __future__ import annotations

import ast
import json
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from genrereport import schema
from genrereport.errors import DataError
from genrereport.sources import SourceFile

SCRAPE_MANIFEST = "genrereport-scrape.json"
MAX_EXAMPLES = 20


@dataclass
class FileReport:
    name: str
    sha256: str
    registered: bool
    rows: int


@dataclass
class LoadReport:
    """What was read: per-file rows, rejected rows by reason, and where the features came from."""

    files: list[FileReport]
    rows_pulled: int
    rows_rejected: int
    rejected_by_reason: dict[str, int]
    reject_examples: list[dict]
    empty_files: list[str]
    has_time_signature: bool
    feature_source: str
    # Rows by genre source ({"musicbrainz": 180, "spotify": 20}) from the scrape manifest; None
    # when no manifest says (the study's pulls, or a scrape from before genre sources existed).
    genre_source: dict[str, int] | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Loaded:
    frame: pd.DataFrame
    report: LoadReport = field(repr=False)


def _read_text(src: SourceFile) -> pd.DataFrame | None:
    """One pull as text columns; None for an empty pull (the study's 36th is a blank line)."""
    try:
        # Everything as text first, so that a title like "NaN" or "null" stays a title and a bad
        # number can be reported instead of silently becoming NaN.
        df = pd.read_csv(src.path, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError:
        return None
    except (UnicodeDecodeError, pd.errors.ParserError, OSError) as exc:
        raise DataError(f"{src.path}: cannot read this CSV ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0]})") from exc
    if len(df) == 0:
        return None
    # The study's pulls start with an unnamed pandas index column.
    unnamed = [c for c in df.columns if c == "" or c.startswith("Unnamed: ")]
    df = df.drop(columns=unnamed)
    missing = [c for c in schema.REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{src.path}: missing column {', '.join(repr(c) for c in missing)} "
                        f"(a pull needs {', '.join(schema.REQUIRED_COLUMNS)})")
    return df


def _genre_is_list(text: str) -> bool:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False
    return isinstance(value, list) and all(isinstance(g, str) for g in value)


def _validate(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Parse numbers and return (typed frame, first failing reason per row or '')."""
    reason = pd.Series("", index=df.index, dtype=object)

    def flag(mask: pd.Series, why: str) -> None:
        fresh = mask & (reason == "")
        reason[fresh] = why

    typed = df.copy()
    for col in schema.NUMERIC_COLUMNS:
        if col not in df.columns:
            continue
        text = df[col].str.strip()
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna() | ~np.isfinite(values.fillna(0))
        if col in schema.NULLABLE_COLUMNS:
            bad &= text != ""
        flag(bad, f"{col} is not a number")
        typed[col] = values
    for col in schema.UNIT_FEATURES:
        flag((typed[col] < 0) | (typed[col] > 1), f"{col} outside 0..1")
    flag(typed["tempo"] < 0, "tempo is negative")
    for col in schema.INTEGER_COLUMNS:
        if col in typed.columns:
            v = typed[col]
            flag(v.notna() & (v != np.floor(v.fillna(0))), f"{col} is not an integer")
    flag(~df["genre"].map(_genre_is_list), "genre is not a list of names")
    return typed, reason


def _feature_source(sources: list[SourceFile], has_time_signature: bool) -> str:
    folders = {s.path.parent for s in sources if not s.registered}
    for folder in sorted(folders):
        manifest = folder / SCRAPE_MANIFEST
        if manifest.is_file():
            try:
                return str(json.loads(manifest.read_text(encoding="utf-8"))["feature_source"])
            except (ValueError, KeyError, OSError) as exc:
                raise DataError(f"{manifest}: not a valid scrape manifest "
                                f"(expected JSON with 'feature_source')") from exc
    if sources and all(s.registered for s in sources):
        return "spotify (the study's 2018 pulls)"
    return "spotify" if has_time_signature else "unknown"


def _genre_source(sources: list[SourceFile]) -> dict[str, int] | None:
    counts: dict[str, int] = {}
    known = False
    for folder in sorted({s.path.parent for s in sources if not s.registered}):
        manifest = folder / SCRAPE_MANIFEST
        if not manifest.is_file():
            continue
        try:
            found = json.loads(manifest.read_text(encoding="utf-8")).get("genre_sources")
        except (ValueError, OSError, AttributeError) as exc:
            raise DataError(f"{manifest}: not a valid scrape manifest") from exc
        if found is None:
            continue
        if not isinstance(found, dict) or not all(
                isinstance(n, int) and not isinstance(n, bool) for n in found.values()):
            raise DataError(f"{manifest}: 'genre_sources' is not a count per source")
        known = True
        for source, n in found.items():
            counts[str(source)] = counts.get(str(source), 0) + n
    if not known:
        return None
    return {k: n for k, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n > 0}


def load(sources: list[SourceFile]) -> Loaded:
    """Concatenate the pulls in order, validate every row, and keep the valid ones."""
    frames, files, empty = [], [], []
    examples: list[dict] = []
    counts: dict[str, int] = {}
    for src in sources:
        raw = _read_text(src)
        if raw is None:
            empty.append(src.name)
            files.append(FileReport(src.name, src.sha256, src.registered, 0))
            continue
        files.append(FileReport(src.name, src.sha256, src.registered, len(raw)))
        typed, reason = _validate(raw)
        bad = reason != ""
        for idx in np.flatnonzero(bad.to_numpy()):
            why = reason.iloc[idx]
            counts[why] = counts.get(why, 0) + 1
            if len(examples) < MAX_EXAMPLES:
                # +2: the header is line 1 and pandas counts rows from 0.
                examples.append({"file": src.name, "line": int(idx) + 2, "reason": why})
        frames.append(typed.loc[~bad])
    if not frames:
        raise DataError("no rows in any pull: every data file is empty")
    has_ts = all("time_signature" in f.columns for f in frames)
    columns = [c for c in schema.PULL_COLUMNS if has_ts or c != "time_signature"]
    frame = pd.concat([f[columns] for f in frames], ignore_index=True)
    for col in schema.INTEGER_COLUMNS:
        if col in frame.columns:
            frame[col] = frame[col].astype("Int64" if col in schema.NULLABLE_COLUMNS else "int64")
    rows_pulled = sum(f.rows for f in files)
    report = LoadReport(
        files=files,
        rows_pulled=rows_pulled,
        rows_rejected=sum(counts.values()),
        rejected_by_reason=dict(sorted(counts.items(), key=lambda kv: -kv[1])),
        reject_examples=examples,
        empty_files=empty,
        has_time_signature=has_ts,
        feature_source=_feature_source(sources, has_ts),
        genre_source=_genre_source(sources),
    )
    return Loaded(frame, report)
