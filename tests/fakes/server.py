"""A small HTTP server for fakes: ThreadingHTTPServer on 127.0.0.1, port chosen by the OS.

An *app* answers each request with (status, headers, JSON payload). `FakeApp` adds what the
tests need from every fake: a request log, scripted failures (`fail`) and held requests (`hold`)
so a test can kill a client at a known moment. Each logged request carries the monotonic time it
arrived, so a test can measure a client's request rate. Everything is bounded: the server is
shut down by the context manager, a held request waits at most `HOLD_LIMIT` seconds, and
connections are HTTP/1.0 (closed after each answer) so no handler thread lingers on an idle
keep-alive socket.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HOLD_LIMIT = 10.0


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    received: float = 0.0  # time.monotonic() when the request line was read

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Rule:
    """Answer `status` to requests whose path starts with `prefix`, after letting `after` pass."""

    prefix: str
    status: int
    times: int | None = 1        # None: for ever
    after: int = 0
    headers: dict[str, str] = field(default_factory=dict)


Answer = tuple[int, dict, object]


class FakeApp:
    """Shared machinery of the fakes: logging, scripted failures, held requests."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[Request] = []
        self.rules: list[Rule] = []
        self.delay = 0.0
        self._holds: list[list] = []  # [prefix, after, release Event]
        self._releases: list[threading.Event] = []
        self.held = threading.Event()  # set while a request is being held

    # -- test controls -------------------------------------------------------------------

    def fail(self, prefix: str, status: int, times: int | None = 1, after: int = 0,
             headers: dict[str, str] | None = None) -> Rule:
        rule = Rule(prefix, status, times, after, dict(headers or {}))
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear_failures(self) -> None:
        with self.lock:
            self.rules.clear()

    def hold(self, prefix: str, after: int = 0) -> threading.Event:
        """Block the (after+1)-th matching request until the returned event is set."""
        release = threading.Event()
        with self.lock:
            self._holds.append([prefix, after, release])
            self._releases.append(release)
        return release

    def requests_to(self, prefix: str) -> list[Request]:
        with self.lock:
            return [r for r in self.log if r.path.startswith(prefix)]

    # -- serving -------------------------------------------------------------------------

    def handle(self, request: Request) -> Answer:
        with self.lock:
            self.log.append(request)
            scripted = self._scripted(request)
            release = self._hold_for(request)
        if release is not None:
            self.held.set()
            release.wait(HOLD_LIMIT)
        if self.delay:
            threading.Event().wait(self.delay)
        if scripted is not None:
            return scripted
        return self.route(request)

    def _scripted(self, request: Request) -> Answer | None:
        for rule in self.rules:
            if not request.path.startswith(rule.prefix):
                continue
            if rule.after > 0:
                rule.after -= 1
                continue
            if rule.times is not None:
                if rule.times <= 0:
                    continue
                rule.times -= 1
            return rule.status, rule.headers, {"error": {"status": rule.status,
                                                         "message": "scripted failure"}}
        return None

    def _hold_for(self, request: Request):
        for entry in self._holds:
            prefix, after, release = entry
            if request.path.startswith(prefix):
                if after > 0:
                    entry[1] -= 1
                    continue
                self._holds.remove(entry)
                return release
        return None

    def route(self, request: Request) -> Answer:  # pragma: no cover - overridden
        return 404, {}, {"error": {"status": 404, "message": "no such path"}}


class _Handler(BaseHTTPRequestHandler):
    app: FakeApp
    timeout = 10  # seconds a connection may stay silent before the handler gives up

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        received = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = Request(method, url.path, parse_qs(url.query), dict(self.headers.items()), body,
                          received)
        status, headers, payload = self.app.handle(request)
        data = b"" if payload is None else json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client was killed while we answered: fine for a fake

    def log_message(self, format: str, *args) -> None:
        pass  # keep test output clean


class FakeServer:
    """Serve `app` on http://127.0.0.1:<port> while the `with` block runs."""

    def __init__(self, app: FakeApp):
        self.app = app
        handler = type("Handler", (_Handler,), {"app": app})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        # Release any held request so its handler thread can finish.
        with self.app.lock:
            for release in self.app._releases:
                release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
