"""The ops figures in Prometheus' text format, named the way Celery exporters name theirs.

Every figure is read from Redis at scrape time (one ``take_snapshot`` plus the histogram
hashes), so whichever API replica Prometheus scrapes, it gets the figures of every worker and
API process on every machine: there is no per-process state to merge. Counters only ever grow
(their Redis hashes are never reset); should Redis lose them, Prometheus sees a counter reset,
which ``rate()`` handles. When Redis is unreachable the scrape fails with 503 and Prometheus
records ``up == 0`` for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import redis
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from services.ops.models import OpsSnapshot
from workers.metrics import (
    DURATION_BUCKETS,
    END_TO_END,
    END_TO_END_BUCKETS,
    OUTCOMES,
    STAGES,
    MetricKeys,
)

__all__ = ["METRIC_NAMES", "render"]

# Every series name /metrics exposes (histograms add _bucket, _sum and _count).
METRIC_NAMES: tuple[str, ...] = (
    "wiredesk_queue_length",
    "wiredesk_queue_unacked",
    "wiredesk_queue_reserved",
    "wiredesk_queue_oldest_age_seconds",
    "wiredesk_items_total",
    "wiredesk_stage_duration_seconds",
    "wiredesk_end_to_end_seconds",
    "wiredesk_feed_last_item_timestamp_seconds",
    "wiredesk_feed_items_received_total",
    "wiredesk_feed_errors_total",
    "wiredesk_feed_idle",
    "wiredesk_feed_idle_threshold_seconds",
    "wiredesk_stream_lag",
    "wiredesk_stream_pending",
    "wiredesk_stream_dead_letters",
    "wiredesk_quarantine_size",
    "wiredesk_workers_alive",
    "wiredesk_worker_tasks_running",
    "wiredesk_replays_total",
    "wiredesk_redis_used_memory_bytes",
    "wiredesk_redis_maxmemory_bytes",
)


def _histogram(
    name: str, doc: str, label: str | None, rows: Iterable[tuple[str | None, dict, tuple]]
) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, doc, labels=[label] if label else [])
    for value, raw, bounds in rows:
        counts = {k.decode(): v for k, v in raw.items()}
        running, buckets = 0, []
        for bound in bounds:
            running += int(counts.get(repr(bound), 0))
            buckets.append((repr(bound), running))
        running += int(counts.get("+Inf", 0))
        buckets.append(("+Inf", running))
        family.add_metric(
            [value] if label else [], buckets, sum_value=float(counts.get("sum", 0) or 0)
        )
    return family


class _Figures:
    """A one-shot collector over figures already read."""

    def __init__(self, snapshot: OpsSnapshot, histograms: dict[str, dict], extra: dict):
        self.snapshot = snapshot
        self.histograms = histograms
        self.extra = extra

    def collect(self) -> Iterator[Metric]:
        # The order is the exposition's order: queues, stage runs, feeds, streams, then the
        # single figures and Redis' memory last.
        s = self.snapshot
        yield from _queue_figures(s)
        yield from _stage_figures(s, self.histograms)
        yield from _feed_figures(s, self.extra["received"])
        yield from _stream_figures(s)
        yield GaugeMetricFamily(
            "wiredesk_quarantine_size", "Entries in quarantine.", value=s.quarantine.size
        )
        yield from _worker_figures(s)
        yield CounterMetricFamily(
            "wiredesk_replays", "Items put back through the pipeline.", value=self.extra["replays"]
        )
        yield from _redis_figures(self.extra["memory"])


def _queue_figures(s: OpsSnapshot) -> Iterator[Metric]:
    """Depth, unacked, reserved and oldest age of every Celery queue."""
    queue = {
        "length": GaugeMetricFamily(
            "wiredesk_queue_length", "Messages waiting in the Celery queue.", labels=["queue"]
        ),
        "unacked": GaugeMetricFamily(
            "wiredesk_queue_unacked", "Delivered, not yet acknowledged.", labels=["queue"]
        ),
        "reserved": GaugeMetricFamily(
            "wiredesk_queue_reserved", "Prefetched by a worker, not started.", labels=["queue"]
        ),
        "age": GaugeMetricFamily(
            "wiredesk_queue_oldest_age_seconds",
            "How long the oldest waiting message has waited (0 when none waits).",
            labels=["queue"],
        ),
    }
    for q in s.queues:
        queue["length"].add_metric([q.queue], q.depth)
        if q.unacked is not None:  # None: the broker (RabbitMQ) does not say
            queue["unacked"].add_metric([q.queue], q.unacked)
            queue["reserved"].add_metric([q.queue], q.reserved)
        queue["age"].add_metric([q.queue], q.oldest_age_seconds or 0.0)
    yield from queue.values()


def _stage_figures(s: OpsSnapshot, histograms: dict[str, dict]) -> Iterator[Metric]:
    """Stage runs by outcome, each stage's duration and the end-to-end time."""
    items = CounterMetricFamily(
        "wiredesk_items", "Stage runs by outcome.", labels=["stage", "outcome"]
    )
    for stage in s.stages:
        for outcome in OUTCOMES:
            items.add_metric([stage.stage, outcome], stage.totals.get(outcome, 0))
    yield items
    yield _histogram(
        "wiredesk_stage_duration_seconds",
        "Time one stage run took.",
        "stage",
        ((stage, histograms[stage], DURATION_BUCKETS) for stage in STAGES),
    )
    yield _histogram(
        "wiredesk_end_to_end_seconds",
        "From the item's receipt to its publication.",
        None,
        [(None, histograms[END_TO_END], END_TO_END_BUCKETS)],
    )


