"""The pipeline's Celery tasks: thin wrappers that load, call a stage function, and hand on.

Every task goes through ``stage_task``, which binds the receipt and stage to the log context
and runs the stage through the hooks all stages share (``workers.hooks``): they count attempts
(a redelivery after a crash counts too), mark the receipt, time the stage, retry passing
faults with backoff, and send whatever the stage cannot handle to quarantine with a readable
reason. An item in quarantine stops its chain; nothing is dropped without a trace, and the
items behind it go on.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from celery import Task, signals
from celery.exceptions import SoftTimeLimitExceeded

from schemas import CheckedStory, EventType, Story, TaggedStory
from workers.celery_app import app
from workers.errors import AttemptsExhaustedError, DecodeError, PermanentError, RetryableError
from workers.hooks import (
    STAGE_HOOKS,
    StageCall,
    inject_fault,
    quarantine_item,
    retry_later,
    run_stage,
    tagger_for,
)
from workers.logs import REQUEST_ID_HEADER
from workers.metrics import StageRun, batch_path, record_batch
from workers.settings import Settings, get_settings
from workers.stages.dedupe import dedupe
from workers.stages.normalise import normalise
from workers.stages.publish import build_event
from workers.stages.tag import tag
from workers.store import Store, connect

__all__ = [
    "StageContext",
    "batch_task",
    "check_declared_charset",
    "dedupe_task",
    "get_store",
    "normalise_task",
    "publish_task",
    "run_normalise",
    "run_publish",
    "stage_task",
    "tag_task",
]

log = structlog.get_logger("wiredesk.pipeline")

_store: tuple[int, Store] | None = None


def get_store() -> Store:
    """This process's store. Made anew after a fork: a Redis connection must not be shared."""
    global _store
    if _store is None or _store[0] != os.getpid():
        settings = get_settings()
        _store = (os.getpid(), Store(connect(settings.redis_url), settings))
    return _store[1]


@dataclass(frozen=True)
class StageContext:
    store: Store
    settings: Settings


def stage_task(stage: str) -> Callable[[Callable[[StageContext, Any], Any]], Task]:
    def decorate(fn: Callable[[StageContext, Any], Any]) -> Task:
        @app.task(name=f"wiredesk.{stage}", bind=True, max_retries=None)
        @functools.wraps(fn)
        def task(self: Task, arg: Any) -> Any:
            receipt_id = arg if isinstance(arg, str) else arg["receipt_id"]
            structlog.contextvars.clear_contextvars()
            structlog.contextvars.bind_contextvars(
                receipt_id=receipt_id, stage=stage, task_id=self.request.id
            )
            _bind_request_id(self)
            if isinstance(arg, dict) and arg.get("feed"):
                structlog.contextvars.bind_contextvars(feed=arg["feed"])
            settings = get_settings()
            try:
                return _run_stage(self, fn, stage, receipt_id, arg, settings)
            except RetryableError as exc:
                # Quarantining failed too: the store is away. Try the stage again later
                # rather than let Celery drop the message.
                log.warning("quarantine_deferred", error=str(exc))
                retry_later(self, exc, settings.retry_backoff_seconds, store=get_store(),
                            settings=settings)  # fmt: skip

        return task

    return decorate


def _run_stage(
    task: Task,
    fn: Callable[[StageContext, Any], Any],
    stage: str,
    receipt_id: str,
    arg: Any,
    settings: Settings,
) -> Any:
    """One stage on one item, through the hooks (``workers.hooks``): its result, or None once
    the item is quarantined (the rest of the chain is then cancelled). Raises RetryableError
    only when quarantining itself failed."""
    store = get_store()
    feed = arg.get("feed") if isinstance(arg, dict) else None
    call = StageCall(task, stage, receipt_id, feed, store, settings)
    return run_stage(call, STAGE_HOOKS, lambda: fn(StageContext(store, settings), arg))


