"""A worker killed with SIGKILL mid-task loses nothing and publishes nothing twice."""

from __future__ import annotations

import time

from tests.harness import Stack


def test_worker_killed_during_publish_publishes_exactly_once(make_stack) -> None:
    # Hold publish for 3 s so the kill lands inside it; a short visibility timeout so the
    # unacked message comes back within the test's patience.
    stack: Stack = make_stack(
        WIREDESK_FAULT_DELAY_STAGE="publish",
        WIREDESK_FAULT_DELAY_SECONDS="3",
        WIREDESK_VISIBILITY_TIMEOUT="6",
        WIREDESK_TASK_TIME_LIMIT="5",
        WIREDESK_TASK_SOFT_TIME_LIMIT="4",
        WIREDESK_UNACKED_RESTORE_INTERVAL="1",
    ).start()
    body = b"KYIV (Reuters) - A story that outlives the worker handling it.\n"
    receipt_id = stack.ingest("reuters", body).json()["receipt_id"]

    deadline = time.monotonic() + 30
    while stack.receipt(receipt_id).get("stage") != "publish":
        assert time.monotonic() < deadline, "publish never started"
        time.sleep(0.05)
    stack.worker.kill()  # SIGKILL to the whole worker: no warm shutdown, no ack
    stack.worker.proc.wait(timeout=10)
    assert stack.receipt(receipt_id)["state"] == "processing"
    assert stack.events_for(receipt_id) == []

    stack.start_worker(name="w2")
    receipt = stack.wait_receipt(receipt_id, timeout=60)
    assert receipt["state"] == "published"
    # Give a late redelivery every chance to publish a second time, then count.
    time.sleep(2)
    events = stack.events_for(receipt_id)
    assert [e["type"] for e in events] == ["story.published"]
    assert int(stack.redis.get(stack.keys.attempts(receipt_id, "publish"))) >= 2
