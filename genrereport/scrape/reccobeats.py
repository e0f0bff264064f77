"""Audio features from ReccoBeats, the substitute for Spotify's retired audio-features endpoint.

`GET {base}/v1/audio-features?ids=a,b,c` takes up to 40 Spotify track ids (more are rejected) and
needs no key. Each item in the answer's `content` carries ReccoBeats' own id; the Spotify id is
only in its `href` (`https://open.spotify.com/track/<id>`). Unknown ids are simply left out, so
items are matched back through that href and never by position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from genrereport import __version__
from genrereport.scrape.errors import ScrapeError
from genrereport.scrape.polite import RetryPolicy, classify_requests_error

IDS_PER_CALL = 40
SERVICE = "ReccoBeats"
_HREF = re.compile(r"open\.spotify\.com/(?:intl-[a-z]{2}(?:-[a-z]+)?/)?track/([0-9A-Za-z]+)",
                   re.IGNORECASE)


def spotify_id_from_href(href: object) -> str | None:
    """The Spotify track id in a ReccoBeats item's href, or None."""
    if not isinstance(href, str):
        return None
    m = _HREF.search(href)
    return m.group(1) if m else None


class ReccoBeatsFeatures:
    """Audio features by Spotify track id, fetched 40 at a time."""

    def __init__(self, base_url: str, policy: RetryPolicy, timeout: float, session=None):
        import requests

        self.url = base_url.rstrip("/") + "/v1/audio-features"
        self.policy = policy
        self.timeout = timeout
        # A plain session: its adapters do not retry, so RetryPolicy is the only one that does.
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": "application/json",
                                     "User-Agent": f"genrereport/{__version__}"})

    def audio_features(self, track_ids: Sequence[str]) -> dict[str, dict]:
        """Features for the ids ReccoBeats knows; the others are left out."""
        features: dict[str, dict] = {}
        unique = list(dict.fromkeys(track_ids))
        for start in range(0, len(unique), IDS_PER_CALL):
            chunk = unique[start:start + IDS_PER_CALL]
            wanted = set(chunk)
            answer = self.policy.call(SERVICE, "GET /v1/audio-features",
                                      lambda chunk=chunk: self._get(chunk),
                                      classify_requests_error)
            content = answer.get("content") if isinstance(answer, dict) else None
            if not isinstance(content, list):
                raise ScrapeError(f"{SERVICE} answered GET {self.url} without a 'content' list; "
                                  f"its API may have changed")
            for item in content:
                if not isinstance(item, dict):
                    continue
                track_id = spotify_id_from_href(item.get("href"))
                if track_id in wanted and track_id not in features:
                    features[track_id] = item
        return features

    def _get(self, ids: Sequence[str]):
        # The ids are base 62, so they need no escaping; a literal comma keeps the query in the
        # documented form rather than %2C.
        response = self.session.get(f"{self.url}?ids={','.join(ids)}", timeout=self.timeout)
        response.raise_for_status()
        return response.json()
