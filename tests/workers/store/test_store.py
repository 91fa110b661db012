"""The store's atomic writes, against a real Redis or Valkey."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest
import redis

from schemas import DedupeVerdict, TaggedStory, Verdict
from services.redis_server import EmbeddedValkey
from workers.dedupe import content_tokens, shingle_hashes, signature
from workers.errors import StoreUnavailableError
from workers.settings import Settings
from workers.stages.normalise import body_hash, normalise
from workers.stages.publish import build_event
from workers.store import Kept, Store, connect


def make_story(receipt: str) -> TaggedStory:
    s = normalise(
        b"HANOI (Reuters) - Vietnam's exports rose 9% in October.",
        receipt_id=receipt,
        feed="reuters",
        received_at=datetime.now(UTC),
    )
    return TaggedStory(**s.model_dump(), verdict=DedupeVerdict(verdict=Verdict.new, reason="new"))


def test_receipt_is_created_once(store: Store, client: redis.Redis) -> None:
    kwargs = dict(
        receipt_id="rc_1",
        feed="reuters",
        raw=b"copy",
        content_type="text/plain",
        received_at=datetime.now(UTC),
    )
    assert store.create_receipt(**kwargs) is Kept.created
    # Kept but not queued yet (its API could still die before queuing it): a retry queues it.
    assert store.create_receipt(**kwargs) is Kept.stranded
    store.mark_enqueued([kwargs["receipt_id"]])
    assert store.create_receipt(**kwargs) is Kept.existing
    raw, meta = store.load_raw("rc_1")
    assert raw == b"copy" and meta["state"] == "queued"
    assert 0 < client.ttl(store.keys.raw("rc_1")) <= store.settings.retention_seconds


def test_publish_twice_adds_one_event(store: Store, client: redis.Redis) -> None:
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
    assert client.xlen(store.keys.stories_stream) == 1
    assert store.receipt("rc_2").state == "published"
    assert store.get_story(story.story_id).body == story.body


def _dedupe(store: Store, receipt: str, body: str, **kw):
    sig = signature(shingle_hashes(content_tokens([body])))
    args = dict(
        receipt_id=receipt,
        story_id=kw.pop("story_id", "st_" + receipt),
        version=kw.pop("version", 1),
        has_chain=kw.pop("has_chain", False),
        is_kill=kw.pop("is_kill", False),
        body_hash=body_hash([body]),
        signature=sig,
    )
    return store.dedupe(**args, **kw)


STORY = (
    "Croatia closed three ports on Tuesday as gale-force winds swept the Adriatic coast, the "
    "maritime ministry said. Ferries to the islands were cancelled until Wednesday morning "
    "and the coastguard warned small boats to stay in harbour."
)


def test_exact_body_first_writer_wins_and_redelivery_finds_itself(store: Store) -> None:
    assert _dedupe(store, "rc_a", STORY).kind == "new"
    second = _dedupe(store, "rc_b", STORY)
    assert (second.kind, second.of_story, second.score) == ("resend", "st_rc_a", 1.0)
    # A redelivered task gets the answer it had the first time, not "resend of itself".
    assert _dedupe(store, "rc_a", STORY).kind == "new"
    assert _dedupe(store, "rc_b", STORY).kind == "resend"


def test_version_chain_update_older_and_same_version(store: Store) -> None:
    chain = dict(story_id="st_chain", has_chain=True)
    assert _dedupe(store, "rc_1", STORY, version=1, **chain).kind == "new"
    later = _dedupe(store, "rc_3", STORY + " Two more ports shut.", version=3, **chain)
    assert (later.kind, later.of_story) == ("update", "st_chain")
    late = _dedupe(store, "rc_2", STORY + " One more port shut.", version=2, **chain)
    assert late.kind == "update_older" and "not shown" in late.reason
    again = _dedupe(store, "rc_3b", STORY + " Two more.", version=3, **chain)
    assert again.kind == "resend" and "rc_3" in again.reason
    kill = _dedupe(
        store, "rc_k", "Editors: the story is withdrawn.", version=4, is_kill=True, **chain
    )
    assert (kill.kind, kill.of_story) == ("kill", "st_chain")


def test_near_duplicate_joins_the_first_story_cluster(store: Store) -> None:
    assert _dedupe(store, "rc_x", STORY).kind == "new"
    edited = STORY.replace("Tuesday", "Tuesday morning").replace("small boats", "yachts")
    near = _dedupe(store, "rc_y", edited)
    assert (near.kind, near.of_story, near.lead) == ("near_duplicate", "st_rc_x", "st_rc_x")
    assert near.score >= store.settings.near_dup_jaccard
    # A third copy like the second joins the same cluster, led by the first.
    third = _dedupe(store, "rc_z", edited.replace("Ferries", "Car ferries"))
    assert third.lead == "st_rc_x"


def test_index_keys_expire_with_the_window(store: Store, client: redis.Redis) -> None:
    _dedupe(store, "rc_t", STORY)
    keys = list(client.scan_iter(match=f"{store.keys.dedupe_bucket_base}*"))
    assert keys
    window = store.settings.dedupe_window_seconds
    for key in keys:
        assert 0 < client.ttl(key) <= window + window // store.settings.dedupe_buckets


def test_a_stage_redelivered_after_publish_leaves_the_receipt_published(
    store: Store, client: redis.Redis
) -> None:
    story = make_story("rc_9")
    store.create_receipt(
        receipt_id="rc_9",
        feed="reuters",
        raw=b"x",
        content_type=None,
        received_at=datetime.now(UTC),
    )
    assert store.begin_stage("rc_9", "publish") == 1
    assert store.receipt("rc_9").state == "processing"
    store.publish(story, build_event(story))
    # The worker died before its ack: the message comes back and publish starts again.
    assert store.begin_stage("rc_9", "publish") == 2
    assert store.receipt("rc_9").state == "published"
    store.publish(story, build_event(story))
    assert store.receipt("rc_9").state == "published"
    assert client.xlen(store.keys.stories_stream) == 1


def test_single_story_work_sets_the_urgent_mark_and_bulk_work_does_not(redis_url: str) -> None:
    settings = Settings(
        redis_url=redis_url, key_prefix=f"wdt{uuid.uuid4().hex[:8]}", bulk_yield_ms=5000
    )
    client = connect(redis_url)
    store = Store(client, settings)
    try:
        now = datetime.now(UTC)
        store.create_receipts([("rc_b", b"bulk copy")], feed="reuters", content_type=None,
                              received_at=now)  # fmt: skip
        store.begin_stages(["rc_b"], "batch")
        assert client.pttl(store.keys.urgent) == -2  # no mark
        store.create_receipts([("rc_s", b"single copy")], feed="reuters", content_type=None,
                              received_at=now, urgent=True)  # fmt: skip
        assert 0 < client.pttl(store.keys.urgent) <= 5000
        client.delete(store.keys.urgent)
        assert store.begin_stage("rc_s", "normalise") == 1
        assert 0 < client.pttl(store.keys.urgent) <= 5000
        assert store.receipt("rc_s").state == "processing"
    finally:
        client.delete(*client.keys(f"{settings.key_prefix}*"))


def test_yield_to_urgent_waits_for_the_mark_within_its_budget(
    store: Store, client: redis.Redis
) -> None:
    assert store.yield_to_urgent(1000) == 0.0  # nothing urgent: no wait at all
    client.set(store.keys.urgent, "1", px=10_000)
    # The mark outlives the budget: the wait is the budget, then bulk work goes on.
    # (the clock's reading: at least the budget, a little more on a busy machine)
    assert 0.12 <= store.yield_to_urgent(120) < 0.6
    # A long mark that goes early (the urgent work finished): the wait ends with it.
    client.set(store.keys.urgent, "1", px=60_000)
    threading.Timer(0.2, client.delete, (store.keys.urgent,)).start()
    assert store.yield_to_urgent(30_000) < 10


def test_a_full_redis_is_an_outage_to_retry_not_the_items_fault(tmp_path) -> None:
    # A Redis of its own, filled to its maxmemory (noeviction refuses writes): the stages'
    # writes, plain commands and Lua scripts alike, must come back as StoreUnavailableError,
    # which the tasks retry, and never as an error that would quarantine the story itself.
    with EmbeddedValkey(tmp_path, persist=False) as server:
        settings = Settings(redis_url=server.url, key_prefix="wdfull")
        client = connect(server.url)
        store = Store(client, settings)
        story = make_story("rc_full")
        store.create_receipt(receipt_id="rc_full", feed="reuters", raw=b"x", content_type=None,
                             received_at=datetime.now(UTC))  # fmt: skip
        client.config_set("maxmemory", 1)  # below what it holds already: full
        with pytest.raises(StoreUnavailableError, match="refused the write"):
            store.begin_stage("rc_full", "publish")
        with pytest.raises(StoreUnavailableError, match="refused the write"):
            store.publish(story, build_event(story))
        client.config_set("maxmemory", 0)
        assert store.begin_stage("rc_full", "publish") == 1  # room again: work goes on


def test_a_cluster_is_led_by_its_first_received_copy(store: Store) -> None:
    # The later copy was deduplicated (and published) first, as when two workers race: the
    # cluster still names the copy received first as its lead.
    first_in = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    later = make_story("rc_late").model_copy(update={"received_at": first_in.replace(minute=5)})
    early = make_story("rc_early").model_copy(
        update={
            "received_at": first_in,
            "verdict": DedupeVerdict(
                verdict=Verdict.near_duplicate,
                of_story=later.story_id,
                cluster=later.story_id,
                reason="near",
                score=0.9,
            ),
        }
    )
    store.publish(later, build_event(later))
    store.publish(early, build_event(early))
    for member in (later.story_id, early.story_id):
        lead, rest = store.cluster(member)
        assert lead == early.story_id
        assert [s.story_id for s in rest] == [later.story_id]