def run_normalise(receipt_id: str, raw: bytes | None, meta: dict[str, str]) -> Story:
    if raw is None:
        raise PermanentError("the raw copy expired before it could be processed")
    check_declared_charset(raw, meta.get("content_type"))
    return normalise(
        raw,
        receipt_id=receipt_id,
        feed=meta["feed"],
        received_at=datetime.fromisoformat(meta["received_at"]),
        format_hint=meta.get("format_hint") or None,
    )


# What ``batch_done`` counts an item as: the event its publish announced (a resend or a
# near-duplicate is announced as a duplicate, a kill as killed), or ``already_published`` when
# a redelivered batch found it done.
_OUTCOME_OF_EVENT = {
    EventType.published: "published",
    EventType.updated: "update",
    EventType.duplicate: "duplicate",
    EventType.killed: "killed",
}


def run_publish(
    ctx: StageContext, story: TaggedStory, *, reprocess: bool = False
) -> tuple[str, str]:
    """Publish the story: (stream event id, what happened, as ``batch_done`` counts it)."""
    event = build_event(story)
    if reprocess and event.type is EventType.published:
        # A re-run over a story consumers already have (after a tagger improvement, say):
        # they get it as an update of what they hold, not as a second first sight.
        event = event.model_copy(update={"type": EventType.updated})
    created, event_id = ctx.store.publish(story, event)
    log.info(
        "published" if created else "already_published",
        event_type=event.type.value,
        event_id=event_id,
        verdict=story.verdict.verdict.value,
    )
    return event_id, _OUTCOME_OF_EVENT[event.type] if created else "already_published"


@stage_task("normalise")
def normalise_task(ctx: StageContext, receipt_id: str) -> dict:
    raw, meta = ctx.store.load_raw(receipt_id)
    structlog.contextvars.bind_contextvars(feed=meta.get("feed"))
    return run_normalise(receipt_id, raw, meta).model_dump(mode="json")


@stage_task("dedupe")
def dedupe_task(ctx: StageContext, payload: dict) -> dict:
    story = Story.model_validate(payload)
    checked = dedupe(story, store=ctx.store, settings=ctx.settings)
    log.info(
        "dedupe_verdict",
        verdict=checked.verdict.verdict.value,
        of_story=checked.verdict.of_story,
        score=checked.verdict.score,
    )
    return checked.model_dump(mode="json")


@stage_task("tag")
def tag_task(ctx: StageContext, payload: dict) -> dict:
    story = CheckedStory.model_validate(payload)
    return tag(story, tagger=tagger_for(ctx.settings)).model_dump(mode="json")


@stage_task("publish")
def publish_task(ctx: StageContext, payload: dict) -> dict:
    story = TaggedStory.model_validate(payload)
    event_id, _ = run_publish(ctx, story)
    return {"receipt_id": story.receipt_id, "story_id": story.story_id, "event_id": event_id}


