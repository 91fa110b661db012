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


# The tests send wrong tokens on purpose, many a minute from this machine's one address: the
# stacks of the fixtures below would lock it out (services/api/auth_limit.py), so their limit
# is out of reach. tests/services/api/test_auth_limit.py runs stacks with a small one.
UNLIMITED_AUTH_FAILURES = {"WIREDESK_AUTH_FAILURE_LIMIT": "1000000000"}


@pytest.fixture(scope="session")
def stack(redis_url: str, log_dir: Path) -> Iterator[Stack]:
    """One running wiredesk for the tests that only drive it."""
    running = Stack(redis_url=redis_url, log_dir=log_dir, env_overrides=UNLIMITED_AUTH_FAILURES)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def make_stack(redis_url: str, log_dir: Path) -> Iterator:
    """Stacks of a test's own, with their own settings, stopped after the test."""
    made: list[Stack] = []

    def make(**env: str) -> Stack:
        s = Stack(
            redis_url=redis_url, log_dir=log_dir, env_overrides={**UNLIMITED_AUTH_FAILURES, **env}
        )
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``WIREDESK_TEST_SHARED_REDIS_ONLY=1`` (CI's second pass, against a real Redis
    server) only the tests that talk to the shared Redis run. The others (parsers, the tagger,
    the fuzzers, tests that start a Valkey of their own) do not depend on which server
    REDIS_URL names, ran in the first pass, and would only run the same way again."""
    if os.environ.get("WIREDESK_TEST_SHARED_REDIS_ONLY") != "1":
        return
    keep = [item for item in items if "redis_url" in getattr(item, "fixturenames", ())]
    dropped = [item for item in items if "redis_url" not in getattr(item, "fixturenames", ())]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = keep
