"""The Redis client wiredesk's own keys are read and written through, and the one boundary
where Redis's errors become wiredesk's.

Every Redis caller in workers and services runs inside ``redis_errors()`` (or a function
wrapped with ``translated``): a Redis that cannot be reached, times out, is loading, is full
(maxmemory with noeviction) or has become a read-only replica after a failover raises
``StoreUnavailableError``, which is retryable everywhere (a stage retries, the API answers
503, a poller backs off). The item is never at fault for these, so none of them may ever
quarantine it. Every other Redis error (a script error, a wrong type) is a bug and passes
through as it is, to be logged and quarantined with its own name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar, cast

import redis
import redis.exceptions as rex

from workers.errors import StoreUnavailableError

__all__ = ["OUTAGES", "REFUSALS", "connect", "redis_errors", "text", "text_or_empty", "translated"]

P = ParamSpec("P")
T = TypeVar("T")

# Redis is away: no connection, a timeout, still loading its data set (a ConnectionError).
OUTAGES: tuple[type[Exception], ...] = (rex.ConnectionError, rex.TimeoutError)
# Redis is there but refuses to write: full, or a replica since a failover.
REFUSALS: tuple[type[Exception], ...] = (rex.OutOfMemoryError, rex.ReadOnlyError)


@contextmanager
def redis_errors() -> Iterator[None]:
    """Run a block of Redis calls with Redis's outage errors translated (see the module)."""
    try:
        yield
    except OUTAGES as exc:
        raise StoreUnavailableError(f"Redis unreachable: {exc}") from exc
    except REFUSALS as exc:
        raise StoreUnavailableError(f"Redis refused the write: {exc}") from exc


def translated(fn: Callable[P, T]) -> Callable[P, T]:
    """``fn`` run inside ``redis_errors()``."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with redis_errors():
            return fn(*args, **kwargs)

    return wrapper


def connect(
    url: str | None, *, socket_timeout: float = 10.0, connect_timeout: float = 5.0
) -> redis.Redis:
    """A client for wiredesk's own keys; bytes in and out (raw copy is bytes). Timeouts are
    explicit: a redis-py default once changed under a caller. ``url`` None is a set-up error
    (``make run`` starts an embedded Valkey and sets it; a deployment sets REDIS_URL)."""
    if not url:
        raise ValueError("no Redis URL: set REDIS_URL (make run starts an embedded Valkey)")
    return redis.Redis.from_url(
        url,
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
        health_check_interval=30,
    )


def text(value: Any) -> str | None:
    """A Redis reply as text (the client answers bytes; raw copy must stay bytes). redis-py
    types its replies loosely, hence ``Any``; a value that is neither bytes nor None is
    returned as it came."""
    if isinstance(value, bytes):
        return value.decode()
    return cast("str | None", value)


def text_or_empty(value: Any) -> str:
    """``text``, with '' for a missing value."""
    return text(value) or ""
