"""Run a scrape: read the artist list, resume from the output folder, commit batch after batch.

Each batch is scraped in memory (collect.py) and then committed (checkpoint.py), so at any
moment the folder holds whole batches only. A temporary stop (rate limit past --max-wait, a
failing server) ends the run after the last committed batch with a message saying how to resume.
Everything that can be checked without a request (the artist list, the genres file, the
MusicBrainz contact, the credentials) is checked before the first one.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from genrereport.expected_warnings import expected, scrape_filters
from genrereport.scrape import genres as G
from genrereport.scrape.artists import read_artists
from genrereport.scrape.checkpoint import SKIPPED_NAME, Progress, folder_lock, prepare_folder
from genrereport.scrape.collect import collect_batch
from genrereport.scrape.config import (CONTACT_ENV, MUSICBRAINZ_INTERVAL, Credentials,
                                       Endpoints, ScrapeOptions, contact_from,
                                       is_public_musicbrainz, user_agent)
from genrereport.scrape.errors import HttpStatusError, ScrapeError, ScrapeStopped
from genrereport.scrape.genres_file import read_genres_file
from genrereport.scrape.manifest import write_manifest
from genrereport.scrape.polite import RetryPolicy
from genrereport.scrape.rows import (GENRE_SOURCE_COLUMN, GENRES_NOT_REPORTED, NOT_FOUND,
                                     pull_columns)

GENRES_GONE = (
    "Spotify's artist answers have no genres field at all, so there is nothing to predict; "
    "Spotify stopped sending artist genres to apps in Development Mode in February 2026. Rerun "
    "with --genres auto (the default) or --genres musicbrainz to take the genres from "
    "MusicBrainz, or use an app with extended quota")
NO_CONTACT = (
    "MusicBrainz asks every client for a contact: pass --contact with your e-mail address or a "
    f"URL, or set {CONTACT_ENV} (or use --genres spotify if your app still gets Spotify's "
    "genres)")
SOURCE_NAMES = {G.SPOTIFY: "Spotify", G.MUSICBRAINZ: "MusicBrainz", G.FILE: "the genres file"}


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
    genre_sources: Counter = field(default_factory=Counter)  # rows of this run by genre source
    musicbrainz_requests: int | None = None  # None: MusicBrainz was not set up
    musicbrainz_cached: int = 0
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
        if self.genre_sources:
            lines.append("genres: " + self._sources_text())
        if self.musicbrainz_requests is not None:
            lines.append(f"MusicBrainz: {self.musicbrainz_requests} request(s), "
                         f"{self.musicbrainz_cached} artist(s) answered from the cache")
        if self.waited:
            lines.append(f"waited {self.waited:g} s in total for rate limits")
        if self.rows_without_popularity:
            lines.append(f"warning: Spotify reported no popularity for "
                         f"{self.rows_without_popularity} row(s); their popularity cell is empty")
        if self.skipped.get(GENRES_NOT_REPORTED):
            lines.append(f"warning: {self.skipped[GENRES_NOT_REPORTED]} artist answer(s) had no "
                         f"genres field; apps in Development Mode no longer receive artist "
                         f"genres (--genres auto or musicbrainz takes them from MusicBrainz)")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _sources_text(self) -> str:
        counts: Counter = Counter()
        for source, n in self.genre_sources.items():
            counts[G.counted(source)] += n
        parts = []
        for source, n in counts.most_common():
            text = f"{n} from {SOURCE_NAMES.get(source, source)}"
            tags = self.genre_sources.get(G.MUSICBRAINZ_TAGS, 0)
            if source == G.MUSICBRAINZ and tags:
                text += f" ({tags} of them from tags)"
            parts.append(text)
        return ", ".join(parts)


def scrape(options: ScrapeOptions, env: Mapping[str, str], *,
           policy: RetryPolicy | None = None, progress_file: TextIO | None = None) -> Summary:
    """Scrape every artist of the list that the output folder does not have yet.

    `env` supplies the credentials and endpoints (the command passes os.environ).
    """
    from genrereport.progress import make_bar

    from genrereport.scrape.reccobeats import ReccoBeatsFeatures
    from genrereport.scrape.spotify import SpotifyCatalog, make_client, quiet_spotipy_logs

    # Cheapest checks first: a bad artist list or genres file, a missing contact or missing
    # credentials fail before anything is created or requested.
    artist_list = read_artists(options.artists)
    genres_file = read_genres_file(options.genres_file) if options.genres_file else None
    endpoints = Endpoints.from_env(env)
    requested = list(artist_list.ids[: options.limit] if options.limit else artist_list.ids)
    chooser = G.GenreChooser(options.genres, genres_file)
    use_musicbrainz = chooser.may_ask_musicbrainz(requested)
    contact = contact_from(options.contact, env)
    if use_musicbrainz:
        _check_musicbrainz_rules(endpoints.musicbrainz, contact, options.musicbrainz_interval)
    credentials = Credentials.from_env(env)
    has_ts = options.has_time_signature
    columns = pull_columns(has_ts)
    policy = policy or RetryPolicy(max_wait=options.max_wait, retries=options.retries)

    prepare_folder(options.out)
    with folder_lock(options.out):
        progress = Progress.open(options.out, options.features, artist_list.sha256)
        # Artists skipped for lack of genres are tried again if these settings may find some.
        retried = {a for a in requested if a not in progress.rows and a in progress.skipped
                   and chooser.retry(a, progress.skipped[a])}
        todo = [a for a in requested if a not in progress.done or a in retried]
        summary = Summary(options.out, len(requested), len(requested) - len(todo),
                          notes=list(progress.notes))
        if artist_list.duplicates:
            summary.notes.append(f"{artist_list.duplicates} repeated artist(s) in "
                                 f"{options.artists} read once")
        if retried:
            summary.notes.append(f"{len(retried)} artist(s) skipped earlier for lack of genres "
                                 f"tried again with --genres {options.genres}"
                                 + (" and --genres-file" if genres_file else ""))

        mb_genres = None
        if use_musicbrainz and todo:
            mb_genres = _musicbrainz(options, endpoints, policy, contact, env)
            chooser = G.GenreChooser(options.genres, genres_file, mb_genres)
        catalog = SpotifyCatalog(make_client(credentials, endpoints, options.timeout), policy,
                                 options.market)
        features = (catalog if options.features == "spotify"
                    else ReccoBeatsFeatures(endpoints.reccobeats, policy, options.timeout))

        def refresh_manifest() -> None:
            write_manifest(progress, options, endpoints, artist_list.sha256, requested, columns,
                           summary.notes + catalog.notes,
                           genres_file.sha256 if genres_file else None)

        # Written before the first batch so that the folder always says where its features
        # come from.
        refresh_manifest()
        bar = make_bar(len(requested), "scrape", progress_file or sys.stderr,
                       initial=summary.done_before, quiet=not todo, leave=True)
        try:
            # A scrape is one thread: it may set the warnings it expects here.
            with quiet_spotipy_logs(), expected(scrape_filters()):
                for start in range(0, len(todo), options.batch_size):
                    batch = todo[start:start + options.batch_size]
                    result = collect_batch(batch, catalog, features, has_ts, chooser,
                                           tick=bar.update)
                    if start == 0:
                        _check_genres_reported(batch, result.skips)
                    name = progress.commit(result.rows, result.skips, columns)
                    if name:
                        summary.new_batches.append(name)
                    summary.rows_written += len(result.rows)
                    summary.rows_without_popularity += sum(
                        1 for r in result.rows if r["popularity"] == "")
                    summary.skipped.update(reason for _, reason in result.skips)
                    summary.genre_sources.update(r[GENRE_SOURCE_COLUMN] for r in result.rows)
                    refresh_manifest()
        except ScrapeStopped as exc:
            raise ScrapeStopped(f"{exc} ({_saved(progress, requested)})") from exc
        except HttpStatusError as exc:
            raise ScrapeError(f"{exc}: not expected, the API may have changed "
                              f"({_saved(progress, requested)})") from exc
        finally:
            bar.close()
            if mb_genres is not None:
                summary.musicbrainz_requests = mb_genres.client.requests
                summary.musicbrainz_cached = mb_genres.cache.hits

        summary.notes += catalog.notes
        if mb_genres is not None and mb_genres.cache.write_error:
            summary.notes.append(f"could not write the MusicBrainz cache "
                                 f"({mb_genres.cache.write_error}); lookups were not saved")
        summary.done = len(progress.done & set(requested))
        summary.total_rows = len(progress.rows)
        summary.total_skipped = len(progress.skipped)
        summary.waited = policy.waited
        return summary


def _check_musicbrainz_rules(base_url: str, contact: str | None, interval: float) -> None:
    """Refuse to ask the public MusicBrainz service without a contact or faster than it allows."""
    if not is_public_musicbrainz(base_url):
        return  # a private mirror or a test server sets its own rules
    if contact is None:
        raise ScrapeError(NO_CONTACT)
    if interval < MUSICBRAINZ_INTERVAL:
        raise ScrapeError(f"--musicbrainz-interval below {MUSICBRAINZ_INTERVAL:g} s is only for "
                          f"private MusicBrainz servers; the public service allows one request "
                          f"per second")


def _musicbrainz(options: ScrapeOptions, endpoints: Endpoints, policy: RetryPolicy,
                 contact: str | None, env: Mapping[str, str]) -> G.MusicBrainzGenres:
    """The MusicBrainz client and its lookup cache (in the user cache unless --cache-dir)."""
    from genrereport.scrape.lookup_cache import LookupCache
    from genrereport.scrape.musicbrainz import MusicBrainzClient
    from genrereport.settings import CACHE_DIR_ENV, default_cache_dir

    cache_dir = options.cache_dir or (Path(env[CACHE_DIR_ENV]).expanduser()
                                      if env.get(CACHE_DIR_ENV) else default_cache_dir())
    client = MusicBrainzClient(endpoints.musicbrainz, policy, options.timeout,
                               user_agent(contact), options.musicbrainz_interval)
    return G.MusicBrainzGenres(client, LookupCache(cache_dir, endpoints.musicbrainz))


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
