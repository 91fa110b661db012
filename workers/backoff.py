"""How long a failing feed waits before the next try: exponential backoff with full jitter.

The ceiling doubles with each consecutive failure up to the feed's ``max_backoff``; the delay
is drawn uniformly below it ("full jitter"), so many pollers that failed together (the
upstream went down for everyone) do not come back in lock-step. A server's ``Retry-After`` is
honoured, within the same cap.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["backoff_ceiling", "backoff_delay", "retry_after_seconds"]


def backoff_ceiling(failures: int, *, base: float, cap: float) -> float:
    """The most the ``failures``-th consecutive failure (1, 2, …) may wait: base·2^(n-1), capped."""
    if failures < 1:
        return 0.0
    # Past 2^60 the cap has long won; the bound keeps the float finite.
    return min(cap, base * 2 ** min(failures - 1, 60))


def backoff_delay(
    failures: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """A delay drawn uniformly from [0, ceiling]: full jitter."""
    return (rng or random).uniform(0.0, backoff_ceiling(failures, base=base, cap=cap))


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
