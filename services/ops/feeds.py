"""Per-feed figures: when each feed last delivered, how much in the last hour, its errors, and
whether it has gone quiet for longer than its configured idle time
(``WIREDESK_FEED_IDLE_SECONDS``, a JSON map of feed to seconds, else
``WIREDESK_FEED_IDLE_DEFAULT_SECONDS``).

The feeds listed are those with a token, those with an idle time set and any that ever
delivered. A feed that has never delivered is not called idle: there is no silence to measure
yet, and a fresh deployment would otherwise raise an alert per configured feed.
"""

from __future__ import annotations

import time

import redis

from services.ops.models import FeedFigures
from workers.keys import MetricKeys
from workers.metrics import FEED_SLOT_SECONDS
from workers.settings import Settings

__all__ = ["feed_figures"]


def feed_figures(
    r: redis.Redis, keys: MetricKeys, settings: Settings, *, now: float | None = None
) -> list[FeedFigures]:
    now = time.time() if now is None else now
    last_seen = {k.decode(): float(v) for k, v in r.hgetall(keys.feeds).items()}
    names = sorted(set(settings.feed_tokens) | set(settings.feed_idle_seconds) | set(last_seen))
    current = int(now // FEED_SLOT_SECONDS)
    minutes = 3600 // FEED_SLOT_SECONDS
    with r.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.hgetall(keys.feed_totals(name))
        for index in range(current - minutes + 1, current + 1):
            pipe.hgetall(keys.feed_slot(index))
        results = pipe.execute()
    totals, slots = results[: len(names)], results[len(names) :]
    out = []
    for name, total in zip(names, totals, strict=True):
        received_1h = sum(int(s.get(f"received|{name}".encode(), 0)) for s in slots)
        errors_1h = sum(int(s.get(f"errors|{name}".encode(), 0)) for s in slots)
        last = last_seen.get(name)
        quiet = round(max(0.0, now - last), 3) if last is not None else None
        idle_after = settings.feed_idle_seconds.get(name, settings.feed_idle_default_seconds)
        out.append(
            FeedFigures(
                feed=name,
                last_item_at=last,
                quiet_seconds=quiet,
                items_last_hour=received_1h,
                errors_last_hour=errors_1h,
                errors_total=int(total.get(b"errors", 0)),
                retries_total=int(total.get(b"retries", 0)),
                idle_after_seconds=idle_after,
                idle=quiet is not None and quiet > idle_after,
            )
        )
    return out
