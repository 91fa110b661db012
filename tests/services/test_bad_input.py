"""Bad input gets a clear 4xx or a quarantine entry with a reason, and never stops the good
items behind it."""

from __future__ import annotations

import pytest

from services.redis_server import EmbeddedValkey
from tests.harness import Stack, auth

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


def test_wrong_token_is_401_and_unknown_feed_is_404(stack: Stack) -> None:
    url = f"{stack.api_url}/v1/ingest/reuters"
    wrong = stack.http.post(url, content=b"x", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    missing = stack.http.post(url, content=b"x")
    assert missing.status_code == 401
    # Another feed's token does not open this feed.
    other = stack.http.post(url, content=b"x", headers=auth("ap"))
    assert other.status_code == 401
    unknown = stack.http.post(
        f"{stack.api_url}/v1/ingest/nosuchfeed", content=b"x", headers=auth("ap")
    )
    assert unknown.status_code == 404
    assert "unknown feed" in unknown.json()["detail"]
    assert_next_good_story_goes_through(stack, "after-auth")


@pytest.mark.parametrize(
    ("name", "body", "content_type", "reason_has"),
    [
        (
            "invalid-utf8",
            b"PARIS (AFP) - Caf\xc3\x28 \xff\xfe broken bytes.\n",
            "text/plain; charset=utf-8",
            "offset",
        ),
        ("binary", b"\x07\x08\x0e\x0f\x10\x7f\x1b", "text/plain", "binary data, not text"),
        ("only-trailer", b"(\xe2\x80\xa6)", "text/plain", "no headline and no body"),
    ],
)
def test_unprocessable_copy_is_quarantined_with_a_reason(
    stack: Stack, name: str, body: bytes, content_type: str, reason_has: str
) -> None:
    answer = stack.ingest("afp", body, headers={"Content-Type": content_type})
    assert answer.status_code == 202
    receipt = stack.wait_receipt(answer.json()["receipt_id"])
    assert receipt["state"] == "quarantined", receipt
    assert receipt["stage"] == "normalise"
    assert reason_has in receipt["reason"]

    entries = stack.http.get(f"{stack.api_url}/v1/quarantine").json()["entries"]
    [entry] = [e for e in entries if e["receipt_id"] == receipt["receipt_id"]]
    assert entry["stage"] == "normalise" and entry["reason"] == receipt["reason"]
    # The raw payload is kept with the entry, byte for byte, for inspection and replay.
    raw = {
        fields[b"receipt_id"].decode(): fields[b"raw"]
        for _, fields in stack.redis.xrange(stack.keys.quarantine_stream)
    }
    assert raw[receipt["receipt_id"]] == body
    kinds = [e["type"] for e in stack.events_for(receipt["receipt_id"])]
    assert kinds == ["story.quarantined"]
    assert_next_good_story_goes_through(stack, f"after-{name}")


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
