"""Every ops figure at one moment, read in a few pipelined round trips. Raises
``StoreUnavailableError`` when Redis cannot be reached."""

from __future__ import annotations

import time

import redis

from services.ops.feeds import feed_figures
from services.ops.models import OpsSnapshot
from services.ops.queues import queue_figures
from services.ops.stages import end_to_end, stage_figures
from services.ops.streams import consumer_groups, quarantine_figures
from services.ops.workers import worker_figures
from workers.store import Store

__all__ = ["take_snapshot"]


def take_snapshot(store: Store, *, quarantine_newest: int = 10) -> OpsSnapshot:
    settings, keys, now = store.settings, store.keys.metrics, time.time()

    def read(r: redis.Redis) -> OpsSnapshot:
        workers = worker_figures(r, keys, now=now)
        tasks = [t for w in workers for t in w.running]
        batches = sum(t.stage == "batch" for t in tasks)
        running = {settings.bulk_queue: batches, settings.pipeline_queue: len(tasks) - batches}
        return OpsSnapshot(
            taken_at=now,
            queues=queue_figures(r, settings, running=running, now=now),
            stages=stage_figures(r, keys, now=now),
            end_to_end_5m=end_to_end(r, keys, now=now),
            consumer_groups=consumer_groups(r, store.keys),
            quarantine=quarantine_figures(store, newest=quarantine_newest),
            feeds=feed_figures(r, keys, settings, now=now),
            workers=workers,
        )

    return store.read_figures(read)
