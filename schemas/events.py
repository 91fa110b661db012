"""Events on the stories stream: the contract downstream consumers code against.

Each stream entry carries ``type``, ``story_id`` and ``data`` (this model as JSON). Bump
``SCHEMA_VERSION`` on any change a consumer could notice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.dedupe import DedupeVerdict
from schemas.story import TaggedStory

__all__ = ["SCHEMA_VERSION", "EventType", "QuarantineEntry", "StoryEvent"]

SCHEMA_VERSION = 1


class EventType(StrEnum):
    published = "story.published"
    updated = "story.updated"
    duplicate = "story.duplicate"
    killed = "story.killed"
    quarantined = "story.quarantined"
    # An embargoed story whose release time has passed: usable from now (services/embargo.py).
    released = "story.released"


class StoryEvent(BaseModel):
    schema_version: int = SCHEMA_VERSION
    type: EventType
    story_id: str
    version: int
    receipt_id: str
    feed: str
    occurred_at: datetime
    verdict: DedupeVerdict | None = None
    story: TaggedStory | None = Field(
        default=None, description="The story as stored; absent on duplicate events."
    )


class QuarantineEntry(BaseModel):
    """An item a stage could not handle, kept with its raw payload so it can be replayed."""

    entry_id: str | None = Field(default=None, description="Stream id in the quarantine stream.")
    receipt_id: str
    feed: str
    stage: str
    reason: str
    error_type: str
    quarantined_at: datetime
    attempts: int = 1
