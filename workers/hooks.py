"""What every stage run shares, as small hooks around the stage (in the manner of dramatiq's
middleware): each hook has one job, and ``run_stage`` calls them in order.

A hook may do something before the stage (``before_stage``; raising there fails the run as if
the stage had raised), after it succeeded (``after_stage``) or after it failed
(``after_failure``, which answers True when it has settled the failure). The hooks are listed
outermost first: ``before_stage`` runs down the list, ``after_stage`` and ``after_failure`` run
back up it, so the hook that sees a run start first sees it end last. ``STAGE_HOOKS``, the
list ``stage_task`` uses, reads:

    Quarantine      a failure nobody else settled: quarantine the item, stop its chain
    Retry           a passing fault with attempts left: retry the task with backoff
    StageTimer      time the run; log ``stage_done`` when it succeeds
    AttemptCounter  count the start (a redelivery after a crash counts too)
    AttemptCap      refuse an item started more than ``max_attempts`` times
    FaultInjection  the fault drills in settings (``fault_*``): off unless set

The hooks keep no state of their own: what one learns (the attempt number, the start time) it
leaves on the ``StageCall`` for the others. The batch path (``workers.tasks.batch_task``) runs
four stages per item in one task and keeps its own loop, but quarantines, retries and injects
faults with the same functions (``quarantine_item``, ``retry_later``, ``inject_fault``,
``tagger_for``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

import structlog
from celery import Task
from celery.exceptions import Reject, SoftTimeLimitExceeded

from schemas import QuarantineEntry, Story, Tag
from workers.backoff import backoff_delay
from workers.errors import (
    AttemptsExhaustedError,
    PermanentError,
    RetryableError,
    StoreUnavailableError,
)
from workers.metrics import SENT_AT_HEADER, note_quarantined
from workers.settings import Settings
from workers.store import Store
from workers.tagging import tag_story

__all__ = [
    "STAGE_HOOKS",
    "AttemptCap",
    "AttemptCounter",
    "FaultInjection",
    "InjectedFault",
    "InjectedPassingFault",
    "Quarantine",
    "Retry",
    "StageCall",
    "StageHook",
    "StageTimer",
    "inject_fault",
    "quarantine_item",
    "quarantine_reason",
    "retry_delay",
    "retry_later",
    "run_stage",
    "tagger_for",
    "wait_out_outage",
]

# The tasks' logger: the lines the hooks write are the pipeline's lines.
log = structlog.get_logger("wiredesk.pipeline")


@dataclass
class StageCall:
    """One stage on one item, handed to every hook in turn."""

    task: Task
    stage: str
    receipt_id: str
    # The item's feed when the message carries it (every stage after normalise).
    feed: str | None
    store: Store
    settings: Settings
    attempts: int = 0
    started: float = 0.0
    queued_ms: float | None = None


class StageHook:
    """A hook that does nothing; subclasses override the moments they care about."""

    def before_stage(self, call: StageCall) -> None:
        pass

    def after_stage(self, call: StageCall, result: Any) -> None:
        pass

    def after_failure(self, call: StageCall, exc: Exception) -> bool:
        return False


def run_stage(call: StageCall, hooks: Sequence[StageHook], work: Callable[[], Any]) -> Any:
    """``work``'s result, or None when a hook settled its failure. A failure no hook settles
    is raised again; a hook that retries the task raises (Celery's Retry, or Reject)."""
    try:
        for hook in hooks:
            hook.before_stage(call)
        result = work()
    except Exception as exc:
        # Inside the except block on purpose: a hook that logs with log.exception gets the
        # traceback of the stage's failure.
        for hook in reversed(hooks):
            if hook.after_failure(call, exc):
                return None
        raise
    for hook in reversed(hooks):
        hook.after_stage(call, result)
    return result


# ---- before the stage ------------------------------------------------------------------


class StageTimer(StageHook):
    """How long the stage took, and how long its message waited on the queue."""

    def before_stage(self, call: StageCall) -> None:
        call.started = time.perf_counter()
        sent_at = getattr(call.task.request, SENT_AT_HEADER, None)
        call.queued_ms = round((time.time() - sent_at) * 1000, 1) if sent_at else None

    def after_stage(self, call: StageCall, result: Any) -> None:
        if isinstance(result, dict) and result.get("story_id"):
            structlog.contextvars.bind_contextvars(story_id=result["story_id"])
        log.info(
            "stage_done",
            duration_ms=round((time.perf_counter() - call.started) * 1000, 2),
            queued_ms=call.queued_ms,
            attempt=call.attempts,
        )


class AttemptCounter(StageHook):
    """Counts the start in Redis, so a redelivery after a worker died counts as an attempt."""

    def before_stage(self, call: StageCall) -> None:
        call.attempts = call.store.begin_stage(call.receipt_id, call.stage)


class AttemptCap(StageHook):
    """An item that keeps killing workers (or whose passing fault never passed) stops here."""

    def before_stage(self, call: StageCall) -> None:
        if call.attempts > call.settings.max_attempts:
            raise AttemptsExhaustedError(
                f"{call.stage} was started {call.attempts - 1} times without finishing "
                "(workers lost mid-task or passing faults that did not pass)"
            )


class FaultInjection(StageHook):
    """The fault drills of settings (``fault_delay_stage``, ``fault_raise_stage``)."""

    def before_stage(self, call: StageCall) -> None:
        settings, feed = call.settings, call.feed
        if settings.fault_raise_feed and feed is None and settings.fault_raise_stage == call.stage:
            # normalise is handed only the receipt: a drill aimed at one feed reads the feed
            # off it (one round trip, in drills only).
            feed = call.store.load_raw(call.receipt_id)[1].get("feed")
        inject_fault(settings, call.stage, feed)


class InjectedFault(RuntimeError):
    """A stage made to fail on purpose, standing for a bug: quarantined as unexpected."""


class InjectedPassingFault(RetryableError):
    """A stage made to fail on purpose, standing for a passing fault that does not pass."""


def inject_fault(settings: Settings, stage: str, feed: str | None) -> None:
    """Hold or fail ``stage`` (or "tagger") for an item of ``feed`` when a drill says so."""
    if settings.fault_delay_stage == stage:
        time.sleep(settings.fault_delay_seconds)
    if settings.fault_raise_stage == stage and settings.fault_raise_feed in (None, feed):
        kind = InjectedPassingFault if settings.fault_raise_kind == "retryable" else InjectedFault
        raise kind(f"fault drill: {stage} failed on purpose")


def tagger_for(settings: Settings) -> Callable[[Story], list[Tag]]:
    """The tagger the tag stage calls: the real one, wrapped in the drill when one is aimed at
    it (``fault_raise_stage=tagger``), so the stage's own catch is what gets exercised."""
    if "tagger" not in (settings.fault_raise_stage, settings.fault_delay_stage):
        return tag_story

    def drilled_tagger(story: Story) -> list[Tag]:
        inject_fault(settings, "tagger", story.feed)
        return tag_story(story)

    return drilled_tagger


# ---- after a failure -------------------------------------------------------------------


class Retry(StageHook):
    """A passing fault (Redis away, say) is retried with backoff while attempts are left."""

    def after_failure(self, call: StageCall, exc: Exception) -> bool:
        if isinstance(exc, RetryableError) and call.attempts < call.settings.max_attempts:
            delay = retry_delay(call.attempts, call.settings)
            log.warning("stage_retry", error=str(exc), attempt=call.attempts, countdown=delay)
            retry_later(call.task, exc, delay, store=call.store, settings=call.settings)
        return False


class Quarantine(StageHook):
    """Whatever the stage could not handle goes to quarantine with a readable reason, and the
    rest of the item's chain is cancelled; the items behind it go on."""

    def after_failure(self, call: StageCall, exc: Exception) -> bool:
        error: Exception = exc
        cause: Exception | None = None
        if isinstance(exc, SoftTimeLimitExceeded):
            limit = call.settings.task_soft_time_limit
            error, cause = PermanentError(f"{call.stage} took longer than {limit}s"), exc
        elif not isinstance(exc, PermanentError | AttemptsExhaustedError | RetryableError):
            log.exception("stage_crashed")  # a bug must not lose the item: keep the cause
        quarantine_item(call.store, call.receipt_id, call.stage, error, call.attempts, cause=cause)
        call.task.request.chain = call.task.request.callbacks = None
        return True


STAGE_HOOKS: tuple[StageHook, ...] = (
    Quarantine(),
    Retry(),
    StageTimer(),
    AttemptCounter(),
    AttemptCap(),
    FaultInjection(),
)


def retry_delay(attempts: int, settings: Settings) -> float:
    """Seconds before the retry after the ``attempts``-th start failed. A start that could not
    even be counted (attempt 0: Redis was away) waits as long as a first failure."""
    return backoff_delay(
        max(attempts, 1),
        base=settings.retry_backoff_seconds,
        cap=settings.retry_backoff_max_seconds,
        jitter="none",
    )


def retry_later(
    task: Task,
    exc: Exception,
    countdown: float,
    *,
    store: Store | None = None,
    settings: Settings | None = None,
) -> NoReturn:
    """Retry the task after ``countdown`` seconds. Celery sends the retry as a new message and,
    when that send fails (the broker is the Redis that just failed us), rejects the current
    message without requeueing it: the item would be lost. Hand the message back instead: on a
    broker that is reachable it is delivered again, on one that is not it stays unacked and
    returns after the visibility timeout (Redis) or when the connection drops (RabbitMQ).

    When the store itself is away, full or read-only (``StoreUnavailableError``) and ``store``
    is given, the worker first waits for it in place, for up to ``outage_wait_seconds``: the
    retry's message needs the same Redis, and a message kept in hand through a short outage is
    one nobody has to find again."""
    if store is not None and settings is not None and isinstance(exc, StoreUnavailableError):
        wait_out_outage(store, settings.outage_wait_seconds, base=settings.retry_backoff_seconds)
    try:
        raise task.retry(exc=exc, countdown=countdown)
    except Reject as not_sent:
        log.warning("retry_not_sent", error=str(exc), send_error=str(not_sent.reason))
        raise Reject(exc, requeue=True) from exc


def wait_out_outage(store: Store, budget: float, *, base: float = 0.5) -> bool:
    """Wait, with backoff, until Redis takes writes again or ``budget`` seconds pass; whether
    it does. Probing with a write is the point: a full Redis still answers reads."""
    deadline = time.monotonic() + budget
    attempt = 0
    while True:
        if store.accepts_writes():
            if attempt:
                log.info("outage_over", waited_attempts=attempt)
            return True
        attempt += 1
        left = deadline - time.monotonic()
        if left <= 0:
            log.warning("outage_continues", waited_seconds=budget)
            return False
        if attempt == 1:
            log.warning("outage_waiting", budget_seconds=budget)
        time.sleep(min(left, backoff_delay(attempt, base=max(base, 0.1), cap=2.0, jitter="equal")))


def quarantine_reason(exc: BaseException, stage: str) -> str:
    """The reason an editor reads: our own errors say what is wrong; anything else is a bug,
    and says so, with its type and the stage it broke."""
    reason = str(exc) or type(exc).__name__
    if not isinstance(exc, PermanentError | AttemptsExhaustedError | RetryableError):
        reason = f"unexpected {type(exc).__name__} in {stage}: {reason}"
    return reason


def quarantine_item(
    store: Store,
    receipt_id: str,
    stage: str,
    exc: BaseException,
    attempts: int,
    *,
    cause: BaseException | None = None,
) -> None:
    """Quarantine the item with its raw copy. Raises RetryableError when the store is away
    (the caller then tries again later, rather than lose the item)."""
    raw, meta = store.load_raw(receipt_id)
    reason = quarantine_reason(exc, stage)
    entry = QuarantineEntry(
        receipt_id=receipt_id,
        feed=meta.get("feed") or "unknown",
        stage=stage,
        reason=reason,
        error_type=type(cause or exc).__name__,
        quarantined_at=datetime.now(UTC),
        attempts=max(attempts, 1),
    )
    entry_id = store.quarantine(entry, raw)
    note_quarantined(entry.feed)
    log.warning("quarantined", reason=reason, error_type=entry.error_type, entry_id=entry_id)
