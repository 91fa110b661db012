"""A worker killed with SIGKILL mid-task loses nothing and publishes nothing twice."""

from __future__ import annotations

import time

import pytest
from celery import Celery
from celery.exceptions import Reject

from services.processes import free_port
from tests.harness import Stack
from tests.services.ops.helpers import eventually, ops
from workers.errors import StoreUnavailableError
from workers.tasks import retry_later


def _nothing_left(stack: Stack) -> bool:
    """No message of the pipeline queue is waiting, and none is delivered but unacked."""
    [pipeline] = [q for q in ops(stack, "/queues") if q["queue"] == stack.queue]
    return pipeline["depth"] == 0 and pipeline["unacked"] == 0


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
    # A second publish could only come from a message still in the broker: one waiting on the
    # queue, or one delivered and not acked, that the visibility timeout (6 s) would hand out
    # again. Wait until neither is left, then count: after that nothing can redeliver it.
    eventually(lambda: _nothing_left(stack), timeout=30)
    events = stack.events_for(receipt_id)
    assert [e["type"] for e in events] == ["story.published"]
    assert int(stack.redis.get(stack.keys.attempts(receipt_id, "publish"))) >= 2


def test_a_retry_that_cannot_be_sent_hands_the_message_back() -> None:
    # Celery sends a retry as a new message; when the broker is down it rejects the current
    # message *without* requeueing it, which would lose the item. retry_later must turn that
    # into a requeue. A real Celery app whose broker port has nothing listening.
    app = Celery("wd-retry-test", broker=f"redis://127.0.0.1:{free_port()}/0", set_as_current=False)
    app.conf.task_publish_retry = False
    app.conf.broker_connection_timeout = 1

    @app.task(bind=True, max_retries=None)
    def stage(self) -> None:  # pragma: no cover - never run, only retried
        pass

    stage.push_request(id="task-1", called_directly=False, retries=0, args=[], kwargs={},
                       delivery_info={"routing_key": "wd.pipeline"})  # fmt: skip
    try:
        with pytest.raises(Reject) as handed_back:
            retry_later(stage, StoreUnavailableError("Redis unreachable"), 1)
    finally:
        stage.pop_request()
    assert handed_back.value.requeue is True
    assert isinstance(handed_back.value.reason, StoreUnavailableError)
