"""50 stories into a stack whose worker is stopped: the queue fills and its oldest message
ages; a new worker drains it, and every stage, end-to-end, feed and worker figure reads back
what went through."""

from __future__ import annotations

import json
import time

from prometheus_client.parser import text_string_to_metric_families

from tests.harness import Stack
from tests.services.ops.helpers import eventually, ops, story
from workers.synthetic import make_story

N = 50


def distinct(i: int) -> bytes:
    return make_story(9_000 + i, "plaintext")


def metric_samples(stack: Stack) -> dict[tuple[str, str], float]:
    """The per-queue samples of ``/metrics``, by (name, queue), as Prometheus parses them."""
    response = stack.http.get(f"{stack.api_url}/metrics")
    response.raise_for_status()
    return {
        (sample.name, sample.labels["queue"]): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if "queue" in sample.labels
    }


def test_paused_worker_then_resumed(make_stack) -> None:
    stack = make_stack(WIREDESK_FEED_IDLE_SECONDS='{"ap": 1}').start()
    ready = stack.http.get(f"{stack.api_url}/readyz").json()
    assert ready["status"] == "ready" and ready["workers"] == [
        f"{stack.prefix}-w1@" + ready["workers"][0].split("@")[1]
    ]

    quiet = stack.ingest("ap", story(999, "from ap")).json()["receipt_id"]
    stack.wait_receipt(quiet)

    stack.worker.stop()  # warm shutdown: the worker says goodbye, nothing consumes the queue
    readyz = stack.http.get(f"{stack.api_url}/readyz")
    assert readyz.status_code == 503 and readyz.json()["workers"] == []
    assert stack.http.get(f"{stack.api_url}/readyz", params={"workers": "false"}).status_code == 200
    assert ops(stack, "/workers") == []

    # N stories that differ in their words, not only in their numbers (story() would give
    # near-duplicates of one another), so that each one is published.
    before = time.time()
    receipts = [stack.ingest("reuters", distinct(0)).json()["receipt_id"]]
    first_sent_by = time.time()  # the oldest message is on the queue by now
    receipts += [stack.ingest("reuters", distinct(i)).json()["receipt_id"] for i in range(1, N)]
    after = time.time()

    asked = time.time()
    first, bulk = ops(stack, "/queues")
    assert first["queue"] == stack.queue and bulk["queue"] == stack.bulk_queue
    assert bulk["depth"] == 0 and bulk["oldest_age_seconds"] is None
    # A backfill with no bulk worker running: its batches wait on the bulk queue, counted there.
    backfill = "\n".join(json.dumps(story(500 + i).decode()) for i in range(120)).encode()
    posted = time.time()
    answer = stack.http.post(f"{stack.api_url}/v1/ingest/wire/batch", content=backfill,
                             headers={"Authorization": "Bearer dev-wire-token"})  # fmt: skip
    assert answer.status_code == 202
    _, bulk = ops(stack, "/queues")
    assert bulk["depth"] == 3  # 50 + 50 + 20 items
    # Ages are rounded to the millisecond: hence the 0.01 s of slack. The first batch was sent
    # after `posted` and some time before it was asked about.
    assert 0 < bulk["oldest_age_seconds"] <= time.time() - posted + 0.01
    assert first["depth"] == N
    assert first["unacked"] == 0 and first["reserved"] == 0
    # The age is the first message's (sent between `before` and `first_sent_by`), not the last's.
    oldest = first["oldest_age_seconds"]
    assert asked - first_sent_by - 0.01 <= oldest <= time.time() - before + 0.01
    # /metrics reads the same queues: the gauges say what waits, and how long the oldest has.
    gauges = metric_samples(stack)
    assert gauges[("wiredesk_queue_length", stack.queue)] == N
    assert gauges[("wiredesk_queue_length", stack.bulk_queue)] == 3
    assert oldest < gauges[("wiredesk_queue_oldest_age_seconds", stack.queue)]
    time.sleep(1.0)  # what is measured here is time passing: the oldest waits a second longer
    later, _ = ops(stack, "/queues")
    assert later["depth"] == N
    assert later["oldest_age_seconds"] >= first["oldest_age_seconds"] + 0.9

    stack.start_worker("w2")
    # N different stories on a stack of the test's own: every one is published.
    states = {stack.wait_receipt(r, timeout=120)["state"] for r in receipts}
    assert states == {"published"}, states

    drained, _ = ops(stack, "/queues")
    assert drained["depth"] == 0 and drained["oldest_age_seconds"] is None

    snap = ops(stack)
    stages = {s["stage"]: s for s in snap["stages"]}
    assert list(stages) == ["normalise", "dedupe", "tag", "publish"]
    for name, figures in stages.items():
        # N from reuters and the one from ap went through each stage once, without trouble.
        assert figures["totals"] == {"ok": N + 1, "retry": 0, "quarantined": 0, "failed": 0}, name
        assert figures["rate_5m"] == round((N + 1) / 300, 4), name
        assert figures["rate_1m"] > 0, name
        assert figures["failures_5m"] == 0 and figures["retries_5m"] == 0
        lat = figures["latency_5m"]
        assert lat["count"] == N + 1
        assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]

    e2e = snap["end_to_end_5m"]
    assert e2e["count"] == N + 1
    assert e2e["p50"] <= e2e["p95"] <= e2e["p99"] <= e2e["max"]
    # The first of the 50 waited at least the second the queue was watched.
    assert e2e["max"] >= 1.0
    # Every stage run took less than its story's whole trip.
    assert stages["tag"]["latency_5m"]["max"] <= e2e["max"]

    feeds = {f["feed"]: f for f in snap["feeds"]}
    reuters = feeds["reuters"]
    assert reuters["items_last_hour"] == N
    assert before <= reuters["last_item_at"] <= after
    assert reuters["errors_total"] == 0 and reuters["idle"] is False
    ap = feeds["ap"]
    assert ap["items_last_hour"] == 1 and ap["idle_after_seconds"] == 1
    assert ap["idle"] is True and ap["quiet_seconds"] > 1
    assert feeds["afp"]["last_item_at"] is None and feeds["afp"]["idle"] is False

    [worker] = snap["workers"]
    assert worker["hostname"].startswith(f"{stack.prefix}-w2@")
    assert worker["running"] == [] and worker["last_seen_seconds"] < 10
    assert snap["quarantine"] == {"size": 0, "newest": []}
    eventually(lambda: stack.http.get(f"{stack.api_url}/readyz").status_code == 200)


def test_a_killed_worker_stops_counting_as_alive(make_stack) -> None:
    stack = make_stack().start()
    eventually(lambda: ops(stack, "/workers"))
    stack.worker.kill()  # no goodbye: only the heartbeat going quiet tells
    eventually(lambda: ops(stack, "/workers") == [], timeout=30)
    assert stack.http.get(f"{stack.api_url}/readyz").status_code == 503
