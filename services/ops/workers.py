"""Which Celery workers are alive and what each is running.

Workers announce themselves in Redis (``workers.metrics``: on start and on every event
heartbeat, about every 2 s) and note each task they start and end. A worker unheard of for
``WORKER_TTL_SECONDS`` is dead: it is left out, and its entries are removed. This needs no
broadcast round trip, so ``/readyz`` can ask it cheaply, and it works on any broker.
"""

from __future__ import annotations

import json
import time

import redis

from services.ops.models import RunningTask, WorkerFigures
from workers.keys import MetricKeys
from workers.metrics import WORKER_TTL_SECONDS

__all__ = ["alive_workers", "worker_figures"]


def alive_workers(
    r: redis.Redis, keys: MetricKeys, *, now: float | None = None
) -> dict[str, float]:
    """Hostname -> last heard of (unix time), for the workers heard of recently."""
    now = time.time() if now is None else now
    rows = r.zrangebyscore(keys.workers, now - WORKER_TTL_SECONDS, "+inf", withscores=True)
    return {name.decode(): score for name, score in rows}


def worker_figures(
    r: redis.Redis, keys: MetricKeys, *, now: float | None = None
) -> list[WorkerFigures]:
    now = time.time() if now is None else now
    stale = r.zrangebyscore(keys.workers, "-inf", f"({now - WORKER_TTL_SECONDS}")
    if stale:
        with r.pipeline(transaction=False) as pipe:
            pipe.zrem(keys.workers, *stale)
            pipe.delete(*(keys.running(name.decode()) for name in stale))
            pipe.execute()
    alive = alive_workers(r, keys, now=now)
    with r.pipeline(transaction=False) as pipe:
        for name in alive:
            pipe.hgetall(keys.running(name))
        running = pipe.execute()
    out = []
    for (name, seen), tasks in zip(alive.items(), running, strict=True):
        items = []
        for task_id, doc in tasks.items():
            info = json.loads(doc)
            items.append(
                RunningTask(
                    task_id=task_id.decode(),
                    stage=info["stage"],
                    receipt_id=info.get("receipt_id"),
                    running_seconds=round(max(0.0, now - info["started_at"]), 3),
                )
            )
        items.sort(key=lambda t: -t.running_seconds)
        out.append(
            WorkerFigures(hostname=name, last_seen_seconds=round(now - seen, 3), running=items)
        )
    return sorted(out, key=lambda w: w.hostname)
