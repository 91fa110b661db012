"""Fixtures for the poller tests: pollers in this process, talking to the shared real stack
(its Redis, key prefix and worker) through their own Settings; a real local feed server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.pollers.queue import PipelineQueue
from tests.harness import Stack
from tests.services.pollers.feedserver import FeedServer
from workers.settings import Settings
from workers.store import Store, connect


@pytest.fixture
def settings(stack: Stack) -> Settings:
    return Settings(redis_url=stack.redis_url, key_prefix=stack.prefix)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    client = connect(settings.redis_url)
    yield Store(client, settings)
    client.close()


@pytest.fixture
def queue(settings: Settings) -> Iterator[PipelineQueue]:
    q = PipelineQueue(settings)
    yield q
    q.close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server
