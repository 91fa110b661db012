"""Reading the stories stream as a Redis consumer group, at least once.

Every event is delivered until a consumer acks it. Entries a consumer was given but never
acked (it crashed, hung, or its handler failed) are taken over with XAUTOCLAIM once idle longer
than ``claim_idle_ms``, by any consumer of the group, itself included; a restarted consumer of
the same name first re-reads its own pending history. Each delivery carries the stream's
delivery count, so a handler can tell a first delivery (1) from a redelivery (> 1). An entry
delivered more than ``max_deliveries`` times without an ack, or one that is not a valid event,
is moved to the group's dead-letter stream with the reason and acked there, so one poison
event cannot block the group forever and is never dropped unseen.

The stream is trimmed (approximate MAXLEN). A group that falls further behind than the trim
loses events it never read; each read checks, in the same transaction as the read, whether
entries after the group's last-delivered id were trimmed, and if so logs a warning, writes a
``trimmed`` notice to the dead-letter stream and keeps it in ``trim_notices``. Needs Redis 7.0+
(XAUTOCLAIM is 6.2+, the ``entries-read`` counter behind the count of lost events is 7.0).

A Redis that cannot be reached (or refuses a write) raises ``StoreUnavailableError``, through
the store's one error boundary (``workers.store.client``), as everywhere else in wiredesk.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import redis
from pydantic import ValidationError

from schemas.contract import parse_event
from schemas.events import EventType, StoryEvent
from workers.keys import Keys
from workers.store.client import text, translated

__all__ = [
    "Delivery",
    "GroupLag",
    "StreamConsumer",
    "TrimNotice",
    "dead_letter_stream",
    "start_id_for",
]

log = logging.getLogger(__name__)

Start = Literal["now", "beginning"] | datetime
_ENTRY_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
_KNOWN_TYPES = frozenset(t.value for t in EventType)


def dead_letter_stream(prefix: str, group: str) -> str:
    """The group's dead-letter stream: ``{prefix}:stream:stories:dlq:{group}``."""
    return Keys(prefix).dead_letters(group)


