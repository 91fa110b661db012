"""``/v1/quarantine``: what the pipeline could not handle, newest first, with reasons.

Editors and operations read it (an editor or ops token): the list, filtered and paged, the
audit of what was discarded, and an entry's raw bytes as received. Only operations discard
(an ops token): a discarded item leaves the quarantine for good, with the reason kept on its
receipt's history and in the audit stream. Feeds open none of it. Replay is
``POST /v1/ops/replay``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from schemas import QuarantineEntry
from services.api.deps import (
    BearerDep,
    EditorOrOpsAuth,
    SettingsDep,
    StoreDep,
    token_in,
    unauthorized,
)
from workers.store.quarantine import QuarantineFilter

__all__ = [
    "AuditPage",
    "DiscardAnswer",
    "DiscardRequest",
    "QuarantinePage",
    "discard_entry",
    "list_audit",
    "list_quarantine",
    "raw_entry",
    "router",
]

router = APIRouter(tags=["operations"])


def _check_ops(settings: SettingsDep, token: BearerDep) -> None:
    if not token_in(token, settings.ops_tokens):
        raise unauthorized("ops")


OpsAuth = Depends(_check_ops)


class QuarantinePage(BaseModel):
    entries: list[QuarantineEntry]
    next_cursor: str | None = Field(
        default=None,
        description="Pass as `cursor` for the next page; null when nothing more matches. A "
        "page may hold fewer than `limit` entries while more follow (each request reads a "
        "bounded part of the stream).",
    )


def _bad(message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, message)


def _utc(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


@router.get("/v1/quarantine", response_model=QuarantinePage, dependencies=[EditorOrOpsAuth])
async def list_quarantine(
    store: StoreDep,
    feed: Annotated[str | None, Query(description="Only items from this feed.")] = None,
    stage: Annotated[str | None, Query(description="Only items this stage stopped.")] = None,
    reason: Annotated[
        str | None, Query(max_length=500, description="Text in the reason, any case.")
    ] = None,
    since: Annotated[datetime | None, Query(description="Quarantined at or after.")] = None,
    until: Annotated[datetime | None, Query(description="Quarantined at or before.")] = None,
    limit: int = Query(default=50, ge=1, le=500),
    cursor: str | None = Query(default=None, max_length=200),
) -> QuarantinePage:
    """Newest first. Times without an offset are UTC."""
    since, until = _utc(since), _utc(until)
    if since and until and since > until:
        raise _bad("'since' is after 'until'")
    flt = QuarantineFilter(feed=feed, stage=stage, reason=reason, since=since, until=until)
    try:
        page = await run_in_threadpool(
            lambda: store.page_quarantine(flt, limit=limit, cursor=cursor)
        )
    except ValueError as exc:  # only a cursor this service did not make
        raise _bad(f"cursor: {exc}; pass the next_cursor of an earlier page") from exc
    return QuarantinePage(entries=page.entries, next_cursor=page.next_cursor)


class AuditPage(BaseModel):
    records: list[dict[str, str]] = Field(
        description="Newest first: what was discarded, by whom, when and why (reason_was: why "
        "it had been quarantined)."
    )


@router.get("/v1/quarantine/audit", response_model=AuditPage, dependencies=[EditorOrOpsAuth])
async def list_audit(store: StoreDep, limit: int = Query(default=50, ge=1, le=500)) -> AuditPage:
    return AuditPage(records=await run_in_threadpool(lambda: store.quarantine_audit(limit=limit)))


def _no_entry(entry_id: str) -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND,
        f"no quarantine entry {entry_id!r} (unknown, replayed or discarded)",
    )


@router.get(
    "/v1/quarantine/{entry_id}/raw",
    dependencies=[EditorOrOpsAuth],
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
    summary="An entry's bytes as received",
)
async def raw_entry(entry_id: str, store: StoreDep) -> Response:
    """Byte for byte what the feed sent, with the content type it came with (while its
    receipt is kept), else ``application/octet-stream``."""
    found = await run_in_threadpool(store.quarantine_raw, entry_id)
    if found is None:
        raise _no_entry(entry_id)
    # The header is set as it is, not as media_type: Starlette would add a charset to text/*.
    return Response(
        content=found.raw,
        headers={
            "Content-Type": found.content_type or "application/octet-stream",
            "X-Wiredesk-Receipt": found.receipt_id,
        },
    )


class DiscardRequest(BaseModel):
    reason: str = Field(
        min_length=1, max_length=1000, description="Why it will never be replayed; audited."
    )


class DiscardAnswer(BaseModel):
    entry_id: str
    receipt_id: str
    discarded: bool


@router.post(
    "/v1/quarantine/{entry_id}/discard",
    response_model=DiscardAnswer,
    dependencies=[OpsAuth],
    summary="Take an item out of quarantine for good, with a reason",
)
async def discard_entry(entry_id: str, body: DiscardRequest, store: StoreDep) -> DiscardAnswer:
    """404 for an entry not on the quarantine stream (a second discard, say); 409 when its
    receipt is back in the pipeline."""
    reason = body.reason.strip()
    if not reason:
        raise _bad("reason: say why the item is discarded")
    outcome = await run_in_threadpool(
        lambda: store.discard_quarantined(entry_id, reason=reason, by="ops")
    )
    if not outcome.found:
        raise _no_entry(entry_id)
    if not outcome.discarded:
        raise HTTPException(status.HTTP_409_CONFLICT, outcome.detail)
    return DiscardAnswer(entry_id=entry_id, receipt_id=outcome.receipt_id, discarded=True)
