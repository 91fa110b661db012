"""The bulk path: many items in one request, processed in batches on the bulk queue by the
same stage functions, each item with its own receipt and its own fate."""

from __future__ import annotations

import json
import threading
import time

import pytest

from bench.corpus import make_story
from services.ingest import batch_items, receipt_id_for
from tests.harness import Stack, auth
from tests.workers.formats.samplefiles import read_sample


@pytest.fixture(scope="module")
def bulk_stack(redis_url, log_dir):
    stack = Stack(redis_url=redis_url, log_dir=log_dir,
                  env_overrides={"WIREDESK_BATCH_SIZE": "7"}).start(bulk=True)  # fmt: skip
    yield stack
    stack.stop()


def post_batch(stack: Stack, feed: str, body: bytes):
    return stack.http.post(f"{stack.api_url}/v1/ingest/{feed}/batch", content=body,
                           headers=auth(feed))  # fmt: skip


def wait_all(stack: Stack, receipt_ids: list[str], timeout: float = 60) -> dict[str, dict]:
    return {r: stack.wait_receipt(r, timeout=timeout) for r in receipt_ids}


def test_ndjson_batch_is_published_once_each_with_a_bad_line_quarantined(bulk_stack: Stack) -> None:
    stories = [make_story(5_000 + n, "plaintext").decode() for n in range(30)]
    lines = [json.dumps(s) for s in stories[:15]]
    lines.append("this line is not JSON \x00\x01 and not a story")
    lines += [json.dumps(s) for s in stories[15:]]
    answer = post_batch(bulk_stack, "reuters", "\n".join(lines).encode())
    assert answer.status_code == 202, answer.text
    receipts = [r["receipt_id"] for r in answer.json()["receipts"]]
    assert len(receipts) == 31

    states = wait_all(bulk_stack, receipts)
    bad = states[receipts[15]]
    assert bad["state"] == "quarantined" and bad["reason"]
    good = [states[r] for i, r in enumerate(receipts) if i != 15]
    assert all(s["state"] == "published" for s in good), [s["state"] for s in good]

    # Exactly one event per item: the batches shared tasks, not events.
    time.sleep(0.5)
    for receipt in receipts:
        assert len(bulk_stack.events_for(receipt)) == 1
    # It went the bulk way: batch tasks on the bulk queue, not chains on the pipeline queue.
    log = (bulk_stack.log_dir / f"{bulk_stack.prefix}-worker-b1.log").read_text()
    assert '"event": "batch_done"' in log


def test_the_same_batch_again_gets_the_same_receipts_and_no_new_work(bulk_stack: Stack) -> None:
    body = "\n".join(json.dumps(make_story(6_000 + n, "plaintext").decode()) for n in range(5))
    first = post_batch(bulk_stack, "ap", body.encode()).json()["receipts"]
    wait_all(bulk_stack, [r["receipt_id"] for r in first])
    again = post_batch(bulk_stack, "ap", body.encode()).json()["receipts"]
    assert [r["receipt_id"] for r in again] == [r["receipt_id"] for r in first]
    assert all(r["duplicate_receipt"] for r in again)


def test_a_multi_item_document_goes_the_bulk_way_too(bulk_stack: Stack) -> None:
    answer = post_batch(bulk_stack, "reuters", read_sample("newsml_g2", "news-message-3.xml"))
    receipts = [r["receipt_id"] for r in answer.json()["receipts"]]
    assert len(receipts) == 3
    assert all(
        s["state"] in ("published", "duplicate") for s in wait_all(bulk_stack, receipts).values()
    )


def test_batch_needs_the_feed_token_and_a_body(bulk_stack: Stack) -> None:
    url = f"{bulk_stack.api_url}/v1/ingest/reuters/batch"
    assert bulk_stack.http.post(url, content=b"x", headers=auth("ap")).status_code == 401
    assert post_batch(bulk_stack, "reuters", b"  ").status_code == 400


def test_batch_items_reads_ndjson_strings_objects_and_junk() -> None:
    body = b'"AMMAN (Reuters) - One."\n{"uri": "u:1", "headline": "Two"}\nnot json\n'
    assert batch_items(body) == [
        b"AMMAN (Reuters) - One.",
        b'{"uri": "u:1", "headline": "Two"}',
        b"not json",
    ]
    # One JSON document is not NDJSON: it is split as the single door splits it.
    assert len(batch_items(b'[{"uri": "a", "headline": "A"}, {"uri": "b", "headline": "B"}]')) == 2


def test_bulk_workers_hold_while_single_stories_are_under_way(make_stack) -> None:
    stack = make_stack(WIREDESK_BULK_YIELD_MAX_MS="60000").start(bulk=False)
    body = "\n".join(json.dumps(make_story(7_000 + n, "plaintext").decode()) for n in range(3))
    answer = post_batch(stack, "reuters", body.encode())
    receipts = [r["receipt_id"] for r in answer.json()["receipts"]]
    # The mark single stories keep alive while they travel (held here as a steady stream of
    # them would hold it), then a bulk worker to take the queued batch.
    stack.redis.set(stack.keys.urgent, "1", px=60_000)
    stack.start_bulk_worker()
    bulk_log = stack.log_dir / f"{stack.prefix}-worker-b1.log"
    deadline = time.monotonic() + 60
    while "ready." not in (bulk_log.read_text() if bulk_log.exists() else ""):
        assert time.monotonic() < deadline, "bulk worker did not start"
        time.sleep(0.2)

    # A single story pushed meanwhile goes straight through; the batch waits.
    single = stack.ingest("reuters", make_story(7_100, "plaintext")).json()["receipt_id"]
    assert stack.wait_receipt(single, timeout=30)["state"] == "published"
    time.sleep(1.5)
    assert {stack.receipt(r)["state"] for r in receipts} <= {"queued", "processing"}

    stack.redis.delete(stack.keys.urgent)  # the urgent work is done
    assert all(s["state"] == "published" for s in wait_all(stack, receipts).values())
    done = [json.loads(line) for line in bulk_log.read_text().splitlines() if "batch_done" in line]
    assert max(d["yielded_ms"] for d in done) >= 1500


def test_the_batch_door_holds_the_rest_of_a_body_while_single_stories_are_under_way(
    make_stack,
) -> None:
    stack = make_stack(WIREDESK_BULK_YIELD_MAX_MS="60000").start(bulk=True)
    items = [make_story(8_000 + n, "plaintext") for n in range(450)]  # three chunks of 200
    stack.redis.set(stack.keys.urgent, "1", px=60_000)
    answers: list = []
    sender = threading.Thread(target=lambda: answers.append(
        post_batch(stack, "reuters", b"\n".join(json.dumps(i.decode()).encode() for i in items))
    ))  # fmt: skip
    sender.start()
    time.sleep(1.5)
    # The first chunk is kept and queued; the rest waits at the door.
    assert stack.redis.exists(stack.keys.receipt(receipt_id_for("reuters", items[0])))
    assert not stack.redis.exists(stack.keys.receipt(receipt_id_for("reuters", items[-1])))
    assert sender.is_alive()

    stack.redis.delete(stack.keys.urgent)
    sender.join(timeout=60)
    assert answers and answers[0].status_code == 202
    assert len(answers[0].json()["receipts"]) == 450
