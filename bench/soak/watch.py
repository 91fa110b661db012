"""Watching what became of every accepted receipt while the soak runs: when each was first
seen terminal (published, duplicate or quarantined), read from its receipt in Redis every
half second, so the recovery after each fault can be told afterwards.
"""

from __future__ import annotations

import threading
import time

import redis

from bench.soak.feed import Ledger
from workers.keys import Keys

__all__ = ["TERMINAL", "Watcher", "states"]

TERMINAL = frozenset({"published", "duplicate", "quarantined", "discarded"})


def states(client: redis.Redis, keys: Keys, receipt_ids: list[str]) -> dict[str, str | None]:
    """Each receipt's state (None: no receipt), in pipelined chunks."""
    found: dict[str, str | None] = {}
    for start in range(0, len(receipt_ids), 2000):
        chunk = receipt_ids[start : start + 2000]
        with client.pipeline(transaction=False) as pipe:
            for rid in chunk:
                pipe.hget(keys.receipt(rid), "state")
            for rid, value in zip(chunk, pipe.execute(), strict=True):
                found[rid] = value.decode() if value is not None else None
    return found


class Watcher:
    """A thread that notes, per accepted receipt, the first time it was seen terminal."""

    def __init__(
        self,
        redis_url: str,
        keys: Keys,
        ledger: Ledger,
        *,
        interval: float = 0.5,
        recent: float = 60.0,
    ):
        # Timeouts of its own: a Valkey that was just killed must not hang the watch.
        self._client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=2)
        self._keys = keys
        self._ledger = ledger
        self._interval = interval
        self._stop = threading.Event()
        self.terminal_at: dict[str, float] = {}
        self.waiting = 0
        # Of those, the ones accepted in the last ``recent`` seconds: the backlog the feeds
        # hold back for (what waits longer is stuck, and must not stop the feeds).
        self.backlog = 0
        self._recent = recent
        # (when, how many ended) per look, for the pace the pipeline is ending receipts at.
        self._ends: list[tuple[float, int]] = []
        self.polls = 0
        # When a receipt was last seen becoming terminal: the pipeline still making headway.
        self.last_progress = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="soak-watch", daemon=True)

    def start(self) -> Watcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self._client.close()

    def poll(self) -> int | None:
        """One look at the receipts not yet terminal; how many are still waiting (None when
        Redis could not be read)."""
        pending = [r for r in self._ledger.receipts() if r not in self.terminal_at]
        try:
            found = states(self._client, self._keys, pending)
        except redis.RedisError:
            return None
        now = time.monotonic()
        ended = 0
        for rid, state in found.items():
            if state in TERMINAL:
                self.terminal_at[rid] = now
                self.last_progress = now
                ended += 1
        self._ends = [(t, n) for t, n in self._ends if t > now - 10] + [(now, ended)]
        self.polls += 1
        left = [rid for rid, state in found.items() if state not in TERMINAL]
        self.waiting = len(left)
        self.backlog = self._ledger.count_since(left, now - self._recent)
        return self.waiting

    @property
    def pace(self) -> float:
        """Receipts ended per second over the last ten seconds."""
        return sum(n for _, n in self._ends) / 10

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.poll()