def _feed_figures(s: OpsSnapshot, received: dict[str, int]) -> Iterator[Metric]:
    """Per feed: its last item, what it delivered, what was quarantined, and whether it idles."""
    last = GaugeMetricFamily(
        "wiredesk_feed_last_item_timestamp_seconds",
        "Unix time of the feed's last item.",
        labels=["feed"],
    )
    counted = CounterMetricFamily(
        "wiredesk_feed_items_received", "Items received from the feed.", labels=["feed"]
    )
    errors = CounterMetricFamily(
        "wiredesk_feed_errors", "Items of the feed quarantined.", labels=["feed"]
    )
    idle = GaugeMetricFamily(
        "wiredesk_feed_idle", "1 when the feed is quiet past its idle time.", labels=["feed"]
    )
    threshold = GaugeMetricFamily(
        "wiredesk_feed_idle_threshold_seconds", "The feed's idle time.", labels=["feed"]
    )
    for feed in s.feeds:
        if feed.last_item_at is not None:
            last.add_metric([feed.feed], feed.last_item_at)
        counted.add_metric([feed.feed], received.get(feed.feed, 0))
        errors.add_metric([feed.feed], feed.errors_total)
        idle.add_metric([feed.feed], 1.0 if feed.idle else 0.0)
        threshold.add_metric([feed.feed], feed.idle_after_seconds)
    yield from (last, counted, errors, idle, threshold)


def _stream_figures(s: OpsSnapshot) -> Iterator[Metric]:
    """Lag, pending and dead letters of every consumer group on the stories stream."""
    lag = GaugeMetricFamily(
        "wiredesk_stream_lag", "Entries not yet delivered to the group.", labels=["group"]
    )
    pending = GaugeMetricFamily(
        "wiredesk_stream_pending", "Delivered to the group, not acked.", labels=["group"]
    )
    dead = GaugeMetricFamily(
        "wiredesk_stream_dead_letters", "The group's dead-lettered events.", labels=["group"]
    )
    for g in s.consumer_groups:
        if g.lag is not None:
            lag.add_metric([g.group], g.lag)
        pending.add_metric([g.group], g.pending)
        dead.add_metric([g.group], g.dead_lettered)
    yield from (lag, pending, dead)


def _worker_figures(s: OpsSnapshot) -> Iterator[Metric]:
    """How many workers were heard of recently, and how many tasks each runs."""
    yield GaugeMetricFamily(
        "wiredesk_workers_alive", "Workers heard of recently.", value=len(s.workers)
    )
    running = GaugeMetricFamily(
        "wiredesk_worker_tasks_running", "Tasks the worker is running.", labels=["worker"]
    )
    for w in s.workers:
        running.add_metric([w.hostname], len(w.running))
    yield running


def _redis_figures(memory: dict) -> Iterator[Metric]:
    """Redis' used memory against its limit: at the limit every write fails."""
    yield GaugeMetricFamily(
        "wiredesk_redis_used_memory_bytes",
        "Memory Redis uses for wiredesk's data, queues and streams.",
        value=int(memory.get("used_memory", 0)),
    )
    yield GaugeMetricFamily(
        "wiredesk_redis_maxmemory_bytes",
        "Redis maxmemory (0: no limit). At the limit, with noeviction, every write fails.",
        value=int(memory.get("maxmemory", 0)),
    )


def render(r: redis.Redis, keys: MetricKeys, snapshot: OpsSnapshot) -> bytes:
    """The text exposition of ``snapshot`` and the histograms. Raises redis errors."""
    names = [*STAGES, END_TO_END]
    with r.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.hgetall(keys.histogram(name))
        for feed in snapshot.feeds:
            pipe.hget(keys.feed_totals(feed.feed), "received")
        pipe.get(keys.replays)
        pipe.info("memory")
        results = pipe.execute()
    histograms = dict(zip(names, results[: len(names)], strict=True))
    received_raw = results[len(names) : -2]
    extra = {
        "received": {
            f.feed: int(v or 0) for f, v in zip(snapshot.feeds, received_raw, strict=True)
        },
        "replays": int(results[-2] or 0),
        "memory": results[-1],
    }
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Figures(snapshot, histograms, extra))
    return generate_latest(registry)
