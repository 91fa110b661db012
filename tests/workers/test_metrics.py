"""The figures workers record, read back through ``/metrics`` with Prometheus' own parser."""

from __future__ import annotations

import json
import uuid

from prometheus_client.parser import text_string_to_metric_families

from services.ops.exposition import METRIC_NAMES
from tests.harness import Stack
from tests.services.ops.helpers import story


def _families(stack: Stack) -> dict:
    response = stack.http.get(f"{stack.api_url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {f.name: f for f in text_string_to_metric_families(response.text)}


def _value(families: dict, name: str, sample: str, **labels: str) -> float:
    [value] = [s.value for s in families[name].samples if s.name == sample and s.labels == labels]
    return value


def test_metrics_parse_and_count_what_went_through(stack: Stack) -> None:
    before = _families(stack)
    published_before = _value(
        before, "wiredesk_items", "wiredesk_items_total", stage="publish", outcome="ok"
    )
    receipt = stack.ingest("dpa", story(4242, "for metrics")).json()["receipt_id"]
    stack.wait_receipt(receipt)
    families = _families(stack)

    exposed = {name.removesuffix("_total") for name in METRIC_NAMES}
    assert exposed <= set(families), exposed - set(families)
    assert families["wiredesk_items"].type == "counter"
    assert families["wiredesk_stage_duration_seconds"].type == "histogram"
    assert (
        _value(families, "wiredesk_items", "wiredesk_items_total", stage="publish", outcome="ok")
        == published_before + 1
    )
    assert (
        _value(families, "wiredesk_queue_length", "wiredesk_queue_length", queue=stack.queue) >= 0
    )
    assert (
        _value(
            families,
            "wiredesk_feed_last_item_timestamp_seconds",
            "wiredesk_feed_last_item_timestamp_seconds",
            feed="dpa",
        )
        > 0
    )
    assert _value(families, "wiredesk_workers_alive", "wiredesk_workers_alive") == 1
    # Redis memory, for the nearly-full alert: what INFO says, as it says it.
    info = stack.redis.info("memory")
    assert (
        _value(families, "wiredesk_redis_maxmemory_bytes", "wiredesk_redis_maxmemory_bytes")
        == (info["maxmemory"])
    )
    used = _value(families, "wiredesk_redis_used_memory_bytes", "wiredesk_redis_used_memory_bytes")
    assert 0.5 * info["used_memory"] < used < 2 * info["used_memory"]

    for stage in ("normalise", "dedupe", "tag", "publish"):
        buckets = [
            s
            for s in families["wiredesk_stage_duration_seconds"].samples
            if s.name.endswith("_bucket") and s.labels["stage"] == stage
        ]
        counts = [s.value for s in buckets]
        assert counts == sorted(counts)  # cumulative
        assert buckets[-1].labels["le"] == "+Inf"
        total = _value(
            families,
            "wiredesk_stage_duration_seconds",
            "wiredesk_stage_duration_seconds_count",
            stage=stage,
        )
        assert counts[-1] == total >= 1
    e2e_count = _value(families, "wiredesk_end_to_end_seconds", "wiredesk_end_to_end_seconds_count")
    assert e2e_count >= 1


def test_stage_log_lines_carry_feed_and_duration(stack: Stack) -> None:
    receipt = stack.ingest("efe", story(777, "for the logs")).json()["receipt_id"]
    stack.wait_receipt(receipt)
    log = stack.log_dir / f"{stack.prefix}-worker-w1.log"
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    done = [
        line
        for line in lines
        if line.get("receipt_id") == receipt and line["event"] == "stage_done"
    ]
    assert [line["stage"] for line in done] == ["normalise", "dedupe", "tag", "publish"]
    for line in done:
        assert line["feed"] == "efe"
        assert line["duration_ms"] >= 0
        assert line["level"] == "info" and line["timestamp"].endswith("Z")
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
