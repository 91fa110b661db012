"""Operational figures, recorded in Redis by whichever process sees them happen.

Why Redis and not ``prometheus_client``'s multiprocess mode: wiredesk runs its workers on
several machines against one Redis. Multiprocess files aggregate the processes of one host
only, so every host would need its own scrape and every figure a sum in PromQL, and the ops
API (which answers from one API process) could not see the other hosts at all. Counters and
samples in Redis add up across every process on every machine, the API reads them back for
``/v1/ops`` and renders them for ``/metrics``, and the cost is one pipelined round trip per
stage run. Everything lives under ``{prefix}:ops:`` (see ``MetricKeys``) and expires on its
own; nothing here grows without bound.

Recording never breaks the pipeline: a Redis error while recording is logged and dropped (the
figure is lost, the story is not).

How figures are recorded:
- stage runs, by Celery signals connected when the worker imports this module: ``task_prerun``
  notes the start and what the worker is running, ``task_postrun`` records the outcome
  (``ok``, ``retry``, ``quarantined``, ``failed``) with its duration; ``workers.tasks`` calls
  ``note_quarantined`` when ``stage_task`` sends an item to quarantine, since the task itself
  then ends normally;
- end-to-end latency, when ``publish`` succeeds: now minus the receipt's ``received_at``,
  by the item's path (``PATHS``): ``single`` (one chain per story, what a desk waits on),
  ``bulk`` (a backfill's ``batch_task``) or ``replay`` (a quarantine replay, which counts
  ``replays`` on the receipt, or a re-run over stored stories, ``batch_task(reprocess=True)``).
  Backfills and replays are timed from their original receipt, so a replay of old items
  reads hours: each path has its own histogram, and the latency alert looks at ``single``;
- items received per feed, by ``record_received`` at the front door;
- which workers are alive, by the worker's event heartbeat (``heartbeat_sent``) and
  ``worker_ready``/``worker_shutdown``;
- when each message was sent, in a ``wd_sent_at`` header added by ``before_task_publish``, so
  the age of the oldest waiting message can be read off the queue.
"""

from __future__ import annotations

import contextvars
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
import structlog
from celery import signals

from workers.keys import Keys, MetricKeys

__all__ = [
    "DURATION_BUCKETS",
    "END_TO_END",
    "END_TO_END_BUCKETS",
    "FEED_SLOT_SECONDS",
    "OUTCOMES",
    "PATHS",
    "SAMPLE_WINDOW_SECONDS",
    "SENT_AT_HEADER",
    "SLOT_SECONDS",
    "STAGES",
    "WORKER_TTL_SECONDS",
    "StageRun",
    "batch_path",
    "end_to_end_histogram",
    "note_quarantined",
    "record_batch",
    "record_received",
    "record_runs",
    "record_stage",
]

log = structlog.get_logger("wiredesk.metrics")

STAGES: tuple[str, ...] = ("normalise", "dedupe", "tag", "publish")
OUTCOMES: tuple[str, ...] = ("ok", "retry", "quarantined", "failed")
END_TO_END = "end_to_end"
# How an item went through the pipeline, the ``path`` label of the end-to-end histogram.
PATHS: tuple[str, ...] = ("single", "bulk", "replay")
# Histogram bounds, in seconds, for one stage run and for ingest-to-publish.
DURATION_BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
)  # fmt: skip
END_TO_END_BUCKETS: tuple[float, ...] = (
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0,
)  # fmt: skip
# Rates are counted in slots of this many seconds, kept a little over five minutes.
SLOT_SECONDS = 5
# Latency samples (for exact percentiles) are kept this long, and at most this many per stage.
SAMPLE_WINDOW_SECONDS = 300
SAMPLE_CAP = 20_000
# Items per feed are counted per minute, kept a little over an hour.
FEED_SLOT_SECONDS = 60
# A worker unheard of for this long is taken for dead (Celery heartbeats every 2 s).
WORKER_TTL_SECONDS = 10.0
SENT_AT_HEADER = "wd_sent_at"


# ---- recording -------------------------------------------------------------------------