def _id_tuple(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass(frozen=True)
class Delivery:
    """One event handed to this consumer. ``data`` is the event JSON exactly as on the stream."""

    event: StoryEvent
    entry_id: str
    delivery_count: int
    data: str

    @property
    def redelivered(self) -> bool:
        return self.delivery_count > 1


@dataclass(frozen=True)
class GroupLag:
    """Where a group stands against the stream. ``missed`` counts events trimmed before the
    group read them (None when Redis cannot tell); ``pending`` is delivered but not acked."""

    group: str
    last_delivered_id: str
    first_entry_id: str | None
    length: int
    lag: int | None
    pending: int
    missed: int | None

    @property
    def behind_trim(self) -> bool:
        return bool(self.missed)


@dataclass(frozen=True)
class TrimNotice:
    """Events this group lost to the stream trim: ``missed`` never delivered, and the ids of
    entries delivered but trimmed before anyone acked them."""

    group: str
    missed: int | None
    last_delivered_id: str
    first_entry_id: str | None
    unacked_ids: tuple[str, ...] = ()
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def describe(self) -> str:
        parts = []
        if self.missed:
            parts.append(
                f"{self.missed} event(s) were trimmed from the stream before group "
                f"{self.group!r} read them (group was at {self.last_delivered_id}, oldest "
                f"retained entry is {self.first_entry_id}); raise WIREDESK_STREAM_MAXLEN or "
                "consume faster"
            )
        if self.unacked_ids:
            parts.append(
                f"{len(self.unacked_ids)} delivered but unacked event(s) were trimmed before "
                f"they could be redelivered: {', '.join(self.unacked_ids[:10])}"
            )
        return "; ".join(parts)


def start_id_for(client: redis.Redis, stream: str, start: Start) -> tuple[str, int | None]:
    """The id a new group starts after, and its ``entries-read`` so trim detection has an
    exact count: "now" is the stream's end, "beginning" the oldest retained entry (events
    trimmed before the group existed are not counted as missed), a datetime the first entry at
    or after it."""
    try:
        info = client.xinfo_stream(stream)
    except redis.ResponseError:
        info = None
    if not info:
        return "0", 0
    added = info.get("entries-added")
    if start == "now":
        # The end as of this read, not "$": Redis leaves entries-read unknown for "$". An
        # event added in between is delivered rather than skipped.
        return text(info.get("last-generated-id")) or "$", added
    if not info.get("length"):
        return ("0", added) if start == "beginning" else (text(info["last-generated-id"]), added)
    length = int(info["length"])
    if start == "beginning":
        return "0", (added - length if added is not None else None)
    if not isinstance(start, datetime):
        raise ValueError(f"start must be 'now', 'beginning' or a datetime, not {start!r}")
    when = start if start.tzinfo else start.replace(tzinfo=UTC)
    ms = int(when.timestamp() * 1000)
    # Entries at or after the time, counted in pages (bounded by the stream's MAXLEN).
    after, cursor = 0, f"{ms}-0"
    while True:
        page = client.xrange(stream, min=cursor, count=1000)
        after += len(page)
        if len(page) < 1000:
            break
        cursor = "(" + text(page[-1][0])
    begin = f"{ms - 1}-18446744073709551615" if ms > 0 else "0"
    return begin, (added - after if added is not None else None)


class StreamConsumer:
    """One consumer in a group on the stories stream.

    ``read()`` yields deliveries until ``stop()``; ``poll()`` returns one round. Ack each
    delivery with ``ack(entry_id)`` once it is handled; an unacked one comes back after
    ``claim_idle_ms``. The group is created on first use at ``start``; an existing group keeps
    its position (``start`` only matters the first time a group name is used).
    """

    def __init__(
        self,
        redis_url: str,
        *,
        prefix: str,
        group: str,
        consumer: str | None = None,
        start: Start = "now",
        claim_idle_ms: int = 30_000,
        max_deliveries: int = 5,
        batch: int = 50,
        block_ms: int = 1_000,
        dead_letter_maxlen: int = 10_000,
        client: redis.Redis | None = None,
    ):
        if not group or any(c.isspace() for c in group):
            raise ValueError(f"group name {group!r} must be non-empty without spaces")
        if max_deliveries < 1 or batch < 1 or claim_idle_ms < 0:
            raise ValueError("max_deliveries and batch must be >= 1, claim_idle_ms >= 0")
        self.r = client or redis.Redis.from_url(
            redis_url, socket_timeout=max(30.0, block_ms / 1000 + 10), socket_connect_timeout=5
        )
        self.stream = Keys(prefix).stories_stream
        self.dead_letters = dead_letter_stream(prefix, group)
        self.group = group
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.claim_idle_ms = claim_idle_ms
        self.max_deliveries = max_deliveries
        self.batch = batch
        self.block_ms = block_ms
        self.dead_letter_maxlen = dead_letter_maxlen
        self.trim_notices: list[TrimNotice] = []
        self._start = start
        self._held: set[str] = set()
        self._history: str | None = "0"
        self._claim_cursor = "0-0"
        self._stopped = threading.Event()
        self._ensure_group()

    # ---- set-up --------------------------------------------------------------------------

    @translated
    def _ensure_group(self) -> None:
        begin, entries_read = start_id_for(self.r, self.stream, self._start)
        try:
            self.r.xgroup_create(
                self.stream, self.group, id=begin, mkstream=True, entries_read=entries_read
            )
            log.info("created consumer group %s on %s at %s", self.group, self.stream, begin)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    # ---- reading -------------------------------------------------------------------------

    def stop(self) -> None:
        """Make ``read()`` return after the current round."""
        self._stopped.set()

    def read(self) -> Iterator[Delivery]:
        """Deliveries, round after round, until ``stop()``."""
        while not self._stopped.is_set():
            yield from self.poll()

    @translated
    def poll(self, block_ms: int | None = None) -> list[Delivery]:
        """One round: this consumer's own pending history first (after a restart), then
        entries idle past ``claim_idle_ms`` from any consumer of the group, then new entries,
        waiting up to ``block_ms`` for one when there is nothing else."""
        if self._history is not None:
            out = self._read_history()
            if out:
                return out
        out = self._claim()
        if len(out) < self.batch:
            out += self._read_new(self.batch - len(out), self.block_ms if not out else 0)
        return out

    def _read_history(self) -> list[Delivery]:
        reply = self.r.xreadgroup(
            self.group, self.consumer, {self.stream: self._history}, count=self.batch
        )
        entries = reply[0][1] if reply else []
        if not entries:
            self._history = None
            return []
        self._history = text(entries[-1][0])
        # History reads count as deliveries: Redis bumped each entry's counter.
        return self._deliver(entries, counts=None)

    def _claim(self) -> list[Delivery]:
        reply = self.r.xautoclaim(
            self.stream,
            self.group,
            self.consumer,
            self.claim_idle_ms,
            start_id=self._claim_cursor,
            count=self.batch,
        )
        self._claim_cursor = text(reply[0])
        entries = [e for e in reply[1] if e and e[1] is not None]
        gone = [text(e) for e in (reply[2] if len(reply) > 2 else [])]
        gone += [text(e[0]) for e in reply[1] if e and e[1] is None]
        if gone:
            self._report_trim(TrimNotice(self.group, None, "", None, tuple(gone)))
        return self._deliver(entries, counts=None)

    def _read_new(self, count: int, block_ms: int) -> list[Delivery]:
        # The check for a trimmed-past group and the read run in one transaction: nothing can
        # be trimmed between them, so no loss goes unreported.
        with self.r.pipeline(transaction=True) as pipe:
            pipe.xinfo_stream(self.stream)
            pipe.xinfo_groups(self.stream)
            pipe.xreadgroup(self.group, self.consumer, {self.stream: ">"}, count=count)
            try:
                info, groups, reply = pipe.execute()
            except redis.ResponseError as exc:
                if "NOGROUP" in str(exc) or "no such key" in str(exc):
                    self._ensure_group()
                    return []
                raise
        self._check_trim(info, groups)
        entries = reply[0][1] if reply else []
        if not entries and block_ms > 0 and not self._stopped.is_set():
            # Wait for anything newer than the stream's end as seen in the transaction; the
            # next round reads it through the transaction again.
            last = text(info.get("last-generated-id")) or "0-0"
            self.r.xread({self.stream: last}, count=1, block=block_ms)
        return self._deliver(entries, counts=[1] * len(entries))

    def _deliver(self, entries: list, counts: list[int] | None) -> list[Delivery]:
        if not entries:
            return []
        ids = [text(e[0]) for e in entries]
        if counts is None:
            with self.r.pipeline(transaction=False) as pipe:
                for entry_id in ids:
                    pipe.xpending_range(self.stream, self.group, entry_id, entry_id, 1)
                counts = [rows[0]["times_delivered"] if rows else 1 for rows in pipe.execute()]
        out = []
        for entry_id, (_, fields), count in zip(ids, entries, counts, strict=True):
            fields = {text(k): text(v) for k, v in (fields or {}).items()}
            if count > self.max_deliveries:
                self._dead_letter(
                    entry_id,
                    fields,
                    count,
                    f"not acknowledged after {count - 1} deliveries (max {self.max_deliveries})",
                )
                continue
            kind = fields.get("type") or ""
            if kind.startswith("story.") and kind not in _KNOWN_TYPES:
                # A type added by a newer producer (the contract grows, e.g. story.released):
                # skipped and acked, never dead-lettered, so an older consumer keeps working.
                log.info(
                    "skipped %s in group %s: event type %r unknown here", entry_id, self.group, kind
                )
                self.r.xack(self.stream, self.group, entry_id)
                continue
            try:
                event = parse_event(fields.get("data") or "")
            except ValidationError as exc:
                reason = f"not a valid event: {exc.errors()[0]['msg'] if exc.errors() else exc}"
                self._dead_letter(entry_id, fields, count, reason)
                continue
            self._held.add(entry_id)
            out.append(Delivery(event, entry_id, count, fields["data"]))
        return out

    # ---- acks and dead letters -------------------------------------------------------------

    @translated
    def ack(self, entry_id: str) -> bool:
        """Acknowledge a delivery. Returns False, and changes nothing, for anything this
        consumer was not handed and has not acked yet: a malformed id, an unknown one, another
        consumer's, or a repeat. A garbage ack can therefore never drop an event."""
        entry_id = str(entry_id).strip()
        if not _ENTRY_ID.match(entry_id) or entry_id not in self._held:
            log.warning("ignored ack of %r: not an event this consumer holds", entry_id)
            return False
        self._held.discard(entry_id)
        return bool(self.r.xack(self.stream, self.group, entry_id))

    @property
    def held(self) -> frozenset[str]:
        """Ids delivered to this consumer and not yet acked."""
        return frozenset(self._held)

    @translated
    def dead_letter(self, delivery: Delivery, reason: str) -> None:
        """Give up on a delivery: keep it with ``reason`` in the dead-letter stream and ack it,
        in one transaction, so it is neither lost nor delivered again."""
        fields = {"type": delivery.event.type.value, "story_id": delivery.event.story_id}
        self._dead_letter(
            delivery.entry_id, {**fields, "data": delivery.data}, delivery.delivery_count, reason
        )

    def _dead_letter(self, entry_id: str, fields: dict, count: int, reason: str) -> None:
        log.warning("dead-lettered %s in group %s: %s", entry_id, self.group, reason)
        record = {
            "kind": "event",
            "entry_id": entry_id,
            "group": self.group,
            "consumer": self.consumer,
            "delivery_count": str(count),
            "reason": reason,
            "dead_lettered_at": datetime.now(UTC).isoformat(),
            **{k: v for k, v in fields.items() if k in ("type", "story_id", "data")},
        }
        with self.r.pipeline(transaction=True) as pipe:
            pipe.xadd(self.dead_letters, record, maxlen=self.dead_letter_maxlen, approximate=True)
            pipe.xack(self.stream, self.group, entry_id)
            pipe.execute()
        self._held.discard(entry_id)

    @translated
    def dead_lettered(self, count: int = 100) -> list[dict[str, str]]:
        """The newest entries of this group's dead-letter stream, oldest first."""
        rows = self.r.xrevrange(self.dead_letters, count=count)
        return [
            {"id": text(i), **{text(k): text(v) for k, v in f.items()}} for i, f in reversed(rows)
        ]

    # ---- falling behind the trim ---------------------------------------------------------

    @translated
    def lag(self) -> GroupLag:
        """Where the group stands: pending, lag, and events lost to the trim (if any)."""
        with self.r.pipeline(transaction=True) as pipe:
            pipe.xinfo_stream(self.stream)
            pipe.xinfo_groups(self.stream)
            info, groups = pipe.execute()
        return self._measure(info, groups)

    def _measure(self, info: dict, groups: list[dict]) -> GroupLag:
        mine = next((g for g in groups if text(g.get("name")) == self.group), None)
        if mine is None:
            raise LookupError(f"no consumer group {self.group!r} on {self.stream}")
        last = text(mine.get("last-delivered-id")) or "0-0"
        first = info.get("first-entry")
        first_id = text(first[0]) if first else None
        length = int(info.get("length") or 0)
        added, read = info.get("entries-added"), mine.get("entries-read")
        missed: int | None = 0
        if first_id and _id_tuple(last) < _id_tuple(first_id):
            # Everything after the group's position that is gone was trimmed unread.
            missed = added - read - length if added is not None and read is not None else None
            missed = max(missed, 0) if missed is not None else None
        return GroupLag(
            group=self.group,
            last_delivered_id=last,
            first_entry_id=first_id,
            length=length,
            lag=mine.get("lag"),
            pending=int(mine.get("pending") or 0),
            missed=missed,
        )

    def _check_trim(self, info: dict, groups: list[dict]) -> None:
        measured = self._measure(info, groups)
        if measured.missed:
            self._report_trim(
                TrimNotice(
                    self.group,
                    measured.missed,
                    measured.last_delivered_id,
                    measured.first_entry_id,
                )
            )

    def _report_trim(self, notice: TrimNotice) -> None:
        log.warning(
            "consumer group %s fell behind the stream trim: %s", self.group, notice.describe()
        )
        self.trim_notices.append(notice)
        record = {
            "kind": "trimmed",
            "group": self.group,
            "consumer": self.consumer,
            "missed": "" if notice.missed is None else str(notice.missed),
            "last_delivered_id": notice.last_delivered_id,
            "first_entry_id": notice.first_entry_id or "",
            "unacked_ids": ",".join(notice.unacked_ids),
            "reason": notice.describe(),
            "dead_lettered_at": notice.at.isoformat(),
        }
        self.r.xadd(self.dead_letters, record, maxlen=self.dead_letter_maxlen, approximate=True)

    def close(self) -> None:
        self.r.close()

    def __enter__(self) -> StreamConsumer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
