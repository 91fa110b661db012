"""Stage 4, publish: the event downstream consumers receive for a story.

The write itself (store, index, stream, receipt) is the store's one atomic script; this
function decides what is announced: a new story is published, a newer version is an update,
a kill announces the withdrawal of the story it names, resends and near-duplicates point at
their lead story.
"""

from __future__ import annotations

from datetime import UTC, datetime

from schemas import EventType, StoryEvent, TaggedStory, Verdict

__all__ = ["build_event"]

_EVENT_FOR = {
    Verdict.new: EventType.published,
    Verdict.resend: EventType.duplicate,
    Verdict.near_duplicate: EventType.duplicate,
    Verdict.update: EventType.updated,
    Verdict.kill: EventType.killed,
}


def build_event(story: TaggedStory, *, now: datetime | None = None) -> StoryEvent:
    kind = _EVENT_FOR[story.verdict.verdict]
    return StoryEvent(
        type=kind,
        story_id=story.story_id,
        version=story.version,
        receipt_id=story.receipt_id,
        feed=story.feed,
        occurred_at=now or datetime.now(UTC),
        verdict=story.verdict,
        # Duplicates point at the lead story; consumers need not receive the text twice. An
        # older version that arrived late carries no text either: it must not replace a newer.
        story=None if kind is EventType.duplicate or not story.verdict.shown else story,
    )
