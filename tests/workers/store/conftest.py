"""A store of each test's own on the session's real Redis or Valkey (its own key prefix,
deleted afterwards), and the raw client under it, for tests that look at what was written."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from workers.settings import Settings
from workers.store import Store, connect


@pytest.fixture
def settings(redis_url: str) -> Settings:
    return Settings(redis_url=redis_url, key_prefix=f"wdt{uuid.uuid4().hex[:8]}")


@pytest.fixture
def client(settings: Settings) -> Iterator[redis.Redis]:
    c = connect(settings.redis_url)
    yield c
    keys = list(c.scan_iter(match=f"{settings.key_prefix}*"))
    if keys:
        c.delete(*keys)
    c.close()


@pytest.fixture
def store(client: redis.Redis, settings: Settings) -> Store:
    return Store(client, settings)
