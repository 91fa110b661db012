"""How long anything that failed waits before the next try: exponential backoff with jitter.

One policy for the whole service (pollers, webhook deliveries, stage retries): the ceiling
doubles with each consecutive failure from ``base`` up to ``cap``, and the delay is drawn
below it, so many clients that failed together (an upstream or Redis went down for everyone)
do not come back in lock-step. "full" jitter draws from [0, ceiling] (pollers: spread widest);
"equal" from [ceiling/2, ceiling] (a webhook subscriber or a stage retry should not come back
at once either, but should not come back far sooner than planned); "none" is the ceiling
itself, for callers whose retry the broker already spreads. A server's ``Retry-After`` is
honoured by the callers, within the same cap.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

__all__ = ["Jitter", "backoff_ceiling", "backoff_delay", "retry_after_seconds"]

Jitter = Literal["full", "equal", "none"]


def backoff_ceiling(failures: int, *, base: float, cap: float) -> float:
    """The most the ``failures``-th consecutive failure (1, 2, …) may wait: base·2^(n-1), capped."""
    if failures < 1:
        return 0.0
    # Past 2^60 the cap has long won; the bound keeps the float finite.
    return min(cap, base * 2 ** min(failures - 1, 60))


def backoff_delay(
    failures: int,
    *,
    base: float,
    cap: float,
    jitter: Jitter = "full",
    rng: random.Random | None = None,
) -> float:
    """The wait after the ``failures``-th consecutive failure, drawn as ``jitter`` says."""
    ceiling = backoff_ceiling(failures, base=base, cap=cap)
    if jitter == "none":
        return ceiling
    floor = ceiling / 2 if jitter == "equal" else 0.0
    return (rng or random).uniform(floor, ceiling)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header (seconds or an HTTP date) in seconds; None when absent or
    unreadable, so the caller falls back to its own backoff."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
