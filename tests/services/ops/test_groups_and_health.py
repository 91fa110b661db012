"""Consumer-group figures against a real group on the stories stream, liveness, and `make run`
refusing to start without Redis."""

from __future__ import annotations

import subprocess
import sys

from services.ops.streams import dead_letter_stream
from tests.harness import ROOT, Stack
from tests.services.ops.helpers import ops, story


def test_consumer_group_pending_lag_and_dead_letters(stack: Stack) -> None:
    for i in (31, 32):
        stack.wait_receipt(stack.ingest("kyodo", story(i, "for a group")).json()["receipt_id"])
    stream = stack.keys.stories_stream
    group = f"ops-test-{stack.prefix}"
    stack.redis.xgroup_create(stream, group, id="0")
    try:
        # One consumer reads two events and acks neither; a poison event was dead-lettered.
        stack.redis.xreadgroup(group, "c1", {stream: ">"}, count=2)
        stack.redis.xadd(dead_letter_stream(stack.keys, group), {"reason": "poison"})
        [figures] = [g for g in ops(stack, "/groups") if g["group"] == group]
        assert figures["consumers"] == 1
        assert figures["pending"] == 2
        assert figures["lag"] == stack.redis.xlen(stream) - 2
        assert figures["dead_lettered"] == 1
    finally:
        stack.redis.xgroup_destroy(stream, group)
        stack.redis.delete(dead_letter_stream(stack.keys, group))


def test_healthz_answers_while_the_process_is_up(stack: Stack) -> None:
    assert stack.http.get(f"{stack.api_url}/healthz").json() == {"status": "ok"}


def test_make_run_exits_non_zero_when_redis_cannot_be_reached(tmp_path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "WIREDESK_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.runner"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "cannot reach Redis at redis://127.0.0.1:1/0" in done.stdout + done.stderr
