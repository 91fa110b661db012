"""Quarantine: items a stage could not handle, kept with their raw bytes and the reason, and
put back through the pipeline once what stopped them is fixed.

A replay is one watched MULTI per item (a concurrent replay of the same item does nothing
twice): its quarantine entries move to the receipt's history (``MetricKeys.history``) with a
``replayed`` entry and leave the quarantine stream; the receipt goes back to ``queued`` with a
``replays`` count and its stage, reason and attempt counters cleared. The publish guard stays:
an item that ever published is answered "already published" instead of announced twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis

from schemas import EventType, QuarantineEntry, ReceiptState, StoryEvent
from workers.store.base import StorePart, now
from workers.store.client import text, translated

__all__ = ["QuarantineStore", "QuarantinedItem", "ReopenOutcome"]


@dataclass(frozen=True)
class QuarantinedItem:
    """One quarantine stream entry: its id and its fields without the raw bytes."""

    entry_id: str
    fields: dict[str, str]


@dataclass(frozen=True)
class ReopenOutcome:
    """What ``reopen_quarantined`` did: ``reopened``, or why not; ``reason_was`` the reason
    the item had been quarantined for (to restore if it cannot be queued)."""

    reopened: bool
    detail: str
    reason_was: str = ""


def _fields(raw_fields: Any) -> dict[str, str]:
    return {text(k) or "": text(v) or "" for k, v in raw_fields.items() if text(k) != "raw"}


class QuarantineStore(StorePart):
    @translated
    def quarantine(self, entry: QuarantineEntry, raw: bytes | None) -> str:
        """Keep an item a stage could not handle, with its raw bytes and the reason, and say so
        on the receipt and on the stories stream. Returns the quarantine entry id."""
        event = StoryEvent(
            type=EventType.quarantined,
            story_id="",
            version=0,
            receipt_id=entry.receipt_id,
            feed=entry.feed,
            occurred_at=entry.quarantined_at,
        )
        fields = entry.model_dump(mode="json", exclude={"entry_id"})
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(
                self.keys.quarantine_stream,
                {**{k: str(v) for k, v in fields.items()}, "raw": raw or b""},
                maxlen=self.settings.quarantine_maxlen,
                approximate=True,
            )
            receipt_key = self.keys.receipt(entry.receipt_id)
            pipe.hset(
                receipt_key,
                mapping={
                    "state": ReceiptState.quarantined.value,
                    "stage": entry.stage,
                    "reason": entry.reason,
                    "updated_at": entry.quarantined_at.isoformat(),
                },
            )
            pipe.expire(receipt_key, self.settings.retention_seconds)
            pipe.xadd(
                self.keys.stories_stream,
                {"type": event.type.value, "story_id": "", "data": event.model_dump_json()},
                maxlen=self.settings.stream_maxlen,
                approximate=True,
            )
            entry_id, *_ = pipe.execute()
        return text(entry_id) or ""

    @translated
    def list_quarantine(self, *, limit: int = 50) -> list[QuarantineEntry]:
        """The newest ``limit`` entries, newest first."""
        rows = self._redis.xrevrange(self.keys.quarantine_stream, count=limit) or []
        return [
            QuarantineEntry.model_validate({"entry_id": text(entry_id), **_fields(raw_fields)})
            for entry_id, raw_fields in rows
        ]

    @translated
    def quarantined_items(self) -> list[QuarantinedItem]:
        """Every entry on the quarantine stream, oldest first, without the raw bytes."""
        return [
            QuarantinedItem(text(entry_id) or "", _fields(raw_fields))
            for entry_id, raw_fields in self._redis.xrange(self.keys.quarantine_stream) or []
        ]

    @translated
    def quarantine_length(self) -> int:
        return int(self._redis.xlen(self.keys.quarantine_stream))

    @translated
    def reopen_quarantined(
        self, receipt_id: str, entries: list[QuarantinedItem], *, by: str, stages: Iterable[str]
    ) -> ReopenOutcome:
        """Make a quarantined receipt ready to run again (see the module). ``stages``: the
        stages whose attempt counters are cleared."""
        keys, mkeys = self.keys, self.keys.metrics
        receipt_key = keys.receipt(receipt_id)
        with self._redis.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(receipt_key)  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                state = text(pipe.hget(receipt_key, "state"))
                if state is None:
                    return ReopenOutcome(False, "no such receipt (expired?)")
                if state != ReceiptState.quarantined.value:
                    return ReopenOutcome(False, f"not in quarantine (state {state})")
                if not pipe.exists(keys.raw(receipt_id)):
                    return ReopenOutcome(False, "the raw copy has expired: cannot replay")
                reason = text(pipe.hget(receipt_key, "reason")) or ""
                at = now().isoformat()
                pipe.multi()
                for item in entries:
                    pipe.rpush(
                        mkeys.history(receipt_id),
                        json.dumps(
                            {"event": "quarantined", "entry_id": item.entry_id, **item.fields}
                        ),
                    )
                pipe.rpush(
                    mkeys.history(receipt_id),
                    json.dumps({"event": "replayed", "at": at, "by": by, "reason_was": reason}),
                )
                pipe.expire(mkeys.history(receipt_id), self.settings.retention_seconds)
                pipe.hset(
                    receipt_key, mapping={"state": ReceiptState.queued.value, "updated_at": at}
                )
                pipe.hincrby(receipt_key, "replays", 1)
                pipe.hdel(receipt_key, "stage", "reason")
                pipe.delete(*(keys.attempts(receipt_id, stage) for stage in stages))
                if entries:
                    pipe.xdel(keys.quarantine_stream, *(item.entry_id for item in entries))
                pipe.incr(mkeys.replays)
                pipe.execute()
            except redis.WatchError:
                return ReopenOutcome(False, "changed while replaying; try again")
        return ReopenOutcome(True, "queued again", reason)

    @translated
    def back_to_quarantine(self, receipt_id: str, *, reason: str, error: str) -> None:
        """Undo ``reopen_quarantined`` for an item that could not be queued again; the failure
        goes into its history."""
        at = now().isoformat()
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                self.keys.receipt(receipt_id),
                mapping={
                    "state": ReceiptState.quarantined.value,
                    "reason": reason,
                    "updated_at": at,
                },
            )
            pipe.rpush(
                self.keys.metrics.history(receipt_id),
                json.dumps({"event": "replay_failed", "at": at, "error": error}),
            )
            pipe.execute()

    @translated
    def history(self, receipt_id: str) -> list[dict[str, Any]]:
        """A receipt's past quarantines and replays, oldest first."""
        rows = self._redis.lrange(self.keys.metrics.history(receipt_id), 0, -1)
        return [json.loads(row) for row in rows]
