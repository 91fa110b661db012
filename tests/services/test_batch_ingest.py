"""The bulk path: many items in one request, processed in batches on the bulk queue by the
same stage functions, each item with its own receipt and its own fate."""

from __future__ import annotations

import json
import time

import pytest

from bench.corpus import make_story
from services.ingest import batch_items
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
