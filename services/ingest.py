"""The ingest front door's logic, shared by the HTTP API, the feed pollers and the drop folder.

A receipt id is a hash of the feed and the item's bytes, so the same bytes from the same feed
always get the same receipt, and a retry by the feed is answered without processing the item
twice. The raw bytes are in Redis before the pipeline is enqueued: nothing a feed sent is lost
between the answer and the work.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from workers.errors import WiredeskError
from workers.formats import detect
from workers.metrics import record_received
from workers.store import Store

__all__ = ["Accepted", "IngestError", "accept", "receipt_id_for"]

log = structlog.get_logger("wiredesk.ingest")


class IngestError(WiredeskError):
    """The front door refuses the request; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class Accepted:
    receipt_id: str
    duplicate_receipt: bool


def receipt_id_for(feed: str, raw: bytes) -> str:
    digest = hashlib.sha256(feed.encode() + b"\x00" + raw).hexdigest()
    return "rc_" + digest[:26]


def split_items(raw: bytes) -> list[bytes]:
    """One byte string per item. Copy nobody recognises, or that fails to split, stays one
    item: the pipeline then quarantines it with the parser's reason rather than the front door
    guessing."""
    try:
        items = detect(raw).split(raw)
    except WiredeskError:
        return [raw]
    return [item for item in items if item.strip()] or [raw]


def accept(
    store: Store,
    enqueue,
    *,
    feed: str,
    raw: bytes,
    content_type: str | None = None,
    format_hint: str | None = None,
) -> list[Accepted]:
    """Keep each item of ``raw`` under a receipt and queue it. Raises IngestError."""
    if not raw.strip():
        raise IngestError(400, "empty body: send the wire copy as the request body")
    received_at = datetime.now(UTC)
    accepted = []
    for item in split_items(raw):
        receipt_id = receipt_id_for(feed, item)
        created = store.create_receipt(
            receipt_id=receipt_id,
            feed=feed,
            raw=item,
            content_type=content_type,
            received_at=received_at,
            format_hint=format_hint,
        )
        if created:
            try:
                enqueue(receipt_id)
            except Exception as exc:
                # Without a queued task the receipt would wait for ever: undo it, let the feed retry.
                store.drop_receipt(receipt_id)
                log.error("enqueue_failed", receipt_id=receipt_id, feed=feed, error=repr(exc))
                raise IngestError(503, "the pipeline queue is unavailable; retry later") from exc
        log.info("ingested", receipt_id=receipt_id, feed=feed, size=len(item), new=created)
        accepted.append(Accepted(receipt_id=receipt_id, duplicate_receipt=not created))
    record_received(store.r, store.settings.key_prefix, feed, len(accepted))
    return accepted
