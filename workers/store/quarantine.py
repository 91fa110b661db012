"""Quarantine: items a stage could not handle, kept with their raw bytes and the reason, and
put back through the pipeline once what stopped them is fixed.

A replay is one watched MULTI per item (a concurrent replay of the same item does nothing
twice): its quarantine entries move to the receipt's history (``MetricKeys.history``) with a
``replayed`` entry and leave the quarantine stream; the receipt goes back to ``queued`` with a
``replays`` count and its stage, reason and attempt counters cleared. The publish guard stays:
an item that ever published is answered "already published" instead of announced twice.

Ops read the stream in pages (``page_quarantine``: filters, an opaque cursor over the stream
ids, newest first), read an entry's raw bytes (``quarantine_raw``) and discard what will never
be replayed (``discard_quarantined``): one watched MULTI that removes the entry, marks the
receipt ``discarded`` and writes the reason to the receipt's history and to the audit stream
(``Keys.quarantine_audit``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from schemas import EventType, QuarantineEntry, ReceiptState, StoryEvent
from workers.keys import Keys
from workers.store.base import StorePart, now
from workers.store.client import text, translated

__all__ = [
    "DiscardOutcome",
    "QuarantineCursor",
    "QuarantineFilter",
    "QuarantinePageResult",
    "QuarantineRaw",
    "QuarantineStore",
    "QuarantinedItem",
    "ReopenOutcome",
    "is_entry_id",
]

_ENTRY_ID = re.compile(r"^\d+-\d+$")

# A page reads the stream in batches and at most this many entries per call (each entry comes
# with its raw bytes, which XRANGE cannot leave out), so a filter that matches little costs a
# bounded read; the page then ends early with a cursor to go on from.
_BATCH = 100
_SCAN_BUDGET = 1000
# Time filters compare ``quarantined_at`` (the worker's clock), never the stream id (Redis's
# clock when the entry was added): a worker whose clock is off must not hide its entries.


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


@dataclass(frozen=True)
class QuarantineFilter:
    """Which entries a page holds. ``reason``: a case-insensitive substring; ``since`` and
    ``until``: bounds on ``quarantined_at``, both included (a naive time is taken as UTC)."""

    feed: str | None = None
    stage: str | None = None
    reason: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def matches(self, entry: QuarantineEntry) -> bool:
        if self.feed is not None and entry.feed != self.feed:
            return False
        if self.stage is not None and entry.stage != self.stage:
            return False
        if self.reason and self.reason.casefold() not in entry.reason.casefold():
            return False
        at = _aware(entry.quarantined_at)
        if self.since is not None and at < _aware(self.since):
            return False
        return self.until is None or at <= _aware(self.until)


@dataclass(frozen=True)
class QuarantinePageResult:
    """One page, newest first; ``next_cursor`` None once nothing more can match. A page may
    hold fewer than ``limit`` entries while more follow (see ``_SCAN_BUDGET``)."""

    entries: list[QuarantineEntry]
    next_cursor: str | None


@dataclass(frozen=True)
class QuarantineRaw:
    """An entry's bytes as the feed sent them, and the content type they came with (None when
    the receipt, which keeps it, has expired)."""

    entry_id: str
    receipt_id: str
    raw: bytes
    content_type: str | None


@dataclass(frozen=True)
class DiscardOutcome:
    """What ``discard_quarantined`` did: ``discarded``; else ``found`` False for an entry that
    is not (or no longer) on the stream, True with ``detail`` saying why it was left."""

    discarded: bool
    found: bool
    detail: str
    receipt_id: str = ""


class QuarantineCursor:
    """An opaque paging cursor: the stream id of the last entry the page before went over."""

    @staticmethod
    def encode(entry_id: str) -> str:
        return base64.urlsafe_b64encode(f"q|{entry_id}".encode()).decode().rstrip("=")

    @staticmethod
    def decode(cursor: str) -> str:
        """Raises ValueError on anything that is not a cursor this service made."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            tag, entry_id = base64.urlsafe_b64decode(padded.encode()).decode().split("|", 1)
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError("malformed cursor") from exc
        if tag != "q" or not is_entry_id(entry_id):
            raise ValueError("malformed cursor")
        return entry_id


