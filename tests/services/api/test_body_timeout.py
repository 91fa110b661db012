"""A body shorter than its Content-Length does not hold a connection: after
``body_read_timeout_seconds`` with nothing more the API answers 408 and closes it. Raw sockets
against a real API process, as a slow or hostile client would do it (the ``guarded`` stack
of conftest.py: 1 s)."""

from __future__ import annotations

import socket
import time

import pytest

from services.ingest import receipt_id_for
from tests.harness import Stack
from workers.settings import DEV_EDITOR_TOKEN, DEV_FEED_TOKENS

# A guard so a broken build fails instead of hanging, far above the 1 s the stack is given.
HANG_GUARD_SECONDS = 60


def _connect(stack: Stack) -> socket.socket:
    port = int(stack.api_url.rsplit(":", 1)[1])
    return socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD_SECONDS)


def _read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    got = b""
    while chunk := sock.recv(65536):
        got += chunk
    return got


def _short_post(path: str, token: str, declared: int, sent: bytes, *, close: bool) -> bytes:
    """A POST's head and the first ``sent`` bytes of a body said to be ``declared`` long;
    ``close`` asks the server to close the connection after its answer."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: text/plain\r\nContent-Length: {declared}\r\n"
        + ("Connection: close\r\n" if close else "")
        + "\r\n"
    )
    return head.encode() + sent


@pytest.mark.parametrize("door", ["/v1/ingest/reuters", "/v1/ingest/reuters/batch"])
def test_a_body_shorter_than_its_length_is_a_408_and_the_connection_closes(
    guarded: Stack, door: str
) -> None:
    half = f"ROME (Reuters) - Half a story sent to {door}".encode()
    with _connect(guarded) as sock:
        # A keep-alive request: the server closes the connection of its own accord.
        sock.sendall(_short_post(door, DEV_FEED_TOKENS["reuters"], 5000, half, close=False))
        answer = _read_until_closed(sock)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 408 Request Timeout", answer[:300]
    assert b"connection: close" in rest.lower()
    assert b"stopped arriving" in rest
    # Nothing half-sent was kept.
    receipt = guarded.keys.receipt(receipt_id_for("reuters", half))
    assert not guarded.redis.exists(receipt)


def test_a_body_that_keeps_coming_slowly_is_read_whole(guarded: Stack) -> None:
    story = b"OSLO (Reuters) - A story sent in pieces, each within the read timeout.\n"
    pieces = [story[i : i + 20] for i in range(0, len(story), 20)]
    with _connect(guarded) as sock:
        sock.sendall(
            _short_post(
                "/v1/ingest/reuters", DEV_FEED_TOKENS["reuters"], len(story), b"", close=True
            )
        )
        for piece in pieces:
            time.sleep(0.3)
            sock.sendall(piece)
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 202 "), answer[:300]


def test_the_live_feed_is_not_cut_by_the_body_timeout(guarded: Stack) -> None:
    # Once a request's body is complete (a GET has none), the app's further waits on the
    # connection are not timed: the live feed stays open past the body read timeout.
    request = (
        "GET /v1/stories/live HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {DEV_EDITOR_TOKEN}\r\n\r\n"
    ).encode()
    with _connect(guarded) as sock:
        sock.sendall(request)
        got = b""
        # Heartbeats come every 0.3 s; 3 s of them is three body timeouts.
        started = time.monotonic()
        while time.monotonic() - started < 3:
            chunk = sock.recv(65536)
            assert chunk, f"the live feed was closed: {got[:300]!r}"
            got += chunk
    assert got.startswith(b"HTTP/1.1 200 OK")
    assert got.count(b": heartbeat") >= 2
    assert b"408" not in got
