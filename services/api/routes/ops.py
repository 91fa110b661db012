"""``/v1/ops``: the operations view (queues, stages, end-to-end latency, consumer groups,
quarantine, feeds, workers) and quarantine replay. Ops bearer tokens only
(``WIREDESK_OPS_TOKENS``); feed tokens do not open it. Answers 503 when Redis is unreachable.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, status
from pydantic import BaseModel, Field, model_validator
from starlette.concurrency import run_in_threadpool

from schemas import Receipt
from services.api.deps import SettingsDep, StoreDep
from services.ops.models import (
    ConsumerGroupFigures,
    FeedFigures,
    OpsSnapshot,
    QuarantineFigures,
    QueueFigures,
    WorkerFigures,
)
from services.ops.replay import history, replay
from services.ops.snapshot import take_snapshot
from workers.errors import StoreUnavailableError

__all__ = [
    "HistoryAnswer",
    "ReplayAnswer",
    "ReplayRequest",
    "feeds",
    "groups",
    "ops",
    "quarantine",
    "queues",
    "receipt_history",
    "replay_items",
    "router",
    "stages",
    "workers",
]

router = APIRouter(prefix="/v1/ops", tags=["operations"])


def _check_ops_token(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    scheme, _, token = (authorization or "").partition(" ")
    ok = scheme.lower() == "bearer" and any(
        hmac.compare_digest(token.encode(), t.encode()) for t in settings.ops_tokens
    )
    if not ok:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or wrong ops bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )


OpsAuth = Depends(_check_ops_token)


async def _snapshot(store, newest: int = 10) -> OpsSnapshot:
    try:
        return await run_in_threadpool(take_snapshot, store, quarantine_newest=newest)
    except StoreUnavailableError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc


@router.get("", response_model=OpsSnapshot, dependencies=[OpsAuth], summary="Every figure")
async def ops(store: StoreDep, newest: int = Query(default=10, ge=0, le=200)) -> OpsSnapshot:
    return await _snapshot(store, newest)


@router.get("/queues", response_model=list[QueueFigures], dependencies=[OpsAuth])
async def queues(store: StoreDep) -> list[QueueFigures]:
    return (await _snapshot(store, 0)).queues


@router.get("/stages", dependencies=[OpsAuth])
async def stages(store: StoreDep) -> dict:
    snap = await _snapshot(store, 0)
    return {
        "stages": [s.model_dump() for s in snap.stages],
        "end_to_end_5m": snap.end_to_end_5m.model_dump(),
    }


@router.get("/groups", response_model=list[ConsumerGroupFigures], dependencies=[OpsAuth])
async def groups(store: StoreDep) -> list[ConsumerGroupFigures]:
    return (await _snapshot(store, 0)).consumer_groups


@router.get("/quarantine", response_model=QuarantineFigures, dependencies=[OpsAuth])
async def quarantine(
    store: StoreDep, newest: int = Query(default=10, ge=0, le=500)
) -> QuarantineFigures:
    return (await _snapshot(store, newest)).quarantine


@router.get("/feeds", response_model=list[FeedFigures], dependencies=[OpsAuth])
async def feeds(store: StoreDep) -> list[FeedFigures]:
    return (await _snapshot(store, 0)).feeds


@router.get("/workers", response_model=list[WorkerFigures], dependencies=[OpsAuth])
async def workers(store: StoreDep) -> list[WorkerFigures]:
    return (await _snapshot(store, 0)).workers


class ReplayRequest(BaseModel):
    ids: list[str] = Field(default_factory=list, description="Receipt or quarantine entry ids.")
    all: bool = Field(default=False, description="Every quarantined item.")
    stage: str | None = Field(default=None, description="Only items quarantined by this stage.")
    feed: str | None = Field(default=None, description="Only items from this feed.")
    since: datetime | None = Field(default=None, description="Only items quarantined from then.")
    until: datetime | None = Field(default=None, description="Only items quarantined to then.")
    dry_run: bool = Field(default=False, description="Say what would be replayed; change nothing.")

    @model_validator(mode="after")
    def _something(self) -> ReplayRequest:
        if not self.ids and not self.all:
            raise ValueError("name the items to replay in 'ids', or set 'all'")
        # A time without an offset is UTC, so the two compare and match stored times.
        self.since = self.since and _utc(self.since)
        self.until = self.until and _utc(self.until)
        if self.since and self.until and self.since > self.until:
            raise ValueError("'since' is after 'until'")
        return self


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class ReplayAnswer(BaseModel):
    replayed: int
    results: list[dict]
    # Only in a dry run's answer (left out otherwise, so a replay's answer reads as before).
    dry_run: bool | None = None
    would_replay: int | None = Field(default=None, description="Items a dry run would replay.")


@router.post(
    "/replay", response_model=ReplayAnswer, response_model_exclude_none=True, dependencies=[OpsAuth]
)
async def replay_items(body: ReplayRequest, store: StoreDep) -> ReplayAnswer:
    from workers.pipeline import enqueue

    try:
        results = await run_in_threadpool(
            lambda: replay(
                store,
                enqueue,
                ids=body.ids,
                everything=body.all,
                stage=body.stage,
                feed=body.feed,
                since=body.since,
                until=body.until,
                dry_run=body.dry_run,
            )
        )
    except StoreUnavailableError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
    return ReplayAnswer(
        replayed=sum(r.replayed for r in results),
        results=[r.as_dict() for r in results],
        dry_run=body.dry_run or None,
        would_replay=sum(r.would_replay for r in results) if body.dry_run else None,
    )


class HistoryAnswer(BaseModel):
    receipt: Receipt
    history: list[dict]


@router.get("/receipts/{receipt_id}/history", response_model=HistoryAnswer, dependencies=[OpsAuth])
async def receipt_history(receipt_id: str, store: StoreDep) -> HistoryAnswer:
    receipt = await run_in_threadpool(store.receipt, receipt_id)
    if receipt is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no receipt {receipt_id!r}")
    return HistoryAnswer(
        receipt=receipt, history=await run_in_threadpool(history, store, receipt_id)
    )
