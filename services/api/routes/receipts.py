"""``GET /v1/receipts/{id}``: what became of an item a feed sent."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from starlette.concurrency import run_in_threadpool

from schemas import Receipt
from services.api.deps import StoreDep

router = APIRouter(tags=["ingest"])


@router.get("/v1/receipts/{receipt_id}", response_model=Receipt, name="get_receipt")
async def get_receipt(receipt_id: str, store: StoreDep) -> Receipt:
    receipt = await run_in_threadpool(store.receipt, receipt_id)
    if receipt is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no receipt {receipt_id!r} (unknown, or past retention)"
        )
    return receipt
