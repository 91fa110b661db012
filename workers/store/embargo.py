"""Embargo releases: the stories whose release time has passed, and their release, once
(``release_embargo.lua``); the lease that makes one API process the releaser."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from workers.store.base import StorePart
from workers.store.client import text, translated
from workers.store.scripts import ScriptCall, StoreScript, arg, key

__all__ = ["EmbargoStore", "ReleaseCall"]


@dataclass(frozen=True, kw_only=True)
class ReleaseCall(ScriptCall):
    """``release_embargo.lua``'s keys and arguments."""

    script = "release_embargo.lua"
    embargoes: str = key()
    story: str = key()
    stream: str = key()
    story_id: str = arg()
    story_json: bytes | str = arg()  # the story as read; '' when it is gone (past retention)
    now: float = arg()  # release scores at or below this are due
    announce: bool = arg()  # False: only leave the set (its embargo passed before it arrived)
    event_type: str = arg()
    event_json: str = arg()
    stream_maxlen: int = arg()


class EmbargoStore(StorePart):
    @functools.cached_property
    def _release(self) -> StoreScript[ReleaseCall]:
        return StoreScript(self._redis, ReleaseCall)

    @translated
    def due(self, now: float, *, limit: int = 100) -> list[tuple[str, bytes | str | None]]:
        """Up to ``limit`` stories whose embargo has passed, oldest release first, each with
        its stored JSON (None when it is gone)."""
        ids = [
            text(i) or ""
            for i in self._redis.zrangebyscore(self.keys.embargoes, "-inf", now, 0, limit)
        ]
        if not ids:
            return []
        stored = self._redis.mget([self.keys.story(i) for i in ids])
        return list(zip(ids, stored, strict=True))

    @translated
    def release(
        self,
        story_id: str,
        story_json: bytes | str | None,
        *,
        now: float,
        event_type: str,
        event_json: str | None,
    ) -> str | None:
        """Release one due story; ``event_json`` None only takes it off the embargo set.
        Returns the event's stream id, '' when released without one, None when it was not due
        or changed since it was read."""
        done = self._release(
            ReleaseCall(
                embargoes=self.keys.embargoes,
                story=self.keys.story(story_id),
                stream=self.keys.stories_stream,
                story_id=story_id,
                story_json=story_json or b"",
                now=now,
                announce=event_json is not None,
                event_type=event_type,
                event_json=event_json or "",
                stream_maxlen=self.settings.stream_maxlen,
            )
        )
        return None if done is None else text(done) or ""

    @translated
    def hold_lease(self, token: str, seconds: float) -> bool:
        """Take or renew the releaser's lease; False while another process holds it. A release
        is exactly once whoever runs it."""
        return self._hold_lease(self.keys.embargo_release_lock, token, seconds)
