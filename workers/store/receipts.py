"""Receipts and raw copy: what the front door keeps of every item before processing starts,
and what a deliberate re-run reopens."""

from __future__ import annotations

import enum
import functools
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas import Receipt, ReceiptState, TaggedStory
from workers.store.base import StorePart
from workers.store.client import text, text_or_empty, translated
from workers.store.scripts import ScriptCall, StoreScript, arg, key
from workers.store.stages import MarkUrgentCall

__all__ = ["IngestCall", "Kept", "MarkEnqueuedCall", "ReceiptStore"]


@dataclass(frozen=True, kw_only=True)
class IngestCall(ScriptCall):
    """``ingest.lua``: open a receipt and keep the raw bytes, once."""

    script = "ingest.lua"
    receipt: str = key()
    raw: str = key()
    inflight: str = key()
    receipt_id: str = arg()
    now: float = arg()  # epoch seconds: the in-flight index's score
    ttl: int = arg()
    raw_bytes: bytes = arg()
    fields: list[str] = arg(many=True)  # field, value, field, value ...


@dataclass(frozen=True, kw_only=True)
class MarkEnqueuedCall(ScriptCall):
    """``mark_enqueued.lua``: note on receipts that their items are on the queue."""

    script = "mark_enqueued.lua"
    receipts: list[str] = key(many=True)


class Kept(enum.IntEnum):
    """What ``ingest.lua`` made of an item: a receipt of its own, one that was there already,
    or one that was there but never queued (its front door died in between)."""

    existing = 0
    created = 1
    stranded = 2

    @property
    def to_queue(self) -> bool:
        return self is not Kept.existing


def _fields(data: dict[Any, Any]) -> dict[str, str]:
    return {text(k) or "": text(v) or "" for k, v in data.items()}


