"""Receipts: what the ingest front door answers, and what a feed can poll afterwards."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

__all__ = ["IngestAccepted", "Receipt", "ReceiptRef", "ReceiptState"]


class ReceiptState(StrEnum):
    queued = "queued"
    processing = "processing"
    published = "published"
    duplicate = "duplicate"
    quarantined = "quarantined"
    discarded = "discarded"  # taken out of quarantine by ops, with a reason; never replayed


class Receipt(BaseModel):
    receipt_id: str
    feed: str
    state: ReceiptState
    received_at: datetime
    updated_at: datetime
    size: int = Field(description="Bytes received.")
    content_type: str | None = None
    stage: str | None = Field(default=None, description="The stage working on it, or that failed.")
    story_id: str | None = None
    duplicate_of: str | None = None
    reason: str | None = Field(default=None, description="Why it was quarantined or duplicate.")


class ReceiptRef(BaseModel):
    receipt_id: str
    status_url: str
    duplicate_receipt: bool = Field(
        default=False, description="These bytes from this feed were received before."
    )


class IngestAccepted(ReceiptRef):
    """The ``202`` answer: the first item's receipt and where to ask about it, and one receipt
    per item when the message carried several."""

    receipts: list[ReceiptRef]
