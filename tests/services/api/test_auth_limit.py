"""Wrong tokens from one address are answered 429 with Retry-After once they pass the limit,
on every replica alike (the count is in Redis), and a right token does not get through the
lock either. Real API processes over real HTTP, on the ``guarded`` stack of conftest.py; each
test fails tokens from an address of its own."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from services.processes import free_port, start_api, wait_for_http
from tests.harness import Stack, auth, editor_auth
from tests.services.api.conftest import AUTH_LIMIT, AUTH_WINDOW_SECONDS

WRONG = {"Authorization": "Bearer not-the-token"}


def _from(address: str) -> httpx.Client:
    """A client whose requests come from ``address``."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


@pytest.fixture
def second_replica(guarded: Stack) -> Iterator[str]:
    """Another API process of the same deployment (same Redis, same prefix)."""
    port = free_port()
    log = guarded.log_dir / f"{guarded.prefix}-api-replica.log"
    api = start_api(guarded.env, host="127.0.0.1", port=port, log=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/readyz", process=api)
        yield url
    finally:
        api.stop()


def test_wrong_tokens_past_the_limit_are_429_until_the_window_ends(guarded: Stack) -> None:
    ingest = f"{guarded.api_url}/v1/ingest/reuters"
    stories = f"{guarded.api_url}/v1/stories"
    unknown_feed = f"{guarded.api_url}/v1/ingest/nosuchfeed"
    doors = [("POST", ingest), ("GET", stories), ("POST", unknown_feed)]
    with _from("127.0.0.5") as client:
        # Wrong tokens on any door count alike: a feed's, an editor's, an unknown feed's.
        for i in range(AUTH_LIMIT):
            method, url = doors[i % len(doors)]
            assert client.request(method, url, content=b"x", headers=WRONG).status_code == 401
        refused = client.get(stories, headers=WRONG)
        assert refused.status_code == 429, refused.text
        assert 1 <= int(refused.headers["retry-after"]) <= AUTH_WINDOW_SECONDS
        assert "too many failed authentications" in refused.json()["detail"]
        # A right token during the lock gets the same answer: guessing right tells nothing.
        story = b"ROME (Reuters) - Locked out.\n"
        assert client.post(ingest, content=story, headers=auth("reuters")).status_code == 429
        assert client.get(stories, headers=editor_auth()).status_code == 429
        # Probes still get through.
        assert client.get(f"{guarded.api_url}/healthz").status_code == 200
    # Another address is not locked.
    with _from("127.0.0.6") as other:
        assert other.get(stories, headers=editor_auth()).status_code == 200
    # The count lives in Redis, and goes when the window ends.
    key = guarded.keys.auth_failures("127.0.0.5")
    assert int(guarded.redis.get(key)) >= AUTH_LIMIT
    assert 0 < guarded.redis.ttl(key) <= AUTH_WINDOW_SECONDS


def test_the_limit_holds_across_api_replicas(guarded: Stack, second_replica: str) -> None:
    with _from("127.0.0.7") as client:
        for _ in range(AUTH_LIMIT):
            answer = client.get(f"{guarded.api_url}/v1/stories", headers=WRONG)
            assert answer.status_code == 401
        # The other replica has seen none of those, and still refuses: the count is shared.
        refused = client.get(f"{second_replica}/v1/stories", headers=WRONG)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        # And from then on it refuses before looking at the token.
        assert client.get(f"{second_replica}/v1/stories", headers=editor_auth()).status_code == 429


def test_the_lock_ends_with_its_window(guarded: Stack) -> None:
    url = f"{guarded.api_url}/v1/stories"
    with _from("127.0.0.8") as client:
        codes = [client.get(url, headers=WRONG).status_code for _ in range(AUTH_LIMIT + 1)]
        assert codes == [401] * AUTH_LIMIT + [429]
        # Once Retry-After has passed, a right token is served again.
        wait = int(client.get(url, headers=WRONG).headers["retry-after"])
        time.sleep(wait + 0.5)
        assert client.get(url, headers=editor_auth()).status_code == 200
