"""`genrereport init DATA`: look at a data set and write a study file to edit.

It reads the header and a sample of rows, guesses which columns hold the track id, the title,
the artist and the genre (a label used as it is, or tags to bin with rules), picks the audio
features that are present, says what it guessed and what it could not, and writes a commented
study file. Nothing is guessed silently: every choice is written out where the user can change it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from genrereport import atomic
from genrereport.errors import GenreReportError
from genrereport.study import KNOWN_FEATURES

SAMPLE_ROWS = 2000
# Column names seen in public Spotify-features data sets (Kaggle, TidyTuesday, Hugging Face,
# the 2018 pulls), most specific first.
CANDIDATES = {
    "track_id": ("track_id", "id", "track_uri", "uri", "spotify_id", "song_id"),
    "title": ("track_name", "name", "title", "song_name", "song_title", "song", "track"),
    "artist": ("artist_name", "artists", "track_artist", "artist", "artist_names",
               "performer"),
    "label": ("track_genre", "playlist_genre", "genre", "label", "category", "class"),
    "tags": ("genres", "artist_genres", "genre", "tags"),
}
# A label column has a handful of values; more than this and it is more likely tags or names.
MAX_LABELS = 500


class InitError(GenreReportError):
    """The data cannot be read, or a named column is missing."""


def data_files(data: Path) -> list[Path]:
    """The CSV and Parquet files a path names (a file, or every such file in a folder)."""
    from genrereport.sources import DATA_SUFFIXES

    if data.is_file():
        if data.suffix.lower() not in DATA_SUFFIXES:
            kind = f"a {data.suffix} file" if data.suffix else "a file without a suffix"
            raise InitError(f"{data}: {kind}: genrereport reads CSV and Parquet files only "
                            "(save it as .csv or .parquet)")
        return [data]
    if data.is_dir():
        files = sorted(p for p in data.iterdir()
                       if p.suffix.lower() in (".csv", ".parquet") and p.is_file())
        if files:
            return files
        raise InitError(f"{data}: no CSV or Parquet file in this folder")
    raise InitError(f"{data}: no such file or folder")


def same_columns(files: list[Path]) -> None:
    """Every file has the first one's columns: a folder read as one data set (the build stops
    at the first file that differs, after reading the others)."""
    def columns(path: Path) -> list:
        # As the build reads them: an empty file is left out, and so is a pandas index column.
        return [c for c in read_sample(path, rows=0).columns
                if str(c) and not str(c).startswith("Unnamed: ")]

    headers = [(f, cols) for f in files if (cols := columns(f))]
    if not headers:
        return
    (head, first), rest = headers[0], headers[1:]
    for other, cols in rest:
        if set(cols) != set(first):
            missing = [c for c in first if c not in cols]
            extra = [c for c in cols if c not in first]
            what = "; ".join(part for part in (
                f"missing {', '.join(map(str, missing))}" if missing else "",
                f"extra {', '.join(map(str, extra))}" if extra else "") if part)
            raise InitError(f"{other.parent}: {other.name} has not the columns of "
                            f"{head.name}: {what}")


def read_sample(path: Path, rows: int = SAMPLE_ROWS) -> pd.DataFrame:
    """The first rows of a CSV or Parquet file."""
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            parquet = pq.ParquetFile(path)
            if rows == 0:
                return parquet.schema_arrow.empty_table().to_pandas()
            batch = next(parquet.iter_batches(batch_size=rows), None)
            return batch.to_pandas() if batch is not None else pd.DataFrame()
        return pd.read_csv(path, nrows=rows)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InitError(f"{path}: cannot read it ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0] if str(exc) else ''})") from exc


def _looks_like_tags(values: pd.Series) -> bool:
    text = values.dropna().astype(str).head(200)
    if text.empty:
        return False
    listy = text.str.startswith("[") | text.str.contains(";") | text.str.contains(",")
    return bool(listy.mean() > 0.5)


@dataclass
class Guess:
    """What init decided about each role, and what it wants the user to know."""

    columns: dict[str, str | None] = field(default_factory=dict)
    tags_format: str = "text"
    features: list[str] = field(default_factory=list)
    other_numeric: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def guess(sample: pd.DataFrame, label: str | None = None, tags: str | None = None,
          where: str = "the data") -> Guess:
    """The column mapping for a sample of the data."""
    cols = list(sample.columns)
    lower = {c.lower(): c for c in cols}
    g = Guess()
    for name in (label, tags):
        if name is not None and name not in cols:
            raise InitError(f"{where}: no column {name!r} (columns: {', '.join(map(str, cols))})")
    for role in ("track_id", "title", "artist"):
        found = next((lower[c] for c in CANDIDATES[role] if c in lower), None)
        g.columns[role] = found
        g.notes.append(f"{role}: {found!r}" if found else
                       f"{role}: not found; set columns.{role} by hand (or leave it out)")
    if label or tags:
        g.columns["label"], g.columns["tags"] = label, tags
    else:
        taken = {g.columns[r] for r in ("track_id", "title", "artist")}
        label_col = next((lower[c] for c in CANDIDATES["label"] if c in lower
                          and lower[c] not in taken
                          and sample[lower[c]].nunique() <= MAX_LABELS
                          and not _looks_like_tags(sample[lower[c]])), None)
        tags_col = next((lower[c] for c in CANDIDATES["tags"] if c in lower
                         and lower[c] not in taken and lower[c] != label_col), None)
        if label_col:
            g.columns["label"], g.columns["tags"] = label_col, None
        elif tags_col:
            g.columns["label"], g.columns["tags"] = None, tags_col
        else:
            g.columns["label"] = g.columns["tags"] = None
    chosen = g.columns.get("label") or g.columns.get("tags")
    if chosen is None:  # a study without one cannot be built: say so now, not in the build
        raise InitError(f"{where}: no genre column recognised; name one with --label COLUMN "
                        f"or --tags COLUMN (columns: {', '.join(map(str, cols))})")
    if g.columns.get("label"):
        g.notes.append(f"genre: label column {chosen!r} ({sample[chosen].nunique()} values in the "
                       "sample), used as it is")
    else:
        text = sample[chosen].dropna().astype(str)
        g.tags_format = "list" if text.str.startswith("[").mean() > 0.5 else "text"
        g.notes.append(f"genre: tags column {chosen!r} ({g.tags_format} format), binned by the "
                       "rules file named in [rules] (edit data/genre_rules.toml's form)")
    numeric = [c for c in cols if pd.api.types.is_numeric_dtype(sample[c])
               and not pd.api.types.is_bool_dtype(sample[c])]
    g.features = [f for f in KNOWN_FEATURES if f in numeric]
    missing = [f for f in KNOWN_FEATURES if f not in cols]
    g.other_numeric = [c for c in numeric if c not in g.features]
    if not g.features:
        others = (f"; its numeric columns ({', '.join(map(str, g.other_numeric))}) can be "
                  "named in a study file's [features] use" if g.other_numeric else "")
        raise InitError(f"{where}: no audio-feature column (none of "
                        f"{', '.join(KNOWN_FEATURES)} holds numbers){others}")
    g.notes.append(f"features: {len(g.features)} known audio features present"
                   + (f"; absent: {', '.join(missing)}" if missing else ""))
    if g.other_numeric:
        g.notes.append(f"other numeric columns (not used unless added to features.extra): "
                       f"{', '.join(g.other_numeric)}")
    return g


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(g: Guess, data_paths: list[str], title: str) -> str:
    """The study file, with a comment on every choice."""
    c = g.columns
    lines = [
        "# A genrereport study file, written by `genrereport init`. Edit it, then build with",
        "#   genrereport build --study THIS_FILE",
        "",
        "[study]",
        f"title = {_toml_str(title)}",
        '# A short introduction for the Home page (Markdown).',
        'intro = """',
        "Can the audio features of a song tell its genre, and do k-means clusters find the",
        "genres people name? This site asks both questions of this data set.",
        '"""',
        "",
        "[data]",
        "# Files, folders or globs, relative to this file; CSV or Parquet.",
        f"paths = [{', '.join(_toml_str(p) for p in data_paths)}]",
        'format = "auto"',
        "",
        "[columns]",
    ]
    for role in ("track_id", "title", "artist"):
        if c.get(role):
            lines.append(f"{role} = {_toml_str(c[role])}")
        else:
            lines.append(f"# {role} = \"...\"   # not found in the data")
    if c.get("label"):
        lines += ["# The genre of each song, used as it is. (Or: tags = \"COLUMN\" with rules.)",
                  f"label = {_toml_str(c['label'])}"]
    elif c.get("tags"):
        lines += ["# Genre tags, binned into target genres by the ordered rules below.",
                  f"tags = {_toml_str(c['tags'])}",
                  f'tags_format = "{g.tags_format}"   # list: "[\'a\', \'b\']"; text: anything']
    else:
        lines += ["# No genre column was recognised: name one.", '# label = "COLUMN"']
    lines += ["", "[rules]",
              "# For a tags column: a rules file like data/genre_rules.toml, or inline rules:",
              "# file = \"genre_rules.toml\"",
              "# [[rules.rule]]", "# target = \"rock\"", "# pattern = \"rock|grunge\"", ""]
    lines += ["[features]",
              "# The audio features the models use (\"known\": every known one that is present).",
              f"use = [{', '.join(_toml_str(f) for f in g.features)}]"]
    if g.other_numeric:
        lines.append(f"# Other numeric columns you may add: "
                     f"{', '.join(g.other_numeric)}")
    lines.append("extra = []")
    lines += ["", "[genres]", "# Genres with fewer songs are left out (at least 10).",
              "min_songs = 10", "",
              "[dedup]", "# exact: drop rows equal in every column; track_id: keep one row per track.",
              'mode = "exact"',
              "# With mode = \"track_id\", a track with several genres keeps: first | majority | drop",
              'multi_label = "first"', "",
              "[analyses]", "# k-means clusters (default: as many as there are genres).",
              "# k = 12", ""]
    return "\n".join(lines)


