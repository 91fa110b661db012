"""Per-stage and end-to-end figures from the counters and samples ``workers.metrics`` keeps.

Rates count the runs that ended in the ``SLOT_SECONDS`` slots of the last one and five
minutes (the current, partly elapsed slot included), divided by the window's length.
Percentiles are exact (nearest rank) over the kept samples of the last five minutes.
"""

from __future__ import annotations

import math
import time

import redis

from services.ops.models import Latency, StageFigures
from workers.metrics import (
    END_TO_END,
    OUTCOMES,
    SAMPLE_WINDOW_SECONDS,
    SLOT_SECONDS,
    STAGES,
    MetricKeys,
)

__all__ = ["end_to_end", "latency_of", "percentile", "stage_figures"]


def percentile(ordered: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list; None when it is empty."""
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_of(values: list[float]) -> Latency:
    ordered = sorted(values)
    return Latency(
        count=len(ordered),
        p50=percentile(ordered, 50),
        p95=percentile(ordered, 95),
        p99=percentile(ordered, 99),
        max=ordered[-1] if ordered else None,
    )


def _samples(r: redis.Redis, keys: MetricKeys, name: str, now: float) -> list[float]:
    members = r.zrangebyscore(keys.samples(name), now - SAMPLE_WINDOW_SECONDS, "+inf")
    return [float(m.split(b"|", 1)[0]) for m in members]


def end_to_end(r: redis.Redis, keys: MetricKeys, *, now: float | None = None) -> Latency:
    """Ingest-to-publish latency of the items published in the last five minutes."""
    return latency_of(_samples(r, keys, END_TO_END, time.time() if now is None else now))


def stage_figures(
    r: redis.Redis, keys: MetricKeys, *, now: float | None = None
) -> list[StageFigures]:
    now = time.time() if now is None else now
    current = int(now // SLOT_SECONDS)
    slots = SAMPLE_WINDOW_SECONDS // SLOT_SECONDS
    with r.pipeline(transaction=False) as pipe:
        pipe.hgetall(keys.items)
        for index in range(current - slots + 1, current + 1):
            pipe.hgetall(keys.slot(index))
        totals_raw, *slot_maps = pipe.execute()
    last_minute = 60 // SLOT_SECONDS
    out = []
    for stage in STAGES:
        counts_5m = dict.fromkeys(OUTCOMES, 0)
        ended_1m = 0
        for position, slot in enumerate(slot_maps):
            for outcome in OUTCOMES:
                n = int(slot.get(f"{stage}|{outcome}".encode(), 0))
                counts_5m[outcome] += n
                if position >= len(slot_maps) - last_minute:
                    ended_1m += n
        totals = {o: int(totals_raw.get(f"{stage}|{o}".encode(), 0)) for o in OUTCOMES}
        out.append(
            StageFigures(
                stage=stage,
                rate_1m=round(ended_1m / 60, 4),
                rate_5m=round(sum(counts_5m.values()) / SAMPLE_WINDOW_SECONDS, 4),
                latency_5m=latency_of(_samples(r, keys, stage, now)),
                totals=totals,
                failures_5m=counts_5m["quarantined"] + counts_5m["failed"],
                retries_5m=counts_5m["retry"],
            )
        )
    return out
