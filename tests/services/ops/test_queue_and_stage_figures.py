"""50 stories into a stack whose worker is stopped: the queue fills and its oldest message
ages; a new worker drains it, and every stage, end-to-end, feed and worker figure reads back
what went through."""

from __future__ import annotations

import json
import time

from tests.services.ops.helpers import eventually, ops, story

N = 50


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

    before = time.time()
    receipts = [stack.ingest("reuters", story(i)).json()["receipt_id"] for i in range(N)]
    after = time.time()

    first, bulk = ops(stack, "/queues")
    assert first["queue"] == stack.queue and bulk["queue"] == stack.bulk_queue
    assert bulk["depth"] == 0 and bulk["oldest_age_seconds"] is None
    # A backfill with no bulk worker running: its batches wait on the bulk queue, counted there.
    backfill = "\n".join(json.dumps(story(500 + i).decode()) for i in range(120)).encode()
    answer = stack.http.post(f"{stack.api_url}/v1/ingest/wire/batch", content=backfill,
                             headers={"Authorization": "Bearer dev-wire-token"})  # fmt: skip
    assert answer.status_code == 202
    _, bulk = ops(stack, "/queues")
    assert bulk["depth"] == 3 and bulk["oldest_age_seconds"] >= 0  # 50 + 50 + 20 items
    assert first["depth"] == N
    assert first["unacked"] == 0 and first["reserved"] == 0
    assert 0 <= first["oldest_age_seconds"] <= time.time() - before + 0.5
    time.sleep(1.0)
    later, _ = ops(stack, "/queues")
    assert later["depth"] == N
    assert later["oldest_age_seconds"] >= first["oldest_age_seconds"] + 0.9

    stack.start_worker("w2")
    states = {stack.wait_receipt(r, timeout=120)["state"] for r in receipts}
    assert states <= {"published", "duplicate"}, states

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
