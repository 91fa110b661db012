"""The figures operations read (queues, stages, feeds, workers, consumer groups) and the
front door's count of what each feed delivered.

The readers themselves live with the ops views (``services/ops``), which shape them for the
API and the CLI; they run here, on the store's client and inside its error boundary, so that
no caller outside the store holds a Redis client of its own. A reader only reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import redis

from workers.metrics import record_received
from workers.store.base import StorePart
from workers.store.client import redis_errors, translated

__all__ = ["FigureStore"]

T = TypeVar("T")


class FigureStore(StorePart):
    def read_figures(self, reader: Callable[[redis.Redis], T]) -> T:
        """``reader(client)``, with Redis's outages as ``StoreUnavailableError``."""
        with redis_errors():
            return reader(self._redis)

    @translated
    def count_received(self, feed: str, items: int) -> None:
        """Count items a feed delivered (never raises for a lost figure; see
        ``workers.metrics.record_received``)."""
        record_received(self._redis, self.keys.prefix, feed, items)

    @translated
    def ping(self) -> bool:
        return bool(self._redis.ping())
