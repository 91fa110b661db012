"""The soak's feeds: items pushed at both doors at once, paced, each request retried as a
feed retries it (a connection error or reset, a timeout, a 5xx, a 429) with backoff and full
jitter until it gets a 2xx, and every receipt the API answered 202 for written down.

``Feeder`` hands the items out: at a steady pace per door, and only from the segments that
are open (segment i+1 opens when fault i starts, see ``bench.soak.items``).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bench.soak.items import Door, Item, bulk_request
from services.localstack import feed_auth
from workers.backoff import backoff_delay, retry_after_seconds

__all__ = ["Accepted", "Feeder", "Ledger", "push", "push_bulk", "push_single", "sender"]


@dataclass
class Accepted:
    """A receipt the API answered 202 for: when first, through which door, and whether that
    first answer said the bytes had been received before."""

    receipt_id: str
    at: float
    door: Door
    duplicate_receipt: bool
    items: list[int] = field(default_factory=list)


class Ledger:
    """What the feeds saw, shared by every sender thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.accepted: dict[str, Accepted] = {}
        # Per door: how each try ended ("202", "503", "ConnectError", ...).
        self.answers: dict[str, Counter[str]] = {"single": Counter(), "bulk": Counter()}
        self.refused: list[tuple[int, int, str]] = []  # (item, status, text)
        self.unanswered: list[int] = []  # items that never got a 2xx before giving up
        # Answers the harness could not read (a 2xx without a receipt per item, say), and
        # errors of its own: each a finding, never a reason to stop pushing.
        self.oddities: list[str] = []

    def note(self, door: Door, outcome: str) -> None:
        with self._lock:
            self.answers[door][outcome] += 1

    def accept(self, door: Door, items: list[Item], refs: list[dict]) -> None:
        now = time.monotonic()
        with self._lock:
            if len(refs) != len(items):
                self.oddities.append(f"{len(items)} items sent to the {door} door, "
                                     f"{len(refs)} receipts answered")  # fmt: skip
            for item, ref in zip(items, refs, strict=False):
                rid = ref["receipt_id"]
                known = self.accepted.get(rid)
                if known is None:
                    known = self.accepted[rid] = Accepted(
                        rid, now, door, bool(ref.get("duplicate_receipt"))
                    )
                known.items.append(item.n)

    def odd(self, what: str) -> None:
        with self._lock:
            self.oddities.append(what)

    def give_up(self, items: list[Item], status: int | None, text: str) -> None:
        with self._lock:
            if status is None:
                self.unanswered += [i.n for i in items]
            else:
                self.refused += [(i.n, status, text[:200]) for i in items]

    def receipts(self) -> list[str]:
        with self._lock:
            return list(self.accepted)

    def count_since(self, receipt_ids: list[str], moment: float) -> int:
        """How many of ``receipt_ids`` were first accepted after ``moment``."""
        with self._lock:
            return sum(1 for rid in receipt_ids if self.accepted[rid].at > moment)

    def accepted_before(self, moment: float) -> list[str]:
        with self._lock:
            return [a.receipt_id for a in self.accepted.values() if a.at <= moment]


class Feeder:
    """Hands out the flow's items per door: in order, at ``rate`` items a second per door,
    only from open segments (``open_segment``), and not while ``held()`` says the pipeline is
    too far behind: the soak measures what faults leave undone, not what a machine too slow
    (or too busy with other work) for the pace leaves queued."""

    def __init__(
        self,
        flow: list[Item],
        rates: dict[Door, float],
        held: Callable[[], bool] = lambda: False,
    ):
        self._cond = threading.Condition()
        self._items: dict[Door, list[Item]] = {
            door: [i for i in flow if i.door == door] for door in ("single", "bulk")
        }
        self._next: dict[Door, int] = {"single": 0, "bulk": 0}
        self._due: dict[Door, float] = {"single": 0.0, "bulk": 0.0}
        self._rates = rates
        self._held = held
        # Time the feeds spent held back, summed over the feed connections.
        self.held_seconds = 0.0
        self._open = 0
        self._left = Counter(i.segment for i in flow)

    def open_segment(self, segment: int) -> None:
        with self._cond:
            self._open = max(self._open, segment)
            self._cond.notify_all()

    def segment_taken(self, segment: int) -> bool:
        """Every item of ``segment`` has been handed out (it may still be on its way)."""
        with self._cond:
            return self._left[segment] == 0

    def take(self, door: Door, most: int) -> list[Item]:
        """Up to ``most`` items, waiting for their segment to open and for the pace; [] when
        this door has nothing left."""
        if self._held():
            since = time.monotonic()
            while self._held():
                time.sleep(0.2)
            with self._cond:
                self.held_seconds += time.monotonic() - since
        with self._cond:
            items, start = self._items[door], self._next[door]
            while True:
                start = self._next[door]
                if start >= len(items):
                    return []
                if items[start].segment <= self._open:
                    break
                self._cond.wait(0.2)
            end = start
            while end < len(items) and end - start < most and items[end].segment <= self._open:
                end += 1
            taken = items[start:end]
            self._next[door] = end
            for item in taken:
                self._left[item.segment] -= 1
            # The pace: a clock per door that never runs ahead of now, so items held back by
            # a closed segment do not burst out when it opens.
            at = max(self._due[door], time.monotonic())
            self._due[door] = at + len(taken) / self._rates[door]
        pause = at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        return taken


