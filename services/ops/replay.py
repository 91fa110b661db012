"""Quarantine replay: put quarantined items back through the whole pipeline, after whatever
quarantined them (a parser bug, a slow dependency, a lost Redis) has been fixed.

An item is replayed from its raw bytes, which the store keeps for the retention period, so it
goes through every stage again from ``normalise``; ``--stage`` chooses which items by the stage
that quarantined them. For each item, in one MULTI (watched, so a concurrent replay of the same
item does nothing twice; ``workers.store.quarantine`` writes it):

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

``--feed``, ``--stage``, ``--since`` and ``--until`` narrow the items chosen (by ids or
``--all``) by what their quarantine entries say; ``--dry-run`` answers what would be replayed,
with the same checks, and writes nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import structlog

from workers.metrics import STAGES
from workers.store import QuarantinedItem, Store

__all__ = ["ReplayFilter", "ReplayResult", "history", "replay"]

log = structlog.get_logger("wiredesk.ops.replay")

_ENTRY_ID = re.compile(r"^\d+-\d+$")


@dataclass(frozen=True)
class ReplayResult:
    """One item's answer; ``would_replay`` is only ever set by a dry run."""

    receipt_id: str
    replayed: bool
    detail: str
    would_replay: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ReplayFilter:
    """Which of the chosen items to replay, by their quarantine entries: an item is kept when
    each filter set is met by one of its entries (times inclusive; a naive time is UTC)."""

    stage: str | None = None
    feed: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def why_not(self, entries: list[QuarantinedItem]) -> str | None:
        """None when the item is kept, else the first filter none of its entries meets."""
        if self.stage and not any(e.fields.get("stage") == self.stage for e in entries):
            return f"not quarantined by stage {self.stage!r}"
        if self.feed and not any(e.fields.get("feed") == self.feed for e in entries):
            return f"not from feed {self.feed!r}"
        timed = self.since is not None or self.until is not None
        if timed and not any(self._in_time(e) for e in entries):
            return "not quarantined between since and until"
        return None

    def _in_time(self, entry: QuarantinedItem) -> bool:
        try:
            at = datetime.fromisoformat(entry.fields.get("quarantined_at", ""))
        except ValueError:
            return False
        if self.since is not None and at < _aware(self.since):
            return False
        return self.until is None or at <= _aware(self.until)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _quarantined(store: Store) -> dict[str, list[QuarantinedItem]]:
    """Receipt id -> its quarantine entries, oldest first."""
    out: dict[str, list[QuarantinedItem]] = {}
    for item in store.quarantined_items():
        out.setdefault(item.fields["receipt_id"], []).append(item)
    return out


def _replay_one(
    store: Store,
    enqueue: Callable[[str], None],
    receipt_id: str,
    entries: list[QuarantinedItem],
    by: str,
) -> ReplayResult:
    outcome = store.reopen_quarantined(receipt_id, entries, by=by, stages=STAGES)
    if not outcome.reopened:
        return ReplayResult(receipt_id, False, outcome.detail)
    try:
        enqueue(receipt_id)
    except Exception as exc:
        store.back_to_quarantine(receipt_id, reason=outcome.reason_was, error=repr(exc))
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
    feed: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    dry_run: bool = False,
    by: str = "ops",
) -> list[ReplayResult]:
    """Replay the named items (receipt ids or quarantine entry ids), or with ``everything``
    every quarantined item; ``stage``, ``feed``, ``since`` and ``until`` keep only the items
    whose quarantine entries match (``ReplayFilter``). With ``dry_run`` nothing is written:
    each kept item says whether it would be replayed. Redis errors propagate as
    ``StoreUnavailableError`` or redis errors."""
    started = time.monotonic()
    keep = ReplayFilter(stage=stage, feed=feed, since=since, until=until)
    quarantined = _quarantined(store)
    by_entry = {e.entry_id: rid for rid, entries in quarantined.items() for e in entries}
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
        refused = keep.why_not(entries)
        if refused:
            if not everything:  # a named item says why; --all passes over quietly
                results.append(ReplayResult(rid, False, refused))
            continue
        if dry_run:
            check = store.replay_check(rid)
            results.append(ReplayResult(rid, False, check.detail, would_replay=check.reopened))
            continue
        results.append(_replay_one(store, enqueue, rid, entries, by))
    log.info(
        "replay_done",
        dry_run=dry_run,
        replayed=sum(r.replayed for r in results),
        skipped=sum(not r.replayed for r in results),
        seconds=round(time.monotonic() - started, 3),
    )
    return results


def history(store: Store, receipt_id: str) -> list[dict]:
    """A receipt's past quarantines and replays, oldest first."""
    return store.history(receipt_id)
