"""Token guessing is slowed to a few tries a minute per client address.

Every ``401`` the API answers (a wrong or missing token, on any route) counts against the
client's address: a counter in Redis that expires ``auth_failure_window_seconds`` after the
address's first failure. Once it reaches ``auth_failure_limit`` the address is locked until
the counter expires: every request from it is answered ``429`` with ``Retry-After`` before any
token is looked at, so a right token guessed during the lock gets the same answer as a wrong
one. ``/healthz`` and ``/readyz`` stay open (they take no token, and probes must get through).

Why Redis and not each process's memory: the API runs as several replicas behind one Service
(the autoscaler adds more), and a count per process would give a guesser the limit once per
replica, and again after every restart. The cost stays on the failure path: a right token
pays no round trip. Each replica keeps the locks it has seen in memory until they end and
refuses from there; a replica learns of a lock from Redis at the first failure it sees from
that address (the counter is past the limit: answered ``429`` rather than ``401``), so a lock
lets at most one more guess through per replica. When Redis cannot be reached the failure is
not counted (logged at most once a minute); the token checks themselves never depend on it.

The address is the one uvicorn gives the app. Behind a proxy or an ingress, start uvicorn with
``--forwarded-allow-ips`` set to the proxy's address so it is the caller's own
(``X-Forwarded-For``); otherwise every caller shares the proxy's address, and its lock.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import Any

import redis.asyncio as aioredis
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workers.keys import Keys
from workers.settings import Settings

__all__ = ["OPEN_PATHS", "AuthFailureLimit"]

log = structlog.get_logger("wiredesk.api")

OPEN_PATHS = frozenset({"/healthz", "/readyz"})
# Locks kept in memory at most; past that the ended ones are dropped, then all (Redis still
# holds the counts, so an address still past the limit is locked again at its next failure).
_MAX_LOCKED = 10_000
_WARN_EVERY_SECONDS = 60.0

# One failure: the count, and the milliseconds left in the address's window. The window starts
# at the first failure and is not stretched by the later ones.
_COUNT_FAILURE = """
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""


def _address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def _too_many(send: Send, seconds: float) -> None:
    wait = max(1, math.ceil(seconds))
    body = json.dumps(
        {"detail": f"too many failed authentications from this address; retry in {wait} s"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(wait).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class AuthFailureLimit:
    """Counts ``401`` answers per client address and answers ``429`` past the limit."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limit = settings.auth_failure_limit
        self.window_ms = settings.auth_failure_window_seconds * 1000
        self._redis_url = settings.redis_url
        self._keys = Keys(settings.key_prefix)
        self._locked: dict[str, float] = {}  # address -> time.monotonic() its lock ends
        self._clients: dict[int, Any] = {}  # one per event loop, made at the first failure
        self._warned_at = float("-inf")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        address = _address(scope)
        left = self._lock_left(address)
        if left is not None:
            await _too_many(send, left)
            return
        replaced = False

        async def send_counting(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the refused answer's body: the client has the 429 instead
            if message["type"] == "http.response.start" and message["status"] == 401:
                over = await self._failed(address)
                if over is not None:
                    replaced = True
                    await _too_many(send, over)
                    return
            await send(message)

        await self.app(scope, receive, send_counting)

    def _lock_left(self, address: str) -> float | None:
        """Seconds left of the address's lock, None when it has none."""
        ends = self._locked.get(address)
        if ends is None:
            return None
        left = ends - time.monotonic()
        if left <= 0:
            del self._locked[address]
            return None
        return left

    def _lock(self, address: str, seconds: float) -> None:
        now = time.monotonic()
        if address not in self._locked and len(self._locked) >= _MAX_LOCKED:
            self._locked = {a: t for a, t in self._locked.items() if t > now}
            if len(self._locked) >= _MAX_LOCKED:
                self._locked.clear()
        self._locked[address] = now + seconds
        log.warning("auth_locked", client=address, limit=self.limit, seconds=round(seconds, 1))

    async def _failed(self, address: str) -> float | None:
        """Counts a failure; the seconds the address must wait when it was past the limit
        already (this answer becomes a 429), else None (it stays a 401)."""
        try:
            count, ttl_ms = await self._client().eval(
                _COUNT_FAILURE, 1, self._keys.auth_failures(address), self.window_ms
            )
        except Exception as exc:  # an uncounted failure must not become a failed request
            now = time.monotonic()
            if now - self._warned_at >= _WARN_EVERY_SECONDS:
                self._warned_at = now
                log.warning("auth_failure_not_counted", client=address, error=repr(exc))
            return None
        seconds = int(ttl_ms) / 1000
        if int(count) >= self.limit:
            self._lock(address, seconds)
        return seconds if int(count) > self.limit else None

    def _client(self) -> Any:
        loop = id(asyncio.get_running_loop())
        if loop not in self._clients:
            if not self._redis_url:
                raise ValueError("no Redis URL")
            self._clients[loop] = aioredis.Redis.from_url(
                self._redis_url, socket_timeout=2, socket_connect_timeout=1
            )
        return self._clients[loop]
