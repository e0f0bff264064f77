"""Read the data files, check each row, and count what is rejected and why.

The study says which columns hold the track, title, artist and genre (they are renamed to the
pipeline's names) and which are the features. Every feature must be a number, and the known
audio features must be in their range (0..1, not negative, whole numbers). Rows that fail are
never dropped silently: each is counted under its first failing reason, and the first few are
kept as examples (file and line) for the Data page. A column that is missing, or a feature that
holds no number at all, is a one-line error naming the file and the column.
"""

from __future__ import annotations

import ast
import json
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

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
    # The model features found in every file, the study's features that were not, and which
    # data column plays which part.
    features: list[str] = field(default_factory=list)
    missing_features: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    # The columns checked as numbers (the features, and the Spotify format's numeric columns).
    numeric_columns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Loaded:
    frame: pd.DataFrame
    report: LoadReport = field(repr=False)


# Names the pipeline gives the study's columns (study.Columns.renames) and the column it adds;
# a data column of the same name that plays no such part is set aside.
INTERNAL = ("track_id", "track_name", "artist_name", "genre", "label", "target")
# Numeric columns of the Spotify format that are checked when present, besides the features.
OTHER_NUMERIC = ("popularity",)
NULLABLE = ("popularity",)


def _read_table(src: SourceFile) -> pd.DataFrame | None:
    """One data file as text columns; None for an empty one (the study's 36th is a blank line).

    Everything is read as text first, so that a title like "NaN" or "null" stays a title and a
    bad number can be reported instead of silently becoming NaN.
    """
    try:
        if src.path.suffix.lower() == ".parquet":
            df = pd.read_parquet(src.path)
            df = df.astype(object).where(df.notna(), "").astype(str)
        else:
            df = pd.read_csv(src.path, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError:
        return None
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, ValueError) as exc:
        kind = "Parquet" if src.path.suffix.lower() == ".parquet" else "CSV"
        raise DataError(f"{src.path}: cannot read this {kind} file ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0] if str(exc) else ''})") from exc
    if len(df) == 0:
        return None
    # The study's pulls start with an unnamed pandas index column.
    unnamed = [c for c in df.columns if c == "" or str(c).startswith("Unnamed: ")]
    return df.drop(columns=unnamed)


def _mapped(df: pd.DataFrame, src: SourceFile, study) -> pd.DataFrame:
    """The file's columns under the pipeline's names; a missing mapped column is an error."""
    renames = study.columns.renames()
    where = f" in {study.path.name}" if study.path else ""
    keys = {"track_id": "track_id", "track_name": "title", "artist_name": "artist",
            "genre": "tags", "label": "label"}
    missing = [src_col for src_col, dst in renames.items() if src_col not in df.columns]
    if missing:
        role = {src_col: keys[dst] for src_col, dst in renames.items()}
        raise DataError(f"{src.path}: missing column {', '.join(repr(c) for c in missing)} (the "
                        f"study's columns.{role[missing[0]]}{where})")
    stray = [c for c in df.columns if c in INTERNAL and c not in renames]
    df = df.drop(columns=stray).rename(columns=renames)
    if study.keep_columns:
        df = df[[c for c in df.columns if c in study.keep_columns or c in renames.values()]]
    return df


def _genre_is_list(text: str) -> bool:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False
    return isinstance(value, list) and all(isinstance(g, str) for g in value)


def _features_of(df: pd.DataFrame, src: SourceFile, study) -> tuple[str, ...]:
    """The study's features in this file; a required one that is missing is an error."""
    from genrereport.study import KNOWN_FEATURES

    wanted = study.features if study.features is not None else tuple(
        f for f in KNOWN_FEATURES if f in df.columns)
    missing = [f for f in (*wanted, *study.extra_features)
               if f not in df.columns and f not in study.optional_features]
    if missing:
        where = f" (listed in {study.path.name} [features])" if study.path else ""
        raise DataError(f"{src.path}: missing feature column "
                        f"{', '.join(repr(f) for f in missing)}{where}")
    return tuple(f for f in (*wanted, *study.extra_features) if f in df.columns)


def numeric_columns(df: pd.DataFrame, features) -> list[str]:
    """The features, and every column of the Spotify format that is present (a bad key is a bad
    row even where the models leave key out)."""
    from genrereport.study import KNOWN_FEATURES

    return list(dict.fromkeys([*features, *(c for c in (*KNOWN_FEATURES, *OTHER_NUMERIC)
                                            if c in df.columns)]))