_clients: dict[tuple[int, str], redis.Redis] = {}


def _client(url: str) -> redis.Redis:
    import os

    key = (os.getpid(), url)  # a connection must not cross a fork
    if key not in _clients:
        from workers.store.client import connect  # the store imports this module

        # Shorter timeouts than the store's: a figure is not worth holding a task up for.
        _clients[key] = connect(url, socket_timeout=5, connect_timeout=3)
    return _clients[key]


def _settings():
    from workers.settings import get_settings

    return get_settings()


def _keys() -> MetricKeys:
    return MetricKeys(Keys(_settings().key_prefix).prefix)


def _bucket_field(value: float, bounds: tuple[float, ...]) -> str:
    for bound in bounds:
        if value <= bound:
            return repr(bound)
    return "+Inf"


def end_to_end_histogram(path: str) -> str:
    """The histogram name (for ``MetricKeys.histogram``) of one path's end-to-end times."""
    return f"{END_TO_END}:{path}"


def batch_path(meta: dict[str, str], *, reprocess: bool) -> str:
    """The path of an item ``batch_task`` ran, from its receipt's fields: ``replay`` when it
    is a re-run or was replayed from quarantine (timed from its first receipt), else ``bulk``."""
    return "replay" if reprocess or _replayed(meta.get("replays")) else "bulk"


def _replayed(replays: Any) -> bool:
    return bool(replays) and int(replays) > 0


def _observe(
    pipe: Any, keys: MetricKeys, name: str, seconds: float, now: float, *, path: str = ""
) -> None:
    """One run into ``name``'s histogram (a path's own for end-to-end) and its samples."""
    is_e2e = name == END_TO_END
    bounds = END_TO_END_BUCKETS if is_e2e else DURATION_BUCKETS
    hist = keys.histogram(end_to_end_histogram(path) if is_e2e else name)
    pipe.hincrby(hist, _bucket_field(seconds, bounds), 1)
    pipe.hincrby(hist, "count", 1)
    pipe.hincrbyfloat(hist, "sum", seconds)
    # The samples (for /v1/ops' exact percentiles) keep every path, as they always have.
    samples = keys.samples(name)
    pipe.zadd(samples, {f"{seconds:.6f}|{uuid.uuid4().hex[:10]}": now})
    pipe.zremrangebyscore(samples, "-inf", now - SAMPLE_WINDOW_SECONDS)
    pipe.zremrangebyrank(samples, 0, -SAMPLE_CAP - 1)
    pipe.expire(samples, SAMPLE_WINDOW_SECONDS * 2)


@dataclass(frozen=True)
class StageRun:
    """One stage's run on one item, as the figures count it."""

    stage: str
    outcome: str
    seconds: float
    feed: str | None = None
    end_to_end: float | None = None
    path: str = "single"  # of the end-to-end time: one of PATHS


