"""What each fuzz target does with one input, and the property the input must hold.

The property, for any bytes: every call answers, or raises a ``PermanentError`` with a reason
(the pipeline quarantines the item with it). A ``RetryableError`` would retry copy that can
never succeed, and any other exception is a bug: a 500 at the door or a stage that crashes.
What comes back must be what the caller relies on: a sniff score from 0 to 1, a list of byte
strings from a split, a ``ParsedItem`` from a parse, and from normalise a ``Story`` that
survives the JSON round trips the worker puts it through (the next stage reads the stage's
JSON; publish stores ``model_dump_json()``).

Importing this module imports wiredesk; the fuzzer process does that only with coverage
instrumentation on (``fuzz.child``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from bench.fuzz.catalog import CANARY, CONTENT_TYPES, HINTS, TARGETS
from schemas import Story
from services.ingest import batch_items, split_items
from workers.errors import PermanentError
from workers.formats import FORMATS, ParsedItem, detect
from workers.formats.framing import cut_frame
from workers.stages.normalise import build_story
from workers.tasks import run_normalise

__all__ = [
    "RUN",
    "PropertyBroken",
    "check_story",
    "fuzz_canary",
    "fuzz_detect",
    "fuzz_format",
    "fuzz_ingest",
    "fuzz_normalise",
    "normalised",
    "permanent_or",
]

T = TypeVar("T")

RECEIPT = "rc_fuzz0000000000000000000000"
FEED = "fuzz-feed"
RECEIVED = datetime(2024, 11, 12, 9, 0, tzinfo=UTC)
# How many of the items a door cuts are normalised: enough to reach a second and a last item,
# few enough that a 10,000-item body does not make one input take seconds.
_ITEMS_NORMALISED = 3


class PropertyBroken(AssertionError):
    """An answer that breaks the contract (a wrong type, a score out of range, an error
    without a reason). Raised so the fuzzer reports the input as a crash."""


def permanent_or(call: Callable[[], T]) -> T | PermanentError:
    """``call()``'s answer, or the PermanentError it raised. Any other exception propagates:
    the fuzzer reports it with the input."""
    try:
        return call()
    except PermanentError as exc:
        if not str(exc).strip():
            raise PropertyBroken(f"{type(exc).__name__} raised with no reason") from exc
        return exc


def check_story(story: object) -> Story:
    """A Story that the worker can pass on and publish can store: its JSON both ways."""
    if not isinstance(story, Story):
        raise PropertyBroken(f"normalise returned {type(story).__name__}, not a Story")
    passed_on = Story.model_validate(json.loads(json.dumps(story.model_dump(mode="json"))))
    stored = Story.model_validate_json(story.model_dump_json())
    if stored != story or passed_on != story:
        raise PropertyBroken("the story is not the same after its JSON round trip")
    return story


def normalised(raw: bytes, *, hint: str | None = None, content_type: str | None = None) -> None:
    """The worker's normalise stage on one item, as ``workers.tasks`` runs it."""
    meta = {
        "feed": FEED,
        "received_at": RECEIVED.isoformat(),
        "format_hint": hint or "",
        "content_type": content_type or "",
    }
    story = permanent_or(lambda: run_normalise(RECEIPT, raw, meta))
    if not isinstance(story, PermanentError):
        check_story(story)


def _split(parts: object, what: str) -> list[bytes]:
    if not isinstance(parts, list) or not all(isinstance(p, bytes) for p in parts):
        raise PropertyBroken(f"{what} returned {type(parts).__name__}, not a list of bytes")
    return parts


def fuzz_detect(data: bytes) -> None:
    """Every format's sniff scores the bytes from 0 to 1; detect names a registered format or
    refuses them."""
    for fmt in FORMATS.values():
        score = permanent_or(partial(fmt.sniff, data))
        if isinstance(score, PermanentError):
            continue
        if not isinstance(score, int | float) or not 0 <= score <= 1:
            raise PropertyBroken(f"{fmt.name}.sniff returned {score!r}, not a score in 0..1")
    found = permanent_or(partial(detect, data))
    if not isinstance(found, PermanentError) and found not in FORMATS.values():
        raise PropertyBroken(f"detect returned {found!r}, not a registered format")


def fuzz_format(name: str) -> Callable[[bytes], None]:
    """The target of one format: its own split and parse when its sniff claims the bytes,
    then the door's split and normalise on the first items, hinted as that format."""
    fmt = FORMATS[name]

    def one_input(data: bytes) -> None:
        score = permanent_or(partial(fmt.sniff, data))
        if not isinstance(score, PermanentError) and score > 0:
            # The parser's own contract, as a hinted feed reaches it whichever format wins.
            parts = permanent_or(partial(fmt.split, data))
            if not isinstance(parts, PermanentError):
                _split(parts, f"{name}.split")
            item = permanent_or(partial(fmt.parse, data))
            if not isinstance(item, PermanentError):
                if not isinstance(item, ParsedItem):
                    raise PropertyBroken(f"{name}.parse returned {type(item).__name__}")
                story = permanent_or(
                    lambda: build_story(item, receipt_id=RECEIPT, feed=FEED, received_at=RECEIVED)
                )
                if not isinstance(story, PermanentError):
                    check_story(story)
        # The path a story takes: the door splits, a worker normalises each item.
        for part in _split(split_items(data), "split_items")[:_ITEMS_NORMALISED]:
            normalised(part, hint=name)

    return one_input


def fuzz_normalise(data: bytes) -> None:
    """The worker's normalise on any bytes: the first byte picks the feed's format hint, the
    second the Content-Type it sent (``fuzz.catalog.HINTS``, ``CONTENT_TYPES``)."""
    hint = HINTS[data[0] % len(HINTS)] if data else None
    content_type = CONTENT_TYPES[data[1] % len(CONTENT_TYPES)] if len(data) > 1 else None
    normalised(data[2:], hint=hint, content_type=content_type)


def fuzz_ingest(data: bytes) -> None:
    """The door's splitters never fail and always give an item; the worker normalises the
    first items of a batch body."""
    # The API refuses an empty body before splitting (400), so the splitters never see one.
    if not data.strip():
        return
    items = _split(split_items(data), "split_items")
    if not items:
        raise PropertyBroken("split_items returned no item")
    batch = _split(batch_items(data), "batch_items")
    if not batch:
        raise PropertyBroken("batch_items returned no item")
    for item in batch[:_ITEMS_NORMALISED]:
        normalised(item)


def fuzz_canary(data: bytes) -> None:
    """Crashes on purpose (``fuzz.catalog.CANARY``)."""
    if data.startswith(b"CRASH"):
        raise KeyError("the canary target crashes on purpose")
    permanent_or(partial(cut_frame, data, format="canary", header="header"))


#: The function that runs one input, by target name.
RUN: dict[str, Callable[[bytes], None]] = {
    "detect": fuzz_detect,
    **{name: fuzz_format(name) for name in FORMATS},
    "normalise": fuzz_normalise,
    "ingest": fuzz_ingest,
    CANARY.name: fuzz_canary,
}
assert set(RUN) == {*TARGETS, CANARY.name}, "fuzz.catalog and fuzz.targets name the same targets"
