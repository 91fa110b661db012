"""Fixtures with real parts: a Redis from REDIS_URL or an embedded Valkey, and a wiredesk stack
(API + Celery worker subprocesses) on it. No eager mode, no fake Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from services.redis_server import EmbeddedValkey
from tests.harness import Stack


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        # A set REDIS_URL that does not answer is a broken environment: fail, never skip.
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        yield url
        return
    with EmbeddedValkey(tmp_path_factory.mktemp("valkey"), persist=False) as server:
        yield server.url


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def stack(redis_url: str, log_dir: Path) -> Iterator[Stack]:
    """One running wiredesk for the tests that only drive it."""
    running = Stack(redis_url=redis_url, log_dir=log_dir).start()
    yield running
    running.stop()


@pytest.fixture
def make_stack(redis_url: str, log_dir: Path) -> Iterator:
    """Stacks of a test's own, with their own settings, stopped after the test."""
    made: list[Stack] = []

    def make(**env: str) -> Stack:
        s = Stack(redis_url=redis_url, log_dir=log_dir, env_overrides=env)
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop()
