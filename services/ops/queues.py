"""Celery queue figures, read from kombu's own structures in Redis.

With the Redis transport and ``global_keyprefix`` ``{prefix}:celery:``, a queue is the list
``{prefix}:celery:{queue}`` (plus ``{queue}\\x06\\x16{n}`` lists for priorities 3, 6 and 9);
messages are LPUSHed and taken from the right, so the oldest waiting message is the last
element. A delivered, not yet acknowledged message sits in the hash ``{prefix}:celery:unacked``
(delivery tag -> [message, exchange, routing key]) until its ack.

The age of the oldest message comes from the ``wd_sent_at`` header that ``workers.metrics``
stamps on every message when it is sent; a message sent without it has an unknown age (null).
On another broker (RabbitMQ) these keys do not exist: the figures then read zero and the
broker's own management API is the place to look.
"""

from __future__ import annotations

import json
import time

import redis

from services.ops.models import QueueFigures
from workers.keys import Keys
from workers.metrics import SENT_AT_HEADER
from workers.settings import Settings

__all__ = ["queue_figures"]

_PRIORITY_SEP = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)


def _lists(celery_prefix: str, queue: str) -> list[str]:
    return [
        f"{celery_prefix}{queue}" if step == 0 else f"{celery_prefix}{queue}{_PRIORITY_SEP}{step}"
        for step in _PRIORITY_STEPS
    ]


def _sent_at(message: bytes | None) -> float | None:
    if not message:
        return None
    try:
        value = json.loads(message).get("headers", {}).get(SENT_AT_HEADER)
    except (ValueError, AttributeError):
        return None
    return float(value) if value is not None else None


def queue_figures(
    r: redis.Redis, settings: Settings, *, running: int = 0, now: float | None = None
) -> list[QueueFigures]:
    """Figures of the pipeline queue. ``running`` is how many tasks workers say they are
    running, so that ``reserved`` (prefetched, not started) is what is left of ``unacked``."""
    now = time.time() if now is None else now
    celery_prefix = Keys(settings.key_prefix).celery_prefix
    queue = settings.pipeline_queue
    lists = _lists(celery_prefix, queue)
    with r.pipeline(transaction=False) as pipe:
        for key in lists:
            pipe.llen(key)
            pipe.lindex(key, -1)
        pipe.hvals(f"{celery_prefix}unacked")
        *per_list, unacked_values = pipe.execute()
    depth = sum(per_list[0::2])
    sent = [s for s in (_sent_at(m) for m in per_list[1::2]) if s is not None]
    unacked = 0
    for value in unacked_values:
        try:
            _message, _exchange, routing_key = json.loads(value)
        except ValueError:
            continue
        unacked += routing_key == queue
    return [
        QueueFigures(
            queue=queue,
            depth=depth,
            unacked=unacked,
            reserved=max(0, unacked - running),
            oldest_age_seconds=round(max(0.0, now - min(sent)), 3) if sent else None,
        )
    ]
