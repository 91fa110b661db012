"""Request ids end to end, through a real stack: the API's access line and answer carry one
(the caller's when sane), and every stage line of the item that request sent carries it too."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

from services.api.request_id import request_id_for
from tests.harness import Stack


def events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def wait_events(log: Path, want, timeout: float = 60.0) -> list[dict]:
    """The log's events once ``want(events)`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = events(log)
        if want(found):
            return found
        time.sleep(0.1)
    raise TimeoutError(f"{log.name}: not there within {timeout}s")


def story(uri: str) -> bytes:
    return json.dumps(
        {
            "uri": f"urn:newsml:rid.example:{uri}",
            "version": "1",
            "language": "en",
            "headline": f"Ferry service {uri} resumes after storm",
            "located": "Kiel",
            "body_text": "Kiel (dpa) - Ferries between Kiel and Oslo sailed again on Friday "
            "after a storm kept them in port for two days, the operator said.",
        }
    ).encode()


def test_request_id_for_keeps_sane_ids_only() -> None:
    assert request_id_for("3f2a-trace.7:x") == "3f2a-trace.7:x"
    for bad in (None, "", "has space", "x" * 129, "semi;colon", 'quote"', "caf\u00e9"):
        made = request_id_for(bad)
        assert re.fullmatch(r"[0-9a-f]{32}", made), (bad, made)


def test_request_id_from_access_line_to_every_stage(stack: Stack, log_dir: Path) -> None:
    request_id = f"test-{uuid.uuid4().hex}"
    answer = stack.ingest("dpa", story(uuid.uuid4().hex[:8]), headers={"X-Request-ID": request_id})
    assert answer.status_code == 202, answer.text
    assert answer.headers["x-request-id"] == request_id
    receipt_id = answer.json()["receipt_id"]
    assert stack.wait_receipt(receipt_id, timeout=60)["state"] == "published"

    def accessed(found: list[dict]) -> bool:
        return any(e["event"] == "http_request" and e.get("request_id") == request_id
                   for e in found)  # fmt: skip

    api = wait_events(log_dir / f"{stack.prefix}-api.log", accessed, timeout=10)
    [access] = [
        e for e in api if e["event"] == "http_request" and e.get("request_id") == request_id
    ]
    assert (access["method"], access["path"], access["status"]) == ("POST", "/v1/ingest/dpa", 202)
    assert access["duration_ms"] >= 0
    assert any(e["event"] == "ingested" and e.get("request_id") == request_id for e in api)

    def every_stage(found: list[dict]) -> bool:
        done = {e["stage"] for e in found if e["event"] == "stage_done"
                and e.get("receipt_id") == receipt_id}  # fmt: skip
        return done == {"normalise", "dedupe", "tag", "publish"}

    worker = wait_events(log_dir / f"{stack.prefix}-worker-w1.log", every_stage)
    mine = [e for e in worker if e.get("receipt_id") == receipt_id]
    assert mine and all(e.get("request_id") == request_id for e in mine), mine


def test_a_request_without_a_sane_id_gets_one(stack: Stack, log_dir: Path) -> None:
    for sent in ({}, {"X-Request-ID": "not sane at all"}):
        answer = stack.http.get(f"{stack.api_url}/v1/stories", params={"limit": 1}, headers=sent)
        assert answer.status_code == 200
        made = answer.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made), made

        def logged(found: list[dict], made: str = made) -> bool:
            return any(e["event"] == "http_request" and e.get("request_id") == made
                       for e in found)  # fmt: skip

        wait_events(log_dir / f"{stack.prefix}-api.log", logged, timeout=10)
    # A refused request is logged with its status and id too.
    refused = stack.http.get(f"{stack.api_url}/v1/stories", params={"status": "nonsense"})
    assert refused.status_code == 400
    made = refused.headers["x-request-id"]
    found = wait_events(
        log_dir / f"{stack.prefix}-api.log",
        lambda found: any(e.get("request_id") == made for e in found),
        timeout=10,
    )
    [line] = [e for e in found if e.get("request_id") == made and e["event"] == "http_request"]
    assert line["status"] == 400 and line["query"] == "status=nonsense"
