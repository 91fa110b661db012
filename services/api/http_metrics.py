"""HTTP request figures: requests by method, route and status, and their durations.

Kept in Redis like every other figure (see ``workers.metrics``), so whichever API replica
Prometheus scrapes, ``/metrics`` counts the requests of all of them; a per-process registry
would give each scrape one replica's numbers, and counters that jump between replicas.

Requests are labelled by the route's template (``/v1/receipts/{receipt_id}``), never the raw
path: one series per route, however many receipts there are. A path no route matches counts
as ``unmatched``, a method outside HTTP's usual ones as ``other``, so a scanner cannot grow the
series. Each request costs one pipelined round trip, made after its response is sent (the
client does not wait for it). A Redis error loses the figure, never the request, and is
logged at most once a minute.

This is a plain ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``, which would
buffer the live feed's streaming response; a streamed request is counted when it ends.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import redis.asyncio as aioredis
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workers.keys import Keys, MetricKeys
from workers.settings import Settings, get_settings

__all__ = [
    "HTTP_BUCKETS",
    "METHODS",
    "UNMATCHED",
    "HttpMetrics",
    "durations_key",
    "requests_key",
]

log = structlog.get_logger("wiredesk.metrics")

# Seconds. The long bounds are for the live feed, whose requests last as long as the client.
HTTP_BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0, 600.0,
)  # fmt: skip
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
_WARN_EVERY_SECONDS = 60.0


def requests_key(keys: MetricKeys) -> str:
    """Hash ``method|route|status`` -> requests answered since the figures began."""
    return f"{keys.base}:http:requests"


def durations_key(keys: MetricKeys) -> str:
    """Hash ``method|route|<le bound>`` (not cumulative, as ``MetricKeys.histogram``),
    ``method|route|+Inf``, ``|sum`` and ``|count``: how long requests took."""
    return f"{keys.base}:http:duration"


def _bound(seconds: float) -> str:
    for bound in HTTP_BUCKETS:
        if seconds <= bound:
            return repr(bound)
    return "+Inf"


def _route_of(scope: Scope) -> str:
    # The router leaves the matched route in the scope; its path is the template.
    return getattr(scope.get("route"), "path", None) or UNMATCHED


class HttpMetrics:
    """Counts every HTTP request into Redis once it has been answered."""

    def __init__(self, app: ASGIApp, settings: Settings | None = None) -> None:
        self.app = app
        self._settings = settings
        # One client per event loop: an asyncio connection cannot cross loops.
        self._clients: dict[int, Any] = {}
        self._warned_at = float("-inf")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            await self._record(scope, status, time.perf_counter() - started)

    def _client(self) -> Any:
        loop = id(asyncio.get_running_loop())
        if loop not in self._clients:
            settings = self._settings or get_settings()
            if not settings.redis_url:
                raise ValueError("no Redis URL")
            self._clients[loop] = aioredis.Redis.from_url(
                settings.redis_url, socket_timeout=2, socket_connect_timeout=1
            )
        return self._clients[loop]

    async def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope.get("method", "").upper()
        method = method if method in METHODS else "other"
        route = _route_of(scope)
        settings = self._settings or get_settings()
        keys = MetricKeys(Keys(settings.key_prefix).prefix)
        series = f"{method}|{route}"
        try:
            async with self._client().pipeline(transaction=False) as pipe:
                pipe.hincrby(requests_key(keys), f"{series}|{status}", 1)
                pipe.hincrby(durations_key(keys), f"{series}|{_bound(seconds)}", 1)
                pipe.hincrby(durations_key(keys), f"{series}|count", 1)
                pipe.hincrbyfloat(durations_key(keys), f"{series}|sum", seconds)
                await pipe.execute()
        except Exception as exc:  # a lost figure must not turn into a failed request
            now = time.monotonic()
            if now - self._warned_at >= _WARN_EVERY_SECONDS:
                self._warned_at = now
                log.warning("metrics_not_recorded", what="http", error=repr(exc))
