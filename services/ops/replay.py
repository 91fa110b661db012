"""Quarantine replay: put quarantined items back through the whole pipeline, after whatever
quarantined them (a parser bug, a slow dependency, a lost Redis) has been fixed.

An item is replayed from its raw bytes, which the store keeps for the retention period, so it
goes through every stage again from ``normalise``; ``--stage`` chooses which items by the stage
that quarantined them. For each item, in one MULTI (watched, so a concurrent replay of the same
item does nothing twice):

- its quarantine entries are copied to the receipt's history list
  (``{prefix}:ops:history:{receipt}``, see ``MetricKeys.history``) with a ``replayed`` entry,
  then removed from the quarantine stream, which keeps only what still needs attention;
- the receipt goes back to ``queued``, with a ``replays`` count, its stage and reason cleared;
- its per-stage attempt counters are cleared, so the attempt limit counts afresh.

The publish guard is left as it is: an item that ever published keeps its guard, and its
replayed publish is answered "already published" instead of announcing the story twice; an
item that never published has no guard to clear. Then the pipeline is enqueued; if that fails
the receipt returns to quarantine (state and reason) and the failure is in its history.

Only receipts still in quarantine are replayed: a second replay of the same item, or of an
item already back in the pipeline, reports why it was skipped and changes nothing.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import redis
import structlog

from schemas import ReceiptState
from workers.metrics import STAGES, MetricKeys
from workers.store import Store

__all__ = ["ReplayResult", "history", "replay"]

log = structlog.get_logger("wiredesk.ops.replay")

_ENTRY_ID = re.compile(r"^\d+-\d+$")


@dataclass(frozen=True)
class ReplayResult:
    receipt_id: str
    replayed: bool
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _quarantined(store: Store) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Receipt id -> its quarantine entries (id, fields without the raw bytes), oldest first."""
    out: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for entry_id, fields in store.r.xrange(store.keys.quarantine_stream):
        doc = {_text(k): _text(v) for k, v in fields.items() if _text(k) != "raw"}
        out.setdefault(doc["receipt_id"], []).append((_text(entry_id), doc))
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _replay_one(
    store: Store,
    enqueue: Callable[[str], None],
    receipt_id: str,
    entries: list[tuple[str, dict[str, str]]],
    by: str,
) -> ReplayResult:
    r, keys = store.r, store.keys
    mkeys = MetricKeys(keys.prefix)
    receipt_key = keys.receipt(receipt_id)
    with r.pipeline(transaction=True) as pipe:
        try:
            pipe.watch(receipt_key)
            state = pipe.hget(receipt_key, "state")
            if state is None:
                return ReplayResult(receipt_id, False, "no such receipt (expired?)")
            if _text(state) != ReceiptState.quarantined.value:
                return ReplayResult(receipt_id, False, f"not in quarantine (state {_text(state)})")
            if not pipe.exists(keys.raw(receipt_id)):
                return ReplayResult(receipt_id, False, "the raw copy has expired: cannot replay")
            reason = _text(pipe.hget(receipt_key, "reason") or b"")
            pipe.multi()
            for entry_id, doc in entries:
                pipe.rpush(
                    mkeys.history(receipt_id),
                    json.dumps({"event": "quarantined", "entry_id": entry_id, **doc}),
                )
            pipe.rpush(
                mkeys.history(receipt_id),
                json.dumps({"event": "replayed", "at": _now(), "by": by, "reason_was": reason}),
            )
            pipe.expire(mkeys.history(receipt_id), store.settings.retention_seconds)
            pipe.hset(
                receipt_key, mapping={"state": ReceiptState.queued.value, "updated_at": _now()}
            )
            pipe.hincrby(receipt_key, "replays", 1)
            pipe.hdel(receipt_key, "stage", "reason")
            pipe.delete(*(keys.attempts(receipt_id, stage) for stage in STAGES))
            if entries:
                pipe.xdel(keys.quarantine_stream, *(entry_id for entry_id, _ in entries))
            pipe.incr(mkeys.replays)
            pipe.execute()
        except redis.WatchError:
            return ReplayResult(receipt_id, False, "changed while replaying; try again")
    try:
        enqueue(receipt_id)
    except Exception as exc:
        with r.pipeline(transaction=True) as pipe:
            pipe.hset(
                receipt_key,
                mapping={
                    "state": ReceiptState.quarantined.value,
                    "reason": reason,
                    "updated_at": _now(),
                },
            )
            pipe.rpush(
                mkeys.history(receipt_id),
                json.dumps({"event": "replay_failed", "at": _now(), "error": repr(exc)}),
            )
            pipe.execute()
        log.error("replay_failed", receipt_id=receipt_id, error=repr(exc))
        return ReplayResult(receipt_id, False, f"could not enqueue: {exc}")
    log.info("replayed", receipt_id=receipt_id, by=by, entries=len(entries))
    return ReplayResult(receipt_id, True, "queued again")


def replay(
    store: Store,
    enqueue: Callable[[str], None],
    *,
    ids: list[str] | None = None,
    everything: bool = False,
    stage: str | None = None,
    by: str = "ops",
) -> list[ReplayResult]:
    """Replay the named items (receipt ids or quarantine entry ids), or with ``everything``
    every quarantined item; ``stage`` keeps only items quarantined by that stage. Redis errors
    propagate as ``StoreUnavailableError`` or redis errors."""
    started = time.monotonic()
    quarantined = _quarantined(store)
    by_entry = {eid: rid for rid, entries in quarantined.items() for eid, _ in entries}
    wanted: list[str] = []
    if everything:
        wanted = list(quarantined)
    for ident in ids or []:
        rid = by_entry.get(ident, ident) if _ENTRY_ID.match(ident) else ident
        if rid not in wanted:
            wanted.append(rid)
    results = []
    for rid in wanted:
        entries = quarantined.get(rid, [])
        if stage and not any(doc.get("stage") == stage for _, doc in entries):
            if not everything:
                results.append(ReplayResult(rid, False, f"not quarantined by stage {stage!r}"))
            continue
        results.append(_replay_one(store, enqueue, rid, entries, by))
    log.info(
        "replay_done",
        replayed=sum(r.replayed for r in results),
        skipped=sum(not r.replayed for r in results),
        seconds=round(time.monotonic() - started, 3),
    )
    return results


def history(store: Store, receipt_id: str) -> list[dict]:
    """A receipt's past quarantines and replays, oldest first."""
    rows = store.r.lrange(MetricKeys(store.keys.prefix).history(receipt_id), 0, -1)
    return [json.loads(row) for row in rows]
