"""What every part of the store holds: the client (private to the store), the settings and
the key names."""

from __future__ import annotations

from datetime import UTC, datetime

import redis

from workers.keys import Keys
from workers.settings import Settings

__all__ = ["StorePart", "now"]


class StorePart:
    """Base of the store's parts. Each part is usable alone (``ReceiptStore(client,
    settings)``); ``Store`` is all of them over one client."""

    def __init__(self, client: redis.Redis, settings: Settings):
        self._redis = client
        self.settings = settings
        self.keys = Keys(settings.key_prefix)


def now() -> datetime:
    return datetime.now(UTC)
