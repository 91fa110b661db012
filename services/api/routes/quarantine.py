"""``GET /v1/quarantine``: what the pipeline could not handle, newest first, with reasons.
Editors and operations read it (an editor or ops token); feeds do not."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from schemas import QuarantineEntry
from services.api.deps import EditorOrOpsAuth, StoreDep

__all__ = ["QuarantinePage", "list_quarantine", "router"]

router = APIRouter(tags=["operations"])


class QuarantinePage(BaseModel):
    entries: list[QuarantineEntry]


@router.get("/v1/quarantine", response_model=QuarantinePage, dependencies=[EditorOrOpsAuth])
async def list_quarantine(
    store: StoreDep, limit: int = Query(default=50, ge=1, le=500)
) -> QuarantinePage:
    entries = await run_in_threadpool(lambda: store.list_quarantine(limit=limit))
    return QuarantinePage(entries=entries)
