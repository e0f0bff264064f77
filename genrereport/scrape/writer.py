"""Write the scrape's files atomically: a reader (or a resumed run) never sees half a file.

Each file is written to a hidden temporary file in the same folder, flushed to disk, and then
renamed over its final name with os.replace, which is atomic on POSIX and Windows. Temporary
names end in `.tmp`, never `.csv`, so a leftover from a killed run is never read as a pull.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from genrereport import atomic

TMP_PREFIX = ".genrereport-"
TMP_SUFFIX = ".tmp"


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8) in one step."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TMP_PREFIX}{path.name}.",
                               suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); a pull is as readable as any file the user saves.
        os.chmod(tmp, atomic.file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # Makes the rename itself durable across a power cut.
    atomic.fsync_dir(path.parent)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete temporary files a killed run left behind; returns what was removed."""
    removed = []
    for p in folder.glob(f"{TMP_PREFIX}*{TMP_SUFFIX}"):
        if p.is_file():
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def pull_text(rows: Sequence[Mapping], columns: Sequence[str]) -> str:
    """A pull as CSV text in the study's layout: an unnamed index column, then `columns`."""
    buf = io.StringIO()
    # "\n" line ends, like the pandas to_csv that wrote the study's pulls.
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["", *columns])
    for index, row in enumerate(rows):
        writer.writerow([index, *(_cell(row[c]) for c in columns)])
    return buf.getvalue()


def _cell(value: object) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_pull(path: Path, rows: Sequence[Mapping], columns: Sequence[str]) -> None:
    """Write one batch of rows atomically."""
    write_atomic(path, pull_text(rows, columns))


SKIPPED_HEADER = ("artist_id", "reason")


def write_skipped(path: Path, skipped: Iterable[tuple[str, str]]) -> None:
    """Write the skipped artists (id, reason) as a tab-separated file, atomically."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t", lineterminator="\n")
    writer.writerow(SKIPPED_HEADER)
    writer.writerows(skipped)
    write_atomic(path, buf.getvalue())


def read_skipped(path: Path) -> dict[str, str]:
    """The skipped-artists file as {artist id: reason}; empty if there is none yet."""
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    return {r[0]: r[1] if len(r) > 1 else "" for r in rows[1:] if r and r[0]}


def write_json(path: Path, data: Mapping) -> None:
    """Write a JSON document atomically."""
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
