"""A store of each test's own on the session's real Redis or Valkey, for the stages that keep
state (dedupe): its own key prefix, deleted afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from workers.settings import Settings
from workers.store import Store, connect


@pytest.fixture
def settings(redis_url: str) -> Settings:
    return Settings(redis_url=redis_url, key_prefix=f"wdt{uuid.uuid4().hex[:8]}")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    client = connect(settings.redis_url)
    yield Store(client, settings)
    keys = list(client.scan_iter(match=f"{settings.key_prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()
