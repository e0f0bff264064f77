"""A fake ReccoBeats: `GET /v1/audio-features?ids=` for up to 40 Spotify track ids.

Like the real service it keys each item by its own UUID, gives the Spotify id only in `href`,
leaves unknown ids out, rejects more than 40 ids, and reports no time_signature. Items come back
in reverse order, so a client that matched by position would get every value wrong.
"""

from __future__ import annotations

import uuid

from tests.fakes.server import Answer, FakeApp, Request

MAX_IDS = 40


class FakeReccoBeats(FakeApp):
    def __init__(self, features: dict[str, dict]):
        """`features`: Spotify track id -> audio features (time_signature is dropped)."""
        super().__init__()
        self.features = {k: {f: v for f, v in feats.items() if f != "time_signature"}
                         for k, feats in features.items()}

    def route(self, request: Request) -> Answer:
        if request.path.rstrip("/") != "/v1/audio-features":
            return 404, {}, {"error": "Not Found", "path": request.path}
        ids = [i for i in (request.param("ids", "") or "").split(",") if i]
        if not ids:
            return 400, {}, {"error": "ids is required"}
        if len(ids) > MAX_IDS:
            return 400, {}, {"error": f"ids must contain at most {MAX_IDS} items"}
        content = []
        for spotify_id in ids:
            feats = self.features.get(spotify_id)
            if feats is None:
                continue
            content.append({"id": str(uuid.uuid5(uuid.NAMESPACE_URL, spotify_id)),
                            "href": f"https://open.spotify.com/track/{spotify_id}", **feats})
        content.reverse()
        return 200, {}, {"content": content}
