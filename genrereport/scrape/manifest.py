"""The scrape manifest, `genrereport-scrape.json`: how the pulls in a folder were made.

`genrereport build` reads its `feature_source` and `genre_sources` to say where the audio
features and the genres came from. It never holds credentials or the MusicBrainz contact: only
URLs (with any user:password part removed), counts and settings.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

from genrereport import __version__
from genrereport.load import SCRAPE_MANIFEST
from genrereport.scrape import writer
from genrereport.scrape.checkpoint import CHECKPOINT_NAME, SKIPPED_NAME, Progress
from genrereport.scrape.config import Endpoints, ScrapeOptions
from genrereport.scrape.genres import MUSICBRAINZ_TAGS


def _public_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def write_manifest(progress: Progress, options: ScrapeOptions, endpoints: Endpoints,
                   artist_list_sha256: str, requested: list[str], columns: tuple[str, ...],
                   notes: list[str], genres_file_sha256: str | None = None) -> None:
    """Write (or refresh) the manifest of `progress.folder`, keeping its creation time."""
    path = progress.folder / SCRAPE_MANIFEST
    try:
        created = json.loads(path.read_text(encoding="utf-8")).get("created")
    except (OSError, ValueError, AttributeError):
        created = None
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    wanted = set(requested)
    done = progress.done & wanted
    features_url = (endpoints.spotify_api if options.features == "spotify"
                    else endpoints.reccobeats)
    writer.write_json(path, {
        "feature_source": options.features,
        "tool": f"genrereport scrape {__version__}",
        "created": created or now,
        "updated": now,
        "artist_list": str(options.artists),
        "artist_list_sha256": artist_list_sha256,
        "limit": options.limit,
        "market": options.market,
        "artists_requested": len(requested),
        "artists_done": len(done),
        "complete": len(done) == len(wanted),
        "rows": len(progress.rows),
        "skipped": len(progress.skipped),
        "skipped_by_reason": dict(Counter(progress.skipped.values()).most_common()),
        "genres": options.genres,
        "genres_file": str(options.genres_file) if options.genres_file else None,
        "genres_file_sha256": genres_file_sha256,
        # Over every row in the folder, from each row's genre_source column.
        "genre_sources": progress.genre_source_counts(),
        "musicbrainz_tags_only": sum(1 for s in progress.genre_sources.values()
                                     if s == MUSICBRAINZ_TAGS),
        "has_time_signature": "time_signature" in columns,
        "columns": list(columns),
        "batches": progress.batches,
        "skipped_file": SKIPPED_NAME,
        "checkpoint_file": CHECKPOINT_NAME,
        "spotify_api": _public_url(endpoints.spotify_api),
        "features_api": _public_url(features_url),
        "musicbrainz_api": (_public_url(endpoints.musicbrainz) if options.genres != "spotify"
                            else None),
        "notes": notes,
    })
