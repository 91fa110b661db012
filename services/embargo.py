"""The embargo releaser: when a story published under embargo reaches its release time, one
``story.released`` event goes on the stories stream, so every consumer (live clients, those
reconnecting later, webhooks, stream consumer groups) gets the story when it becomes usable.

It runs as a loop in the API process's lifespan rather than in Celery (beat would be one more
process to deploy and keep single) or in the pollers runner (optional: a deployment with push
feeds only may never start it). Every API replica runs the loop, but only the holder of a Redis
lease releases; the lease lapses within a few periods of its holder dying, and another replica
takes over. Exactly once does not rest on the lease: each release is one Lua script that takes
the story off the embargo set and appends the event together (``workers/store/embargo.py``).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import UTC, datetime

from pydantic import ValidationError

from schemas import EventType, TaggedStory
from schemas.contract import ReleasedEvent
from workers.errors import StoreUnavailableError
from workers.store.embargo import EmbargoStore

__all__ = ["release_due", "released_event", "run_releaser"]

log = logging.getLogger(__name__)


def released_event(story: TaggedStory, at: datetime) -> ReleasedEvent:
    return ReleasedEvent(
        story_id=story.story_id,
        version=story.version,
        receipt_id=story.receipt_id,
        feed=story.feed,
        occurred_at=at,
        story=story,
    )


def release_due(store: EmbargoStore, now: float | None = None, *, limit: int = 100) -> list[str]:
    """Release every story due at ``now``, up to ``limit``; the ids of the events written."""
    now = time.time() if now is None else now
    written = []
    for story_id, raw in store.due(now, limit=limit):
        event_json = None
        if raw is not None:
            try:
                story = TaggedStory.model_validate_json(raw)
            except ValidationError:
                log.exception(
                    "embargoed story %s does not parse; left off the embargo set", story_id
                )
                story = None
            # An embargo that had passed when the story arrived held nothing: its published
            # event was already usable, so it only leaves the set.
            if story and story.embargoed_until and story.embargoed_until > story.received_at:
                at = datetime.fromtimestamp(now, UTC)
                event_json = released_event(story, at).model_dump_json()
        event_id = store.release(
            story_id, raw, now=now, event_type=EventType.released.value, event_json=event_json
        )
        if event_id:
            log.info("embargo lifted on %s: event %s", story_id, event_id)
            written.append(event_id)
    return written


async def run_releaser(store: EmbargoStore, period: float) -> None:
    """Release due embargoes every ``period`` seconds while this process holds the lease; runs
    until cancelled. Redis away is logged and retried, never fatal to the API."""
    token = f"{uuid.uuid4().hex}"
    lease = max(3 * period, 5.0)
    while True:
        try:
            if await asyncio.to_thread(store.hold_lease, token, lease):
                while await asyncio.to_thread(release_due, store):
                    pass  # a full batch may leave more due: go on until none is
        except StoreUnavailableError as exc:
            log.warning("embargo releaser: %s; retrying", exc)
        except Exception:
            log.exception("embargo releaser round failed; retrying")
        await asyncio.sleep(period)
