"""What a scrape has finished, and committing each batch so that a kill loses and repeats nothing.

The output folder itself is the record. An artist is done when its row is in a batch file
(`pull_NNNN.csv`) or it is listed in `skipped.tsv`; on every start the done set is rebuilt from
those files, so whatever moment a run was killed at, the rerun scrapes exactly the artists that
have neither. A batch is committed in this order, each step an atomic file replace:

1. the batch file with the batch's rows (its artists are now done);
2. `skipped.tsv` with the batch's skipped artists added;
3. `checkpoint.json`, a summary of the above for people and progress tools.

A kill before 1 loses only the unfinished batch, which is scraped again. A kill between 1 and 2
leaves the skipped artists of that batch undone, so they are looked at again (they have no row,
so nothing is duplicated). The checkpoint is never trusted over the files: an artist it lists
without a row or a skip entry is scraped again.

Each row names the source of its genres (`genre_source`), so the counts by source are rebuilt
from the batch files too; pulls written before that column existed have Spotify's genres.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from genrereport.load import SCRAPE_MANIFEST
from genrereport.scrape import writer
from genrereport.scrape.errors import ScrapeError
from genrereport.scrape.genres import COUNTED, counted
from genrereport.scrape.rows import GENRE_SOURCE_COLUMN, artist_id_of_uri

CHECKPOINT_NAME = "checkpoint.json"
SKIPPED_NAME = "skipped.tsv"
LOCK_NAME = ".genrereport-scrape.lock"
PULL_RE = re.compile(r"^pull_(\d+)\.csv$")
CHECKPOINT_FORMAT = 1


def pull_name(number: int) -> str:
    """The file name of batch `number` (never `info_N.csv`: those are the study's names)."""
    return f"pull_{number:04d}.csv"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class Progress:
    """The state of one output folder: rows and skips on disk, and the next batch number."""

    folder: Path
    feature_source: str
    input_sha256: str = ""
    rows: dict[str, str] = field(default_factory=dict)      # artist id -> batch file
    skipped: dict[str, str] = field(default_factory=dict)   # artist id -> reason
    genre_sources: dict[str, str] = field(default_factory=dict)  # artist id -> genre source
    batches: list[str] = field(default_factory=list)
    next_number: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def done(self) -> set[str]:
        """Artists with a row or a recorded skip."""
        return set(self.rows) | set(self.skipped)

    # -- reading -----------------------------------------------------------------------------

    @classmethod
    def open(cls, folder: Path, feature_source: str, input_sha256: str = "") -> Progress:
        """Rebuild the state from the folder's files and write a checkpoint that matches them."""
        progress = cls(folder, feature_source, input_sha256)
        removed = writer.remove_stale_temporaries(folder)
        if removed:
            progress.notes.append(f"removed {len(removed)} unfinished temporary file(s) of an "
                                  f"interrupted run")

        numbers = []
        for path in sorted(folder.iterdir()):
            m = PULL_RE.match(path.name)
            if m and path.is_file():
                numbers.append(int(m.group(1)))
                progress._read_pull(path)
        progress.batches = [pull_name(n) for n in sorted(numbers)]
        progress.next_number = max(numbers, default=0) + 1
        progress.skipped = {k: v for k, v in writer.read_skipped(folder / SKIPPED_NAME).items()
                            if k not in progress.rows}

        earlier = progress._earlier_feature_source()
        if earlier and earlier != feature_source:
            if progress.batches:
                raise ScrapeError(
                    f"{folder} already holds pulls made with --features {earlier}; rerun with "
                    f"--features {earlier} to resume, or choose a new --out folder (pulls from "
                    f"the two sources must not be mixed)")
            # No pulls from the other source: start over, as its skips may not apply here.
            progress.skipped = {}
            (folder / SKIPPED_NAME).unlink(missing_ok=True)
        progress._compare_with_checkpoint()
        progress.save()
        return progress

    def _read_pull(self, path: Path) -> None:
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                if reader.fieldnames is None:
                    return  # an empty file has no rows to account for
                if "artist_uri" not in reader.fieldnames:
                    raise ScrapeError(f"{path}: no artist_uri column, so this is not a pull from "
                                      f"genrereport scrape; move it out of {self.folder}")
                # Before the column existed, every scraped genre came from Spotify.
                has_source = GENRE_SOURCE_COLUMN in reader.fieldnames
                for line, record in enumerate(reader, start=2):
                    artist = artist_id_of_uri(record.get("artist_uri") or "")
                    if artist is None:
                        raise ScrapeError(f"{path}, line {line}: artist_uri "
                                          f"{record.get('artist_uri')!r} is not "
                                          f"spotify:artist:<id>")
                    if artist in self.rows:
                        self.notes.append(f"{artist} has rows in both {self.rows[artist]} and "
                                          f"{path.name}")
                        continue
                    self.rows[artist] = path.name
                    self.genre_sources[artist] = ((record.get(GENRE_SOURCE_COLUMN) or "unknown")
                                                  if has_source else "spotify")
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise ScrapeError(f"{path}: cannot read this batch file ({type(exc).__name__}); "
                              f"delete it to scrape its artists again") from exc

    def _earlier_feature_source(self) -> str | None:
        for name in (SCRAPE_MANIFEST, CHECKPOINT_NAME):
            data = _read_json(self.folder / name)
            if isinstance(data.get("feature_source"), str):
                return data["feature_source"]
        if self.batches:
            with open(self.folder / self.batches[0], encoding="utf-8", newline="") as fh:
                header = next(csv.reader(fh), [])
            return "spotify" if "time_signature" in header else "reccobeats"
        return None

    def _compare_with_checkpoint(self) -> None:
        data = _read_json(self.folder / CHECKPOINT_NAME)
        listed = data.get("done") if isinstance(data.get("done"), list) else []
        missing = [a for a in listed if a not in self.rows and a not in self.skipped]
        if missing:
            self.notes.append(f"{len(missing)} artist(s) in {CHECKPOINT_NAME} have no row or skip "
                              f"on disk and will be scraped again")

    # -- committing --------------------------------------------------------------------------

    def commit(self, rows: Sequence[dict], skips: Sequence[tuple[str, str]],
               columns: Sequence[str]) -> str | None:
        """Record one finished batch (see the module docstring for the order); returns its file."""
        name = None
        # Artists skipped by an earlier run and tried again (see GenreChooser.retry) lose their
        # old skip entry: a new row or a new reason replaces it.
        stale = False
        if rows:
            name = pull_name(self.next_number)
            writer.write_pull(self.folder / name, rows, columns)
            self.next_number += 1
            self.batches.append(name)
            for row in rows:
                artist = artist_id_of_uri(row["artist_uri"])
                self.rows[artist] = name
                self.genre_sources[artist] = row.get(GENRE_SOURCE_COLUMN) or "unknown"
                stale |= self.skipped.pop(artist, None) is not None
        for artist, reason in skips:
            self.skipped[artist] = reason
        # A kill before this rewrite leaves an old entry for an artist that now has a row;
        # `open` ignores such entries, so nothing is lost or repeated.
        if skips or stale:
            writer.write_skipped(self.folder / SKIPPED_NAME, self.skipped.items())
        self.save()
        return name

    def genre_source_counts(self) -> dict[str, int]:
        """Rows by genre source as the manifest counts them (MusicBrainz tags as MusicBrainz)."""
        counts = dict.fromkeys(COUNTED, 0)
        for source in self.genre_sources.values():
            key = counted(source)
            counts[key] = counts.get(key, 0) + 1
        return counts

    def save(self) -> None:
        """Write checkpoint.json from the current state."""
        writer.write_json(self.folder / CHECKPOINT_NAME, {
            "format": CHECKPOINT_FORMAT,
            "feature_source": self.feature_source,
            "input_sha256": self.input_sha256,
            "updated": _now(),
            "artists_done": len(self.done),
            "artists_with_rows": len(self.rows),
            "artists_skipped": len(self.skipped),
            "genre_sources": self.genre_source_counts(),
            "batches": self.batches,
            "done": sorted(self.done),
        })


def prepare_folder(folder: Path) -> None:
    """Create the output folder if needed; a clear error if that is impossible."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ScrapeError(f"{folder}: exists and is not a folder (check --out)") from None
    except OSError as exc:
        raise ScrapeError(f"{folder}: cannot create the output folder ({exc.strerror})") from exc


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Refuse a second scrape into the same folder at the same time (they would both write).

    An OS lock (flock) rather than a marker file: the OS drops it when the process dies, even
    by SIGKILL, so a killed run never blocks the rerun. Without fcntl (Windows) there is no lock.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    fh = open(folder / LOCK_NAME, "a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ScrapeError(f"{folder}: another genrereport scrape is writing to this folder; "
                              f"wait for it to finish") from None
        yield
    finally:
        fh.close()
