"""What /metrics adds for the alerts (issue 17): end-to-end latency by path, a dead-letter
counter that trimming cannot stop, HTTP requests by route template, the build and the process,
and the 503 (so ``up == 0``) when Redis is away. Read with Prometheus' own parser."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from services.ops.exposition import build_info
from services.redis_server import EmbeddedValkey
from tests.harness import ROOT, Stack, auth
from tests.services.ops.helpers import OPS, eventually, story
from workers.synthetic import make_story


def _samples(stack: Stack) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) -> value, of one scrape."""
    response = stack.http.get(f"{stack.api_url}/metrics")
    assert response.status_code == 200, response.text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def _get(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _e2e(samples: dict, path: str, part: str = "count") -> float:
    return _get(samples, f"wiredesk_end_to_end_seconds_{part}", path=path)


def test_end_to_end_latency_is_labelled_single_bulk_or_replay(make_stack) -> None:
    # Items from afp fail at tag (a bug, as the drill has it) until the worker is replaced.
    fault = {"WIREDESK_FAULT_RAISE_STAGE": "tag", "WIREDESK_FAULT_RAISE_FEED": "afp"}
    stack: Stack = make_stack(**fault).start(bulk=True)
    # A backfill through the batch door: the bulk path.
    backfill = "\n".join(
        json.dumps(make_story(5_170_100 + i, "plaintext").decode()) for i in range(3)
    )
    answer = stack.http.post(
        f"{stack.api_url}/v1/ingest/wire/batch", content=backfill.encode(), headers=auth("wire")
    )
    assert answer.status_code == 202, answer.text
    for ref in answer.json()["receipts"]:
        assert stack.wait_receipt(ref["receipt_id"], timeout=120)["state"] == "published"

    # A quarantined item, replayed after the fix: timed from its first receipt, so the time
    # it sat in quarantine counts, under ``replay``.
    held = stack.ingest("afp", make_story(5_170_001, "plaintext")).json()["receipt_id"]
    received_by = time.monotonic()  # the receipt's received_at is before this
    assert stack.wait_receipt(held)["state"] == "quarantined"
    stack.worker.stop()
    for name in fault:
        stack.env.pop(name)
    stack.start_worker("w2")
    held_for = time.monotonic() - received_by  # and it publishes after this
    replay = stack.http.post(f"{stack.api_url}/v1/ops/replay", json={"ids": [held]}, headers=OPS)
    assert replay.json()["replayed"] == 1, replay.text
    assert stack.wait_receipt(held, timeout=120)["state"] == "published"

    # One story on its own: the single path.
    cutoff = datetime.now(UTC) - timedelta(milliseconds=1)
    single = stack.ingest("reuters", make_story(5_170_002, "plaintext")).json()["receipt_id"]
    received_by = time.monotonic()
    assert stack.wait_receipt(single)["state"] == "published"
    figures = _samples(stack)
    assert _e2e(figures, "single") == 1
    assert _e2e(figures, "bulk") == 3
    assert _e2e(figures, "replay") == 1
    assert _e2e(figures, "replay", "sum") >= held_for - 0.05  # the clocks differ a little

    # A re-run of stored stories (`wiredesk replay --since`): batches, but ``replay``, not bulk.
    stored_for = time.monotonic() - received_by
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "replay", "--since", cutoff.isoformat()],
        capture_output=True, text=True, timeout=120, env=stack.env,
    )  # fmt: skip
    assert done.returncode == 0 and "1 published" in done.stdout, done.stdout + done.stderr
    figures = _samples(stack)
    assert _e2e(figures, "single") == 1
    assert _e2e(figures, "bulk") == 3
    assert _e2e(figures, "replay") == 2
    # The re-run is timed from the story's first receipt too.
    replay_sum = _e2e(figures, "replay", "sum")
    assert replay_sum >= held_for + stored_for - 0.1, (replay_sum, held_for, stored_for)
    # Buckets per path are cumulative and end in +Inf equal to the count.
    for path in ("single", "bulk", "replay"):
        assert _get(figures, "wiredesk_end_to_end_seconds_bucket", path=path, le="+Inf") == (
            _e2e(figures, path)
        )


