"""The reconciler: every receipt the front door accepted reaches a settled state (published,
duplicate, quarantined) within a bounded time, whatever died on the way.

Celery and the broker already bring back most of what a crash leaves: a task whose worker
died is redelivered (``task_reject_on_worker_lost``, the visibility timeout). What they cannot
bring back is a message that never existed or was lost whole: an API killed between keeping a
receipt and queuing it, a worker group killed between one stage's end and the next stage's
message, a message taken off a queue just as Redis filled up. Such an item has its receipt
and raw copy but nothing that will ever run it.

Every ``reconcile_period_seconds`` the worker holding the reconciler's lease (one at a time,
whichever worker it is; the lease lapses within seconds of its holder dying) looks at the
in-flight receipts that made no progress for ``reconcile_after_seconds``:

- settled or expired ones leave the index (the index is a hint; the receipt decides);
- an item whose message a worker has been handed and not acknowledged is the broker's to run
  (a worker still starting holds its prefetched messages; a dead worker's come back after the
  visibility timeout): left alone;
- while a queue still holds a message sent around the item's last progress, the item may be
  waiting in it: under a backlog nothing is stuck, only late, so the sweep waits (a Redis
  broker's oldest message says when it was sent; a RabbitMQ broker cannot say, and there the
  deadline alone decides);
- the rest are queued again from their raw copy, by the door they came in by. The stages are
  idempotent (the attempt counts, the dedupe of a receipt against itself, the publish guard),
  so an item that was in fact still alive somewhere is still published once;
- an item re-queued ``reconcile_max_requeues`` times without settling is quarantined with
  the reason, as any item that keeps failing is.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from schemas import ReceiptState
from workers.errors import AttemptsExhaustedError, StoreUnavailableError
from workers.hooks import quarantine_item
from workers.settings import Settings
from workers.store import Overdue, Store
from workers.store.reconcile import UNKNOWN

__all__ = ["Sweep", "start_reconciler", "sweep"]

log = structlog.get_logger("wiredesk.reconcile")

_SETTLED = {
    ReceiptState.published.value,
    ReceiptState.duplicate.value,
    ReceiptState.quarantined.value,
    ReceiptState.discarded.value,
}


@dataclass
class Sweep:
    """What one sweep did."""

    requeued: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    forgotten: int = 0  # settled or expired receipts taken off the index
    held: int = 0  # overdue, but the broker may still hold their message


def sweep(
    store: Store,
    settings: Settings,
    *,
    enqueue: Callable[[str], None],
    enqueue_batch: Callable[[list[str]], None],
    now: float | None = None,
) -> Sweep:
    """One pass over the overdue in-flight receipts (see the module's docstring). Raises
    StoreUnavailableError when Redis is away, and the broker's errors when it cannot queue."""
    now = time.time() if now is None else now
    result = Sweep()
    overdue = store.overdue(now - settings.reconcile_after_seconds)
    if not overdue:
        return result
    heads = {
        "single": store.oldest_waiting([settings.pipeline_queue]),
        "bulk": store.oldest_waiting([settings.bulk_queue]),
    }
    delivered = store.delivered_receipts()
    gone: list[str] = []
    bulk: list[str] = []
    for item in overdue:
        if item.state is None or item.state in _SETTLED:
            gone.append(item.receipt_id)
            continue
        if item.receipt_id in delivered or _may_still_be_queued(
            item, heads.get(item.path), settings
        ):
            result.held += 1
            continue
        if item.requeues >= settings.reconcile_max_requeues:
            _give_up(store, item)
            result.quarantined.append(item.receipt_id)
            continue
        if item.path == "bulk":
            bulk.append(item.receipt_id)
        else:
            # Queued first, counted after: a broker that refuses the message leaves the count
            # as it was, and the next sweep tries again.
            enqueue(item.receipt_id)
            store.note_requeue(item.receipt_id, now)
            result.requeued.append(item.receipt_id)
    for start in range(0, len(bulk), settings.batch_size):
        chunk = bulk[start : start + settings.batch_size]
        enqueue_batch(chunk)
        for receipt_id in chunk:
            store.note_requeue(receipt_id, now)
        result.requeued += chunk
    store.forget_inflight(gone)
    result.forgotten = len(gone)
    if result.requeued or result.quarantined:
        store.count_reconciled(len(result.requeued), len(result.quarantined))
    return result


def _may_still_be_queued(item: Overdue, oldest: float | None, settings: Settings) -> bool:
    """Whether the item's message may still be waiting on its queue. Its last message was sent
    at or after its last progress, and at most a stage's time limit later; a queue is taken
    oldest first, so once the oldest message waiting there is younger than that, the item's
    is not waiting any more."""
    if oldest is None or oldest == UNKNOWN:
        return False
    return oldest <= item.since + settings.task_time_limit


def _give_up(store: Store, item: Overdue) -> None:
    where = f"in {item.stage}" if item.stage else "before its first stage"
    reason = AttemptsExhaustedError(
        f"stalled {where}: queued again {item.requeues} times by the reconciler without "
        "settling (its messages were lost or its workers kept dying)"
    )
    quarantine_item(store, item.receipt_id, item.stage or "queued", reason, item.requeues + 1)


def start_reconciler(
    settings: Settings,
    *,
    enqueue: Callable[[str], None],
    enqueue_batch: Callable[[list[str]], None],
    make_store: Callable[[], Store],
) -> threading.Event | None:
    """Run the reconciler in a daemon thread of this process (a worker's main process) until
    the returned event is set; None when it is turned off (``reconcile_period_seconds`` 0)."""
    period = settings.reconcile_period_seconds
    if period <= 0:
        return None
    stop = threading.Event()

    def loop() -> None:
        token = uuid.uuid4().hex
        lease = max(3 * period, 10.0)
        store: Store | None = None
        while not stop.wait(period):
            try:
                store = store or make_store()
                if not store.hold_reconcile_lease(token, lease):
                    continue
                done = sweep(store, settings, enqueue=enqueue, enqueue_batch=enqueue_batch)
                if done.requeued or done.quarantined:
                    log.warning(
                        "reconciled",
                        requeued=len(done.requeued),
                        quarantined=len(done.quarantined),
                        held=done.held,
                        first=(done.requeued or done.quarantined)[0],
                    )
            except StoreUnavailableError as exc:
                log.warning("reconcile_deferred", error=str(exc))
            except Exception:  # the broker refused, or a bug: log it, try again next period
                log.exception("reconcile_failed")

    threading.Thread(target=loop, name="wiredesk-reconciler", daemon=True).start()
    return stop