@app.task(name="wiredesk.batch", bind=True, max_retries=None)
def batch_task(self: Task, receipt_ids: list[str], reprocess: bool = False) -> dict:
    """Many items through the same four stage functions in one task: the bulk path.

    One task per item costs about a millisecond of broker work per stage; here the loads, the
    attempt counts and the figures are one round trip for the whole batch, and each item costs
    only its stages. Each item is handled as ``stage_task`` handles one: a bad item is
    quarantined with the stage and reason and the batch goes on. If Redis goes away the batch
    is retried whole (items already published are not announced twice: publish is guarded).
    A worker killed mid-batch leaves the batch to be redelivered; the attempt count per item
    quarantines an item that keeps killing workers.
    """
    settings = get_settings()
    store = get_store()
    ctx = StageContext(store, settings)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(task_id=self.request.id, batch=len(receipt_ids))
    _bind_request_id(self)
    try:
        attempts = store.begin_stages(receipt_ids, "batch")
        loaded = store.load_raws(receipt_ids)
    except RetryableError as exc:
        retry_later(self, exc, settings.retry_backoff_seconds, store=store, settings=settings)
    runs: list[StageRun] = []
    outcomes: dict[str, int] = {}
    yielded = 0.0
    started = time.monotonic()
    for index, (receipt_id, attempt, (raw, meta)) in enumerate(
        zip(receipt_ids, attempts, loaded, strict=True)
    ):
        structlog.contextvars.bind_contextvars(receipt_id=receipt_id, feed=meta.get("feed"))
        if index and time.monotonic() - started > settings.task_soft_time_limit / 2:
            # A batch that runs long (a busy machine, or long yields to single stories) hands
            # the rest back as a batch of its own while it has time: the time limit is for an
            # item that hangs, never for good items that only waited their turn.
            batch_task.apply_async((receipt_ids[index:], reprocess))
            outcomes["handed_on"] = len(receipt_ids) - index
            break
        try:
            # Single stories first: Redis and the CPU serve both paths, and a flash must not
            # queue behind a backfill's scripts.
            yielded += store.yield_to_urgent(settings.bulk_yield_max_ms)
            outcome = _run_item(ctx, receipt_id, raw, meta, attempt, runs, reprocess=reprocess)
        except SoftTimeLimitExceeded:
            # Out of time on this item: it is quarantined, and the rest go back on the bulk
            # queue as a batch of their own.
            quarantine_item(
                store,
                receipt_id,
                "batch",
                PermanentError(f"batch item took past the {settings.task_soft_time_limit}s limit"),
                attempt,
            )
            rest = receipt_ids[index + 1 :]
            if rest:
                batch_task.apply_async((rest, reprocess))
            outcomes["quarantined"] = outcomes.get("quarantined", 0) + 1
            break
        except RetryableError as exc:
            record_batch(runs)
            retry_later(self, exc, settings.retry_backoff_seconds, store=store, settings=settings)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    record_batch(runs)
    structlog.contextvars.unbind_contextvars("receipt_id", "feed")
    log.info("batch_done", items=len(receipt_ids), yielded_ms=round(yielded * 1000), **outcomes)
    return outcomes


def _run_item(
    ctx: StageContext,
    receipt_id: str,
    raw: bytes | None,
    meta: dict[str, str],
    attempt: int,
    runs: list[StageRun],
    *,
    reprocess: bool = False,
) -> str:
    """One item of a batch through the four stages: what happened to it, from the publish
    result ('published', 'duplicate', 'update', 'killed', 'already_published') or
    'quarantined'."""
    feed = meta.get("feed")
    stage = "normalise"
    durations: dict[str, float] = {}
    try:
        if attempt > ctx.settings.max_attempts:
            raise AttemptsExhaustedError(
                f"batch processing of this item was started {attempt - 1} times without "
                "finishing (workers lost mid-batch)"
            )
        # The fault drills act here as on the single-story path (off unless set).
        started = time.perf_counter()
        inject_fault(ctx.settings, stage, feed)
        story = run_normalise(receipt_id, raw, meta)
        durations[stage] = time.perf_counter() - started
        stage, started = "dedupe", time.perf_counter()
        inject_fault(ctx.settings, stage, feed)
        checked = dedupe(story, store=ctx.store, settings=ctx.settings)
        durations[stage] = time.perf_counter() - started
        stage, started = "tag", time.perf_counter()
        inject_fault(ctx.settings, stage, feed)
        tagged = tag(checked, tagger=tagger_for(ctx.settings))
        durations[stage] = time.perf_counter() - started
        stage, started = "publish", time.perf_counter()
        inject_fault(ctx.settings, stage, feed)
        _, outcome = run_publish(ctx, tagged, reprocess=reprocess)
        durations[stage] = time.perf_counter() - started
    except (RetryableError, SoftTimeLimitExceeded):
        raise
    except Exception as exc:  # the item's own fault, or a bug: quarantine it, go on
        if not isinstance(exc, PermanentError | AttemptsExhaustedError):
            log.exception("stage_crashed", stage=stage)
        quarantine_item(ctx.store, receipt_id, stage, exc, attempt)
        runs += [StageRun(s, "ok", d, feed) for s, d in durations.items()]
        runs.append(StageRun(stage, "quarantined", 0.0, feed))
        return "quarantined"
    end_to_end = time.time() - datetime.fromisoformat(meta["received_at"]).timestamp()
    path = batch_path(meta, reprocess=reprocess)  # bulk, or replay: the end-to-end's label
    runs += [
        StageRun(s, "ok", d, feed, end_to_end if s == "publish" else None, path)
        for s, d in durations.items()
    ]
    log.info(
        "item_done",
        story_id=story.story_id,
        verdict=tagged.verdict.verdict.value,
        outcome=outcome,
        **{f"{s}_ms": round(d * 1000, 2) for s, d in durations.items()},
    )
    return outcome


