"""Request ids, and the API's access line that carries one.

Every request gets an id: the caller's ``X-Request-ID`` when it is a sane token (a proxy or a
feed that already tags its requests keeps its id end to end), else a new one. It is bound in
structlog's context for the whole request, so every line the request logs carries it, the
tasks the request queues carry it to the workers (``workers.tasks`` copies it into a message
header and binds it again), and the answer returns it in ``X-Request-ID``.

A plain ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``: that one runs the app
in a task of its own, and a context variable bound here would not reach the app's log lines.
uvicorn's own access log is off (``--no-access-log``); ``http_request`` below is the access
line, one JSON object with the id, method, path, status and duration.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HEADER", "QUIET_PATHS", "RequestId", "request_id_for"]

HEADER = "X-Request-ID"
# Probes and scrapes come every few seconds and say nothing about traffic: their access lines
# are logged at DEBUG.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# What an incoming id may be: a token of common id characters (UUIDs, hex, base64, dotted or
# colon-separated trace ids), nothing that could break a header or a log reader.
_SANE = re.compile(r"[A-Za-z0-9._:+=/@-]{1,128}", re.ASCII)
_HEADER_KEY = HEADER.lower().encode()

log = structlog.get_logger("wiredesk.access")


def request_id_for(incoming: str | None) -> str:
    """The caller's id when it is sane, else a fresh one (32 hex digits)."""
    if incoming and _SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def _incoming(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == _HEADER_KEY:
            return value.decode("latin-1")
    return None


class RequestId:
    """Binds ``request_id`` for the request, returns it as a header, logs the access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_for(_incoming(scope))
        # Not unbound at the end on purpose: uvicorn runs each request in a task of its own
        # (a context of its own), and the traceback of a request that failed is logged after
        # this returns, by the server, where it should still carry the id.
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status: list[int] = []

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                headers = [*message.get("headers", ()), (_HEADER_KEY, request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # A request that raised before answering is answered 500 by the server.
            _access_line(scope, status[0] if status else 500, started)


def _access_line(scope: Scope, status: int, started: float) -> None:
    path = scope.get("path", "")
    fields: dict[str, Any] = {
        "method": scope.get("method"),
        "path": path,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    query = scope.get("query_string", b"")
    if query:
        fields["query"] = query.decode("latin-1")[:300]
    client = scope.get("client")
    if client:
        fields["client"] = client[0]
    if path in QUIET_PATHS and status < 400:
        log.debug("http_request", **fields)
    else:
        log.info("http_request", **fields)