def _validate(df: pd.DataFrame, features: tuple[str, ...], study,
              shown: dict[str, str]) -> tuple[pd.DataFrame, pd.Series]:
    """Parse numbers and return (typed frame, first failing reason per row or '')."""
    from genrereport.study import INTEGER_FEATURES, NON_NEGATIVE_FEATURES, UNIT_FEATURES

    reason = pd.Series("", index=df.index, dtype=object)

    def flag(mask: pd.Series, why: str) -> None:
        fresh = mask & (reason == "")
        reason[fresh] = why

    typed = df.copy()
    numeric = numeric_columns(df, features)
    for col in numeric:
        text = df[col].str.strip()
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna() | ~np.isfinite(values.fillna(0))
        if col in NULLABLE:
            bad &= text != ""
        flag(bad & (text == ""), f"{shown.get(col, col)} is missing")
        flag(bad, f"{shown.get(col, col)} is not a number")
        typed[col] = values
    for col in UNIT_FEATURES:
        if col in numeric:
            flag((typed[col] < 0) | (typed[col] > 1), f"{col} outside 0..1")
    for col in NON_NEGATIVE_FEATURES:
        if col in numeric:
            flag(typed[col] < 0, f"{col} is negative")
    for col in (*INTEGER_FEATURES, *OTHER_NUMERIC):
        if col in numeric:
            v = typed[col]
            flag(v.notna() & (v != np.floor(v.fillna(0))), f"{col} is not an integer")
    if study.columns.tags and study.columns.tags_format == "list":
        flag(~df["genre"].map(_genre_is_list), f"{shown['genre']} is not a list of names")
    return typed, reason


def _not_numeric(typed: pd.DataFrame, reason: pd.Series, features, src: SourceFile,
                 shown: dict[str, str]) -> None:
    """A feature column with no number at all is a mapping mistake, not bad rows."""
    for col in features:
        if typed[col].isna().all() and len(typed):
            raise DataError(f"{src.path}: column {shown.get(col, col)!r} holds no numbers; a "
                            "feature must be numeric (check [features] in the study file)")


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


def load(sources: list[SourceFile], study=None) -> Loaded:
    """Concatenate the files in order, validate every row, and keep the valid ones."""
    if study is None:
        from genrereport.study import load_study

        study = load_study()
    shown = {dst: src for src, dst in study.columns.renames().items()}
    frames, files, empty = [], [], []
    examples: list[dict] = []
    counts: dict[str, int] = {}
    features: tuple[str, ...] | None = None
    for src in sources:
        raw = _read_table(src)
        if raw is None:
            empty.append(src.name)
            files.append(FileReport(src.name, src.sha256, src.registered, 0))
            continue
        raw = _mapped(raw, src, study)
        found = _features_of(raw, src, study)
        # Every file must offer the same features; an optional one missing anywhere is left out.
        features = found if features is None else tuple(f for f in features if f in found)
        files.append(FileReport(src.name, src.sha256, src.registered, len(raw)))
        typed, reason = _validate(raw, found, study, shown)
        _not_numeric(typed, reason, found, src, shown)
        bad = reason != ""
        for idx in np.flatnonzero(bad.to_numpy()):
            why = reason.iloc[idx]
            counts[why] = counts.get(why, 0) + 1
            if len(examples) < MAX_EXAMPLES:
                # +2: the header is line 1 and pandas counts rows from 0.
                examples.append({"file": src.name, "line": int(idx) + 2, "reason": why})
        frames.append(typed.loc[~bad])
    if not frames:
        raise DataError("no rows in any data file: every file is empty")
    dropped = {f for frame in frames for f in frame.columns} - set(features or ())
    frame = pd.concat(frames, ignore_index=True, sort=False)
    # Optional features that some file lacks are left out of every file.
    from genrereport.study import KNOWN_FEATURES

    frame = frame.drop(columns=[c for c in dropped if c in KNOWN_FEATURES and c in
                                study.optional_features])
    from genrereport.study import INTEGER_FEATURES

    for col in (*INTEGER_FEATURES, *OTHER_NUMERIC):
        if col in frame.columns and pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].astype("Int64" if col in NULLABLE else "int64")
    rows_pulled = sum(f.rows for f in files)
    has_ts = "time_signature" in features
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
        features=list(features),
        missing_features=[f for f in (*(study.features or ()), *study.extra_features)
                          if f not in features],
        numeric_columns=numeric_columns(frame, features),
        columns={role: col for role, col in
                 (("track_id", study.columns.track_id), ("title", study.columns.title),
                  ("artist", study.columns.artist), ("tags", study.columns.tags),
                  ("label", study.columns.label)) if col},
    )
    return Loaded(frame, report)
