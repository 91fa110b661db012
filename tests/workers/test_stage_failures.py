"""The three ways a stage run can fail, on a real stack (API, Celery workers, Redis), made to
happen by the fault drills in settings (``WIREDESK_FAULT_RAISE_*``):

- the tagger fails: the tag stage catches it and the story is published untagged, with
  ``tag_error`` saying why;
- a stage keeps failing with a passing fault: it is retried with backoff, then quarantined
  once it has had ``max_attempts``; and an item whose workers keep dying is refused past it;
- a stage raises something nobody expected: the item is quarantined at once as a bug, with
  the type and the stage in the reason, and the items behind it are published.

Each drill is aimed at one feed, so other feeds' items on the same workers show the pipeline
going on (and that the failure seen is the drill's, not the stack's).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from services.ingest import receipt_id_for
from tests.harness import Stack, auth
from workers.synthetic import make_story

DRILL = "fault drill: {stage} failed on purpose"
# Workers are not waited for at start, and take long to warm up on a loaded machine (a bulk
# worker runs at lower CPU priority): the first item waits for them.
PATIENCE = 120


def story(feed_city: str = "ROME", agency: str = "AFP") -> bytes:
    """A story no other test sends (dedupe would call it a resend otherwise)."""
    return (
        f"{feed_city} ({agency}) - Parliament in Berlin and the government in Paris agreed on "
        f"a budget, officials said on Friday. Reference {uuid.uuid4().hex}.\n"
    ).encode()


def wait_for(what: str, found: Callable[[], Any], timeout: float = 30) -> Any:
    """Poll until ``found()`` gives something truthy; fail with ``what`` past the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = found()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} after {timeout}s"
        time.sleep(0.1)


def log_lines(stack: Stack, worker: str = "w1") -> list[dict]:
    path = stack.log_dir / f"{stack.prefix}-worker-{worker}.log"
    text = path.read_text() if path.exists() else ""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def lines_for(stack: Stack, receipt_id: str, event: str, worker: str = "w1") -> list[dict]:
    return [
        line
        for line in log_lines(stack, worker)
        if line.get("receipt_id") == receipt_id and line.get("event") == event
    ]


def quarantine_entry(stack: Stack, receipt_id: str) -> dict:
    entries = stack.http.get(f"{stack.api_url}/v1/quarantine").json()["entries"]
    [entry] = [e for e in entries if e["receipt_id"] == receipt_id]
    return entry


def story_of(stack: Stack, receipt: dict) -> dict:
    response = stack.http.get(f"{stack.api_url}/v1/stories/{receipt['story_id']}")
    response.raise_for_status()
    return response.json()["story"]


def test_a_tagger_failure_publishes_the_story_untagged_with_tag_error(make_stack) -> None:
    stack: Stack = make_stack(
        WIREDESK_FAULT_RAISE_STAGE="tagger", WIREDESK_FAULT_RAISE_FEED="afp"
    ).start()
    failed = stack.ingest("afp", story()).json()["receipt_id"]
    tagged = stack.ingest("reuters", story("LONDON", "Reuters")).json()["receipt_id"]

    receipt = stack.wait_receipt(failed, timeout=PATIENCE)
    assert receipt["state"] == "published", receipt
    untagged = story_of(stack, receipt)
    assert untagged["tags"] == []
    assert untagged["tag_error"] == "InjectedFault: " + DRILL.format(stage="tagger")
    # Consumers get the story, with the same note on it.
    [event] = stack.events_for(failed)
    assert event["type"] == "story.published"
    assert event["story"]["tag_error"] == untagged["tag_error"]
    assert wait_for("no tagger_failed line", lambda: lines_for(stack, failed, "tagger_failed"))

    # The same copy from a feed the drill is not aimed at is tagged: the empty tags above are
    # the failure's doing, not a story with nothing in it to tag.
    other = story_of(stack, stack.wait_receipt(tagged))
    assert other["tag_error"] is None
    assert {t["name"] for t in other["tags"]} >= {"Berlin", "Paris"}, other["tags"]


def test_a_stage_that_keeps_failing_is_quarantined_after_max_attempts(make_stack) -> None:
    stack: Stack = make_stack(
        WIREDESK_FAULT_RAISE_STAGE="dedupe",
        WIREDESK_FAULT_RAISE_KIND="retryable",
        WIREDESK_FAULT_RAISE_FEED="afp",
        WIREDESK_MAX_ATTEMPTS="3",
        WIREDESK_RETRY_BACKOFF_SECONDS="0.2",
    ).start()
    failing = stack.ingest("afp", story()).json()["receipt_id"]

    receipt = stack.wait_receipt(failing, timeout=PATIENCE)
    assert receipt["state"] == "quarantined", receipt
    assert receipt["stage"] == "dedupe"
    assert receipt["reason"] == DRILL.format(stage="dedupe")
    entry = quarantine_entry(stack, failing)
    assert (entry["stage"], entry["reason"]) == ("dedupe", receipt["reason"])
    assert entry["attempts"] == 3
    assert entry["error_type"] == "InjectedPassingFault"
    assert int(stack.redis.get(stack.keys.attempts(failing, "dedupe"))) == 3
    # Retried twice before giving up, each wait twice the one before (base 0.2 s).
    retries = lines_for(stack, failing, "stage_retry")
    assert [(r["attempt"], r["countdown"]) for r in retries] == [(1, 0.2), (2, 0.4)]
    assert [e["type"] for e in stack.events_for(failing)] == ["story.quarantined"]
    # The stages after it never ran for this item.
    assert not stack.redis.exists(stack.keys.attempts(failing, "tag"))

    behind = stack.ingest("reuters", story("LONDON", "Reuters")).json()["receipt_id"]
    assert stack.wait_receipt(behind)["state"] == "published"


