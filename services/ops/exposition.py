"""The ops figures in Prometheus' text format, named the way Celery exporters name theirs.

Every figure is read from Redis at scrape time (one ``take_snapshot`` plus the histogram
hashes), so whichever API replica Prometheus scrapes, it gets the figures of every worker and
API process on every machine: there is no per-process state to merge. Counters only ever grow
(their Redis hashes are never reset); should Redis lose them, Prometheus sees a counter reset,
which ``rate()`` handles. When Redis is unreachable the scrape fails with 503 and Prometheus
records ``up == 0`` for it (``WiredeskTargetDown`` alerts on that, and ``WiredeskTargetAbsent``
when Prometheus has no wiredesk target at all).

Besides the pipeline's figures: HTTP requests by route (``services.api.http_metrics``, in Redis
too), ``wiredesk_build_info`` and the ``process_*``/``python_*`` figures of the API process that
answered the scrape (prometheus_client's own collectors: those alone are per replica).
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import platform
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

import redis
from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    generate_latest,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from services.api.http_metrics import HTTP_BUCKETS, durations_key, requests_key
from services.ops.models import OpsSnapshot
from workers.keys import Keys
from workers.metrics import (
    DURATION_BUCKETS,
    END_TO_END_BUCKETS,
    OUTCOMES,
    PATHS,
    STAGES,
    MetricKeys,
    end_to_end_histogram,
)

__all__ = ["METRIC_NAMES", "build_info", "render"]

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
    "wiredesk_stream_dead_letters_added_total",
    "wiredesk_quarantine_size",
    "wiredesk_workers_alive",
    "wiredesk_worker_tasks_running",
    "wiredesk_replays_total",
    "wiredesk_reconciled_total",
    "wiredesk_inflight",
    "wiredesk_redis_used_memory_bytes",
    "wiredesk_redis_maxmemory_bytes",
    "wiredesk_http_requests_total",
    "wiredesk_http_request_duration_seconds",
    "wiredesk_build_info",
)


def _histogram(
    name: str, doc: str, labels: list[str], rows: Iterable[tuple[list[str], dict, tuple]]
) -> HistogramMetricFamily:
    """A histogram family from hashes of per-bucket (not cumulative) counts and a sum; each
    row is (label values, the hash as read, the bounds)."""
    family = HistogramMetricFamily(name, doc, labels=labels)
    for values, raw, bounds in rows:
        counts = {(k.decode() if isinstance(k, bytes) else k): v for k, v in raw.items()}
        running, buckets = 0, []
        for bound in bounds:
            running += int(counts.get(repr(bound), 0))
            buckets.append((repr(bound), running))
        running += int(counts.get("+Inf", 0))
        buckets.append(("+Inf", running))
        family.add_metric(values, buckets, sum_value=float(counts.get("sum", 0) or 0))
    return family


class _Figures:
    """A one-shot collector over figures already read."""

    def __init__(self, snapshot: OpsSnapshot, histograms: dict[str, dict], extra: dict) -> None:
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
        yield from _stream_figures(s, self.extra["dead_letters_added"])
        yield GaugeMetricFamily(
            "wiredesk_quarantine_size", "Entries in quarantine.", value=s.quarantine.size
        )
        yield from _worker_figures(s)
        yield CounterMetricFamily(
            "wiredesk_replays", "Items put back through the pipeline.", value=self.extra["replays"]
        )
        yield from _reconciler_figures(self.extra["reconciled"], self.extra["inflight"])
        yield from _redis_figures(self.extra["memory"])
        yield from _http_figures(self.extra["http_requests"], self.extra["http_durations"])
        yield _build_info_figure()


def _reconciler_figures(reconciled: dict, inflight: int) -> Iterator[Metric]:
    """What the reconciler (workers/reconcile.py) found stalled, and what is in flight."""
    counts = {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in reconciled.items()}
    family = CounterMetricFamily(
        "wiredesk_reconciled",
        "Items that stopped advancing, queued again by the reconciler or quarantined by it.",
        labels=["outcome"],
    )
    for outcome in ("requeued", "quarantined"):
        family.add_metric([outcome], counts.get(outcome, 0))
    yield family
    yield GaugeMetricFamily(
        "wiredesk_inflight", "Accepted items not yet published, duplicate or quarantined.",
        value=inflight,
    )  # fmt: skip


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
        ["stage"],
        (([stage], histograms[stage], DURATION_BUCKETS) for stage in STAGES),
    )
    # By path: backfills and replays are timed from their first receipt, so only ``single``
    # says how fresh the desk's copy is.
    yield _histogram(
        "wiredesk_end_to_end_seconds",
        "From the item's receipt to its publication, by path (single, bulk, replay).",
        ["path"],
        (([path], histograms[end_to_end_histogram(path)], END_TO_END_BUCKETS) for path in PATHS),
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


def _stream_figures(s: OpsSnapshot, added: dict[str, int | None]) -> Iterator[Metric]:
    """Lag, pending and dead letters of every consumer group on the stories stream.

    The dead-letter stream is trimmed, so its length (the gauge) stops growing once it is
    full; ``increase()`` needs the counter of entries ever added to it (Redis 7's XINFO
    STREAM ``entries-added``, which trimming leaves alone)."""
    lag = GaugeMetricFamily(
        "wiredesk_stream_lag", "Entries not yet delivered to the group.", labels=["group"]
    )
    pending = GaugeMetricFamily(
        "wiredesk_stream_pending", "Delivered to the group, not acked.", labels=["group"]
    )
    dead = GaugeMetricFamily(
        "wiredesk_stream_dead_letters",
        "Dead-lettered events the group's dead-letter stream holds (it is trimmed).",
        labels=["group"],
    )
    dead_added = CounterMetricFamily(
        "wiredesk_stream_dead_letters_added",
        "Events ever dead-lettered by the group (entries added to its dead-letter stream).",
        labels=["group"],
    )
    for g in s.consumer_groups:
        if g.lag is not None:
            lag.add_metric([g.group], g.lag)
        pending.add_metric([g.group], g.pending)
        dead.add_metric([g.group], g.dead_lettered)
        if added.get(g.group) is not None:  # None: a Redis before 7.0 does not say
            dead_added.add_metric([g.group], added[g.group])
    yield from (lag, pending, dead, dead_added)


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


def _http_figures(requests: dict, durations: dict) -> Iterator[Metric]:
    """Requests by method, route template and status, and their durations by method and
    route, from the hashes ``services.api.http_metrics`` keeps."""
    counted = CounterMetricFamily(
        "wiredesk_http_requests",
        "HTTP requests answered, by method, route template and status.",
        labels=["method", "route", "status"],
    )
    for field, n in sorted(requests.items()):
        method, route, status = field.decode().rsplit("|", 2)
        counted.add_metric([method, route, status], int(n))
    yield counted
    # One hash for every route: regroup its fields (``method|route|bound``) by series.
    series: dict[tuple[str, str], dict[str, bytes]] = {}
    for field, n in durations.items():
        method, route, part = field.decode().rsplit("|", 2)
        series.setdefault((method, route), {})[part] = n
    yield _histogram(
        "wiredesk_http_request_duration_seconds",
        "Time from a request's arrival to the end of its response, by method and route.",
        ["method", "route"],
        [([m, route], raw, HTTP_BUCKETS) for (m, route), raw in sorted(series.items())],
    )


@functools.cache
def build_info() -> dict[str, str]:
    """The running build: the package's version, Python's, and the git commit when known
    (``WIREDESK_GIT_COMMIT``, set where the image is built, else the checkout's HEAD)."""
    try:
        version = importlib.metadata.version("wiredesk")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "version": version,
        "python": platform.python_version(),
        "git_commit": os.environ.get("WIREDESK_GIT_COMMIT") or _git_head() or "unknown",
    }


