"""One request, politely: honour 429 Retry-After up to a cap, retry server errors a few times.

A 5xx answer that carries Retry-After (MusicBrainz's 503 when a client is too fast, or a service
in maintenance) is waited out as it asks, within the same cap; without it the pause grows.
`MinInterval` spaces the requests to a service that asks for a fixed rate (MusicBrainz: one a
second).

spotipy and requests are both configured not to retry on their own (see spotify.py), so this is
the only place that decides when to wait, when to try again and when to give up. Giving up is a
`ScrapeStopped`: the run ends cleanly and a rerun resumes from the last finished batch.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from genrereport.scrape.errors import HttpStatusError, ScrapeStopped

T = TypeVar("T")

# With no Retry-After on a 429, wait this long (doubling) before asking again.
DEFAULT_RATE_LIMIT_WAIT = 5.0
# A server that keeps answering 429 even though we wait as told is not going to let us through.
MAX_RATE_LIMITS_PER_REQUEST = 10


@dataclass(frozen=True)
class Failure:
    """What went wrong with one attempt, in terms the policy understands.

    status is None for a network problem (timeout, refused connection) with no HTTP answer.
    """

    status: int | None
    retry_after: float | None = None
    detail: str = ""


@dataclass
class RetryPolicy:
    """How patient to be. `sleep` and `now` are injectable so tests need not wait for real."""

    max_wait: float = 120.0
    retries: int = 4
    backoff: float = 0.5
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    now: Callable[[], float] = field(default=time.time, repr=False)
    waited: float = 0.0  # seconds slept on 429s so far, for the summary

    def call(self, service: str, what: str, fn: Callable[[], T],
             classify: Callable[[BaseException], Failure | None]) -> T:
        """Run `fn` until it succeeds, a 4xx says no (HttpStatusError), or we give up."""
        errors = 0
        limited = 0
        while True:
            try:
                return fn()
            except Exception as exc:
                failure = classify(exc)
                if failure is None:
                    raise
                if failure.status == 429:
                    limited += 1
                    wait = failure.retry_after
                    if wait is None:
                        wait = DEFAULT_RATE_LIMIT_WAIT * 2 ** (limited - 1)
                    if wait > self.max_wait:
                        raise ScrapeStopped(
                            f"{service} asks to wait {_duration(wait)} before the next request "
                            f"(HTTP 429 Retry-After), longer than --max-wait {self.max_wait:g} s; "
                            f"rerun the same command after {self._clock(wait)} to resume") from exc
                    if limited > MAX_RATE_LIMITS_PER_REQUEST:
                        raise ScrapeStopped(
                            f"{service} still rate-limits {what} after {limited - 1} waits; "
                            f"rerun the same command later to resume") from exc
                    self.waited += wait
                    self.sleep(wait)
                    continue
                if failure.status is None or failure.status >= 500:
                    errors += 1
                    if errors > self.retries:
                        problem = (f"HTTP {failure.status}" if failure.status
                                   else "no answer")
                        detail = f": {failure.detail}" if failure.detail else ""
                        raise ScrapeStopped(
                            f"{service} failed {errors} times in a row on {what} "
                            f"({problem}{detail}); rerun the same command later to resume"
                        ) from exc
                    wait = failure.retry_after
                    if wait is None:
                        self.sleep(self.backoff * 2 ** (errors - 1))
                        continue
                    # The server said how long it will be unavailable: asking sooner only earns
                    # another 503, and MusicBrainz counts those against the client.
                    if wait > self.max_wait:
                        raise ScrapeStopped(
                            f"{service} asks to wait {_duration(wait)} before the next request "
                            f"(HTTP {failure.status} Retry-After), longer than --max-wait "
                            f"{self.max_wait:g} s; rerun the same command after "
                            f"{self._clock(wait)} to resume") from exc
                    self.waited += wait
                    self.sleep(wait)
                    continue
                raise HttpStatusError(failure.status, service, what, failure.detail) from exc

    def _clock(self, seconds: float) -> str:
        at = datetime.fromtimestamp(self.now() + seconds, tz=timezone.utc).astimezone()
        return at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


class MinInterval:
    """Start requests at least `interval` seconds apart, measured on a monotonic clock.

    A fixed gap between request starts, not a token bucket: a bucket allows a burst after a
    quiet spell, a fixed gap never does, so no window of any length holds more than one request
    per `interval` plus one. time.monotonic cannot be moved back or forward by a clock change.
    Every attempt goes through `wait`, retries included. `clock` and `sleep` are injectable for
    tests.
    """

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if interval < 0:
            raise ValueError("interval must not be negative")
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._last: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next request may start, and record that it starts now."""
        with self._lock:
            if self._last is not None:
                # A loop, because a sleep may end a little early on some platforms.
                while True:
                    remaining = self.interval - (self.clock() - self._last)
                    if remaining <= 0:
                        break
                    self.sleep(remaining)
            self._last = self.clock()


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:g} s"
    return str(timedelta(seconds=round(seconds)))


def parse_retry_after(value: Any, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (RFC 9110)."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def classify_requests_error(exc: BaseException) -> Failure | None:
    """A requests exception as a Failure; None for anything that is not about the network."""
    import requests

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        response = exc.response
        return Failure(response.status_code,
                       parse_retry_after(response.headers.get("Retry-After")),
                       _short(response.text))
    if isinstance(exc, requests.exceptions.JSONDecodeError):
        # A 200 whose body is not JSON is a server fault (a proxy error page, a cut answer).
        return Failure(502, detail="the answer is not JSON")
    if isinstance(exc, requests.RequestException):
        return Failure(None, detail=type(exc).__name__)
    return None


def _short(text: str | None, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
