"""The scraper's errors: what the user sees when a scrape stops, and internal HTTP signals."""

from __future__ import annotations

from genrereport.errors import GenreReportError


class ScrapeError(GenreReportError):
    """A problem the user must fix before rerunning (credentials, input, a changed API)."""


class ScrapeStopped(GenreReportError):
    """A temporary stop (rate limit past --max-wait, a server or the network keeps failing).

    Finished batches are on disk, so rerunning the same command later resumes. The distinct exit
    code (75, EX_TEMPFAIL) lets a script tell "try again later" from "fix something first".
    """

    exit_code = 75


class HttpStatusError(Exception):
    """An HTTP answer that retrying will not change (a 4xx other than 429).

    Internal: the caller decides what it means (an unknown artist, a removed endpoint, ...).
    """

    def __init__(self, status: int, service: str, what: str, detail: str = ""):
        super().__init__(f"{service} answered HTTP {status} for {what}"
                         + (f" ({detail})" if detail else ""))
        self.status = status
        self.service = service
        self.what = what
        self.detail = detail
