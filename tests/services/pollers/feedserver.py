"""A real HTTP server for the poller tests: stdlib ``http.server`` on 127.0.0.1, in a thread.

It serves documents with an ETag and a Last-Modified, answers conditional GETs with 304 and
counts them, and can be told to fail (a status, or a slow answer) for the next requests.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Document", "FeedServer"]


@dataclass
class Document:
    body: bytes
    content_type: str
    etag: str
    last_modified: str


class FeedServer:
    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}
        self.failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.delays: dict[str, float] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.not_modified = 0
        self._version = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def publish(self, path: str, body: bytes, content_type: str) -> Document:
        """Serve ``body`` at ``path`` with a fresh ETag and a later Last-Modified."""
        with self._lock:
            self._version += 1
            doc = Document(
                body=body,
                content_type=content_type,
                etag='"' + hashlib.sha1(body).hexdigest()[:16] + '"',
                last_modified=formatdate(1_700_000_000 + self._version * 60, usegmt=True),
            )
            self.documents[path] = doc
        return doc

    def fail_next(self, path: str, *statuses: int, headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self.failures.setdefault(path, []).extend((s, headers or {}) for s in statuses)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path
        with self._lock:
            self.requests.append((path, {k.lower(): v for k, v in request.headers.items()}))
            failure = self.failures.get(path, []).pop(0) if self.failures.get(path) else None
            doc = self.documents.get(path)
            delay = self.delays.get(path, 0.0)
        try:
            if delay:
                time.sleep(delay)
            if failure is not None:
                status, headers = failure
                self._answer(request, status, b"upstream trouble\n", "text/plain", headers)
            elif doc is None:
                self._answer(request, 404, b"no such feed\n", "text/plain", {})
            elif self._fresh(request, doc):
                with self._lock:
                    self.not_modified += 1
                self._answer(request, 304, b"", None, {"ETag": doc.etag})
            else:
                validators = {"ETag": doc.etag, "Last-Modified": doc.last_modified}
                self._answer(request, 200, doc.body, doc.content_type, validators)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the poller gave up waiting (the timeout test)

    @staticmethod
    def _fresh(request: BaseHTTPRequestHandler, doc: Document) -> bool:
        # RFC 9110: If-None-Match wins; If-Modified-Since counts only without it.
        if "If-None-Match" in request.headers:
            return request.headers["If-None-Match"] == doc.etag
        return request.headers.get("If-Modified-Since") == doc.last_modified

    @staticmethod
    def _answer(request, status: int, body: bytes, content_type, headers: dict[str, str]) -> None:
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name, value)
        if content_type:
            request.send_header("Content-Type", content_type)
        if status != 304:
            request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        if status != 304:
            request.wfile.write(body)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
