"""In production the API's description is not handed out: no /docs or /redoc, /openapi.json
with an ops token only; /metrics wants its bearer token when one is configured. In
development both stay open. Real API processes over real HTTP."""

from __future__ import annotations

import json

import pytest

from tests.harness import Stack

FEED_TOKEN = "feed-token-for-production-tests"
OPS_TOKEN = "ops-token-for-production-tests"
EDITOR_TOKEN = "editor-token-for-production-tests"
METRICS_TOKEN = "metrics-token-for-production-tests"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def production(redis_url, log_dir):
    stack = Stack(
        redis_url=redis_url,
        log_dir=log_dir,
        env_overrides={
            "WIREDESK_ENVIRONMENT": "production",
            "WIREDESK_FEED_TOKENS": json.dumps({"reuters": FEED_TOKEN}),
            "WIREDESK_OPS_TOKENS": json.dumps([OPS_TOKEN]),
            "WIREDESK_EDITOR_TOKENS": json.dumps([EDITOR_TOKEN]),
            "WIREDESK_METRICS_TOKEN": METRICS_TOKEN,
            "WIREDESK_AUTH_FAILURE_LIMIT": "1000",
        },
    ).start()
    yield stack
    stack.stop()


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_production_has_no_documentation_pages(production: Stack, path: str) -> None:
    answer = production.http.get(production.api_url + path, headers=bearer(OPS_TOKEN))
    assert answer.status_code == 404


def test_production_serves_the_openapi_document_to_ops_only(production: Stack) -> None:
    url = f"{production.api_url}/openapi.json"
    for headers in [{}, bearer(EDITOR_TOKEN), bearer(FEED_TOKEN), bearer("wrong")]:
        refused = production.http.get(url, headers={"Authorization": "", **headers})
        assert refused.status_code == 401, headers
    spec = production.http.get(url, headers=bearer(OPS_TOKEN))
    assert spec.status_code == 200
    assert "/v1/ingest/{feed}" in spec.json()["paths"]
    # The document does not list itself.
    assert "/openapi.json" not in spec.json()["paths"]


def test_metrics_want_the_metrics_token_when_one_is_set(production: Stack) -> None:
    url = f"{production.api_url}/metrics"
    for headers in [{"Authorization": ""}, bearer("wrong"), bearer(OPS_TOKEN)]:
        refused = production.http.get(url, headers=headers)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
    # What Prometheus sends with `authorization: {credentials: …}` in its scrape config.
    scraped = production.http.get(url, headers=bearer(METRICS_TOKEN))
    assert scraped.status_code == 200
    assert "wiredesk_" in scraped.text


def test_development_keeps_the_documentation_and_open_metrics(stack: Stack) -> None:
    for path in ["/docs", "/redoc", "/openapi.json"]:
        assert stack.http.get(stack.api_url + path).status_code == 200
    assert (
        stack.http.get(f"{stack.api_url}/metrics", headers={"Authorization": ""}).status_code == 200
    )