def record_runs(
    r: redis.Redis,
    keys: MetricKeys,
    runs: list[StageRun],
    *,
    now: float | None = None,
    finished: tuple[str, str] | None = None,
) -> None:
    """Record stage runs in one pipelined round trip (a batch task records all its items at
    once); ``finished``: the (worker hostname, task id) whose running entry to clear in the
    same round trip. Raises redis errors; callers on the pipeline's path swallow them."""
    if not runs:
        return
    now = time.time() if now is None else now
    slot = keys.slot(int(now // SLOT_SECONDS))
    with r.pipeline(transaction=False) as pipe:
        for run in runs:
            field = f"{run.stage}|{run.outcome}"
            pipe.hincrby(keys.items, field, 1)
            pipe.hincrby(slot, field, 1)
            _observe(pipe, keys, run.stage, run.seconds, now)
            if run.end_to_end is not None:
                _observe(pipe, keys, END_TO_END, run.end_to_end, now, path=run.path)
            if run.feed and run.outcome in ("quarantined", "retry"):
                name = "errors" if run.outcome == "quarantined" else "retries"
                pipe.hincrby(keys.feed_totals(run.feed), name, 1)
                if run.outcome == "quarantined":
                    minute = keys.feed_slot(int(now // FEED_SLOT_SECONDS))
                    pipe.hincrby(minute, f"errors|{run.feed}", 1)
                    pipe.expire(minute, 3600 + 2 * FEED_SLOT_SECONDS)
        pipe.expire(slot, SAMPLE_WINDOW_SECONDS + 60)
        if finished:
            pipe.hdel(keys.running(finished[0]), finished[1])
        pipe.execute()


def record_stage(
    r: redis.Redis,
    keys: MetricKeys,
    stage: str,
    outcome: str,
    seconds: float,
    *,
    feed: str | None = None,
    end_to_end: float | None = None,
    path: str = "single",
    now: float | None = None,
    finished: tuple[str, str] | None = None,
) -> None:
    """Record one stage run. Raises redis errors; the signal handlers swallow them."""
    run = StageRun(stage, outcome, seconds, feed, end_to_end, path)
    record_runs(r, keys, [run], now=now, finished=finished)


def record_batch(runs: list[StageRun]) -> None:
    """Record a batch task's runs, from inside the worker. Never raises."""
    _safely("batch", record_runs, _client(_settings().redis_url), _keys(), runs)


def record_received(r: redis.Redis, prefix: str, feed: str, items: int) -> None:
    """Count items a feed delivered, at the front door. Never raises: a lost figure must not
    turn an accepted delivery into an error."""
    if items <= 0:
        return
    keys = MetricKeys(prefix)
    now = time.time()
    minute = keys.feed_slot(int(now // FEED_SLOT_SECONDS))
    try:
        with r.pipeline(transaction=False) as pipe:
            pipe.hset(keys.feeds, feed, repr(now))
            pipe.hincrby(keys.feed_totals(feed), "received", items)
            pipe.hincrby(minute, f"received|{feed}", items)
            pipe.expire(minute, 3600 + 2 * FEED_SLOT_SECONDS)
            pipe.execute()
    except redis.RedisError as exc:
        log.warning("metrics_not_recorded", what="received", feed=feed, error=str(exc))


# ---- Celery signals --------------------------------------------------------------------

# What the running task's stage_task decided, for task_postrun to read: (outcome, feed).
_verdict: contextvars.ContextVar[tuple[str, str | None] | None] = contextvars.ContextVar(
    "wiredesk_stage_verdict", default=None
)
_started: dict[str, float] = {}
# This worker's name, in its main process (where hard time limits and lost pool processes are
# reported), set when the worker is ready.
_worker_hostname: str | None = None


def note_quarantined(feed: str | None) -> None:
    """Called by ``stage_task`` when it quarantines the item: the task ends without an
    exception, and this is how its run is counted as ``quarantined`` rather than ``ok``."""
    _verdict.set(("quarantined", feed))


def _stage_of(task: Any) -> str | None:
    name = getattr(task, "name", "") or ""
    stage = name.removeprefix("wiredesk.")
    return stage if stage in STAGES else None


def _receipt_of(args: Any) -> str | None:
    if not args:
        return None
    first = args[0]
    if isinstance(first, str):
        return first
    return first.get("receipt_id") if isinstance(first, dict) else None


def _safely(what: str, fn: Any, *args: Any, **kwargs: Any) -> None:
    try:
        fn(*args, **kwargs)
    except Exception as exc:  # figures are best effort; the pipeline goes on without them
        log.warning("metrics_not_recorded", what=what, error=repr(exc))


@signals.before_task_publish.connect
def _stamp_sent_at(headers: dict | None = None, **_: Any) -> None:
    if headers is not None:
        headers.setdefault(SENT_AT_HEADER, time.time())


@signals.task_prerun.connect
def _on_prerun(task_id: str, task: Any, args: Any = None, **_: Any) -> None:
    stage = _stage_of(task)
    if stage is None:
        return
    _started[task_id] = time.perf_counter()
    _verdict.set(None)
    hostname = getattr(task.request, "hostname", None) or "unknown"
    doc = json.dumps({"stage": stage, "receipt_id": _receipt_of(args), "started_at": time.time()})
    _safely(
        "running",
        lambda: _client(_settings().redis_url).hset(_keys().running(hostname), task_id, doc),
    )


@signals.task_postrun.connect
def _on_postrun(
    task_id: str,
    task: Any,
    args: Any = None,
    retval: Any = None,
    state: str | None = None,
    **_: Any,
) -> None:
    stage = _stage_of(task)
    started = _started.pop(task_id, None)
    if stage is None or started is None:
        return
    seconds = time.perf_counter() - started
    verdict = _verdict.get()
    _verdict.set(None)
    payload = args[0] if args and isinstance(args[0], dict) else {}
    feed = payload.get("feed") or structlog.contextvars.get_contextvars().get("feed")
    if verdict is not None:
        outcome, feed = verdict[0], verdict[1] or feed
    elif state == "RETRY":
        outcome = "retry"
    elif state == "SUCCESS":
        outcome = "ok"
    else:
        outcome = "failed"
    end_to_end, path = None, "single"
    if stage == "publish" and outcome == "ok" and payload.get("received_at"):
        received = datetime.fromisoformat(payload["received_at"]).timestamp()
        end_to_end = max(0.0, time.time() - received)
        path = _single_path(payload.get("receipt_id"))
    hostname = getattr(task.request, "hostname", None) or "unknown"
    _safely(
        "stage",
        record_stage,
        _client(_settings().redis_url),
        _keys(),
        stage,
        outcome,
        seconds,
        feed=feed,
        end_to_end=end_to_end,
        path=path,
        finished=(hostname, task_id),
    )


def _single_path(receipt_id: str | None) -> str:
    """``replay`` for a chain a quarantine replay queued (its receipt counts ``replays``),
    else ``single``. The story the chain carries does not say, so the receipt is asked: one
    HGET per published story, and on an error the story counts as ``single``."""
    if not receipt_id:
        return "single"
    try:
        replays = _client(_settings().redis_url).hget(
            Keys(_settings().key_prefix).receipt(receipt_id), "replays"
        )
    except Exception as exc:  # figures are best effort
        log.warning("metrics_not_recorded", what="path", error=repr(exc))
        return "single"
    return "replay" if _replayed(replays) else "single"


@signals.task_failure.connect
def _on_failure(task_id: str | None = None, sender: Any = None, **_: Any) -> None:
    """A failure seen outside the process that ran the task (a hard time limit kills the pool
    process, and its parent reports it): postrun never fires there, so count it here."""
    stage = _stage_of(sender)
    if stage is None or task_id in _started:
        return
    # The killed process never cleared its running entry: clear it here, or /v1/ops would show
    # the task running for as long as this worker lives.
    finished = (_worker_hostname, task_id) if _worker_hostname and task_id else None
    _safely("stage", record_stage, _client(_settings().redis_url), _keys(), stage, "failed", 0.0,
            finished=finished)  # fmt: skip


def _heard_from(hostname: str) -> None:
    _client(_settings().redis_url).zadd(_keys().workers, {hostname: time.time()})


@signals.worker_ready.connect
def _on_worker_ready(sender: Any = None, **_: Any) -> None:
    global _worker_hostname
    hostname = getattr(sender, "hostname", None)
    if hostname:
        _worker_hostname = hostname
        # Whatever this name was running before a crash is not running now.
        _safely("worker", _client(_settings().redis_url).delete, _keys().running(hostname))
        _safely("worker", _heard_from, hostname)


@signals.heartbeat_sent.connect
def _on_heartbeat(sender: Any = None, **_: Any) -> None:
    hostname = getattr(getattr(sender, "eventer", None), "hostname", None)
    if hostname:
        _safely("worker", _heard_from, hostname)


@signals.worker_shutdown.connect
def _on_worker_shutdown(sender: Any = None, **_: Any) -> None:
    hostname = getattr(sender, "hostname", None)
    if hostname:
        r = _client(_settings().redis_url)
        keys = _keys()
        _safely("worker", r.zrem, keys.workers, hostname)
        _safely("worker", r.delete, keys.running(hostname))