def push(
    client: httpx.Client,
    url: str,
    feed: str,
    body: bytes,
    door: Door,
    ledger: Ledger,
    *,
    give_up_at: float,
) -> tuple[int | None, dict | str]:
    """POST until a 2xx, as a feed does: (status, answer) on a 2xx or a refusal (4xx other
    than 429), (None, last error) when ``give_up_at`` passed first."""
    failures = 0
    while True:
        retry_after = None
        try:
            answer = client.post(url, content=body, headers=feed_auth(feed))
        except httpx.HTTPError as exc:  # connection refused or reset, timeout, broken answer
            outcome, last = type(exc).__name__, repr(exc)
        else:
            outcome, last = str(answer.status_code), answer.text
            if answer.is_success:
                ledger.note(door, outcome)
                return answer.status_code, answer.json()
            if answer.status_code < 500 and answer.status_code != 429:
                ledger.note(door, outcome)
                return answer.status_code, answer.text
            retry_after = retry_after_seconds(answer.headers.get("retry-after"))
        ledger.note(door, outcome)
        failures += 1
        if time.monotonic() > give_up_at:
            return None, last
        delay = backoff_delay(failures, base=0.1, cap=2.0, jitter="full")
        time.sleep(min(2.0, retry_after) if retry_after is not None else delay)


def push_single(
    client: httpx.Client, api_url: str, item: Item, ledger: Ledger, *, give_up_at: float
) -> None:
    status, answer = push(client, f"{api_url}/v1/ingest/{item.feed}", item.feed, item.body,
                          "single", ledger, give_up_at=give_up_at)  # fmt: skip
    if isinstance(answer, dict):
        ledger.accept("single", [item], answer["receipts"])
    else:
        ledger.give_up([item], status, answer)


def push_bulk(
    client: httpx.Client, api_url: str, items: list[Item], ledger: Ledger, *, give_up_at: float
) -> None:
    """One bulk request per feed among ``items`` (a feed posts its own backfill)."""
    by_feed: dict[str, list[Item]] = {}
    for item in items:
        by_feed.setdefault(item.feed, []).append(item)
    for feed, group in by_feed.items():
        if len(group) == 1:
            # The batch door takes two lines or more as NDJSON: a lone item of this feed goes
            # to the single door, as the same bytes (the same receipt).
            push_single(client, api_url, group[0], ledger, give_up_at=give_up_at)
            continue
        ordered, body = bulk_request(group)
        status, answer = push(client, f"{api_url}/v1/ingest/{feed}/batch", feed, body, "bulk",
                              ledger, give_up_at=give_up_at)  # fmt: skip
        if isinstance(answer, dict):
            ledger.accept("bulk", ordered, answer["receipts"])
        else:
            ledger.give_up(ordered, status, answer)


def sender(
    door: Door,
    feeder: Feeder,
    api_url: Callable[[], str],
    ledger: Ledger,
    *,
    batch: int,
    give_up_after: float,
) -> None:
    """One feed connection's loop (run in a thread): take, push, until the feeder is empty."""
    with httpx.Client(timeout=30) as client:
        while True:
            items = feeder.take(door, 1 if door == "single" else batch)
            if not items:
                return
            give_up_at = time.monotonic() + give_up_after
            try:
                if door == "single":
                    push_single(client, api_url(), items[0], ledger, give_up_at=give_up_at)
                else:
                    push_bulk(client, api_url(), items, ledger, give_up_at=give_up_at)
            except Exception as exc:  # a 2xx that is not the answer the API documents, say
                ledger.odd(f"{door} push: {exc!r}")
                ledger.give_up(items, None, repr(exc))
