"""Run a scrape: read the artist list, resume from the output folder, commit batch after batch.

Each batch is scraped in memory (collect.py) and then committed (checkpoint.py), so at any
moment the folder holds whole batches only. A temporary stop (rate limit past --max-wait, a
failing server) ends the run after the last committed batch with a message saying how to resume.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from genrereport.scrape.artists import read_artists
from genrereport.scrape.checkpoint import SKIPPED_NAME, Progress, folder_lock, prepare_folder
from genrereport.scrape.collect import collect_batch
from genrereport.scrape.config import Credentials, Endpoints, ScrapeOptions
from genrereport.scrape.errors import HttpStatusError, ScrapeError, ScrapeStopped
from genrereport.scrape.manifest import write_manifest
from genrereport.scrape.polite import RetryPolicy
from genrereport.scrape.rows import GENRES_NOT_REPORTED, NOT_FOUND, pull_columns

GENRES_GONE = (
    "Spotify's artist answers have no genres field at all, so there is nothing to predict; "
    "Spotify stopped sending artist genres to apps in Development Mode in February 2026. Use an "
    "app with extended quota")


@dataclass
class Summary:
    """What a run did, for the closing message."""

    folder: Path
    requested: int
    done_before: int
    done: int = 0
    rows_written: int = 0
    new_batches: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    rows_without_popularity: int = 0
    total_rows: int = 0
    total_skipped: int = 0
    waited: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.done == self.requested

    def text(self) -> str:
        """A few lines for the terminal."""
        if self.done_before == self.requested:
            head = f"nothing to do: all {self.requested} artists are already in {self.folder}"
            return "\n".join([head] + [f"note: {n}" for n in self.notes])
        new = self.done - self.done_before
        files = (f"{len(self.new_batches)} new batch file(s) ({self.new_batches[0]}"
                 + (f" … {self.new_batches[-1]}" if len(self.new_batches) > 1 else "") + ")"
                 if self.new_batches else "no new batch file")
        skips = sum(self.skipped.values())
        reasons = ", ".join(f"{n} {why}" for why, n in self.skipped.most_common())
        lines = [f"scraped {new} artist(s): {self.rows_written} row(s) in {files}, "
                 f"{skips} skipped" + (f" ({reasons})" if reasons else "")]
        lines.append(f"{self.folder}: {self.total_rows} row(s), {self.total_skipped} skipped "
                     f"artist(s) listed in {SKIPPED_NAME}; {self.done} of {self.requested} "
                     f"artists done")
        if self.waited:
            lines.append(f"waited {self.waited:g} s in total for rate limits")
        if self.rows_without_popularity:
            lines.append(f"warning: Spotify reported no popularity for "
                         f"{self.rows_without_popularity} row(s); their popularity cell is empty")
        if self.skipped.get(GENRES_NOT_REPORTED):
            lines.append(f"warning: {self.skipped[GENRES_NOT_REPORTED]} artist answer(s) had no "
                         f"genres field; apps in Development Mode no longer receive artist genres")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def scrape(options: ScrapeOptions, env: Mapping[str, str], *,
           policy: RetryPolicy | None = None, progress_file: TextIO | None = None) -> Summary:
    """Scrape every artist of the list that the output folder does not have yet.

    `env` supplies the credentials and endpoints (the command passes os.environ).
    """
    from tqdm import tqdm

    from genrereport.scrape.reccobeats import ReccoBeatsFeatures
    from genrereport.scrape.spotify import SpotifyCatalog, make_client, quiet_spotipy_logs

    # Cheapest checks first: a bad artist list or missing credentials fail before anything is
    # created or requested.
    artist_list = read_artists(options.artists)
    credentials = Credentials.from_env(env)
    endpoints = Endpoints.from_env(env)
    requested = list(artist_list.ids[: options.limit] if options.limit else artist_list.ids)
    has_ts = options.has_time_signature
    columns = pull_columns(has_ts)
    policy = policy or RetryPolicy(max_wait=options.max_wait, retries=options.retries)

    prepare_folder(options.out)
    with folder_lock(options.out):
        progress = Progress.open(options.out, options.features, artist_list.sha256)
        todo = [a for a in requested if a not in progress.done]
        summary = Summary(options.out, len(requested), len(requested) - len(todo),
                          notes=list(progress.notes))
        if artist_list.duplicates:
            summary.notes.append(f"{artist_list.duplicates} repeated artist(s) in "
                                 f"{options.artists} read once")

        catalog = SpotifyCatalog(make_client(credentials, endpoints, options.timeout), policy,
                                 options.market)
        features = (catalog if options.features == "spotify"
                    else ReccoBeatsFeatures(endpoints.reccobeats, policy, options.timeout))

        def refresh_manifest() -> None:
            write_manifest(progress, options, endpoints, artist_list.sha256, requested, columns,
                           summary.notes + catalog.notes)

        # Written before the first batch so that the folder always says where its features
        # come from.
        refresh_manifest()
        bar = tqdm(total=len(requested), initial=summary.done_before, unit="artist",
                   desc="scrape", file=progress_file or sys.stderr, dynamic_ncols=True,
                   disable=not todo)
        try:
            with quiet_spotipy_logs():
                for start in range(0, len(todo), options.batch_size):
                    batch = todo[start:start + options.batch_size]
                    result = collect_batch(batch, catalog, features, has_ts, tick=bar.update)
                    if start == 0:
                        _check_genres_reported(batch, result.skips)
                    name = progress.commit(result.rows, result.skips, columns)
                    if name:
                        summary.new_batches.append(name)
                    summary.rows_written += len(result.rows)
                    summary.rows_without_popularity += sum(
                        1 for r in result.rows if r["popularity"] == "")
                    summary.skipped.update(reason for _, reason in result.skips)
                    refresh_manifest()
        except ScrapeStopped as exc:
            raise ScrapeStopped(f"{exc} ({_saved(progress, requested)})") from exc
        except HttpStatusError as exc:
            raise ScrapeError(f"{exc}: not expected, the API may have changed "
                              f"({_saved(progress, requested)})") from exc
        finally:
            bar.close()

        summary.notes += catalog.notes
        summary.done = len(progress.done & set(requested))
        summary.total_rows = len(progress.rows)
        summary.total_skipped = len(progress.skipped)
        summary.waited = policy.waited
        return summary


def _check_genres_reported(batch: list[str], skips: list[tuple[str, str]]) -> None:
    """Stop early if no artist of the first batch came with a genres field.

    Otherwise a long list would be fetched artist by artist only to skip every one of them.
    """
    reasons = Counter(reason for _, reason in skips)
    found = len(batch) - reasons[NOT_FOUND]
    if found and reasons[GENRES_NOT_REPORTED] == found:
        raise ScrapeError(GENRES_GONE)


def _saved(progress: Progress, requested: list[str]) -> str:
    done = len(progress.done & set(requested))
    return f"{done} of {len(requested)} artists are saved in {progress.folder}"
