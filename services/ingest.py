"""The ingest front door's logic, shared by the HTTP API, the feed pollers and the drop folder.

A receipt id is a hash of the feed and the item's bytes, so the same bytes from the same feed
always get the same receipt, and a retry by the feed is answered without processing the item
twice. The raw bytes are in Redis before the pipeline is enqueued: nothing a feed sent is lost
between the answer and the work.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from workers.errors import WiredeskError
from workers.formats import detect
from workers.store import Kept, Store

__all__ = [
    "Accepted",
    "IngestError",
    "accept",
    "accept_batch",
    "batch_items",
    "receipt_id_for",
    "split_items",
]

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


def batch_items(raw: bytes) -> list[bytes]:
    """The items of a batch body: NDJSON (one item a line: a JSON object such as a ninjs item,
    or a JSON string holding copy in any format), else a multi-item document (a G2
    newsMessage, a feed, a ninjs list) split as the single door splits it.

    A line that is not JSON becomes an item of its own, so the pipeline quarantines it with a
    reason; it never takes the good lines down with it. So does a line nested too deeply for
    Python's parser (a RecursionError): the ninjs parser refuses it by its depth.
    """
    lines = [line for line in raw.split(b"\n") if line.strip()]
    if len(lines) < 2 or not lines[0].lstrip().startswith((b"{", b'"')):
        return split_items(raw)
    items = []
    for line in lines:
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            items.append(line)
            continue
        items.append(value.encode() if isinstance(value, str) else line.strip())
    return items


def _keep(
    store: Store,
    enqueue_many: Callable[[list[str]], None],
    *,
    feed: str,
    items: list[bytes],
    content_type: str | None,
    format_hint: str | None,
    summary_log: bool = False,
    urgent: bool = False,
) -> list[Accepted]:
    """Receipts and raw bytes for every item (pipelined), then the new ones queued.
    ``urgent``: the single-story path, which bulk tasks yield to."""
    received_at = datetime.now(UTC)
    ids = [receipt_id_for(feed, item) for item in items]
    kept = store.create_receipts(
        list(zip(ids, items, strict=True)),
        feed=feed,
        content_type=content_type,
        received_at=received_at,
        format_hint=format_hint,
        urgent=urgent,
    )
    created = [k is Kept.created for k in kept]
    # New receipts, and old ones whose front door died before queuing them (a feed's retry
    # after an API crash): both are queued now.
    to_queue = list(dict.fromkeys(rid for rid, k in zip(ids, kept, strict=True) if k.to_queue))
    if to_queue:
        try:
            enqueue_many(to_queue)
        except Exception as exc:
            # Without a queued task the receipts would wait for ever: undo them, let the feed retry.
            store.drop_receipts(to_queue)
            log.error("enqueue_failed", feed=feed, items=len(to_queue), error=repr(exc))
            raise IngestError(503, "the pipeline queue is unavailable; retry later") from exc
        # Not undone if this fails: the items are queued, and a receipt without the mark is
        # only queued once more by a retry (the stages are idempotent).
        store.mark_enqueued(to_queue)
        stranded = sum(k is Kept.stranded for k in kept)
        if stranded:
            log.warning("requeued_stranded", feed=feed, items=stranded)
    if len(items) == 1 or not summary_log:
        for rid, item, c in zip(ids, items, created, strict=True):
            log.info("ingested", receipt_id=rid, feed=feed, size=len(item), new=c)
    else:
        # Bulk: one line per chunk; the receipts are traceable through the stage log lines.
        log.info("ingested_batch", feed=feed, items=len(items), new=sum(created),
                 first_receipt=ids[0], size=sum(map(len, items)))  # fmt: skip
    store.count_received(feed, len(items))
    return [
        Accepted(receipt_id=rid, duplicate_receipt=not c)
        for rid, c in zip(ids, created, strict=True)
    ]


def accept(
    store: Store,
    enqueue: Callable[[str], None],
    *,
    feed: str,
    raw: bytes,
    content_type: str | None = None,
    format_hint: str | None = None,
) -> list[Accepted]:
    """Keep each item of ``raw`` under a receipt and queue each on its own, at once: the path of
    a story pushed or polled as it happens. Raises IngestError."""
    if not raw.strip():
        raise IngestError(400, "empty body: send the wire copy as the request body")

    def each(receipt_ids: list[str]) -> None:
        for receipt_id in receipt_ids:
            enqueue(receipt_id)

    return _keep(store, each, feed=feed, items=split_items(raw), content_type=content_type,
                 format_hint=format_hint, urgent=True)  # fmt: skip


def accept_batch(
    store: Store,
    enqueue_batch: Callable[[list[str]], None],
    *,
    feed: str,
    raw: bytes,
    content_type: str | None = None,
    format_hint: str | None = None,
) -> list[Accepted]:
    """The bulk path: items queued ``batch_size`` to a task on the bulk queue, so the per-task
    cost is shared and single stories never wait behind a backfill. Raises IngestError."""
    if not raw.strip():
        raise IngestError(400, "empty body: send the items as the request body")
    size = store.settings.batch_size
    items = batch_items(raw)
    accepted: list[Accepted] = []
    # Receipts in chunks too: one pipelined round trip per chunk keeps a 20,000-item body from
    # holding one huge pipeline in memory, and lets single pushes in the same API process in
    # between chunks.
    for start in range(0, len(items), 200):
        # Between chunks, single stories first: while one is under way the rest of the body
        # waits (within the bulk budget), as the bulk workers do; time.sleep(0) at least lets
        # the API's other requests have the GIL.
        if start and not store.yield_to_urgent(store.settings.bulk_yield_max_ms):
            time.sleep(0)
        chunk = items[start : start + 200]

        def in_batches(receipt_ids: list[str]) -> None:
            for i in range(0, len(receipt_ids), size):
                enqueue_batch(receipt_ids[i : i + size])

        accepted += _keep(store, in_batches, feed=feed, items=chunk, content_type=content_type,
                          format_hint=format_hint, summary_log=True)  # fmt: skip
    return accepted
