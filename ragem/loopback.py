"""A loopback HTTP server for gateway tests: records every request exactly as it arrived and
answers what the test queued, so a test asserts the provider contract (path, headers, body, auth)
with no internet. Reached from tests through ``ragem.testing.loopback_server``.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str  # without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        """The body parsed as ``application/x-www-form-urlencoded``."""
        return parse_qs(self.body.decode(), keep_blank_values=True)


@dataclass
class Reply:
    """What the server answers one request: a status, a JSON or raw body, headers, a delay."""

    status: int = 200
    json: Any = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class LoopbackServer:
    """``with LoopbackServer() as server: server.reply(...); ... server.requests``.

    Replies are used in order; when none is left the last one is repeated (200 ``{}`` at first).
    """

    def __init__(self):
        self.requests: list[Recorded] = []
        self._replies: list[Reply] = []
        self._last = Reply(json={})
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                owner.requests.append(Recorded(self.command, parts.path, parse_qs(parts.query),
                                               {k.lower(): v for k, v in self.headers.items()}, body))
                reply = owner._next()
                if reply.delay:
                    time.sleep(reply.delay)
                payload = json.dumps(reply.json).encode() if reply.json is not None else reply.body
                try:
                    self.send_response(reply.status)
                    headers = {"Content-Type": "application/json" if reply.json is not None else "text/plain",
                               **reply.headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a time-out test)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reply(self, *replies: Reply) -> "LoopbackServer":
        """Queue the answers to the next requests."""
        self._replies.extend(replies)
        return self

    def _next(self) -> Reply:
        if self._replies:
            self._last = self._replies.pop(0)
        return self._last

    def __enter__(self) -> "LoopbackServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
