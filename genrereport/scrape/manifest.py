"""The scrape manifest, `genrereport-scrape.json`: how the pulls in a folder were made.

`genrereport build` reads its `feature_source` to say where the audio features came from. It
never holds credentials: only URLs (with any user:password part removed), counts and settings.
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


def _public_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def write_manifest(progress: Progress, options: ScrapeOptions, endpoints: Endpoints,
                   artist_list_sha256: str, requested: list[str], columns: tuple[str, ...],
                   notes: list[str]) -> None:
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
        "has_time_signature": "time_signature" in columns,
        "columns": list(columns),
        "batches": progress.batches,
        "skipped_file": SKIPPED_NAME,
        "checkpoint_file": CHECKPOINT_NAME,
        "spotify_api": _public_url(endpoints.spotify_api),
        "features_api": _public_url(features_url),
        "notes": notes,
    })