def check_declared_charset(raw: bytes, content_type: str | None) -> None:
    """A feed that declares a charset on the HTTP request is held to it: bytes that are not
    what it says are quarantined with the offset, not silently read as something else."""
    charset = _charset(content_type)
    if not charset:
        return
    try:
        raw.decode(charset)
    except LookupError:
        raise DecodeError(f"declared charset {charset!r} is unknown") from None
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"declared charset {charset} but byte 0x{raw[exc.start]:02x} at offset {exc.start} "
            f"is not {charset}"
        ) from exc
    except UnicodeError as exc:  # 'undefined', 'idna', 'punycode': no bytes decode at all
        raise DecodeError(f"declared charset {charset!r} cannot decode text: {exc}") from exc


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


@signals.before_task_publish.connect
def _carry_request_id(headers: dict | None = None, **_: Any) -> None:
    """The request id bound where a task is sent goes with it: the API's request for the
    first task of a chain, the stage task before it for the rest (and for retries and a
    batch's remainder), so every stage line of an item carries the id of the request that
    brought it. The worker's logging set-up lives in ``workers.celery_app``."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if headers is not None and request_id:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


def _bind_request_id(task: Task) -> None:
    request_id = getattr(task.request, REQUEST_ID_HEADER, None)
    if isinstance(request_id, str) and request_id:
        structlog.contextvars.bind_contextvars(request_id=request_id)


@signals.worker_init.connect
def _warm_up_before_fork(**_: Any) -> None:
    """Load the gazetteers, taxonomy and language model once in the parent, before the pool forks, so every
    pool process shares them instead of each loading its own copy (about 135 MB, 1 s).

    Then freeze them out of the garbage collector: those objects live for the whole process,
    and a collection that walks them costs tens of milliseconds and touches their pages, which
    turns the pool's shared copy-on-write memory into private copies."""
    import gc

    from workers.language import warm_up as warm_up_language
    from workers.tagging import warm_up

    warm_up()
    warm_up_language()
    gc.freeze()


_reconciler_stop: Any = None


@signals.worker_ready.connect
def _start_reconciler(**_: Any) -> None:
    """Every worker's main process runs the reconciler (``workers.reconcile``); a Redis lease
    lets one sweep at a time, so whichever worker is alive keeps the pipeline whole."""
    global _reconciler_stop
    from workers.pipeline import enqueue, enqueue_batch
    from workers.reconcile import start_reconciler

    settings = get_settings()
    _reconciler_stop = start_reconciler(
        settings,
        enqueue=enqueue,
        enqueue_batch=enqueue_batch,
        make_store=lambda: Store(connect(settings.redis_url), settings),
    )


@signals.worker_shutdown.connect
def _stop_reconciler(**_: Any) -> None:
    if _reconciler_stop is not None:
        _reconciler_stop.set()
