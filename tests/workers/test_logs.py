"""The logs through a real stack: every line the worker and the API write is one JSON object
(Celery's own records, its banner and shutdown notices, Python warnings), and ``batch_done``
counts a batch by what became of each item."""

from __future__ import annotations

import io
import json
import logging
import os
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

import structlog

from tests.harness import Stack, auth
from workers.logs import configure_logging


def log_lines(log_dir: Path, stack: Stack) -> dict[str, list[str]]:
    """Each of the stack's log files (API, workers): its lines."""
    return {
        path.name: path.read_text(encoding="utf-8").splitlines()
        for path in sorted(log_dir.glob(f"{stack.prefix}-*.log"))
    }


def bulk_lines(log_dir: Path, stack: Stack) -> list[str]:
    return log_lines(log_dir, stack).get(f"{stack.prefix}-worker-b1.log", [])


def not_json(lines: list[str]) -> list[str]:
    bad = []
    for line in lines:
        try:
            if not isinstance(json.loads(line), dict):
                bad.append(line)
        except ValueError:
            bad.append(line)
    return bad


def wait_for(condition: Callable[[], object], timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise TimeoutError(f"not true within {timeout}s")


def ninjs(uri: str, *, version: int = 1, pubstatus: str = "usable", body: str = "") -> dict:
    return {
        "uri": f"urn:newsml:logs.example:{uri}",
        "type": "text",
        "version": str(version),
        "pubstatus": pubstatus,
        "language": "en",
        "headline": f"Harbour cranes idle in {uri} dispute, version {version}",
        "located": "Rotterdam",
        "body_text": body
        or f"Rotterdam (Reuters) - Crane operators at terminal {uri} stopped work on Monday "
        "in a dispute over shift patterns, the port authority said.",
    }


def post_batch(stack: Stack, feed: str, lines: list[str], request_id: str) -> list[str]:
    answer = stack.http.post(
        f"{stack.api_url}/v1/ingest/{feed}/batch",
        content="\n".join(lines).encode(),
        headers={**auth(feed), "X-Request-ID": request_id},
    )
    assert answer.status_code == 202, answer.text
    return [r["receipt_id"] for r in answer.json()["receipts"]]


def test_every_worker_and_api_line_is_json(make_stack, log_dir: Path) -> None:
    stack = make_stack().start()
    answer = stack.ingest("reuters", json.dumps(ninjs(uuid.uuid4().hex[:8])).encode())
    assert answer.status_code == 202, answer.text
    assert stack.wait_receipt(answer.json()["receipt_id"], timeout=120)["state"] == "published"
    stack.stop()  # the shutdown notices are part of the log too

    files = log_lines(log_dir, stack)
    assert len(files) == 2, sorted(files)  # the API and the worker
    for name, lines in files.items():
        assert lines, f"{name} is empty"
        assert not_json(lines) == [], f"{name} has lines that are not JSON objects"
    worker = [json.loads(line) for line in files[f"{stack.prefix}-worker-w1.log"]]
    events = [e["event"] for e in worker]
    # Celery's banner and its shutdown notice, as events.
    assert "worker_starting" in events and "worker_notice" in events, events
    starting = next(e for e in worker if e["event"] == "worker_starting")
    assert starting["queues"] == [stack.queue] and "wiredesk.normalise" in starting["tasks"]
    assert any(e.get("logger", "").startswith("celery") for e in worker)  # Celery's own records
    if os.geteuid() == 0:
        # Celery warns a root worker with a SecurityWarning: a warning, logged as one event.
        warned = [e for e in worker if e["event"] == "python_warning"]
        assert warned and warned[0]["category"] == "SecurityWarning", events


def test_warnings_are_one_json_event() -> None:
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    out = io.StringIO()
    try:
        with warnings.catch_warnings():  # puts warnings.showwarning back afterwards
            warnings.simplefilter("always")
            configure_logging(json=True, stream=out)
            warnings.warn("the old setting is going\nsee the notes", DeprecationWarning, 1)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**config)
    [line] = out.getvalue().splitlines()
    event = json.loads(line)
    assert event["event"] == "python_warning" and event["level"] == "warning"
    assert event["category"] == "DeprecationWarning"
    assert event["warning"] == "the old setting is going\nsee the notes"
    assert event["filename"] == __file__


def test_batch_done_counts_what_happened(make_stack, log_dir: Path) -> None:
    # One batch task for each body: the counts below are one batch_done line each.
    stack = make_stack(WIREDESK_BATCH_SIZE="50").start(bulk=True)
    run = uuid.uuid4().hex[:8]
    items = [ninjs(f"{run}-{n}") for n in range(5)]
    first = post_batch(stack, "reuters", [json.dumps(i) for i in items], f"{run}-first")
    assert [stack.wait_receipt(r, timeout=120)["state"] for r in first] == ["published"] * 5

    # The same five again, as other bytes: five resends, nothing published.
    again = post_batch(stack, "reuters", [json.dumps(i, indent=None, separators=(",", ":"))
                                          for i in items], f"{run}-again")  # fmt: skip
    assert [stack.wait_receipt(r, timeout=120)["state"] for r in again] == ["duplicate"] * 5

    update = ninjs(f"{run}-1", version=2, body="Rotterdam (Reuters) - Crane operators went "
                   "back to work on Tuesday after a deal on shifts.")  # fmt: skip
    kill = ninjs(f"{run}-2", version=3, pubstatus="canceled", body="Editors: withdrawn.")
    mixed_lines = [
        json.dumps(items[0], separators=(", ", ":")),  # a resend, as bytes not seen before
        json.dumps(update),
        json.dumps(kill),
        json.dumps(ninjs(f"{run}-new")),
        "not JSON \x00\x01 and not a story",  # quarantined
    ]
    mixed = post_batch(stack, "reuters", mixed_lines, f"{run}-mixed")
    states = [stack.wait_receipt(r, timeout=120)["state"] for r in mixed]
    assert states == ["duplicate", "published", "published", "published", "quarantined"]

    def batch_done(request_id: str) -> dict | None:
        for line in bulk_lines(log_dir, stack):
            event = json.loads(line)
            if event["event"] == "batch_done" and event.get("request_id") == request_id:
                return event
        return None

    counts = {"published", "duplicate", "update", "killed", "quarantined", "already_published"}

    def outcome(request_id: str) -> dict:
        done = wait_for(lambda: batch_done(request_id), timeout=60)
        assert isinstance(done, dict)
        return {k: v for k, v in done.items() if k in counts}

    assert outcome(f"{run}-first") == {"published": 5}
    assert outcome(f"{run}-again") == {"duplicate": 5}
    assert outcome(f"{run}-mixed") == {
        "duplicate": 1,
        "update": 1,
        "killed": 1,
        "published": 1,
        "quarantined": 1,
    }