def is_entry_id(value: str) -> bool:
    """A stream id (``<ms>-<seq>``); anything else would be a Redis error, not a miss."""
    return bool(_ENTRY_ID.match(value))


def _fields(raw_fields: Any) -> dict[str, str]:
    return {text(k) or "": text(v) or "" for k, v in raw_fields.items() if text(k) != "raw"}


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _entry(entry_id: Any, raw_fields: Any) -> QuarantineEntry:
    return QuarantineEntry.model_validate({"entry_id": text(entry_id), **_fields(raw_fields)})


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
            pipe.zrem(self.keys.inflight, entry.receipt_id)  # settled: the reconciler lets go
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
        return [_entry(entry_id, raw_fields) for entry_id, raw_fields in rows]

    @translated
    def page_quarantine(
        self, flt: QuarantineFilter, *, limit: int = 50, cursor: str | None = None
    ) -> QuarantinePageResult:
        """Up to ``limit`` entries that match ``flt``, newest first, from after ``cursor``.
        Raises ValueError for a cursor this service did not make."""
        upper = f"({QuarantineCursor.decode(cursor)}" if cursor else "+"
        matches: list[QuarantineEntry] = []
        scanned, last = 0, ""
        while scanned < _SCAN_BUDGET:
            count = min(_BATCH, _SCAN_BUDGET - scanned)
            rows = self._redis.xrevrange(
                self.keys.quarantine_stream, max=upper, min="-", count=count
            )
            for entry_id, raw_fields in rows or []:
                entry = _entry(entry_id, raw_fields)
                scanned, last = scanned + 1, entry.entry_id or ""
                if not flt.matches(entry):
                    continue
                if len(matches) == limit:  # one match more: there is a next page
                    return QuarantinePageResult(matches, QuarantineCursor.encode(_last(matches)))
                matches.append(entry)
            if len(rows or []) < count:
                return QuarantinePageResult(matches, None)
            upper = f"({last}"
        # Out of budget: go on from the last entry read (it, and all before it, were judged).
        return QuarantinePageResult(matches, QuarantineCursor.encode(last))

    @translated
    def quarantine_raw(self, entry_id: str) -> QuarantineRaw | None:
        """An entry's raw bytes and the content type they came with; None for no such entry."""
        if not is_entry_id(entry_id):
            return None
        rows = self._redis.xrange(self.keys.quarantine_stream, entry_id, entry_id, count=1)
        if not rows:
            return None
        raw_fields: dict[Any, Any] = rows[0][1] or {}
        raw = raw_fields.get(b"raw") or b""
        receipt_id = _fields(raw_fields).get("receipt_id", "")
        content_type = text(self._redis.hget(self.keys.receipt(receipt_id), "content_type"))
        return QuarantineRaw(entry_id, receipt_id, bytes(raw), content_type or None)

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
    def replay_check(self, receipt_id: str) -> ReopenOutcome:
        """What ``reopen_quarantined`` would answer now, changing nothing (a dry run)."""
        refused = _cannot_reopen(self._redis, self.keys, receipt_id)
        if refused:
            return ReopenOutcome(False, refused)
        return ReopenOutcome(True, "would be queued again")

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
                refused = _cannot_reopen(pipe, keys, receipt_id)
                if refused:
                    return ReopenOutcome(False, refused)
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
                pipe.hdel(receipt_key, "stage", "reason", "requeues")
                pipe.zadd(keys.inflight, {receipt_id: time.time()})
                pipe.delete(*(keys.attempts(receipt_id, stage) for stage in stages))
                if entries:
                    pipe.xdel(keys.quarantine_stream, *(item.entry_id for item in entries))
                pipe.incr(mkeys.replays)
                pipe.execute()
            except redis.WatchError:
                return ReopenOutcome(False, "changed while replaying; try again")
        return ReopenOutcome(True, "queued again", reason)

    @translated
    def discard_quarantined(self, entry_id: str, *, reason: str, by: str) -> DiscardOutcome:
        """Take an entry out of quarantine for good (see the module): the entry leaves the
        stream, its receipt becomes ``discarded``, and the reason, who and when go to the
        receipt's history and the audit stream. An entry no longer on the stream (discarded or
        replayed already) is not found; one whose receipt is back in the pipeline is left."""
        if not is_entry_id(entry_id):
            return DiscardOutcome(False, False, f"no quarantine entry {entry_id!r}")
        # A concurrent discard writes the audit stream, a replay or a new quarantine the
        # receipt: watching both makes the second of two racing calls look again.
        for _ in range(5):
            try:
                return self._discard_once(entry_id, reason=reason, by=by)
            except redis.WatchError:
                continue
        return DiscardOutcome(False, True, "changed while discarding; try again")

    def _discard_once(self, entry_id: str, *, reason: str, by: str) -> DiscardOutcome:
        keys = self.keys
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.watch(keys.quarantine_audit)  # type: ignore[no-untyped-call]  # untyped
            rows = pipe.xrange(keys.quarantine_stream, entry_id, entry_id, count=1)
            if not rows:
                return DiscardOutcome(False, False, f"no quarantine entry {entry_id!r}")
            fields = _fields(rows[0][1])
            receipt_id = fields.get("receipt_id", "")
            receipt_key = keys.receipt(receipt_id)
            pipe.watch(receipt_key)  # type: ignore[no-untyped-call]
            state = text(pipe.hget(receipt_key, "state"))
            leavable = (None, ReceiptState.quarantined.value, ReceiptState.discarded.value)
            if state not in leavable:
                detail = f"not discarded: the item is back in the pipeline (state {state})"
                return DiscardOutcome(False, True, detail, receipt_id)
            at = now().isoformat()
            record: dict[Any, Any] = {
                "event": "discarded",
                "entry_id": entry_id,
                "receipt_id": receipt_id,
                "feed": fields.get("feed", ""),
                "stage": fields.get("stage", ""),
                "reason_was": fields.get("reason", ""),
                "reason": reason,
                "by": by,
                "at": at,
            }
            history = keys.metrics.history(receipt_id)
            pipe.multi()
            pipe.xdel(keys.quarantine_stream, entry_id)
            # Trimmed like the quarantine stream: at most one record per entry it ever held.
            pipe.xadd(
                keys.quarantine_audit,
                record,
                maxlen=self.settings.quarantine_maxlen,
                approximate=True,
            )
            pipe.rpush(
                history, json.dumps({"event": "quarantined", "entry_id": entry_id, **fields})
            )
            pipe.rpush(history, json.dumps(record))
            pipe.expire(history, self.settings.retention_seconds)
            if state is not None:  # an expired receipt stays expired, not half made again
                pipe.hset(
                    receipt_key,
                    mapping={"state": ReceiptState.discarded.value, "updated_at": at},
                )
            pipe.execute()
        return DiscardOutcome(True, True, "discarded", receipt_id)

    @translated
    def quarantine_audit(self, *, limit: int = 50) -> list[dict[str, str]]:
        """The newest ``limit`` audit records (discards), newest first."""
        rows = self._redis.xrevrange(self.keys.quarantine_audit, count=limit) or []
        return [{"audit_id": text(i) or "", **_fields(f)} for i, f in rows]

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
            pipe.zrem(self.keys.inflight, receipt_id)
            pipe.execute()

    @translated
    def history(self, receipt_id: str) -> list[dict[str, Any]]:
        """A receipt's past quarantines and replays, oldest first."""
        rows = self._redis.lrange(self.keys.metrics.history(receipt_id), 0, -1)
        return [json.loads(row) for row in rows]


def _last(entries: list[QuarantineEntry]) -> str:
    return entries[-1].entry_id or ""


def _cannot_reopen(client: Any, keys: Keys, receipt_id: str) -> str | None:
    """Why a receipt cannot be queued again, or None when it can. ``client``: the store's
    client, or a pipeline in its watching (immediate) phase."""
    state = text(client.hget(keys.receipt(receipt_id), "state"))
    if state is None:
        return "no such receipt (expired?)"
    if state != ReceiptState.quarantined.value:
        return f"not in quarantine (state {state})"
    if not client.exists(keys.raw(receipt_id)):
        return "the raw copy has expired: cannot replay"
    return None