class ReceiptStore(StorePart):
    @functools.cached_property
    def _ingest(self) -> StoreScript[IngestCall]:
        return StoreScript(self._redis, IngestCall)

    @functools.cached_property
    def _mark_enqueued(self) -> StoreScript[MarkEnqueuedCall]:
        return StoreScript(self._redis, MarkEnqueuedCall)

    @functools.cached_property
    def _mark_urgent(self) -> StoreScript[MarkUrgentCall]:
        return StoreScript(self._redis, MarkUrgentCall)

    @translated
    def create_receipt(
        self,
        *,
        receipt_id: str,
        feed: str,
        raw: bytes,
        content_type: str | None,
        received_at: datetime,
        format_hint: str | None = None,
    ) -> Kept:
        """Keep the raw bytes and open a receipt: whether it was new (see ``Kept``)."""
        [kept] = self.create_receipts(
            [(receipt_id, raw)],
            feed=feed,
            content_type=content_type,
            received_at=received_at,
            format_hint=format_hint,
        )
        return kept

    @translated
    def create_receipts(
        self,
        items: list[tuple[str, bytes]],
        *,
        feed: str,
        content_type: str | None,
        received_at: datetime,
        format_hint: str | None = None,
        urgent: bool = False,
    ) -> list[Kept]:
        """``create_receipt`` for many (receipt id, raw bytes) items in one round trip.
        ``urgent``: the items travel the single-story path, so bulk tasks yield from now (and
        the reconciler queues them that way again if they stall)."""
        stamp = received_at.isoformat()
        at = time.time()
        with self._redis.pipeline(transaction=False) as pipe:
            if urgent and self.settings.bulk_yield_ms:
                self._mark_urgent(
                    MarkUrgentCall(urgent=self.keys.urgent, ms=self.settings.bulk_yield_ms),
                    client=pipe,
                )
            for receipt_id, raw in items:
                fields = {
                    "receipt_id": receipt_id,
                    "feed": feed,
                    "state": ReceiptState.queued.value,
                    "received_at": stamp,
                    "updated_at": stamp,
                    "size": str(len(raw)),
                    "content_type": content_type or "",
                    "format_hint": format_hint or "",
                    "path": "single" if urgent else "bulk",
                }
                call = IngestCall(
                    receipt=self.keys.receipt(receipt_id),
                    raw=self.keys.raw(receipt_id),
                    inflight=self.keys.inflight,
                    receipt_id=receipt_id,
                    now=at,
                    ttl=self.settings.retention_seconds,
                    raw_bytes=raw,
                    fields=[part for pair in fields.items() for part in pair],
                )
                self._ingest(call, client=pipe)
            answers = pipe.execute()
        return [Kept(int(kept)) for kept in answers[-len(items) :]] if items else []

    @translated
    def mark_enqueued(self, receipt_ids: list[str]) -> None:
        """The items are on the queue: a feed's retry of one is a plain duplicate from now."""
        if receipt_ids:
            self._mark_enqueued(
                MarkEnqueuedCall(receipts=[self.keys.receipt(r) for r in receipt_ids])
            )

    @translated
    def drop_receipts(self, receipt_ids: list[str]) -> None:
        """Undo ``create_receipts`` for items that could not be queued."""
        if receipt_ids:
            with self._redis.pipeline(transaction=False) as pipe:
                pipe.delete(
                    *[self.keys.receipt(r) for r in receipt_ids],
                    *[self.keys.raw(r) for r in receipt_ids],
                )
                pipe.zrem(self.keys.inflight, *receipt_ids)
                pipe.execute()

    @translated
    def receipt(self, receipt_id: str) -> Receipt | None:
        data = self._redis.hgetall(self.keys.receipt(receipt_id))
        if not data:
            return None
        fields = _fields(data)
        return Receipt(
            receipt_id=fields["receipt_id"],
            feed=fields["feed"],
            state=ReceiptState(fields["state"]),
            received_at=datetime.fromisoformat(fields["received_at"]),
            updated_at=datetime.fromisoformat(fields["updated_at"]),
            size=int(fields.get("size") or 0),
            content_type=fields.get("content_type") or None,
            stage=fields.get("stage") or None,
            story_id=fields.get("story_id") or None,
            duplicate_of=fields.get("duplicate_of") or None,
            reason=fields.get("reason") or None,
        )

    @translated
    def load_raws(self, receipt_ids: list[str]) -> list[tuple[bytes | None, dict[str, str]]]:
        """``load_raw`` for many receipts in one round trip."""
        with self._redis.pipeline(transaction=False) as pipe:
            for receipt_id in receipt_ids:
                pipe.get(self.keys.raw(receipt_id))
                pipe.hgetall(self.keys.receipt(receipt_id))
            answers = pipe.execute()
        return [(raw, _fields(meta)) for raw, meta in zip(answers[::2], answers[1::2], strict=True)]

    @translated
    def load_raw(self, receipt_id: str) -> tuple[bytes | None, dict[str, str]]:
        """The raw bytes (None once retention has passed) and the receipt's fields."""
        [loaded] = self.load_raws([receipt_id])
        return loaded

    @translated
    def receipts_published_between(self, since: float, until: float | None = None) -> list[str]:
        """Receipts of the stories editors see, received in [since, until], oldest first: what
        a re-run goes over."""
        story_ids = [
            text_or_empty(m)
            for m in self._redis.zrangebyscore(
                self.keys.stories_by_time, since, "+inf" if until is None else until
            )
        ]
        receipts: list[str] = []
        for start in range(0, len(story_ids), 1000):
            chunk = story_ids[start : start + 1000]
            for value in self._redis.mget([self.keys.story(s) for s in chunk]):
                if value is not None:
                    receipts.append(TaggedStory.model_validate_json(value).receipt_id)
        return receipts

    @translated
    def reopen(self, receipt_ids: list[str]) -> None:
        """Make settled receipts ready to run again: queued, publish guard and batch attempt
        count cleared. Only for a deliberate re-run; the pipeline never calls it."""
        with self._redis.pipeline(transaction=False) as pipe:
            for receipt_id in receipt_ids:
                pipe.delete(
                    self.keys.published_guard(receipt_id), self.keys.attempts(receipt_id, "batch")
                )
                pipe.hset(
                    self.keys.receipt(receipt_id),
                    mapping={"state": ReceiptState.queued.value, "stage": "", "reason": ""},
                )
                pipe.zadd(self.keys.inflight, {receipt_id: time.time()})
            pipe.execute()

    @translated
    def receipt_states(self, receipt_ids: list[str]) -> list[str | None]:
        with self._redis.pipeline(transaction=False) as pipe:
            for receipt_id in receipt_ids:
                pipe.hget(self.keys.receipt(receipt_id), "state")
            return [text(v) for v in pipe.execute()]