def run(data: Path, out: Path, label: str | None = None, tags: str | None = None,
        force: bool = False, say=print) -> int:
    """Write the study file for `data` to `out`; returns the exit code."""
    files = data_files(data)
    same_columns(files)
    sample = read_sample(files[0])
    g = guess(sample, label=label, tags=tags, where=str(files[0]))
    if out.exists() and not force:
        raise InitError(f"{out}: already exists; choose another -o or add --force")
    rel = os.path.relpath(data.resolve(), out.resolve().parent)
    atomic.write_text(out, render(g, [Path(rel).as_posix()],
                                  title=f"Genres and audio features: {data.stem}"))
    for note in g.notes:
        say(f"  {note}")
    say(f"wrote {out}; check it, then run: genrereport build --study {out}")
    return 0


def adhoc_study(data: Path, label: str | None = None, tags: str | None = None):
    """A study for a one-off build (`build --data PATH --label COLUMN`), guessed as `init`
    would guess it, without a file."""
    from genrereport.study import Columns, Study

    files = data_files(data)
    same_columns(files)
    g = guess(read_sample(files[0]), label=label, tags=tags, where=str(files[0]))
    c = g.columns
    return Study(
        id=f"adhoc-{data.stem}",
        title=f"Genres and audio features: {data.stem}",
        intro=("Can the audio features of a song tell its genre, and do k-means clusters find "
               "the genres people name? This site asks both questions of this data set."),
        columns=Columns(track_id=c.get("track_id"), title=c.get("title"),
                        artist=c.get("artist"), tags=c.get("tags"),
                        tags_format=g.tags_format, label=c.get("label")),
        features=tuple(g.features),
    )
