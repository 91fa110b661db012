"""What wiredesk knows of kombu's Redis transport: where a queue's messages wait, how old the
oldest is, and which Redis errors the worker must wait out rather than die of.

With ``global_keyprefix`` ``{prefix}:celery:``, a queue is the list ``{prefix}:celery:{queue}``
(plus ``{queue}\\x06\\x16{n}`` lists for priorities 3, 6 and 9); messages are LPUSHed and taken
from the right, so the oldest waiting message is the last element. Its age comes from the
``wd_sent_at`` header ``workers.metrics`` stamps on every message it sends.

**A full or read-only Redis is an outage, not a bug.** kombu sorts Redis's errors into
connection errors (the worker reconnects and goes on) and channel errors (Celery's consumer
takes them for unrecoverable and the worker exits). A Redis at ``maxmemory`` answers ``OOM``
to the writes a worker needs to take or requeue a message, and a replica being promoted
answers ``READONLY``: both are ResponseErrors, so both were channel errors, and one full Redis
stopped every worker (``Unrecoverable error: OutOfMemoryError``). ``OutageAwareTransport``
counts them as connection errors, so the consumer reconnects with backoff instead; a message
that could not be requeued stays in kombu's unacked hash (its MULTI is aborted whole) and comes
back after the visibility timeout, and one taken off a queue just as Redis filled is found
again by the reconciler (``workers.reconcile``) from its receipt. The transport also mends
one kombu crash after a lost connection (``_QoS``).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import redis.exceptions
import structlog
from kombu import transport as kombu_transports
from kombu.transport import redis as kombu_redis

from workers.metrics import SENT_AT_HEADER

__all__ = [
    "OUTAGE_ERRORS",
    "PRIORITY_SEP",
    "PRIORITY_STEPS",
    "OutageAwareSentinelTransport",
    "OutageAwareTransport",
    "message_sent_at",
    "queue_lists",
    "receipts_of_unacked",
    "unacked_key",
    "use",
]

log = structlog.get_logger("wiredesk.broker")

PRIORITY_SEP = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)
#: Redis answers that mean "wait": memory full, a read-only replica (the store's REFUSALS, in
#: workers.store.client, which imports this package's store and so cannot be imported here),
#: and a transaction aborted by either of those at queueing time.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    redis.exceptions.OutOfMemoryError,
    redis.exceptions.ReadOnlyError,
    redis.exceptions.ExecAbortError,
)


class _QoS(kombu_redis.QoS):
    """kombu's Redis QoS, made to survive closing a channel after its connection was lost.

    When Redis dies under a consumer, Celery closes the connection, and the channel's close
    hands its delivered messages back first; by then kombu has dropped the connection's
    parameters, and building a client for the hand-back raises AttributeError (``'NoneType'
    object has no attribute 'hostname'``), which escapes Celery's ``ignore_errors`` and exits
    the worker (seen in the fault suite after a Valkey SIGKILL). The messages are still in the
    unacked hash, so leaving them there loses nothing: they come back after the visibility
    timeout."""

    def restore_unacked(self, client: object = None) -> None:
        try:
            super().restore_unacked(client)
        except AttributeError:
            delivered: Any = self._delivered  # kombu declares it None and fills it per channel
            log.warning("unacked_left_for_visibility_timeout", messages=len(delivered or ()))
            if delivered:
                delivered.clear()


class _ClosedAware:
    """A channel whose connection is gone says so with a connection error (which Celery's
    consumer handles: it logs, reconnects, and the message waits out the visibility timeout),
    not with an AttributeError from kombu's ``_connparams`` (seen when a task finished and
    acked through a channel closed under it by a lost connection: the worker exited)."""

    connection: Any

    def _connparams(self, asynchronous: bool = False) -> Any:
        if self.connection is None or getattr(self.connection, "client", None) is None:
            raise redis.exceptions.ConnectionError("the broker channel's connection is closed")
        return super()._connparams(asynchronous)  # type: ignore[misc]


class _Channel(_ClosedAware, kombu_redis.Channel):
    QoS = _QoS


class _SentinelChannel(_ClosedAware, kombu_redis.SentinelChannel):
    QoS = _QoS


class OutageAwareTransport(kombu_redis.Transport):
    """kombu's Redis transport, with a full or read-only Redis counted as a lost connection."""

    Channel = _Channel
    connection_errors = kombu_redis.Transport.connection_errors + OUTAGE_ERRORS
    channel_errors = tuple(
        e for e in kombu_redis.Transport.channel_errors if e not in OUTAGE_ERRORS
    )


class OutageAwareSentinelTransport(kombu_redis.SentinelTransport):
    """The same for Sentinel URLs."""

    Channel = _SentinelChannel
    connection_errors = kombu_redis.SentinelTransport.connection_errors + OUTAGE_ERRORS
    channel_errors = tuple(
        e for e in kombu_redis.SentinelTransport.channel_errors if e not in OUTAGE_ERRORS
    )


def use() -> None:
    """Make ``redis://``, ``rediss://`` and ``sentinel://`` broker URLs load the transports
    above. kombu resolves a URL's scheme through its alias table, which is the one place a
    URL-configured transport can be replaced; done once, on importing the Celery app."""
    for scheme in ("redis", "rediss"):
        kombu_transports.TRANSPORT_ALIASES[scheme] = f"{__name__}:OutageAwareTransport"
    kombu_transports.TRANSPORT_ALIASES["sentinel"] = f"{__name__}:OutageAwareSentinelTransport"


def queue_lists(celery_prefix: str, queue: str) -> list[str]:
    """The Redis lists a queue's waiting messages are in, the default priority's first."""
    return [
        f"{celery_prefix}{queue}" if step == 0 else f"{celery_prefix}{queue}{PRIORITY_SEP}{step}"
        for step in PRIORITY_STEPS
    ]


def unacked_key(celery_prefix: str) -> str:
    """The hash of delivered, not yet acknowledged messages (delivery tag -> JSON of
    [message, exchange, routing key]), kept by kombu until the ack."""
    return f"{celery_prefix}unacked"


def receipts_of_unacked(value: bytes | str) -> list[str]:
    """The receipt ids a delivered message carries: a stage task's first argument (the
    receipt id, or the story with its ``receipt_id``), a batch task's list. [] for a message
    that is not ours or cannot be read."""
    try:
        message = json.loads(value)[0]
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
    except (ValueError, KeyError, IndexError, TypeError):
        return []
    first = args[0] if args else None
    if isinstance(first, str):
        return [first]
    if isinstance(first, dict) and isinstance(first.get("receipt_id"), str):
        return [first["receipt_id"]]
    if isinstance(first, list):
        return [r for r in first if isinstance(r, str)]
    return []


def message_sent_at(message: bytes | None) -> float | None:
    """When a waiting message was sent (epoch seconds), from its ``wd_sent_at`` header."""
    if not message:
        return None
    try:
        value = json.loads(message).get("headers", {}).get(SENT_AT_HEADER)
    except (ValueError, AttributeError):
        return None
    return float(value) if value is not None else None
