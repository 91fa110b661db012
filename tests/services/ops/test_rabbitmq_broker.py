"""The pipeline with RabbitMQ as the Celery broker and Redis as the store.

The pipeline test runs only when ``WIREDESK_TEST_RABBITMQ_URL`` names a RabbitMQ (e.g.
``amqp://guest:guest@127.0.0.1:5672//``): CI machines may have none. When the variable is set
the broker must answer; a set URL that does not is a failure, not a skip. The configuration
test needs no broker and always runs.
"""

from __future__ import annotations

import os

import pytest
from kombu import Connection

from tests.services.ops.helpers import eventually, ops, story
from workers.celery_app import celery_config
from workers.settings import Settings
from workers.synthetic import make_story

RABBITMQ_URL = os.environ.get("WIREDESK_TEST_RABBITMQ_URL")

# Only the tests that talk to a broker wait for one; the configuration test always runs.
needs_rabbitmq = pytest.mark.skipif(
    not RABBITMQ_URL, reason="set WIREDESK_TEST_RABBITMQ_URL to run against a RabbitMQ"
)


def test_config_keeps_redis_transport_options_off_amqp() -> None:
    amqp = celery_config(Settings(redis_url="redis://r:6379/0", broker_url="amqp://h//"))
    assert amqp["broker_url"] == "amqp://h//" and amqp["broker_transport_options"] == {}
    redis = celery_config(Settings(redis_url="redis://r:6379/0"))
    assert redis["broker_url"] == "redis://r:6379/0"
    assert redis["broker_transport_options"]["global_keyprefix"].endswith(":celery:")


@needs_rabbitmq
def test_pipeline_runs_with_rabbitmq_as_broker(make_stack) -> None:
    with Connection(RABBITMQ_URL, connect_timeout=5) as conn:
        conn.ensure_connection(max_retries=1)  # set but unreachable: fail here, loudly
    stack = make_stack(WIREDESK_BROKER_URL=RABBITMQ_URL).start()
    try:
        # Two stories that differ in their words (story() gives near-duplicates): both new.
        receipts = [
            stack.ingest("ansa", make_story(9_600 + i, "plaintext")).json()["receipt_id"]
            for i in (5, 6)
        ]
        for rid in receipts:
            assert stack.wait_receipt(rid, timeout=60)["state"] == "published"
        assert [e["type"] for e in stack.events_for(receipts[0])] == ["story.published"]
        # Nothing went through Redis lists: the queue is RabbitMQ's.
        assert not stack.redis.exists(f"{stack.prefix}:celery:{stack.queue}")
        # Figures recorded in Redis work the same whatever the broker.
        workers = eventually(lambda: ops(stack, "/workers"))
        assert workers[0]["hostname"].startswith(f"{stack.prefix}-w1@")
        publish = next(s for s in ops(stack, "/stages")["stages"] if s["stage"] == "publish")
        assert publish["totals"]["ok"] == 2
        # Queue depth comes from RabbitMQ itself: with the worker gone, messages wait there.
        stack.worker.stop()
        for i in (7, 8, 9):
            stack.ingest("ansa", story(i, "waiting on amqp"))

        def three_waiting():
            queues = ops(stack, "/queues")
            return queues if queues[0]["depth"] == 3 else None

        pipeline, bulk = eventually(three_waiting)
        assert pipeline["queue"] == stack.queue and pipeline["unacked"] is None
        assert bulk["queue"] == stack.bulk_queue and bulk["depth"] == 0
    finally:
        stack.worker.stop()
        with Connection(RABBITMQ_URL, connect_timeout=5) as conn:
            conn.default_channel.queue_delete(stack.queue)
