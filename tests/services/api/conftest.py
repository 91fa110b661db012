"""The stack the API's guard tests share: its guards set tight so the tests see them act."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import Stack

# Failed tokens that lock an address, within this many seconds. Each test that fails tokens
# on purpose does it from an address of its own (any of 127.0.0.0/8 is this machine), so one
# test's lock is no other's.
AUTH_LIMIT = 5
AUTH_WINDOW_SECONDS = 5
# Where clients reach it (a proxy in front, say), for the links it hands out.
PUBLIC_BASE_URL = "https://wires.example.org/desk/"


@pytest.fixture(scope="session")
def guarded(redis_url: str, log_dir: Path) -> Iterator[Stack]:
    """A body that stops for 1 s is a 408; AUTH_LIMIT failed tokens within
    AUTH_WINDOW_SECONDS lock an address; the live feed sends a heartbeat every 0.3 s; links
    start with PUBLIC_BASE_URL."""
    stack = Stack(
        redis_url=redis_url,
        log_dir=log_dir,
        env_overrides={
            "WIREDESK_BODY_READ_TIMEOUT_SECONDS": "1",
            "WIREDESK_LIVE_HEARTBEAT_SECONDS": "0.3",
            "WIREDESK_AUTH_FAILURE_LIMIT": str(AUTH_LIMIT),
            "WIREDESK_AUTH_FAILURE_WINDOW_SECONDS": str(AUTH_WINDOW_SECONDS),
            "WIREDESK_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        },
    ).start()
    yield stack
    stack.stop()
