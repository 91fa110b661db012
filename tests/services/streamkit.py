"""A stories stream of a test's own on the real Redis: valid events written the way publish
writes them, and the processes and helpers the consumer and webhook tests share."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis

from schemas import EventType, StoryEvent
from workers.keys import Keys


@dataclass
class ScratchStream:
    redis_url: str
    prefix: str = field(default_factory=lambda: f"wdc{uuid.uuid4().hex[:8]}")

    def __post_init__(self) -> None:
        self.keys = Keys(self.prefix)
        self.name = self.keys.stories_stream
        self.r = redis.Redis.from_url(self.redis_url, decode_responses=True)
        self.env = {
            **os.environ,
            "REDIS_URL": self.redis_url,
            "WIREDESK_KEY_PREFIX": self.prefix,
            "WIREDESK_LOG_JSON": "true",
        }
        self.counter = 0

    def add(
        self, n: int = 1, *, kind: EventType = EventType.published, maxlen: int | None = None
    ) -> list[str]:
        """Append ``n`` valid events; returns their entry ids. ``maxlen`` trims exactly."""
        ids = []
        for _ in range(n):
            self.counter += 1
            event = StoryEvent(
                type=kind,
                story_id=f"story-{self.counter}",
                version=1,
                receipt_id=f"rcpt-{self.counter}",
                feed="reuters",
                occurred_at=datetime.now(UTC),
            )
            fields = {
                "type": kind.value,
                "story_id": event.story_id,
                "data": event.model_dump_json(),
            }
            ids.append(self.r.xadd(self.name, fields, maxlen=maxlen, approximate=False))
        return ids

    def add_raw(self, fields: dict[str, str]) -> str:
        return self.r.xadd(self.name, fields)

    def pending(self, group: str) -> int:
        """Entries delivered to the group and not acked (0 before the group exists)."""
        try:
            return int(self.r.xpending(self.name, group)["pending"])
        except redis.ResponseError:
            return 0

    def drop(self) -> None:
        for key in self.r.scan_iter(match=f"{self.prefix}*", count=1000):
            self.r.delete(key)
        self.r.close()


def wait_until(check: Callable[[], object], *, timeout: float = 30.0, what: str = "") -> object:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or check}")
