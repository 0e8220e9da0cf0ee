"""A scripted HTTP issuer on 127.0.0.1 for tests: real sockets, no client mocking.

    with LoopbackIssuer([Reply(429, headers={"Retry-After": "1"}), Reply(200, body=b"...")]) as issuer:
        url = issuer.url("/lookup")
        ...
        assert len(issuer.requests) == 2
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/plain"


@dataclass
class SeenRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class LoopbackIssuer:
    """Answers requests with the scripted replies in order; the last reply repeats."""

    def __init__(self, replies: list[Reply]):
        if not replies:
            raise ValueError("give at least one reply")
        self.replies = list(replies)
        self.requests: list[SeenRequest] = []
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                issuer.requests.append(
                    SeenRequest(self.command, parts.path, parts.query, dict(self.headers), body)
                )
                index = min(len(issuer.requests) - 1, len(issuer.replies) - 1)
                reply = issuer.replies[index]
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def __enter__(self) -> LoopbackIssuer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
