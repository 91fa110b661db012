"""Shared by the ops tests: the ops token header, reading figures, distinct stories."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.harness import Stack
from workers.settings import DEV_OPS_TOKEN

OPS = {"Authorization": f"Bearer {DEV_OPS_TOKEN}"}

_PLACES = ["LONDON", "PARIS", "MADRID", "ROME", "BERLIN", "VIENNA", "OSLO", "LISBON", "ATHENS"]
_TOPICS = ["harbour cranes", "rail timetables", "grain prices", "river levels", "bus fares"]


def story(i: int, tag: str = "") -> bytes:
    place = _PLACES[i % len(_PLACES)]
    topic = _TOPICS[i % len(_TOPICS)]
    return (
        f"{place} (Reuters) - Officials reported item {i} {tag} about {topic} on Tuesday, "
        f"number {i * 7919} in a series that the ops tests count one by one.\n"
    ).encode()


def ops(stack: Stack, path: str = "") -> dict | list:
    response = stack.http.get(f"{stack.api_url}/v1/ops{path}", headers=OPS)
    response.raise_for_status()
    return response.json()


def eventually(fn: Callable[[], object], *, timeout: float = 30.0, every: float = 0.1):
    """fn's first truthy answer; AssertionError with the last answer when time runs out."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"not so after {timeout}s; last answer: {last!r}")
