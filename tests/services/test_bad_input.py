"""Bad input gets a clear 4xx or a quarantine entry with a reason, and never stops the good
items behind it."""

from __future__ import annotations

import base64

import pytest

from services.redis_server import EmbeddedValkey
from tests.harness import Stack, auth


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


GOOD = "ROME (Reuters) - A good story {n} arrives right behind a bad one, and still goes out.\n"


def assert_next_good_story_goes_through(stack: Stack, n: str) -> None:
    answer = stack.ingest("reuters", GOOD.format(n=n).encode()).json()
    assert stack.wait_receipt(answer["receipt_id"])["state"] == "published"


def test_empty_body_is_400(stack: Stack) -> None:
    response = stack.ingest("reuters", b"  \n ")
    assert response.status_code == 400
    assert "empty" in response.json()["detail"]
    assert_next_good_story_goes_through(stack, "after-empty")


def test_oversized_body_is_413(stack: Stack) -> None:
    response = stack.ingest("reuters", b"A" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert "exceeds" in response.json()["detail"]
    assert_next_good_story_goes_through(stack, "after-huge")


def test_wrong_token_is_401_and_unknown_feed_answers_the_same(stack: Stack) -> None:
    url = f"{stack.api_url}/v1/ingest/reuters"
    wrong = stack.http.post(url, content=b"x", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    missing = stack.http.post(url, content=b"x")
    assert missing.status_code == 401
    # Another feed's token does not open this feed.
    other = stack.http.post(url, content=b"x", headers=auth("ap"))
    assert other.status_code == 401
    # Feed names cannot be enumerated: an unknown feed is answered as a known one with a wrong
    # token is, status, headers and words alike (only the feed's own name differs).
    for door in ("", "/batch"):
        unknown = stack.http.post(
            f"{stack.api_url}/v1/ingest/nosuchfeed{door}", content=b"x", headers=auth("ap")
        )
        known = stack.http.post(
            f"{stack.api_url}/v1/ingest/reuters{door}", content=b"x", headers=auth("ap")
        )
        assert unknown.status_code == known.status_code == 401
        assert unknown.headers["www-authenticate"] == known.headers["www-authenticate"]
        assert unknown.json()["detail"].replace("nosuchfeed", "reuters") == known.json()["detail"]
    assert_next_good_story_goes_through(stack, "after-auth")


@pytest.mark.parametrize(
    "cursor",
    [
        "bmFufHg",  # 'nan|x'
        _b64("inf|st_x"),
        _b64("-inf|st_x"),
        _b64("1e999|st_x"),
        _b64("12.5"),  # no id
        _b64("|st_x"),  # no score
        "!!!not-base64!!!",
        "A",  # too short to be base64
        _b64("\x00\x01|\xff"),
    ],
)
def test_a_malformed_paging_cursor_is_400(stack: Stack, cursor: str) -> None:
    answer = stack.http.get(f"{stack.api_url}/v1/stories", params={"cursor": cursor})
    assert answer.status_code == 400, answer.text
    assert "cursor" in answer.json()["detail"]
    # A cursor this service made still pages.
    assert_next_good_story_goes_through(stack, f"cursor-{cursor[:12]}-1")
    assert_next_good_story_goes_through(stack, f"cursor-{cursor[:12]}-2")
    first = stack.http.get(f"{stack.api_url}/v1/stories", params={"limit": 1}).json()
    assert first["next_cursor"]
    again = stack.http.get(
        f"{stack.api_url}/v1/stories", params={"limit": 1, "cursor": first["next_cursor"]}
    )
    assert again.status_code == 200


def deep_json(depth: int) -> bytes:
    """A JSON object nested ``depth`` levels deep."""
    return ('{"headline": "Deep", "a": ' * depth + "1" + "}" * depth).encode()


def test_deeply_nested_json_is_quarantined_at_the_single_door(stack: Stack) -> None:
    answer = stack.ingest("reuters", deep_json(5000), headers={"Content-Type": "application/json"})
    assert answer.status_code == 202, answer.text
    receipt = stack.wait_receipt(answer.json()["receipt_id"])
    assert receipt["state"] == "quarantined"
    assert "nested deeper than" in receipt["reason"]
    assert_next_good_story_goes_through(stack, "after-deep-single")


def test_status_url_ignores_the_host_header(stack: Stack) -> None:
    answer = stack.ingest(
        "reuters",
        b"LIMA (Reuters) - A story pushed with a forged Host header.\n",
        headers={"Host": "attacker.example"},
    )
    assert answer.status_code == 202
    status_url = answer.json()["status_url"]
    assert "attacker.example" not in status_url
    # The public base URL the stack was given (its own address), whatever Host said.
    assert status_url == f"{stack.api_url}/v1/receipts/{answer.json()['receipt_id']}"


def test_unknown_receipt_is_404(stack: Stack) -> None:
    assert stack.http.get(f"{stack.api_url}/v1/receipts/rc_nope").status_code == 404
    assert stack.http.get(f"{stack.api_url}/v1/stories/st_nope").status_code == 404


def test_a_full_redis_is_a_503_to_retry_and_the_retry_goes_through(tmp_path, log_dir) -> None:
    # Redis at maxmemory (noeviction) refuses the receipt: the feed is told to come back
    # (503, Retry-After) rather than given a 500, and nothing half-kept is left behind.
    with EmbeddedValkey(tmp_path, persist=False) as server:
        own = Stack(redis_url=server.url, log_dir=log_dir).start()
        try:
            body = GOOD.format(n="while-redis-is-full").encode()
            own.redis.config_set("maxmemory", 1)
            refused = own.ingest("reuters", body)
            assert refused.status_code == 503, refused.text
            assert refused.headers["retry-after"] and "retry later" in refused.json()["detail"]
            own.redis.config_set("maxmemory", 0)
            accepted = own.ingest("reuters", body)
            assert accepted.status_code == 202
            assert own.wait_receipt(accepted.json()["receipt_id"])["state"] == "published"
        finally:
            own.stop()
