"""schemathesis over the API's own OpenAPI document, against a running API: for every
operation, cases generated from its parameters and body, sent with a token that opens its
door, and not one may be answered 5xx (schemathesis' ``not_a_server_error`` check).

Bounded for ``make test``: ``MAX_EXAMPLES`` per operation, derandomized (the same cases every
run, so a failure reproduces and the count is stable). Cases that fit the document, then, for
operations with a query or a body, cases that break it (negative mode: wrong types, values out
of range), which must get a 4xx. Operations with an id in their path also run with ids of
copy that exists, so the code behind a found story, receipt or quarantine entry is reached
too. The live feed is left out: it answers a
stream that lasts as long as its client (tests/services/test_live.py drives it). On the
``guarded`` stack of conftest.py, not the shared one: replays and discards change what it
holds. Every case carries a right token, so its auth limit never comes into it.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter, defaultdict
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.harness import Stack, auth, editor_auth
from workers.settings import DEV_OPS_TOKEN

# Per operation and id set; SCHEMATHESIS_MAX_EXAMPLES=500 for a longer hunt by hand.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "12"))
# With SCHEMATHESIS_ONLY='GET /v1/stories', only the operations whose label holds it.
ONLY = os.environ.get("SCHEMATHESIS_ONLY", "")
LEFT_OUT = {"/v1/stories/live"}

OPS = {"Authorization": f"Bearer {DEV_OPS_TOKEN}"}


def _token_for(path: str) -> dict[str, str]:
    """The token of the door the operation is behind."""
    if path.startswith("/v1/ingest/"):
        return auth("reuters")
    if path.startswith(("/v1/ops", "/v1/quarantine")):
        return OPS
    return editor_auth()


def _known_ids(stack: Stack) -> dict[str, str]:
    """Ids of a published story and its receipt, and of a quarantine entry."""
    story = stack.ingest("reuters", b"TUNIS (Reuters) - A story for the schema checks.\n")
    published = stack.wait_receipt(story.json()["receipt_id"])
    bad = stack.ingest("reuters", b"\x07\x08\x0e\x0f", headers={"Content-Type": "text/plain"})
    stack.wait_receipt(bad.json()["receipt_id"])
    [entry] = [
        e
        for e in stack.http.get(f"{stack.api_url}/v1/quarantine").json()["entries"]
        if e["receipt_id"] == bad.json()["receipt_id"]
    ]
    return {
        "feed": "reuters",
        "story_id": published["story_id"],
        "receipt_id": published["receipt_id"],
        "entry_id": entry["entry_id"],
    }


def _breakable(spec: dict, operation: Any) -> bool:
    """Whether the document constrains something a case can break: a query parameter or a
    body. Cases that break it (wrong types, values out of range) must get a 4xx, not crash;
    an operation whose only parameters take any string has nothing to break."""
    definition = spec["paths"][operation.path][operation.method.lower()]
    query = [p for p in definition.get("parameters", []) if p["in"] == "query"]
    return bool(query) or "requestBody" in definition


def _run(
    stack: Stack,
    session: requests.Session,
    operation: Any,
    path_parameters: dict[str, str],
    tried: Counter,
    mode: GenerationMode,
) -> None:
    strategy = operation.as_strategy(mode, path_parameters=path_parameters or None)
    token = _token_for(operation.path)
    started = time.perf_counter()

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        # The generated Authorization header (the routes declare it) gives way to a right one.
        for name in [h for h in (case.headers or {}) if h.lower() == "authorization"]:
            del case.headers[name]
        case.call_and_validate(
            base_url=stack.api_url,
            session=session,
            headers=token,
            checks=[not_a_server_error],
            timeout=30,
        )
        tried[mode.value] += 1

    check()
    print(
        f"{operation.label} {mode.value} {path_parameters}: {time.perf_counter() - started:.2f} s"
    )


def test_no_operation_answers_a_server_error(
    guarded: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = guarded.http.get(f"{guarded.api_url}/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    known = _known_ids(guarded)
    tried: defaultdict[str, Counter] = defaultdict(Counter)
    session = requests.Session()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # the document lists the API, not a stub
    for operation in operations:
        if operation.path in LEFT_OUT or ONLY not in operation.label:
            continue
        # The feed is a known one: an unknown feed is refused before anything else is read.
        fixed = {"feed": "reuters"} if "{feed}" in operation.path else {}
        ids = {name: known[name] for name in known if "{" + name + "}" in operation.path}
        counts = tried[operation.label]
        _run(guarded, session, operation, fixed, counts, GenerationMode.POSITIVE)
        if set(ids) - set(fixed):
            _run(guarded, session, operation, ids, counts, GenerationMode.POSITIVE)
        if _breakable(spec, operation):
            _run(guarded, session, operation, fixed, counts, GenerationMode.NEGATIVE)
    by_mode = sum(tried.values(), Counter())
    summary = {
        "operations": len(tried),
        "cases": sum(by_mode.values()),
        **{f"{mode} cases": n for mode, n in sorted(by_mode.items())},
        "max_examples": MAX_EXAMPLES,
    }
    # Shown in `make test`'s output (the README quotes it), past pytest's capture.
    with capsys.disabled():
        print(f"\nschemathesis: {json.dumps(summary)} (no 5xx)")
    # Every operation ran.
    assert ONLY or len(tried) == len(operations) - len(LEFT_OUT)
    assert all(sum(n.values()) >= 1 for n in tried.values()), tried
