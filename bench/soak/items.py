"""What the soak's feeds push: unique synthetic stories, an agency's resends (the same story in
changed bytes), a feed's repeats (the same bytes again), and bad copy, each given a door and a
segment of the run.

The run is cut into segments, one more than there are faults: segment 0 is pushed before the
first fault, segment i+1 from the moment fault i starts, so every fault has load arriving
before and during it. The items a fault at the API pushes itself (a burst of concurrent
requests to kill the API under) are set aside per fault and belong to no segment.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Literal

from services.ingest import receipt_id_for
from workers.synthetic import FORMATS, make_story

__all__ = ["FEEDS", "Corpus", "Item", "build_corpus", "bulk_request"]

FEEDS = ("reuters", "ap", "afp", "dpa")

Kind = Literal["story", "resend", "repeat", "bad"]
Door = Literal["single", "bulk"]


@dataclass(frozen=True)
class Item:
    n: int
    kind: Kind
    door: Door
    feed: str
    # The bytes the front door keeps as the item: the single door's body, one line of the bulk
    # door's NDJSON (a JSON string of it, or the bytes themselves for a line that is not JSON).
    body: bytes
    segment: int = -1
    # resend, repeat: the story item it copies.
    of: int | None = None

    @property
    def receipt_id(self) -> str:
        """The receipt the front door will answer with (a hash of the feed and the bytes)."""
        return receipt_id_for(self.feed, self.body)


@dataclass
class Corpus:
    flow: list[Item]
    # Per fault index: the items of that fault's burst (API faults only).
    bursts: dict[int, list[Item]] = field(default_factory=dict)

    @property
    def items(self) -> list[Item]:
        return self.flow + [i for burst in self.bursts.values() for i in burst]

    def count(self, kind: Kind) -> int:
        return sum(1 for i in self.items if i.kind == kind)


def _junk(n: int) -> bytes:
    """Copy no parser takes: control bytes before text, unique per item. At the bulk door it
    is a line that is not JSON, which becomes an item of its own."""
    return b"\x00\x01\x02 soak junk item %d, not wire copy" % n


def _resent(body: bytes, fmt: str) -> bytes:
    """The same story in other bytes, as an agency's resend: a new receipt, a dedupe verdict
    of resend (receipt state duplicate)."""
    if fmt == "ninjs":
        doc = json.loads(body)
        doc["uri"] += ":resent"
        return json.dumps(doc).encode()
    return body + b"\n\n"


def build_corpus(
    stories: int,
    *,
    burst_sizes: dict[int, tuple[Door, int]],
    segments: int,
    bulk_share: float = 0.5,
    resend_share: float = 0.05,
    repeat_share: float = 0.02,
    bad_share: float = 0.01,
    seed: int = 7,
) -> Corpus:
    """``stories`` unique stories plus resends, repeats and bad items on top. ``burst_sizes``:
    fault index -> the door and number of stories that fault pushes itself (taken from the
    unique stories)."""
    rng = random.Random(seed)
    originals: list[tuple[Item, str]] = []
    for serial in range(stories):
        fmt = FORMATS[serial % len(FORMATS)]
        item = Item(serial, "story", "single", FEEDS[serial % len(FEEDS)], make_story(serial, fmt))
        originals.append((item, fmt))
    n = stories
    extras: list[Item] = []
    for _ in range(round(stories * resend_share)):
        original, fmt = rng.choice(originals)
        extras.append(Item(n, "resend", "single", original.feed, _resent(original.body, fmt),
                           of=original.n))  # fmt: skip
        n += 1
    for _ in range(round(stories * repeat_share)):
        original, _fmt = rng.choice(originals)
        extras.append(Item(n, "repeat", "single", original.feed, original.body, of=original.n))
        n += 1
    for _ in range(max(1, round(stories * bad_share))):
        extras.append(Item(n, "bad", "single", FEEDS[n % len(FEEDS)], _junk(n)))
        n += 1

    # Bursts from the end of the stories, so the flow's first segments are not thinned.
    pool = [item for item, _ in originals]
    bursts: dict[int, list[Item]] = {}
    for fault, (door, size) in sorted(burst_sizes.items()):
        taken, pool = pool[len(pool) - size :], pool[: len(pool) - size]
        bursts[fault] = [Item(i.n, i.kind, door, i.feed, i.body) for i in taken]
    flow = list(pool)
    for extra in extras:
        flow.insert(rng.randint(0, len(flow)), extra)

    doors: list[Door] = ["bulk" if rng.random() < bulk_share else "single" for _ in flow]
    placed = [
        Item(i.n, i.kind, doors[pos], i.feed, i.body, pos * segments // len(flow), i.of)
        for pos, i in enumerate(flow)
    ]
    return Corpus(flow=placed, bursts=bursts)


def bulk_request(items: list[Item]) -> tuple[list[Item], bytes]:
    """A bulk request's body, NDJSON, and its items in the order of its lines (the order of
    the receipts in the answer). Copy goes as JSON strings, bad items as the bytes themselves
    (lines that are not JSON, each an item of its own), except first: the door reads a body
    as NDJSON by its first line, so a request that begins with a bad item sends that one as a
    JSON string (which holds the same bytes, so the same receipt). Two items or more: a body
    of one line is not read as NDJSON."""
    ordered = sorted(items, key=lambda i: i.kind == "bad")
    lines = [
        i.body if i.kind == "bad" and pos else json.dumps(i.body.decode("utf-8")).encode()
        for pos, i in enumerate(ordered)
    ]
    return ordered, b"\n".join(lines)
