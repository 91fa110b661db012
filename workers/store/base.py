"""What every part of the store holds: the client (private to the store), the settings and
the key names."""

from __future__ import annotations

from datetime import UTC, datetime

import redis

from workers.keys import Keys
from workers.settings import Settings
from workers.store.client import text

__all__ = ["StorePart", "now"]


class StorePart:
    """Base of the store's parts. Each part is usable alone (``ReceiptStore(client,
    settings)``); ``Store`` is all of them over one client."""

    def __init__(self, client: redis.Redis, settings: Settings):
        self._redis = client
        self.settings = settings
        self.keys = Keys(settings.key_prefix)

    def _hold_lease(self, lock: str, token: str, seconds: float) -> bool:
        """Take or renew the lease ``lock`` for ``token``; False while another holds it. The
        renewal is not atomic with the check (a lease that lapsed in between may be extended
        for its new holder): the leases only keep work from being done twice at once, and
        every piece of work they guard is safe to do twice."""
        ms = max(1, int(seconds * 1000))
        if self._redis.set(lock, token, nx=True, px=ms):
            return True
        if text(self._redis.get(lock)) == token:
            self._redis.pexpire(lock, ms)
            return True
        return False


def now() -> datetime:
    return datetime.now(UTC)
