from __future__ import annotations

from datetime import UTC, datetime

from schemas import DedupeVerdict, EventType, TaggedStory, Verdict
from workers.stages.normalise import normalise
from workers.stages.publish import build_event


def tagged(verdict: DedupeVerdict) -> TaggedStory:
    s = normalise(
        b"LAGOS (Reuters) - Nigeria's central bank held rates.",
        receipt_id="rc_1",
        feed="reuters",
        received_at=datetime.now(UTC),
    )
    return TaggedStory(**s.model_dump(), verdict=verdict)


def test_new_story_is_published_with_its_text() -> None:
    event = build_event(tagged(DedupeVerdict(verdict=Verdict.new, reason="new")))
    assert event.type is EventType.published
    assert event.story is not None and event.story.body
    assert event.schema_version == 1


def test_resend_is_a_duplicate_event_without_the_text() -> None:
    v = DedupeVerdict(verdict=Verdict.resend, of_story="st_x", reason="same body", score=1.0)
    event = build_event(tagged(v))
    assert event.type is EventType.duplicate
    assert event.story is None
    assert event.verdict.of_story == "st_x"


def test_newer_version_is_an_update_with_its_text() -> None:
    v = DedupeVerdict(verdict=Verdict.update, of_story="st_x", reason="version 2 follows 1")
    event = build_event(tagged(v))
    assert event.type is EventType.updated and event.story is not None


def test_older_late_version_is_announced_without_text() -> None:
    v = DedupeVerdict(verdict=Verdict.update, of_story="st_x", reason="older", shown=False)
    event = build_event(tagged(v))
    assert event.type is EventType.updated and event.story is None
    assert event.verdict.shown is False


def test_kill_is_a_killed_event() -> None:
    v = DedupeVerdict(verdict=Verdict.kill, of_story="st_x", reason="withdrawn")
    event = build_event(tagged(v))
    assert event.type is EventType.killed and event.verdict.of_story == "st_x"
