"""The stories stream as the API's live feed reads it: one asynchronous client per API
process, whose one blocking reader fans events out to every live connection
(``services/api/live.py``; a connection per viewer would grow Redis's client list with the
audience), read inside the store's error boundary. A reconnecting client's backlog is read
with a short XRANGE on the same client.

A blocking read waits at most the heartbeat interval for new events; the client's socket
timeout is set well above that, so a quiet stream is a heartbeat, never a timeout.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from workers.keys import Keys
from workers.settings import Settings
from workers.store.client import redis_errors, text

__all__ = ["LiveStream", "StreamEvent"]

# (event id, fields) as the stream holds them; fields keep bytes (the story JSON is parsed once).
StreamEvent = tuple[str, dict[bytes, bytes]]


class LiveStream:
    def __init__(self, settings: Settings):
        self._stream = Keys(settings.key_prefix).stories_stream
        if not settings.redis_url:
            raise ValueError("no Redis URL: set REDIS_URL (make run starts an embedded Valkey)")
        # Named, so ops (and the tests) can count the live feed's connections in CLIENT LIST.
        self.client_name = f"wiredesk-live:{settings.key_prefix}"
        self._client: Any = aioredis.Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.live_heartbeat_seconds + 10,
            socket_connect_timeout=5,
            client_name=self.client_name,
        )

    async def newest_id(self) -> str:
        """The id of the last event on the stream ('0-0' when there is none yet)."""
        with redis_errors():
            newest = await self._client.xrevrange(self._stream, count=1)
        return text(newest[0][0]) or "0-0" if newest else "0-0"

    async def read_after(
        self, last_id: str, *, block_seconds: float, count: int = 100
    ) -> list[StreamEvent]:
        """Events after ``last_id``, waiting up to ``block_seconds`` for the first one."""
        with redis_errors():
            rows = await self._client.xread(
                {self._stream: last_id}, block=max(1, int(block_seconds * 1000)), count=count
            )
        return [(text(raw_id) or "", fields) for raw_id, fields in rows[0][1]] if rows else []

    async def read_range(self, after: str, upto: str, *, count: int = 500) -> list[StreamEvent]:
        """Events after ``after`` up to and including ``upto``, oldest first, at most ``count``
        (a reconnecting client's backlog; no blocking)."""
        with redis_errors():
            rows = await self._client.xrange(self._stream, min=f"({after}", max=upto, count=count)
        return [(text(raw_id) or "", fields) for raw_id, fields in rows]

    async def close(self) -> None:
        await self._client.aclose()
