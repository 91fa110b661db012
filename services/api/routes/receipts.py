"""``GET /v1/receipts/{id}``: what became of an item a feed sent.

Readable by the feed that sent the item (with its own token) and by editors; another feed's
token gets the same 404 as an unknown receipt, so it learns nothing about other feeds' traffic.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from starlette.concurrency import run_in_threadpool

from schemas import Receipt
from services.api.deps import BearerDep, SettingsDep, StoreDep, token_in, unauthorized

__all__ = ["get_receipt", "router"]

router = APIRouter(tags=["ingest"])


@router.get("/v1/receipts/{receipt_id}", response_model=Receipt, name="get_receipt")
async def get_receipt(
    receipt_id: str, store: StoreDep, settings: SettingsDep, token: BearerDep
) -> Receipt:
    editor = token_in(token, settings.editor_tokens)
    if not editor and not token_in(token, list(settings.feed_tokens.values())):
        raise unauthorized("feed or editor")
    receipt = await run_in_threadpool(store.receipt, receipt_id)
    if receipt is not None and not editor:
        own = settings.feed_tokens.get(receipt.feed)
        if own is None or not token_in(token, [own]):
            receipt = None
    if receipt is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no receipt {receipt_id!r} (unknown, or past retention)"
        )
    return receipt
