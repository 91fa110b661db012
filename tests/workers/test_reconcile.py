"""The reconciler finds what nothing else will run again, and queues it again once."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime

import pytest

from services.ingest import receipt_id_for
from tests.harness import Stack
from workers.metrics import SENT_AT_HEADER
from workers.reconcile import sweep
from workers.settings import Settings
from workers.store import Kept, Store, connect

STORY = b"OSLO (NTB) - A story whose message was lost on the way, told at some length.\n"


def _store(redis_url: str, prefix: str, **overrides) -> Store:
    settings = Settings(redis_url=redis_url, key_prefix=prefix, **overrides)
    return Store(connect(redis_url), settings)


def _keep(store: Store, body: bytes, *, feed: str = "wire", urgent: bool = True) -> str:
    receipt_id = receipt_id_for(feed, body)
    [kept] = store.create_receipts(
        [(receipt_id, body)],
        feed=feed,
        content_type="text/plain",
        received_at=datetime.now(UTC),
        urgent=urgent,
    )
    assert kept is Kept.created
    return receipt_id


class Recorder:
    """Stands where the broker would be handed the items: what the sweep chose to queue."""

    def __init__(self) -> None:
        self.single: list[str] = []
        self.batches: list[list[str]] = []

    def sweep(self, store: Store, now: float):
        return sweep(
            store, store.settings, enqueue=self.single.append,
            enqueue_batch=self.batches.append, now=now,
        )  # fmt: skip


@pytest.fixture
def store(redis_url: str):
    s = _store(redis_url, f"wdr{time.time_ns() % 10**9}", reconcile_after_seconds=10)
    yield s
    for key in s._redis.scan_iter(match=f"{s.keys.prefix}*"):
        s._redis.delete(key)


def test_a_receipt_never_queued_is_queued_again_once_overdue(store: Store) -> None:
    single = _keep(store, STORY)
    bulk = _keep(store, STORY + b"bulk", urgent=False)
    recorder = Recorder()
    assert recorder.sweep(store, time.time()).requeued == []  # not overdue yet
    done = recorder.sweep(store, time.time() + 11)
    assert recorder.single == [single] and recorder.batches == [[bulk]]
    assert sorted(done.requeued) == sorted([single, bulk])
    # The clock restarts at the re-queue: the next sweep leaves it alone.
    assert recorder.sweep(store, time.time() + 12).requeued == []
    assert store.overdue(time.time() + 30)[0].requeues == 1


def test_settled_receipts_leave_the_index(store: Store) -> None:
    receipt_id = _keep(store, STORY)
    store._redis.hset(store.keys.receipt(receipt_id), "state", "published")
    recorder = Recorder()
    done = recorder.sweep(store, time.time() + 11)
    assert done.forgotten == 1 and recorder.single == []
    assert store.inflight_count() == 0


def test_a_backlog_holds_the_sweep_until_it_has_passed_the_item(store: Store) -> None:
    receipt_id = _keep(store, STORY)
    since = store.overdue(time.time() + 1)[0].since
    queue = f"{store.keys.celery_prefix}{store.settings.pipeline_queue}"
    # The oldest message waiting was sent just after the item: the item may be behind it.
    store._redis.rpush(queue, json.dumps({"headers": {SENT_AT_HEADER: since + 0.5}}))
    recorder = Recorder()
    done = recorder.sweep(store, time.time() + 11)
    assert (done.held, recorder.single) == (1, [])
    # Once the queue's oldest is younger than anything the item could have sent, it is stuck.
    store._redis.delete(queue)
    limit = store.settings.task_time_limit
    store._redis.rpush(queue, json.dumps({"headers": {SENT_AT_HEADER: since + limit + 1}}))
    assert recorder.sweep(store, time.time() + 11).requeued == [receipt_id]


def test_an_item_whose_message_a_worker_holds_is_left_to_the_broker(store: Store) -> None:
    held = _keep(store, STORY)
    batched = _keep(store, STORY + b"batched", urgent=False)
    stuck = _keep(store, STORY + b"stuck")

    def delivered(args: list) -> str:
        # As kombu keeps a delivered message: [message, exchange, routing key], the body
        # Celery's [args, kwargs, embed] in base64.
        body = base64.b64encode(json.dumps([args, {}, {}]).encode()).decode()
        message = {"body": body, "properties": {"body_encoding": "base64"}, "headers": {}}
        return json.dumps([message, "", store.settings.pipeline_queue])

    unacked = f"{store.keys.celery_prefix}unacked"
    store._redis.hset(unacked, mapping={"t1": delivered([held]), "t2": delivered([[batched]])})
    recorder = Recorder()
    done = recorder.sweep(store, time.time() + 11)
    assert (done.held, done.requeued) == (2, [stuck])


def test_an_item_that_never_settles_is_quarantined_with_the_reason(store: Store) -> None:
    receipt_id = _keep(store, STORY)
    store._redis.hset(
        store.keys.receipt(receipt_id), mapping={"state": "processing", "stage": "tag"}
    )
    recorder = Recorder()
    at = time.time()
    for _ in range(store.settings.reconcile_max_requeues):
        at += 11
        assert recorder.sweep(store, at).requeued == [receipt_id]
    done = recorder.sweep(store, at + 11)
    assert done.quarantined == [receipt_id]
    receipt = store.receipt(receipt_id)
    assert receipt.state.value == "quarantined"
    assert "stalled in tag" in (receipt.reason or "")
    assert store.inflight_count() == 0


# ---- on a running stack ---------------------------------------------------------------------

FAST = {"WIREDESK_RECONCILE_AFTER_SECONDS": "1", "WIREDESK_RECONCILE_PERIOD_SECONDS": "0.5"}


def test_a_stranded_receipt_and_a_lost_stage_message_are_published_once(make_stack) -> None:
    stack: Stack = make_stack(**FAST).start()
    store = _store(stack.redis_url, stack.prefix)
    # The API died between keeping the receipt and queuing it...
    stranded = _keep(store, STORY)
    # ...and a worker group died between dedupe's end and tag's message.
    normal = stack.ingest("wire", STORY.replace(b"lost", b"found")).json()["receipt_id"]
    assert stack.wait_receipt(normal)["state"] == "published"
    midway = _keep(store, b"BERGEN (NTB) - A second story, stalled between two stages.\n")
    store._redis.hset(
        store.keys.receipt(midway), mapping={"state": "processing", "stage": "dedupe"}
    )
    for receipt_id in (stranded, midway):
        assert stack.wait_receipt(receipt_id, timeout=60)["state"] == "published"
        assert [e["type"] for e in stack.events_for(receipt_id)] == ["story.published"]
    assert store.inflight_count() == 0


def test_a_feed_retry_of_a_stranded_receipt_queues_it_at_once(make_stack) -> None:
    # The reconciler is off: only the front door can bring the item back.
    stack: Stack = make_stack(WIREDESK_RECONCILE_PERIOD_SECONDS="0").start()
    store = _store(stack.redis_url, stack.prefix)
    receipt_id = _keep(store, STORY, feed="ap")
    answer = stack.ingest("ap", STORY)
    assert answer.status_code == 202
    assert answer.json()["receipt_id"] == receipt_id
    assert answer.json()["duplicate_receipt"] is True
    assert stack.wait_receipt(receipt_id)["state"] == "published"
    # A retry of a receipt that was queued is a plain duplicate: queued no more.
    stack.ingest("ap", STORY)
    time.sleep(1)
    assert [e["type"] for e in stack.events_for(receipt_id)] == ["story.published"]
    assert int(stack.redis.get(stack.keys.attempts(receipt_id, "normalise"))) == 1


def test_a_full_redis_is_waited_out_and_nothing_is_lost(tmp_path, log_dir) -> None:
    # A Valkey of the test's own: filling it must not touch anything else.
    from services.redis_server import EmbeddedValkey

    with EmbeddedValkey(tmp_path / "valkey", persist=False) as valkey:
        stack = Stack(
            redis_url=valkey.url,
            log_dir=log_dir,
            env_overrides={
                **FAST,
                "WIREDESK_RECONCILE_AFTER_SECONDS": "3",
                # Items are in their stages when Redis fills up.
                "WIREDESK_FAULT_DELAY_STAGE": "tag",
                "WIREDESK_FAULT_DELAY_SECONDS": "1",
            },
        ).start()
        try:
            bodies = [
                f"TROMSO (NTB) - Story {i} of a run that meets a full Redis, told plainly.\n".encode()
                for i in range(6)
            ]
            accepted = [stack.ingest("wire", b).json()["receipt_id"] for b in bodies]
            time.sleep(0.5)
            used = int(stack.redis.info("memory")["used_memory"])
            stack.redis.config_set("maxmemory", str(used))
            try:
                refused = stack.ingest("wire", b"HAMAR (NTB) - Sent while Redis is full.\n")
                assert refused.status_code == 503
                time.sleep(8)  # long enough for every stage in hand to meet the refusal
                assert stack.worker.alive(), "the worker exited on a full Redis"
            finally:
                stack.redis.config_set("maxmemory", "0")
            for receipt_id in accepted:
                assert stack.wait_receipt(receipt_id, timeout=90)["state"] == "published"
                assert [e["type"] for e in stack.events_for(receipt_id)] == ["story.published"]
            assert stack.worker.alive()
        finally:
            stack.stop()
