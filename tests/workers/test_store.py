"""The store's atomic writes, against a real Redis or Valkey."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from schemas import DedupeVerdict, TaggedStory, Verdict
from workers.settings import Settings
from workers.stages.normalise import normalise
from workers.stages.publish import build_event
from workers.store import Store, connect


@pytest.fixture
def store(redis_url: str) -> Iterator[Store]:
    settings = Settings(redis_url=redis_url, key_prefix=f"wdt{uuid.uuid4().hex[:8]}")
    s = Store(connect(redis_url), settings)
    yield s
    keys = list(s.r.scan_iter(match=f"{settings.key_prefix}*"))
    if keys:
        s.r.delete(*keys)


def make_story(receipt: str) -> TaggedStory:
    s = normalise(
        b"HANOI (Reuters) - Vietnam's exports rose 9% in October.",
        receipt_id=receipt,
        feed="reuters",
        received_at=datetime.now(UTC),
    )
    return TaggedStory(**s.model_dump(), verdict=DedupeVerdict(verdict=Verdict.new, reason="new"))


def test_receipt_is_created_once(store: Store) -> None:
    kwargs = dict(
        receipt_id="rc_1",
        feed="reuters",
        raw=b"copy",
        content_type="text/plain",
        received_at=datetime.now(UTC),
    )
    assert store.create_receipt(**kwargs) is True
    assert store.create_receipt(**kwargs) is False
    raw, meta = store.load_raw("rc_1")
    assert raw == b"copy" and meta["state"] == "queued"
    assert 0 < store.r.ttl(store.keys.raw("rc_1")) <= store.settings.retention_seconds


def test_publish_twice_adds_one_event(store: Store) -> None:
    story = make_story("rc_2")
    store.create_receipt(
        receipt_id="rc_2",
        feed="reuters",
        raw=b"x",
        content_type=None,
        received_at=datetime.now(UTC),
    )
    first = store.publish(story, build_event(story))
    second = store.publish(story, build_event(story))
    assert first[0] is True and second[0] is False
    assert first[1] == second[1]
    assert store.r.xlen(store.keys.stories_stream) == 1
    assert store.receipt("rc_2").state == "published"
    assert store.get_story(story.story_id).body == story.body


def test_body_claim_first_writer_wins(store: Store) -> None:
    assert store.claim_body("h1", receipt_id="rc_a", story_id="st_a") == ("rc_a", "st_a")
    assert store.claim_body("h1", receipt_id="rc_b", story_id="st_b") == ("rc_a", "st_a")
    # A redelivery of the first finds itself.
    assert store.claim_body("h1", receipt_id="rc_a", story_id="st_a") == ("rc_a", "st_a")