def test_dead_letters_are_counted_past_the_trim_of_their_stream(stack: Stack) -> None:
    stream = stack.keys.stories_stream
    group = f"dlq-test-{stack.prefix}"
    dlq = stack.keys.dead_letters(group)
    stack.redis.xgroup_create(stream, group, id="$", mkstream=True)
    try:
        # A dead-letter stream kept to 5 entries, as services.consumer trims it (at 10 000).
        for n in range(12):
            stack.redis.xadd(dlq, {"reason": f"poison {n}"}, maxlen=5, approximate=False)
        figures = _samples(stack)
        assert _get(figures, "wiredesk_stream_dead_letters", group=group) == 5  # the gauge
        assert _get(figures, "wiredesk_stream_dead_letters_added_total", group=group) == 12
        stack.redis.xadd(dlq, {"reason": "one more"}, maxlen=5, approximate=False)
        figures = _samples(stack)
        assert _get(figures, "wiredesk_stream_dead_letters", group=group) == 5
        assert _get(figures, "wiredesk_stream_dead_letters_added_total", group=group) == 13
    finally:
        stack.redis.xgroup_destroy(stream, group)
        stack.redis.delete(dlq)
    # A group that never dead-lettered counts 0 (its dead-letter stream does not exist).
    quiet = f"dlq-quiet-{stack.prefix}"
    stack.redis.xgroup_create(stream, quiet, id="$", mkstream=True)
    try:
        figures = _samples(stack)
        assert ("wiredesk_stream_dead_letters_added_total", (("group", quiet),)) in figures
        assert _get(figures, "wiredesk_stream_dead_letters_added_total", group=quiet) == 0
    finally:
        stack.redis.xgroup_destroy(stream, quiet)


def test_http_requests_are_counted_by_route_template_not_path(stack: Stack) -> None:
    route = "/v1/receipts/{receipt_id}"
    receipt = stack.ingest("upi", story(4_401, "for http figures")).json()["receipt_id"]
    before = _samples(stack)
    for receipt_id in (receipt, receipt, "rc_nosuchreceipt"):
        stack.http.get(f"{stack.api_url}/v1/receipts/{receipt_id}")
    stack.http.get(f"{stack.api_url}/no/such/page/{receipt}")

    def grown(status: str, path: str = route) -> float:
        labels = {"method": "GET", "route": path, "status": status}
        now = _samples(stack)
        return _get(now, "wiredesk_http_requests_total", **labels) - _get(
            before, "wiredesk_http_requests_total", **labels
        )

    # Each request is recorded after its response went out: poll until they are in.
    eventually(lambda: grown("200") == 2 and grown("404") == 1 and grown("404", "unmatched"))
    figures = _samples(stack)
    assert grown("200") == 2 and grown("404") == 1 and grown("404", "unmatched") == 1
    # No raw path is a label value: one series per route, however many receipts there are.
    routes = {dict(labels).get("route") for (name, labels) in figures if "http" in name}
    assert routes and not any(receipt in (r or "") for r in routes), routes
    count = _get(figures, "wiredesk_http_request_duration_seconds_count", method="GET", route=route)
    took = _get(figures, "wiredesk_http_request_duration_seconds_sum", method="GET", route=route)
    answered = sum(
        v
        for (name, labels), v in figures.items()
        if name == "wiredesk_http_requests_total" and ("route", route) in labels
    )
    assert count == answered >= 3
    assert 0 < took < 30 * count
    assert _get(
        figures, "wiredesk_http_request_duration_seconds_bucket", method="GET", route=route,
        le="+Inf",
    ) == count  # fmt: skip
    # The scrape counts itself too (once it has been answered).
    assert _get(figures, "wiredesk_http_requests_total", method="GET", route="/metrics",
                status="200") >= 1  # fmt: skip


def test_build_and_process_figures(stack: Stack) -> None:
    figures = _samples(stack)
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    info = build_info()
    assert info["version"] and info["python"].count(".") == 2
    assert info["git_commit"] == (commit or "unknown")
    assert _get(figures, "wiredesk_build_info", **info) == 1
    # The API process that answered: prometheus_client's process collector.
    assert _get(figures, "process_resident_memory_bytes") > 10_000_000
    assert _get(figures, "process_cpu_seconds_total") > 0
    assert _get(figures, "process_start_time_seconds") < time.time()
    assert any(name == "python_info" for name, _ in figures)


def test_metrics_answer_503_while_redis_is_away(tmp_path: Path, log_dir: Path) -> None:
    """What WiredeskTargetDown rests on: no Redis, no figures, and a failed scrape."""
    with EmbeddedValkey(tmp_path / "valkey", persist=False) as valkey:
        stack = Stack(redis_url=valkey.url, log_dir=log_dir).start()
        try:
            assert httpx.get(f"{stack.api_url}/metrics", timeout=10).status_code == 200
            valkey.stop()

            def failed_scrape() -> httpx.Response | None:
                response = httpx.get(f"{stack.api_url}/metrics", timeout=15)
                return response if response.status_code != 200 else None

            response = eventually(failed_scrape, timeout=30)
            assert response.status_code == 503
            assert response.text.startswith("# Redis unreachable")
        finally:
            stack.stop(keep_data=True)
