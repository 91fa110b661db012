"""The Celery application, configured for a pipeline that must not lose a story.

What each reliability setting buys (see the design brief's list of Celery-on-Redis pitfalls):
- ``task_acks_late``: a message is acked only when its task has finished, so a worker that dies
  mid-task leaves it to be delivered again;
- ``task_reject_on_worker_lost``: that also holds when the worker process is killed by a signal
  (otherwise Celery acks it); the attempt counter in ``workers.tasks`` stops a poison item from
  killing workers for ever;
- ``task_acks_on_timeout=False``: a task killed at its hard time limit is requeued rather than
  acked, and the same counter bounds that too. A failure is rejected without requeue
  (``task_acks_on_failure=False``; RabbitMQ dead-letters it where a dead-letter exchange is set),
  but no item's own fault ever fails a task: the stage wrapper quarantines it, and a retry the
  broker would not take is handed back (``workers.tasks.retry_later``), not dropped;
- ``worker_prefetch_multiplier=1``: a worker holds one waiting message per process, because
  the visibility timeout counts from delivery, not from the start of the task;
- ``visibility_timeout`` well above ``task_time_limit``: a slow task is never handed to a
  second worker while the first still runs it;
- ``worker_cancel_long_running_tasks_on_connection_loss``: a task whose broker connection went
  away is stopped, since its ack can no longer reach the broker and it will run again;
- ``unacked_restore_interval``: how soon a message of a dead worker is found again, once
  its visibility timeout has passed;
- ``broker_connection_retry_on_startup``: workers wait for Redis instead of exiting.

The broker is Redis unless ``WIREDESK_BROKER_URL`` names another (RabbitMQ: ``amqp://``);
Redis stays the store and the bus. The transport options above (visibility timeout, key
prefix, unacked sweep) belong to kombu's Redis transport and are only set for it: on RabbitMQ
an unacked message returns to the queue when its consumer's connection closes, and the vhost
separates deployments. See deploy/OPERATIONS.md.

The worker's logging is set up here, by signals only a worker sends (the API imports this app
too, to send tasks, and is left alone): with ``log_json`` every line of the worker's output is
one JSON object, Celery's console text included (see ``_log_worker_in_json``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

import structlog
from celery import Celery, signals

from workers import broker
from workers.keys import Keys
from workers.logs import configure_logging
from workers.settings import Settings, get_settings

__all__ = ["app", "celery_config", "is_redis_broker"]

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://", "redis+socket://", "sentinel://")


def is_redis_broker(url: str) -> bool:
    return url.startswith(_REDIS_SCHEMES)


def celery_config(settings: Settings) -> dict[str, Any]:
    if not settings.redis_url:
        raise RuntimeError(
            "REDIS_URL is not set: start wiredesk with `make run` (which starts an embedded "
            "Valkey), or point REDIS_URL at a Redis 7+ or Valkey 8+ server"
        )
    broker = settings.broker_url or settings.redis_url
    transport_options: dict[str, Any] = {}
    if is_redis_broker(broker):
        transport_options = {
            "visibility_timeout": settings.visibility_timeout,
            "global_keyprefix": Keys(settings.key_prefix).celery_prefix,
            # kombu sweeps every interval x throttle seconds (100 s by default); one knob is
            # clearer, and a sweep is a single ZRANGE.
            "unacked_restore_interval": settings.unacked_restore_interval,
            "unacked_restore_throttle": 1,
        }
    return {
        "broker_url": broker,
        "broker_transport_options": transport_options,
        "broker_connection_retry_on_startup": True,
        "result_backend": None,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_default_queue": settings.pipeline_queue,
        "task_routes": {"wiredesk.batch": {"queue": settings.bulk_queue}},
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure": False,
        "task_acks_on_timeout": False,
        "task_soft_time_limit": settings.task_soft_time_limit,
        "task_time_limit": settings.task_time_limit,
        "worker_prefetch_multiplier": 1,
        "worker_concurrency": settings.worker_concurrency,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "worker_hijack_root_logger": False,
        # Task events cost four PUBLISHes per task; off unless a monitor (Flower) wants them.
        # Worker heartbeats, which the ops view reads, are sent either way.
        "worker_send_task_events": settings.task_events,
        "task_send_sent_event": settings.task_events,
        "enable_utc": True,
    }


# A full or read-only Redis broker is waited out, never a worker exit (workers.broker).
broker.use()
app = Celery("wiredesk", include=["workers.tasks"])
# Read lazily, when a task is first sent or a worker starts: importing the app (the API does,
# to send tasks) needs no Redis and no settings yet.
app.config_from_object("workers.celeryconfig")

log = structlog.get_logger("wiredesk.worker")


def _configure_worker_logging() -> None:
    settings = get_settings()
    # The real stdout, always: once stdout is redirected into logging (below) a handler
    # writing to sys.stdout would feed itself.
    configure_logging(json=settings.log_json, level=settings.log_level, stream=sys.__stdout__)
    # Celery's own per-task lines ("received", "succeeded in") repeat our stage_done and
    # batch_done lines, which carry the receipt, stage and duration; at 50 stories a second
    # they were eight extra JSON lines a story. Failures are still logged (at ERROR).
    if settings.log_level.upper() != "DEBUG":
        for name in ("celery.worker.strategy", "celery.app.trace"):
            logging.getLogger(name).setLevel(logging.WARNING)


@signals.celeryd_init.connect
def _log_worker_in_json(instance: Any = None, **_: Any) -> None:
    """The worker's first moment, before Celery checks privileges (a ``SecurityWarning`` when
    run as root) and prints its banner: logging is set up now so that warning is a log event,
    and with ``log_json`` the plain-text console output is replaced by JSON lines.

    - the banner (a dozen lines of ASCII art and settings) is turned off; ``worker_starting``
      below logs the same facts;
    - Celery's notices from its signal handlers ("worker: Warm shutdown (MainProcess)") are
      written by ``celery.apps.worker.safe_say``, straight to the file descriptor; it is
      replaced by a writer of one JSON line, as safe inside a signal handler (no locks);
    - stray ``print`` output and text written to stderr become log events (Celery's
      ``redirect_stdouts``, which it skips itself when logging is ours)."""
    _configure_worker_logging()
    if not get_settings().log_json:
        return
    if instance is not None:
        instance.quiet = True
    import celery.apps.worker as celery_worker

    if hasattr(celery_worker, "safe_say"):
        celery_worker.safe_say = _say_as_json


def _say_as_json(msg: str, f: TextIO | None = sys.__stderr__) -> None:
    """What ``celery.apps.worker.safe_say`` does (an unbuffered write, from signal handlers),
    as one JSON line shaped like the structlog ones."""
    line = json.dumps(
        {
            "event": "worker_notice",
            "notice": str(msg).strip(),
            "level": "warning",
            "logger": "celery.apps.worker",
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
    )
    # As Celery's: losing a notice must never break a shutdown.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        stream = f or sys.__stdout__
        if stream is not None:
            os.write(stream.fileno(), f"{line}\n".encode())


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    """Connected, so Celery leaves the root logger to us (``worker_hijack_root_logger`` is off
    too); then stdout and stderr into logging, in JSON mode."""
    _configure_worker_logging()
    if get_settings().log_json:
        app.log.redirect_stdouts("WARNING")


@signals.celeryd_after_setup.connect
def _log_worker_starting(sender: str, instance: Any = None, **_: Any) -> None:
    """What the banner said, as one event: name, queues, pool size, tasks."""
    queues = sorted(app.amqp.queues.consume_from or app.amqp.queues)
    log.info(
        "worker_starting",
        hostname=sender,
        queues=queues,
        concurrency=getattr(instance, "concurrency", None),
        tasks=sorted(name for name in app.tasks if not name.startswith("celery.")),
    )
