"""The stories stream as a published contract: one model per event type, and JSON Schema files
generated from the models so consumers in other languages can validate what they receive.

``StoryEvent`` (in ``schemas.events``) is the envelope every stream entry carries; the models
here narrow it per ``type`` so a consumer can tell from the type alone what it may rely on (a
duplicate never carries the story text, a quarantine never carries a verdict). The files in
``schemas/json`` are generated, never edited: run ``python -m schemas.contract`` after changing
any model they describe, and commit the result. ``tests/schemas/test_contract.py`` fails when
the committed files and the models disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from schemas.events import SCHEMA_VERSION, EventType, StoryEvent
from schemas.inspection import InspectLine
from schemas.story import Story, TaggedStory

__all__ = [
    "JSON_DIR",
    "AnyEvent",
    "DuplicateEvent",
    "KilledEvent",
    "PublishedEvent",
    "QuarantinedEvent",
    "ReleasedEvent",
    "UpdatedEvent",
    "export_json_schemas",
    "json_schemas",
    "main",
    "parse_event",
]

JSON_DIR = Path(__file__).resolve().parent / "json"
_BASE_URI = "https://wiredesk.invalid/schemas/"


class PublishedEvent(StoryEvent):
    """A story seen for the first time. Carries the story as stored."""

    type: Literal[EventType.published] = EventType.published


class UpdatedEvent(StoryEvent):
    """A newer version of a known story (update or correction). Carries the new version; the
    story is absent when the version arrived after a newer one (kept in the chain, not shown)."""

    type: Literal[EventType.updated] = EventType.updated


class DuplicateEvent(StoryEvent):
    """A resend or near-duplicate: the verdict names the story it repeats; no text is sent."""

    type: Literal[EventType.duplicate] = EventType.duplicate
    story: None = Field(default=None, description="Always absent: see verdict.of_story.")


class KilledEvent(StoryEvent):
    """The agency withdrew a story: the verdict names it. Consumers must take it down."""

    type: Literal[EventType.killed] = EventType.killed


class QuarantinedEvent(StoryEvent):
    """An item the pipeline could not handle. Only the receipt and feed are known; the reason
    is on the receipt (``GET /v1/receipts/{receipt_id}``) and in the quarantine stream."""

    type: Literal[EventType.quarantined] = EventType.quarantined
    story: None = Field(default=None, description="Always absent: nothing could be stored.")


class ReleasedEvent(StoryEvent):
    """A story held by an embargo became usable: its release time passed. Carries the story
    as stored (the version that was published under embargo, ``embargoed_until`` in the past).
    Written once per embargoed version, by the API's embargo releaser; a story whose embargo
    had already passed when it arrived gets none (its published event was usable)."""

    type: Literal[EventType.released] = EventType.released
    story: TaggedStory = Field(description="The story, usable since embargoed_until.")


AnyEvent = Annotated[
    PublishedEvent | UpdatedEvent | DuplicateEvent | KilledEvent | QuarantinedEvent | ReleasedEvent,
    Field(discriminator="type"),
]
_ANY_EVENT: TypeAdapter[StoryEvent] = TypeAdapter(AnyEvent)

# File stem -> model. Stems are stable names; consumers reference them by URL.
_MODELS: dict[str, type[BaseModel]] = {
    "story-event": StoryEvent,
    EventType.published.value: PublishedEvent,
    EventType.updated.value: UpdatedEvent,
    EventType.duplicate.value: DuplicateEvent,
    EventType.killed.value: KilledEvent,
    EventType.quarantined.value: QuarantinedEvent,
    EventType.released.value: ReleasedEvent,
    "story": Story,
    "tagged-story": TaggedStory,
    "inspect-line": InspectLine,
}


def parse_event(data: str | bytes | dict[str, Any]) -> StoryEvent:
    """The event as its per-type model. Raises ``pydantic.ValidationError`` on anything that
    is not a valid event of a known type (the caller decides whether to dead-letter it)."""
    if isinstance(data, dict):
        return _ANY_EVENT.validate_python(data)
    return _ANY_EVENT.validate_json(data)


def json_schemas() -> dict[str, str]:
    """File name -> file text for every exported schema, byte for byte what is committed."""
    out: dict[str, str] = {}
    for stem, model in _MODELS.items():
        schema = model.model_json_schema(mode="serialization")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{_BASE_URI}{stem}.schema.json",
            "x-wiredesk-schema-version": SCHEMA_VERSION,
            **schema,
        }
        name = f"{stem}.schema.json"
        out[name] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out


def export_json_schemas(directory: Path = JSON_DIR) -> list[Path]:
    """Write every schema file into ``directory`` (created if missing) and remove stale
    ``*.schema.json`` files there, so a renamed model leaves nothing behind."""
    directory.mkdir(parents=True, exist_ok=True)
    files = json_schemas()
    for stale in directory.glob("*.schema.json"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else JSON_DIR
    for path in export_json_schemas(directory):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
