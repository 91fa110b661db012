"""Every answer carries ``X-Content-Type-Options: nosniff`` and a Content-Security-Policy,
besides its request id: successes, refusals, errors, streams and the documentation pages."""

from __future__ import annotations

import sys

import httpx
import pytest

from services.api.security_headers import API_POLICY, DOCS_POLICY
from services.processes import ManagedProcess, free_port, wait_for_http
from tests.harness import Stack, auth

NONE = {"Authorization": ""}


def assert_guarded(answer: httpx.Response, policy: str = API_POLICY) -> None:
    assert answer.headers["x-content-type-options"] == "nosniff", answer.request.url
    assert answer.headers["content-security-policy"] == policy, answer.request.url
    assert answer.headers["x-request-id"], answer.request.url


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status"),
    [
        ("GET", "/healthz", None, None, 200),
        ("GET", "/v1/stories", None, None, 200),
        ("GET", "/v1/stories", NONE, None, 401),
        ("GET", "/v1/stories?limit=0", None, None, 422),
        ("GET", "/v1/stories?cursor=bmFufHg", None, None, 400),
        ("GET", "/v1/stories/st_nope", None, None, 404),
        ("DELETE", "/v1/stories", None, None, 405),
        ("GET", "/nowhere", None, None, 404),
        ("GET", "/metrics", None, None, 200),
        ("GET", "/openapi.json", None, None, 200),
        (
            "POST",
            "/v1/ingest/reuters",
            auth("reuters"),
            b"ATHENS (Reuters) - A guarded story.",
            202,
        ),
        ("POST", "/v1/ingest/reuters", auth("reuters"), b"A" * (2 * 1024 * 1024), 413),
        ("POST", "/v1/ingest/reuters", auth("reuters"), b"  ", 400),
    ],
)
def test_every_answer_is_guarded(
    stack: Stack, method: str, path: str, headers: dict | None, body: bytes | None, status: int
) -> None:
    answer = stack.http.request(method, stack.api_url + path, headers=headers, content=body)
    assert answer.status_code == status, answer.text[:200]
    assert_guarded(answer)


def test_the_documentation_pages_get_the_policy_they_work_with(stack: Stack) -> None:
    for path in ["/docs", "/redoc"]:
        page = stack.http.get(stack.api_url + path)
        assert page.status_code == 200
        assert_guarded(page, DOCS_POLICY)
        # What the page loads is allowed by its policy.
        assert "https://cdn.jsdelivr.net" in page.text and "https://cdn.jsdelivr.net" in DOCS_POLICY


def test_the_live_feed_is_guarded(stack: Stack) -> None:
    with stack.http.stream("GET", f"{stack.api_url}/v1/stories/live") as live:
        assert live.status_code == 200
        assert_guarded(live)


def test_a_bug_is_a_guarded_json_500(stack: Stack) -> None:
    # Starlette answers an unhandled error outside every middleware; the API's own error
    # handler sets the headers and the request id on that answer too.
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "tests.services.api.failing_app:create_app",
            "--factory", "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    server = ManagedProcess("failing-api", argv, stack.env, stack.log_dir / "failing-api.log")
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=server)
        answer = httpx.get(f"http://127.0.0.1:{port}/boom", headers={"X-Request-ID": "req-123"})
    finally:
        server.stop()
    assert answer.status_code == 500
    assert answer.json()["detail"] == "internal error (request id req-123)"
    assert_guarded(answer)
    assert answer.headers["x-request-id"] == "req-123"
