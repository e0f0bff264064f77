"""`genrereport scrape`: the command-line face of the scraper (options in, summary out).

The work happens in runner.py; this module only declares the options, turns them into
`ScrapeOptions`, and prints the summary. `genrereport.cli` calls `add_parser` and `run`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from genrereport.scrape.config import (CLIENT_ID_ENV, CLIENT_SECRET_ENV, CONTACT_ENV,
                                       FEATURE_SOURCES, GENRE_SOURCES, MUSICBRAINZ_ENV,
                                       MUSICBRAINZ_INTERVAL, RECCOBEATS_ENV, SPOTIFY_API_ENV,
                                       SPOTIFY_TOKEN_ENV, ScrapeOptions)

EPILOG = f"""\
credentials: a Spotify app's client id and secret in {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV}.
MusicBrainz: a contact (e-mail or URL) in --contact or {CONTACT_ENV}; one request a second.
endpoints (optional): {SPOTIFY_API_ENV}, {SPOTIFY_TOKEN_ENV},
{RECCOBEATS_ENV}, {MUSICBRAINZ_ENV}.
Rerunning the same command resumes an interrupted scrape; finished batches are never redone.
Exit status: 0 done, 2 a problem to fix, 75 stopped for now (rate limit, server errors): rerun
later to resume, 130 interrupted.
"""


def add_parser(sub) -> argparse.ArgumentParser:
    """Declare `genrereport scrape` and its options on the CLI's subparsers."""
    p = sub.add_parser(
        "scrape", help="gather new pulls from the Spotify Web API",
        description="Scrape one track per artist, with the artist's genres (from Spotify or\n"
                    "MusicBrainz) and the track's audio features, into batch CSV files that\n"
                    "`genrereport build --data DIR` reads.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--artists", metavar="FILE", required=True,
                   help="CSV of artists: the study's headerless name,uri rows, or a header with "
                        "an id or uri column")
    p.add_argument("--out", metavar="DIR", required=True,
                   help="folder for the batch files (pull_0001.csv, ...), created if needed")
    p.add_argument("--limit", metavar="N", type=int,
                   help="scrape only the first N artists of the list")
    p.add_argument("--features", choices=FEATURE_SOURCES, default="spotify",
                   help="where the audio features come from (default: spotify; use reccobeats "
                        "for apps that Spotify no longer gives audio features)")
    p.add_argument("--genres", choices=GENRE_SOURCES, default="auto",
                   help="where the artists' genres come from: Spotify's artist object, "
                        "MusicBrainz, or auto (default): Spotify's when the artist has some, else "
                        "MusicBrainz")
    p.add_argument("--genres-file", metavar="FILE",
                   help="CSV of your own genres per artist (columns id or uri, and genres or "
                        "tags), used before any network source")
    p.add_argument("--contact", metavar="EMAIL_OR_URL",
                   help=f"how MusicBrainz can reach you; sent in the User-Agent and required for "
                        f"MusicBrainz (env {CONTACT_ENV})")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="where MusicBrainz lookups are cached (default: the user cache, env "
                        "GENREREPORT_CACHE_DIR)")
    # Seconds between MusicBrainz requests: lower only for tests and private mirrors.
    p.add_argument("--musicbrainz-interval", metavar="SECONDS", type=float,
                   default=MUSICBRAINZ_INTERVAL, help=argparse.SUPPRESS)
    p.add_argument("--batch-size", metavar="N", type=int, default=100,
                   help="artists per batch file, the unit that is saved at once (default: 100)")
    p.add_argument("--max-wait", metavar="SECONDS", type=float, default=120.0,
                   help="longest rate-limit wait (Retry-After of HTTP 429 or 503) to sit "
                        "through; a longer one stops the run so you can resume later "
                        "(default: 120)")
    p.add_argument("--retries", metavar="N", type=int, default=4,
                   help="retries of a request after a server error (5xx) or a network error "
                        "(default: 4)")
    p.add_argument("--timeout", metavar="SECONDS", type=float, default=15.0,
                   help="timeout of every HTTP request (default: 15)")
    p.add_argument("--market", metavar="CC", default="US",
                   help="country whose top tracks and albums are used (default: US)")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help=argparse.SUPPRESS)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the scrape; user-facing problems are raised as GenreReportError for the CLI."""
    from genrereport.scrape.runner import scrape

    options = ScrapeOptions(
        artists=Path(args.artists),
        out=Path(args.out),
        limit=args.limit,
        features=args.features,
        batch_size=args.batch_size,
        max_wait=args.max_wait,
        retries=args.retries,
        timeout=args.timeout,
        market=args.market.upper(),
        genres=args.genres,
        genres_file=Path(args.genres_file) if args.genres_file else None,
        contact=args.contact,
        cache_dir=Path(args.cache_dir).expanduser() if args.cache_dir else None,
        musicbrainz_interval=args.musicbrainz_interval,
    )
    try:
        summary = scrape(options, os.environ)
    except KeyboardInterrupt:
        # Handled here because the CLI's generic message speaks of the site, not of pulls.
        print(f"genrereport: interrupted; finished batches are saved in {options.out}, rerun the "
              f"same command to resume", file=sys.stderr)
        return 130
    print(summary.text())
    return 0