def _git_head() -> str | None:
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _build_info_figure() -> Metric:
    info = build_info()
    family = GaugeMetricFamily(
        "wiredesk_build_info",
        "Always 1; the labels say which build answered (version, python, git commit).",
        labels=list(info),
    )
    family.add_metric(list(info.values()), 1)
    return family


def _dead_letters_added(r: redis.Redis, keys: Keys, groups: list[str]) -> dict[str, int | None]:
    """Group -> entries ever added to its dead-letter stream (0 before the first; None when
    Redis does not say, before 7.0)."""
    if not groups:
        return {}
    with r.pipeline(transaction=False) as pipe:
        for group in groups:
            pipe.xinfo_stream(keys.dead_letters(group))
        answers = pipe.execute(raise_on_error=False)
    out: dict[str, int | None] = {}
    for group, answer in zip(groups, answers, strict=True):
        if isinstance(answer, redis.ResponseError):
            out[group] = 0  # no such stream: nothing was ever dead-lettered
        elif isinstance(answer, Exception):
            raise answer
        else:
            added = answer.get("entries-added")
            out[group] = int(added) if added is not None else None
    return out


def render(r: redis.Redis, keys: MetricKeys, snapshot: OpsSnapshot) -> bytes:
    """The text exposition of ``snapshot``, the histograms, the HTTP figures and the build and
    process figures. Raises redis errors."""
    names = [*STAGES, *(end_to_end_histogram(p) for p in PATHS)]
    with r.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.hgetall(keys.histogram(name))
        for feed in snapshot.feeds:
            pipe.hget(keys.feed_totals(feed.feed), "received")
        pipe.hgetall(requests_key(keys))
        pipe.hgetall(durations_key(keys))
        pipe.get(keys.replays)
        pipe.hgetall(keys.reconciled)
        pipe.zcard(Keys(keys.prefix).inflight)
        pipe.info("memory")
        results = pipe.execute()
    histograms = dict(zip(names, results[: len(names)], strict=True))
    received_raw = results[len(names) : -6]
    extra = {
        "received": {
            f.feed: int(v or 0) for f, v in zip(snapshot.feeds, received_raw, strict=True)
        },
        "http_requests": results[-6],
        "http_durations": results[-5],
        "replays": int(results[-4] or 0),
        "reconciled": results[-3],
        "inflight": int(results[-2] or 0),
        "memory": results[-1],
        "dead_letters_added": _dead_letters_added(
            r, Keys(keys.prefix), [g.group for g in snapshot.consumer_groups]
        ),
    }
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Figures(snapshot, histograms, extra))
    # This process's CPU, memory, file descriptors and garbage collector, and its Python.
    for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        registry.register(collector)
    return generate_latest(registry)
