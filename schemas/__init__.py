"""wiredesk's vocabulary: the models every other package speaks. Imports nothing from the rest."""

from schemas.dedupe import DedupeFinding, DedupeVerdict, Verdict
from schemas.events import SCHEMA_VERSION, EventType, QuarantineEntry, StoryEvent
from schemas.inspection import InspectError, InspectLine
from schemas.receipts import IngestAccepted, Receipt, ReceiptRef, ReceiptState
from schemas.story import CheckedStory, Dateline, PubStatus, Signal, Story, Subject, TaggedStory
from schemas.tags import Mention, Tag, TagType

__all__ = [
    "SCHEMA_VERSION",
    "CheckedStory",
    "Dateline",
    "DedupeFinding",
    "DedupeVerdict",
    "EventType",
    "IngestAccepted",
    "InspectError",
    "InspectLine",
    "Mention",
    "PubStatus",
    "QuarantineEntry",
    "Receipt",
    "ReceiptRef",
    "ReceiptState",
    "Signal",
    "Story",
    "StoryEvent",
    "Subject",
    "Tag",
    "TagType",
    "TaggedStory",
    "Verdict",
]
