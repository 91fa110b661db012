"""The figures workers record, read back through ``/metrics`` with Prometheus' own parser."""

from __future__ import annotations

import json
import time
import uuid

from prometheus_client.parser import text_string_to_metric_families

from services.ops.exposition import METRIC_NAMES
from tests.harness import Stack
from tests.services.ops.helpers import eventually, story
from workers.synthetic import make_story

STAGES = ("normalise", "dedupe", "tag", "publish")


def _families(stack: Stack) -> dict:
    response = stack.http.get(f"{stack.api_url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {f.name: f for f in text_string_to_metric_families(response.text)}


def _value(families: dict, name: str, sample: str, **labels: str) -> float:
    [value] = [s.value for s in families[name].samples if s.name == sample and s.labels == labels]
    return value


def _grew(before: dict, after: dict, name: str, **labels: str) -> tuple[float, float]:
    """How much a histogram's count and sum went up between two readings."""

    def grown(sample: str) -> float:
        return _value(after, name, sample, **labels) - _value(before, name, sample, **labels)

    return grown(f"{name}_count"), grown(f"{name}_sum")


def _drained(stack: Stack) -> dict | None:
    """The figures once nothing waits on the pipeline queue, else None (to poll on)."""
    families = _families(stack)
    waiting = _value(families, "wiredesk_queue_length", "wiredesk_queue_length", queue=stack.queue)
    return families if waiting == 0 else None


def test_metrics_parse_and_count_what_went_through(stack: Stack) -> None:
    before = _families(stack)
    published_before = _value(
        before, "wiredesk_items", "wiredesk_items_total", stage="publish", outcome="ok"
    )
    sent_at, started = time.time(), time.monotonic()
    # A story no other test sends the shared stack (story() would be a near-duplicate of
    # theirs): it is published, so it counts end to end.
    receipt = stack.ingest("dpa", make_story(4_242_000, "plaintext")).json()["receipt_id"]
    assert stack.wait_receipt(receipt)["state"] == "published"
    elapsed = time.monotonic() - started
    # The chain's last task is taken off the list before it runs: with the story published the
    # pipeline list is empty, whatever earlier tests left (it drains within the deadline).
    families = eventually(lambda: _drained(stack))

    exposed = {name.removesuffix("_total") for name in METRIC_NAMES}
    assert exposed <= set(families), exposed - set(families)
    assert families["wiredesk_items"].type == "counter"
    assert families["wiredesk_stage_duration_seconds"].type == "histogram"
    assert (
        _value(families, "wiredesk_items", "wiredesk_items_total", stage="publish", outcome="ok")
        == published_before + 1
    )
    # What waits is counted in test_queue_and_stage_figures (50 queued behind a stopped worker).
    assert (
        _value(families, "wiredesk_queue_length", "wiredesk_queue_length", queue=stack.queue) == 0
    )
    last_item_at = _value(
        families,
        "wiredesk_feed_last_item_timestamp_seconds",
        "wiredesk_feed_last_item_timestamp_seconds",
        feed="dpa",
    )
    assert sent_at <= last_item_at <= sent_at + elapsed
    assert _value(families, "wiredesk_workers_alive", "wiredesk_workers_alive") == 1
    # Redis memory, for the nearly-full alert: what INFO says, as it says it.
    info = stack.redis.info("memory")
    assert (
        _value(families, "wiredesk_redis_maxmemory_bytes", "wiredesk_redis_maxmemory_bytes")
        == (info["maxmemory"])
    )
    used = _value(families, "wiredesk_redis_used_memory_bytes", "wiredesk_redis_used_memory_bytes")
    assert 0.5 * info["used_memory"] < used < 2 * info["used_memory"]

    # The one story ran each stage once: each count went up by exactly one, by a time that is
    # more than nothing and less than the test waited for the whole trip.
    for stage in STAGES:
        buckets = [
            s
            for s in families["wiredesk_stage_duration_seconds"].samples
            if s.name.endswith("_bucket") and s.labels["stage"] == stage
        ]
        counts = [s.value for s in buckets]
        assert counts == sorted(counts)  # cumulative
        assert buckets[-1].labels["le"] == "+Inf"
        count, took = _grew(before, families, "wiredesk_stage_duration_seconds", stage=stage)
        assert counts[-1] == _value(
            families,
            "wiredesk_stage_duration_seconds",
            "wiredesk_stage_duration_seconds_count",
            stage=stage,
        )
        assert count == 1, stage
        assert 0 < took < elapsed, (stage, took, elapsed)
    # A story sent on its own is the single path, which the latency alert watches.
    count, took = _grew(before, families, "wiredesk_end_to_end_seconds", path="single")
    assert count == 1
    assert 0 < took < elapsed, (took, elapsed)


def test_stage_log_lines_carry_feed_and_duration(stack: Stack) -> None:
    started = time.monotonic()
    receipt = stack.ingest("efe", story(777, "for the logs")).json()["receipt_id"]
    stack.wait_receipt(receipt)
    elapsed_ms = (time.monotonic() - started) * 1000
    log = stack.log_dir / f"{stack.prefix}-worker-w1.log"
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    done = [
        line
        for line in lines
        if line.get("receipt_id") == receipt and line["event"] == "stage_done"
    ]
    assert [line["stage"] for line in done] == list(STAGES)
    for line in done:
        assert line["feed"] == "efe"
        assert line["level"] == "info" and line["timestamp"].endswith("Z")
    # Each stage took some time, and all of them together less than the test waited.
    durations = [line["duration_ms"] for line in done]
    assert all(d > 0 for d in durations), durations
    assert sum(durations) < elapsed_ms, (durations, elapsed_ms)
    assert done[-1]["story_id"]


def test_a_task_killed_at_its_hard_time_limit_leaves_no_running_entry(
    redis_url: str, monkeypatch
) -> None:
    # The worker's main process reports the kill (the pool process is gone): the handlers run
    # there, as here, with the worker's settings.
    from types import SimpleNamespace

    from workers import metrics
    from workers.settings import get_settings
    from workers.tasks import tag_task

    prefix = f"wdt{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("WIREDESK_KEY_PREFIX", prefix)
    monkeypatch.setattr(metrics, "_worker_hostname", None)
    get_settings.cache_clear()
    try:
        r = metrics._client(redis_url)
        keys = metrics._keys()
        hostname = f"{prefix}-w1@host"
        metrics._on_worker_ready(sender=SimpleNamespace(hostname=hostname))
        r.hset(keys.running(hostname), "task-1", json.dumps({"stage": "tag", "started_at": 1.0}))

        metrics._on_failure(task_id="task-1", sender=tag_task)

        assert r.hgetall(keys.running(hostname)) == {}
        assert r.hget(keys.items, "tag|failed") == b"1"
    finally:
        get_settings.cache_clear()
        leftovers = list(metrics._client(redis_url).scan_iter(match=f"{prefix}*"))
        if leftovers:
            metrics._client(redis_url).delete(*leftovers)
