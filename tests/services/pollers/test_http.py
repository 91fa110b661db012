"""HTTP pollers against a real local HTTP server, feeding the real front door, Redis and
worker of the shared stack: conditional GET, only new items processed, backoff and recovery,
timeouts, a ninjs JSON list."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest

from services.pollers.config import FeedConfig
from services.pollers.http import HttpPoller, PollError
from services.pollers.queue import PipelineQueue
from tests.harness import Stack
from tests.services.pollers.copy import ninjs_list, rss, story
from tests.services.pollers.feedserver import FeedServer
from workers.backoff import backoff_ceiling
from workers.store import Store

RSS = "application/rss+xml; charset=utf-8"
SAMPLES = Path(__file__).resolve().parents[2] / "workers" / "formats" / "samples"


def http_feed(url: str, kind: str = "rss", **overrides) -> FeedConfig:
    values = {
        "name": f"pull-{uuid.uuid4().hex[:8]}",
        "kind": kind,
        "interval": 60.0,
        "format": {"rss": "rss", "atom": "atom", "json": "ninjs"}[kind],
        "max_bytes": 1024 * 1024,
        "url": url,
        "timeout": 5.0,
        "backoff_base": 1.0,
        "max_backoff": 60.0,
    }
    return FeedConfig(**(values | overrides))


def test_conditional_get_and_only_new_items_are_processed(
    stack: Stack, store: Store, queue: PipelineQueue, feed_server: FeedServer
) -> None:
    tag = uuid.uuid4().hex[:6]
    first = [story(f"{tag}-a"), story(f"{tag}-b"), story(f"{tag}-c")]
    doc = feed_server.publish("/world.rss", rss(first), RSS)
    feed = http_feed(feed_server.url("/world.rss"))
    poller = HttpPoller(feed, store=store, enqueue=queue)

    fetched = poller.poll_once()
    assert fetched.status == "fetched"
    assert len(fetched.receipts) == 3 and fetched.new == 3
    assert "if-none-match" not in feed_server.requests_to("/world.rss")[0]
    for r in fetched.receipts:
        assert stack.wait_receipt(r.receipt_id)["state"] == "published"

    # Second poll: the validators go back, the server answers 304, nothing is ingested.
    assert poller.poll_once().status == "not_modified"
    sent = feed_server.requests_to("/world.rss")[1]
    assert sent["if-none-match"] == doc.etag
    assert sent["if-modified-since"] == doc.last_modified
    assert feed_server.not_modified == 1
    poller.close()

    # A restarted poller finds the validators in Redis.
    restarted = HttpPoller(feed, store=store, enqueue=queue)
    assert restarted.poll_once().status == "not_modified"
    assert feed_server.not_modified == 2

    # One more item: the old three get their old receipts back and are not processed again.
    feed_server.publish("/world.rss", rss([*first, story(f"{tag}-d")]), RSS)
    changed = restarted.poll_once()
    restarted.close()
    assert changed.status == "fetched" and changed.new == 1
    old_ids = [r.receipt_id for r in fetched.receipts]
    assert [r.receipt_id for r in changed.receipts[:3]] == old_ids
    assert all(r.duplicate_receipt for r in changed.receipts[:3])
    new_id = changed.receipts[3].receipt_id
    assert stack.wait_receipt(new_id)["state"] == "published"
    assert [e["type"] for e in stack.events_for(new_id)] == ["story.published"]
    for receipt_id in old_ids:
        assert len(stack.events_for(receipt_id)) == 1


def test_same_bytes_without_validators_are_not_offered_again(
    store: Store, queue: PipelineQueue, feed_server: FeedServer
) -> None:
    # An upstream that ignores conditional GET: the poller compares the document's digest.
    feed_server.publish("/plain.rss", rss([story(uuid.uuid4().hex)]), RSS)
    poller = HttpPoller(http_feed(feed_server.url("/plain.rss")), store=store, enqueue=queue)
    assert poller.poll_once().status == "fetched"
    feed_server.documents["/plain.rss"].etag = '"changed-but-same-bytes"'
    assert poller.poll_once().status == "unchanged"
    poller.close()


def test_failures_back_off_with_jitter_and_the_poller_recovers(
    stack: Stack, store: Store, queue: PipelineQueue, feed_server: FeedServer
) -> None:
    feed_server.publish("/flaky.rss", rss([story(uuid.uuid4().hex), story(uuid.uuid4().hex)]), RSS)
    feed_server.fail_next("/flaky.rss", 500, 502, 500)
    feed = http_feed(feed_server.url("/flaky.rss"), backoff_base=2.0, max_backoff=5.0)
    poller = HttpPoller(feed, store=store, enqueue=queue, rng=random.Random(7))

    delays = [poller.step() for _ in range(3)]
    assert poller.failures == 3
    for n, delay in enumerate(delays, start=1):
        assert 0.0 <= delay <= backoff_ceiling(n, base=2.0, cap=5.0)
    assert len(set(delays)) == 3

    # The fourth poll succeeds: the count resets and the feed's interval is back.
    assert poller.step() == feed.interval
    assert poller.failures == 0
    assert len(feed_server.requests_to("/flaky.rss")) == 4
    poller.close()
    assert store.load_poll_state(feed.name).etag == feed_server.documents["/flaky.rss"].etag


def test_retry_after_is_honoured_within_the_cap(
    store: Store, queue: PipelineQueue, feed_server: FeedServer
) -> None:
    feed_server.fail_next("/busy.rss", 503, headers={"Retry-After": "40"})
    feed_server.fail_next("/busy.rss", 429, headers={"Retry-After": "4000"})
    feed = http_feed(feed_server.url("/busy.rss"), max_backoff=300.0)
    poller = HttpPoller(feed, store=store, enqueue=queue)
    assert 40.0 <= poller.step() <= 300.0
    assert poller.step() == 300.0
    poller.close()


def test_timeout_is_a_failure_not_a_hang(
    store: Store, queue: PipelineQueue, feed_server: FeedServer
) -> None:
    feed_server.publish("/slow.rss", rss([story(uuid.uuid4().hex)]), RSS)
    feed_server.delays["/slow.rss"] = 2.0
    poller = HttpPoller(
        http_feed(feed_server.url("/slow.rss"), timeout=0.2), store=store, enqueue=queue
    )
    with pytest.raises(PollError, match=r"timed out after 0\.2s"):
        poller.poll_once()
    feed_server.delays["/slow.rss"] = 0.0
    poller.failures = 1
    assert poller.step() == 60.0 and poller.failures == 0
    poller.close()


def test_errors_are_poll_errors(
    store: Store, queue: PipelineQueue, feed_server: FeedServer
) -> None:
    missing = HttpPoller(http_feed(feed_server.url("/gone.rss")), store=store, enqueue=queue)
    with pytest.raises(PollError, match="404"):
        missing.poll_once()
    missing.close()
    feed_server.publish("/big.rss", rss([story(uuid.uuid4().hex)] * 3), RSS)
    big = HttpPoller(
        http_feed(feed_server.url("/big.rss"), max_bytes=200), store=store, enqueue=queue
    )
    with pytest.raises(PollError, match="exceeds max_bytes 200"):
        big.poll_once()
    big.close()
    # Nothing listens on port 9 (discard) on the loopback: connection refused.
    refused = HttpPoller(http_feed("http://127.0.0.1:9/x.rss"), store=store, enqueue=queue)
    with pytest.raises(PollError, match="request failed"):
        refused.poll_once()
    refused.close()


def test_ninjs_json_list_endpoint(
    stack: Stack, store: Store, queue: PipelineQueue, feed_server: FeedServer
) -> None:
    stories = [story(uuid.uuid4().hex, city="KIEL"), story(uuid.uuid4().hex, city="BONN")]
    feed_server.publish("/v1/items", ninjs_list(stories), "application/json")
    feed = http_feed(feed_server.url("/v1/items"), kind="json")
    poller = HttpPoller(feed, store=store, enqueue=queue)
    outcome = poller.poll_once()
    poller.close()
    assert outcome.status == "fetched" and outcome.new == 2
    assert feed_server.requests_to("/v1/items")[0]["accept"].startswith("application/json")
    headlines = set()
    for r in outcome.receipts:
        assert stack.wait_receipt(r.receipt_id)["state"] == "published"
        [event] = stack.events_for(r.receipt_id)
        headlines.add(event["story"]["headline"])
    assert headlines == {s.headline for s in stories}


def test_atom_feed_is_split_into_entries(
    stack: Stack, store: Store, queue: PipelineQueue, feed_server: FeedServer
) -> None:
    body = (SAMPLES / "atom" / "feed-several.xml").read_bytes()
    feed_server.publish("/world.atom", body, "application/atom+xml")
    poller = HttpPoller(
        http_feed(feed_server.url("/world.atom"), kind="atom"), store=store, enqueue=queue
    )
    outcome = poller.poll_once()
    poller.close()
    assert outcome.status == "fetched"
    assert len(outcome.receipts) == body.count(b"<entry>") > 1
    assert feed_server.requests_to("/world.atom")[0]["accept"].startswith("application/atom+xml")
    for r in outcome.receipts:
        # The repo's sample may already have been seen by other tests on this stack.
        assert stack.wait_receipt(r.receipt_id)["state"] in ("published", "duplicate")
