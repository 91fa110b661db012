"""What the reconciler reads and writes: the in-flight index of unsettled receipts, the
oldest message the broker still holds, the re-queue count, and the reconciler's lease.

The in-flight index (``Keys.inflight``) is kept by the scripts that move a receipt:
``ingest.lua`` adds it, ``begin_stage.lua`` moves its score to now, ``publish.lua`` and the
quarantine take it off. The reconciler never trusts the index alone: it reads each receipt's
state, and drops entries whose receipt has settled or expired.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import cast

import redis

from workers.broker import message_sent_at, queue_lists, receipts_of_unacked, unacked_key
from workers.store.base import StorePart
from workers.store.client import connect, text, translated

__all__ = ["UNKNOWN", "Overdue", "ReconcileStore"]

#: ``oldest_waiting``'s answer when the broker cannot say (RabbitMQ holds messages).
UNKNOWN = float("-inf")


@dataclass(frozen=True)
class Overdue:
    """An in-flight receipt that made no progress since ``since`` (epoch seconds)."""

    receipt_id: str
    since: float
    state: str | None  # None: the receipt is gone (past retention)
    stage: str | None
    path: str  # 'single' or 'bulk': the door it came in by
    requeues: int


class ReconcileStore(StorePart):
    @translated
    def overdue(self, before: float, *, limit: int = 500) -> list[Overdue]:
        """Up to ``limit`` in-flight receipts without progress since ``before``, longest
        waiting first, each with what its receipt says now."""
        # With withscores, redis-py answers (member, score) pairs.
        rows = cast(
            list[tuple[bytes, float]],
            self._redis.zrangebyscore(
                self.keys.inflight, "-inf", before, start=0, num=limit, withscores=True
            ),
        )
        if not rows:
            return []
        with self._redis.pipeline(transaction=False) as pipe:
            for member, _score in rows:
                pipe.hmget(
                    self.keys.receipt(text(member) or ""), "state", "stage", "path", "requeues"
                )
            answers: list[list[bytes | None]] = pipe.execute()
        return [
            Overdue(
                receipt_id=text(member) or "",
                since=float(score),
                state=text(state),
                stage=text(stage) or None,
                path=text(path) or "single",
                requeues=int(requeues or 0),
            )
            for (member, score), (state, stage, path, requeues) in zip(rows, answers, strict=True)
        ]

    @translated
    def forget_inflight(self, receipt_ids: list[str]) -> None:
        """Take settled or expired receipts off the in-flight index."""
        if receipt_ids:
            self._redis.zrem(self.keys.inflight, *receipt_ids)

    @translated
    def note_requeue(self, receipt_id: str, at: float) -> int:
        """Count one more re-queue of the receipt and restart its clock; the count so far."""
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(self.keys.receipt(receipt_id), "requeues", 1)
            pipe.zadd(self.keys.inflight, {receipt_id: at})
            count, _ = pipe.execute()
        return int(count)

    @translated
    def count_reconciled(self, requeued: int, quarantined: int) -> None:
        """Add to the reconciler's figures (``wiredesk_reconciled_total``)."""
        with self._redis.pipeline(transaction=False) as pipe:
            if requeued:
                pipe.hincrby(self.keys.metrics.reconciled, "requeued", requeued)
            if quarantined:
                pipe.hincrby(self.keys.metrics.reconciled, "quarantined", quarantined)
            pipe.execute()

    @translated
    def inflight_count(self) -> int:
        return int(self._redis.zcard(self.keys.inflight))

    @translated
    def hold_reconcile_lease(self, token: str, seconds: float) -> bool:
        """Take or renew the reconciler's lease; False while another worker holds it."""
        return self._hold_lease(self.keys.reconcile_lock, token, seconds)

    @translated
    def oldest_waiting(self, queues: list[str]) -> float | None:
        """When the oldest message still waiting on any of ``queues`` was sent (epoch seconds):
        None when they are empty, ``UNKNOWN`` when the broker cannot say (not Redis, or a
        message without the send-time header)."""
        client = self._broker_client
        if client is None:
            return UNKNOWN
        celery_prefix = self.keys.celery_prefix
        with client.pipeline(transaction=False) as pipe:
            for queue in queues:
                for name in queue_lists(celery_prefix, queue):
                    pipe.lindex(name, -1)
            heads = [m for m in pipe.execute() if m is not None]
        if not heads:
            return None
        sent = [message_sent_at(m) for m in heads]
        return UNKNOWN if None in sent else min(s for s in sent if s is not None)

    @translated
    def delivered_receipts(self) -> set[str]:
        """Receipts with a message delivered to a worker and not yet acknowledged: in hand, or
        waiting for a pool process (a worker still starting up holds its prefetched messages
        for as long as that takes), or with a dead worker, from whom kombu takes it back after
        the visibility timeout. Either way the broker will run it: not for the reconciler.
        Empty for a broker that is not Redis."""
        client = self._broker_client
        if client is None:
            return set()
        values: list[bytes | str] = client.hvals(unacked_key(self.keys.celery_prefix))
        return {receipt for value in values for receipt in receipts_of_unacked(value)}

    @functools.cached_property
    def _broker_client(self) -> redis.Redis | None:
        """The broker's Redis: the store's own unless another is configured; None for a broker
        that is not Redis (its queue is not ours to read)."""
        from workers.celery_app import is_redis_broker

        url = self.settings.broker_url
        if not url or url == self.settings.redis_url:
            return self._redis
        return connect(url) if is_redis_broker(url) else None
