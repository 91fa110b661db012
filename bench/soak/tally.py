"""The soak's count, once the faults are over and the pipeline has had its time: what became of
every accepted receipt, how long each fault took to recover from, and, for what did not end,
where it stands (its receipt's state and stage, its attempts, and whether any message of the
broker still carries it).
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import redis

from bench.soak.faults import Exit, FaultRecord
from bench.soak.feed import Ledger
from bench.soak.items import Corpus
from bench.soak.watch import TERMINAL
from workers.keys import Keys

__all__ = ["count", "messages_by_receipt", "published_events", "render"]

_RECEIPT = re.compile(r"rc_[0-9a-f]{26}")
_STAGES = ("normalise", "dedupe", "tag", "publish", "batch")


def _receipts_in(message: str) -> set[str]:
    """Receipt ids a broker message carries: in its headers (argsrepr) and in its body, which
    kombu keeps base64-encoded (a batch's argsrepr is cut short; its body is not)."""
    found = set(_RECEIPT.findall(message))
    try:
        envelope = json.loads(message)
        if isinstance(envelope, list):  # an unacked entry: [message, exchange, routing key]
            envelope = envelope[0]
        body = base64.b64decode(envelope.get("body", "")).decode("utf-8", "replace")
        found |= set(_RECEIPT.findall(body))
    except (ValueError, AttributeError, TypeError):
        pass
    return found


def messages_by_receipt(client: redis.Redis, keys: Keys) -> dict[str, set[str]]:
    """Receipt id -> where broker messages carrying it are: "queued" (on a queue's list) or
    "unacked" (delivered to a worker that has not acked it; back on the queue after the
    visibility timeout)."""
    where: dict[str, set[str]] = {}
    for key in client.scan_iter(match=f"{keys.celery_prefix}*", count=1000):
        kind = client.type(key)
        if kind == b"list":
            values = client.lrange(key, 0, -1)
            place = "queued"
        elif kind == b"hash" and key.endswith(b"unacked"):
            values = client.hvals(key)
            place = "unacked"
        else:
            continue
        for value in values:
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            for rid in _receipts_in(text):
                where.setdefault(rid, set()).add(place)
    return where


@dataclass
class StreamCount:
    """The stories stream, counted: events per receipt (any type), per story id and version
    for the events that publish copy (story.published, story.updated), and the dedupe's
    verdict on each receipt announced as a duplicate."""

    per_receipt: Counter[str] = field(default_factory=Counter)
    per_version: Counter[str] = field(default_factory=Counter)
    duplicate_verdicts: dict[str, str] = field(default_factory=dict)


def published_events(client: redis.Redis, keys: Keys) -> StreamCount:
    counted = StreamCount()
    after = "-"
    while True:
        entries: Any = client.xrange(keys.stories_stream, min=after, count=5000)
        if not entries:
            return counted
        for entry_id, fields in entries:
            after = "(" + entry_id.decode()
            event = json.loads(fields[b"data"])
            rid = event.get("receipt_id", "")
            counted.per_receipt[rid] += 1
            kind = event.get("type")
            if kind in ("story.published", "story.updated"):
                counted.per_version[f"{event.get('story_id')}@{event.get('version')}"] += 1
            elif kind == "story.duplicate":
                counted.duplicate_verdicts[rid] = (event.get("verdict") or {}).get("verdict", "")


def _receipt_fields(client: redis.Redis, keys: Keys, rids: list[str]) -> dict[str, dict]:
    with client.pipeline(transaction=False) as pipe:
        for rid in rids:
            pipe.hgetall(keys.receipt(rid))
        values = pipe.execute()
    return {
        rid: {k.decode(): v.decode("utf-8", "replace") for k, v in value.items()}
        for rid, value in zip(rids, values, strict=True)
    }


def _attempts(client: redis.Redis, keys: Keys, rid: str) -> dict[str, int]:
    values = client.mget([keys.attempts(rid, stage) for stage in _STAGES])
    return {stage: int(v) for stage, v in zip(_STAGES, values, strict=True) if v}


def count(
    client: redis.Redis,
    keys: Keys,
    corpus: Corpus,
    ledger: Ledger,
    terminal_at: dict[str, float],
    faults: list[FaultRecord],
    exits: list[Exit],
    *,
    started: float,
) -> dict[str, Any]:
    """Every figure of the run, as JSON-ready data (times in seconds from ``started``)."""
    accepted = ledger.receipts()
    fields = {}
    for start in range(0, len(accepted), 2000):
        fields.update(_receipt_fields(client, keys, accepted[start : start + 2000]))
    states = Counter(f.get("state") if f else None for f in fields.values())
    missing = [rid for rid, f in fields.items() if not f]
    guards = client.mget([keys.published_guard(r) for r in missing]) if missing else []
    lost = [rid for rid, guard in zip(missing, guards, strict=True) if guard is None]
    stuck = [rid for rid, f in fields.items() if f and f.get("state") not in TERMINAL]

    stream = published_events(client, keys)
    twice_receipts = sorted(r for r, n in stream.per_receipt.items() if n > 1 and r in fields)
    twice_versions = sorted(v for v, n in stream.per_version.items() if n > 1)

    items = {i.n: i for i in corpus.items}
    kinds_of = {a.receipt_id: {items[n].kind for n in a.items} for a in ledger.accepted.values()}
    # A resend's receipt ends duplicate; so does a synthetic story the dedupe judges a
    # near-duplicate of another (about 1 in 80 of them: the generator's sentence bank), which
    # is the dedupe's verdict, not a fault's doing. Which of a story and its resend is the
    # duplicate depends on which ran first; together they are one published, one duplicate.
    duplicate_reasons = Counter(
        stream.duplicate_verdicts.get(rid) or "no event"
        for rid, f in fields.items()
        if f.get("state") == "duplicate"
    )
    unexpected_quarantine = Counter(
        f.get("reason", "")[:120]
        for rid, f in fields.items()
        if f and f.get("state") == "quarantined" and "bad" not in kinds_of.get(rid, set())
    )

    where = messages_by_receipt(client, keys) if stuck else {}
    stuck_detail = []
    for rid in stuck:
        f, a = fields[rid], ledger.accepted[rid]
        before = [x.index for x in faults if x.started <= a.at]
        stuck_detail.append({
            "receipt_id": rid,
            "state": f.get("state"),
            "stage": f.get("stage") or None,
            "door": a.door,
            "first_answer_duplicate_receipt": a.duplicate_receipt,
            "accepted_at": round(a.at - started, 2),
            "after_fault": before[-1] + 1 if before else None,
            "message": "+".join(sorted(where.get(rid, set()))) or "none",
            "attempts": _attempts(client, keys, rid),
            "kinds": sorted(kinds_of.get(rid, set())),
        })  # fmt: skip
    stuck_by = Counter(
        f"{d['state']}/{d['stage'] or '-'} via {d['door']}"
        f"{' (dup receipt)' if d['first_answer_duplicate_receipt'] else ''}, message {d['message']}"
        for d in stuck_detail
    )

    fault_rows = []
    for fault in faults:
        settled = ledger.accepted_before(fault.ended)
        waiting = [r for r in settled if terminal_at.get(r, float("inf")) > fault.ended]
        done = [terminal_at[r] for r in settled if r in terminal_at]
        recovered = None
        if len(done) == len(settled):
            recovered = round(max([0.0, *(t - fault.ended for t in done)]), 1)
        # The receipt that ended last (or one that never did): where to look in the logs.
        last = max(settled, key=lambda r: terminal_at.get(r, float("inf")), default=None)
        fault_rows.append({
            "fault": fault.index + 1,
            "kind": fault.kind,
            "target": fault.target,
            "at": round(fault.started - started, 1),
            "took": round(fault.ended - fault.started, 1),
            "accepted_before_end": len(settled),
            "waiting_at_end": len(waiting),
            "recovery_seconds": recovered,
            "not_recovered": len(settled) - len(done),
            "last_to_end": last,
            "note": fault.note,
        })  # fmt: skip

    answers = {door: dict(c) for door, c in ledger.answers.items()}
    return {
        "accepted": len(accepted),
        "published": states.get("published", 0),
        "duplicate": states.get("duplicate", 0),
        "quarantined": states.get("quarantined", 0),
        "stuck": len(stuck),
        "lost": len(lost),
        "published_twice": len(set(twice_receipts)) + len(twice_versions),
        "unplanned_exits": len(exits),
        "expected": {
            "accepted": len({i.receipt_id for i in corpus.items}),
            "published_or_duplicate": len(
                {i.receipt_id for i in corpus.items if i.kind in ("story", "resend")}
            ),
            "quarantined": len({i.receipt_id for i in corpus.items if i.kind == "bad"}),
            "resend_receipts": len({i.receipt_id for i in corpus.items if i.kind == "resend"}),
        },
        "duplicate_reasons": dict(duplicate_reasons),
        "sent": {k: corpus.count(k) for k in ("story", "resend", "repeat", "bad")},
        "refused": len(ledger.refused),
        "refusals": ledger.refused[:10],
        "unanswered": len(ledger.unanswered),
        "oddities": ledger.oddities[:20],
        "answers": answers,
        "faults": fault_rows,
        "stuck_by_state": dict(stuck_by),
        "stuck_items": stuck_detail[:50],
        "lost_items": lost[:50],
        "twice_receipts": twice_receipts[:50],
        "twice_versions": twice_versions[:50],
        "unexpected_quarantine": dict(unexpected_quarantine),
        "exits": [
            {"name": e.name, "at": round(e.at - started, 1), "code": e.code, "log": e.last_lines}
            for e in exits
        ],
    }


def _aligned(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(str(r[c])) for r in [header, *rows]) for c in range(len(header))]

    def line(row: list[str]) -> str:
        cells = [
            str(v).rjust(w) if c in right else str(v).ljust(w)
            for c, (v, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    return [line(header), *(line(r) for r in rows)]


def render(r: dict[str, Any]) -> str:
    """The plain-text tables `make soak` prints."""
    e = r["expected"]
    sent = r["sent"]
    out = [
        f"wiredesk soak: {sent['story']:,} stories, {e['resend_receipts']} resends, {sent['repeat']} "
        f"repeats, {sent['bad']} bad items; {len(r['faults'])} faults; "
        f"{r['seconds']:.0f} s (Valkey appendfsync {r['appendfsync']}; {r['rate']:g} items/s, "
        f"feeds held back {r.get('feeds_held_seconds', 0):.0f} s for the pipeline to catch up)",
        "",
    ]
    reasons = ", ".join(f"{n} {k}" for k, n in sorted(r["duplicate_reasons"].items()))
    rows = [
        ["accepted", f"{r['accepted']:,}", f"{e['accepted']:,}"],
        ["published", f"{r['published']:,}", ""],
        ["duplicate", f"{r['duplicate']:,}", f"({reasons})" if reasons else ""],
        [
            "published or duplicate",
            f"{r['published'] + r['duplicate']:,}",
            f"{e['published_or_duplicate']:,}",
        ],
        ["quarantined", f"{r['quarantined']:,}", f"{e['quarantined']:,}"],
        ["stuck", f"{r['stuck']:,}", "0"],
        ["lost", f"{r['lost']:,}", "0"],
        ["published twice", f"{r['published_twice']:,}", "0"],
        ["unplanned exits", f"{r['unplanned_exits']:,}", "0"],
    ]
    out += _aligned(["", "count", "expected"], rows, {1, 2})
    out += [
        "",
        "recovery: from the fault's end until every item accepted before it is terminal",
        "",
    ]
    fault_rows = [
        [str(f["fault"]), f["kind"], f["target"], f"{f['at']:.1f}", f"{f['took']:.1f}",
         f"{f['accepted_before_end']:,}", f"{f['waiting_at_end']:,}",
         "-" if f["recovery_seconds"] is None else f"{f['recovery_seconds']:.1f}",
         f"{f['not_recovered']:,}" if f["not_recovered"] else ""]
        for f in r["faults"]
    ]  # fmt: skip
    out += _aligned(
        ["#", "fault", "target", "at s", "took s", "accepted", "waiting", "recovery s", "never"],
        fault_rows,
        {0, 3, 4, 5, 6, 7, 8},
    )
    out += ["", "fault notes (and the receipt that ended last):"]
    out += [f"  {f['fault']:>2}. {f['note']}; {f['last_to_end']}" for f in r["faults"]]
    answers = ", ".join(
        f"{door}: " + ", ".join(f"{k} x{v}" for k, v in sorted(c.items()))
        for door, c in r["answers"].items()
    )
    out += ["", f"door answers ({answers})"]
    if r["refused"] or r["unanswered"]:
        out.append(f"refused {r['refused']}, never answered {r['unanswered']}: {r['refusals']}")
    out += [f"odd: {what}" for what in r.get("oddities", [])]
    if r["stuck"]:
        out += ["", f"stuck receipts ({r['stuck']}), by state/stage, door and broker message:"]
        out += [f"  {n:>5}  {what}" for what, n in sorted(r["stuck_by_state"].items())]
        out.append("  first ones:")
        for d in r["stuck_items"][:15]:
            out.append(
                f"    {d['receipt_id']}  {d['state']}/{d['stage'] or '-'}  {d['door']}"
                f"{' dup-receipt' if d['first_answer_duplicate_receipt'] else ''}  accepted "
                f"{d['accepted_at']} s (after fault {d['after_fault']})  message "
                f"{d['message']}  attempts {d['attempts'] or '{}'}"
            )
    if r["lost"]:
        out.append(f"lost receipts: {', '.join(r['lost_items'][:10])}")
    if r["published_twice"]:
        out.append(f"published twice: {r['twice_receipts'][:10]} {r['twice_versions'][:10]}")
    if r["unexpected_quarantine"]:
        out += ["", "quarantined that were not bad items:"]
        out += [f"  {n:>5}  {reason}" for reason, n in r["unexpected_quarantine"].items()]
    if r["exits"]:
        out += ["", "unplanned exits (restarted by the supervisor):"]
        for x in r["exits"]:
            out.append(f"  {x['name']} at {x['at']} s, exit code {x['code']}")
            out += [f"      {line[:160]}" for line in x["log"]]
    return "\n".join(out)
