"""`wiredesk replay --since`: stored stories run again, announced as updates, nothing doubled."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from tests.harness import Stack
from workers.synthetic import make_story


def test_replay_since_reruns_stored_stories_as_updates(make_stack) -> None:
    stack: Stack = make_stack().start(bulk=True)
    before = stack.ingest("reuters", make_story(8_000_000, "plaintext")).json()["receipt_id"]
    stack.wait_receipt(before)
    cutoff = datetime.now(UTC)
    receipts = [
        stack.ingest("reuters", make_story(8_000_001 + n, fmt)).json()["receipt_id"]
        for n, fmt in enumerate(["plaintext", "ninjs", "nitf"])
    ]
    for r in receipts:
        assert stack.wait_receipt(r)["state"] == "published"

    since = (cutoff - timedelta(milliseconds=1)).isoformat()
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "replay", "--since", since],
        capture_output=True, text=True, timeout=120, env=stack.env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "3 queued" in done.stdout and "3 published" in done.stdout

    for r in receipts:
        assert [e["type"] for e in stack.events_for(r)] == ["story.published", "story.updated"]
        updated = stack.events_for(r)[1]
        assert updated["story"]["tags"]  # the re-run carries the story as tagged now
    # Outside the window: untouched.
    assert [e["type"] for e in stack.events_for(before)] == ["story.published"]


def test_replay_without_redis_url_is_a_clear_error(stack: Stack) -> None:
    env = {k: v for k, v in stack.env.items() if k not in ("REDIS_URL", "WIREDESK_REDIS_URL")}
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "replay", "--since", "2026-01-01T00:00:00+00:00"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert done.returncode == 2 and "REDIS_URL" in done.stderr
