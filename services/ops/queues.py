"""Celery queue figures for both queues: single stories (pipeline) and batches (bulk).

Where the Redis transport keeps a queue's messages, and how the oldest one's age is read, is
in ``workers.broker``. A delivered, not yet acknowledged message sits in the hash
``{prefix}:celery:unacked`` (delivery tag -> [message, exchange, routing key]) until its ack.

The age of the oldest message comes from the ``wd_sent_at`` header that ``workers.metrics``
stamps on every message when it is sent; a message sent without it has an unknown age (null).

On RabbitMQ (``WIREDESK_BROKER_URL=amqp://...``) the depth is the broker's own count of ready
messages, asked with a passive queue declare; AMQP does not say how many are unacked or how old
the oldest is, so those read null (RabbitMQ's management API has them).
"""

from __future__ import annotations

import contextlib
import json
import time

import redis
from kombu import Connection

from services.ops.models import QueueFigures
from workers.broker import PRIORITY_STEPS, message_sent_at, queue_lists
from workers.celery_app import is_redis_broker
from workers.keys import Keys
from workers.settings import Settings

__all__ = ["queue_figures"]


def queue_figures(
    r: redis.Redis,
    settings: Settings,
    *,
    running: dict[str, int] | None = None,
    now: float | None = None,
) -> list[QueueFigures]:
    """Figures of the pipeline and bulk queues. ``running``: how many tasks workers say they
    are running, per queue, so that ``reserved`` (prefetched, not started) is what is left of
    ``unacked``."""
    queues = [settings.pipeline_queue, settings.bulk_queue]
    broker = settings.broker_url or settings.redis_url or ""
    if not is_redis_broker(broker):
        return _amqp_figures(broker, queues)
    now = time.time() if now is None else now
    running = running or {}
    celery_prefix = Keys(settings.key_prefix).celery_prefix
    with r.pipeline(transaction=False) as pipe:
        for queue in queues:
            for key in queue_lists(celery_prefix, queue):
                pipe.llen(key)
                pipe.lindex(key, -1)
        pipe.hvals(f"{celery_prefix}unacked")
        *per_list, unacked_values = pipe.execute()
    unacked = dict.fromkeys(queues, 0)
    for value in unacked_values:
        try:
            _message, _exchange, routing_key = json.loads(value)
        except ValueError:
            continue
        if routing_key in unacked:
            unacked[routing_key] += 1
    figures = []
    step = 2 * len(PRIORITY_STEPS)
    for i, queue in enumerate(queues):
        mine = per_list[i * step : (i + 1) * step]
        sent = [s for s in (message_sent_at(m) for m in mine[1::2]) if s is not None]
        figures.append(
            QueueFigures(
                queue=queue,
                depth=sum(mine[0::2]),
                unacked=unacked[queue],
                reserved=max(0, unacked[queue] - running.get(queue, 0)),
                oldest_age_seconds=round(max(0.0, now - min(sent)), 3) if sent else None,
            )
        )
    return figures


def _amqp_figures(broker: str, queues: list[str]) -> list[QueueFigures]:
    figures = []
    with Connection(broker, connect_timeout=3) as conn:
        for queue in queues:
            channel = conn.channel()
            try:
                _name, depth, _consumers = channel.queue_declare(queue=queue, passive=True)
            except conn.channel_errors:
                depth = 0  # not declared yet: no worker or sender has used it
            finally:
                with contextlib.suppress(Exception):
                    channel.close()
            figures.append(
                QueueFigures(
                    queue=queue, depth=depth, unacked=None, reserved=None, oldest_age_seconds=None
                )
            )
    return figures