def test_an_item_whose_workers_keep_dying_is_refused_past_max_attempts(stack: Stack) -> None:
    # Five earlier starts of normalise that never finished (workers killed mid-task), as the
    # counter would hold them; killing five workers would only take longer to say the same.
    body = story("ROME", "Reuters")
    receipt_id = receipt_id_for("reuters", body)
    stack.redis.set(stack.keys.attempts(receipt_id, "normalise"), 5)
    assert stack.ingest("reuters", body).json()["receipt_id"] == receipt_id

    receipt = stack.wait_receipt(receipt_id, timeout=PATIENCE)
    assert receipt["state"] == "quarantined", receipt
    entry = quarantine_entry(stack, receipt_id)
    assert entry["stage"] == "normalise"
    assert entry["reason"].startswith("normalise was started 5 times without finishing")
    assert (entry["attempts"], entry["error_type"]) == (6, "AttemptsExhaustedError")


@pytest.mark.parametrize("stage", ["normalise", "tag"])
def test_an_unexpected_exception_is_quarantined_and_the_items_behind_it_publish(
    make_stack, stage: str
) -> None:
    stack: Stack = make_stack(
        WIREDESK_FAULT_RAISE_STAGE=stage, WIREDESK_FAULT_RAISE_FEED="afp"
    ).start()
    crashing = stack.ingest("afp", story()).json()["receipt_id"]
    behind = [
        stack.ingest("reuters", make_story(9_100 + n, "plaintext")).json()["receipt_id"]
        for n in range(3)
    ]

    receipt = stack.wait_receipt(crashing, timeout=PATIENCE)
    assert receipt["state"] == "quarantined", receipt
    reason = f"unexpected InjectedFault in {stage}: " + DRILL.format(stage=stage)
    assert (receipt["stage"], receipt["reason"]) == (stage, reason)
    entry = quarantine_entry(stack, crashing)
    assert (entry["stage"], entry["reason"]) == (stage, reason)
    # A bug is not retried: quarantined on its first attempt, with its traceback in the log.
    assert (entry["attempts"], entry["error_type"]) == (1, "InjectedFault")
    assert int(stack.redis.get(stack.keys.attempts(crashing, stage))) == 1
    [crash] = wait_for("no stage_crashed line", lambda: lines_for(stack, crashing, "stage_crashed"))
    assert "InjectedFault" in crash["exception"]
    assert [e["type"] for e in stack.events_for(crashing)] == ["story.quarantined"]

    for receipt_id in behind:
        assert stack.wait_receipt(receipt_id)["state"] == "published"
        assert [e["type"] for e in stack.events_for(receipt_id)] == ["story.published"]
    # The chain stopped at the quarantine: no later stage was handed the item's empty result
    # (it would fail on it, and Celery would log that). Looked at last, when the items behind
    # it are through, so such a failure has had time to be written.
    failures = [line for line in log_lines(stack) if line.get("level") == "error"]
    assert [line["event"] for line in failures] == ["stage_crashed"], failures


def test_an_unexpected_exception_in_a_batch_item_is_quarantined_the_same_way(make_stack) -> None:
    stack: Stack = make_stack(
        WIREDESK_FAULT_RAISE_STAGE="dedupe", WIREDESK_FAULT_RAISE_FEED="afp"
    ).start(bulk=True)

    def post_batch(feed: str, serials: range) -> list[str]:
        body = "\n".join(json.dumps(make_story(n, "plaintext").decode()) for n in serials)
        answer = stack.http.post(f"{stack.api_url}/v1/ingest/{feed}/batch",
                                 content=body.encode(), headers=auth(feed))  # fmt: skip
        assert answer.status_code == 202, answer.text
        return [r["receipt_id"] for r in answer.json()["receipts"]]

    crashing = post_batch("afp", range(9_200, 9_203))
    behind = post_batch("reuters", range(9_300, 9_303))

    reason = "unexpected InjectedFault in dedupe: " + DRILL.format(stage="dedupe")
    for receipt_id in crashing:
        receipt = stack.wait_receipt(receipt_id, timeout=PATIENCE)
        assert (receipt["state"], receipt["stage"]) == ("quarantined", "dedupe"), receipt
        assert quarantine_entry(stack, receipt_id)["reason"] == reason
    for receipt_id in behind:
        assert stack.wait_receipt(receipt_id, timeout=PATIENCE)["state"] == "published"
