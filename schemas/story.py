"""The normalised story: one shape for every agency and every wire format.

Each stage of the pipeline adds to the story rather than mutating it in place, so there is a
model per step of its life: ``Story`` (out of normalise), ``CheckedStory`` (with the dedupe
verdict) and ``TaggedStory`` (with tags, what publish stores and editors read).
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from schemas.dedupe import DedupeVerdict
from schemas.tags import Tag

__all__ = [
    "CheckedStory",
    "Dateline",
    "PubStatus",
    "Signal",
    "Story",
    "Subject",
    "TaggedStory",
]


class PubStatus(StrEnum):
    """Publication status as the agencies use it (NITF management-status, G2 pubStatus)."""

    usable = "usable"
    embargoed = "embargoed"
    withheld = "withheld"
    canceled = "canceled"


class Signal(StrEnum):
    """What a version says about the one before it."""

    update = "update"
    correction = "correction"
    kill = "kill"


class Dateline(BaseModel):
    """The dateline as printed (``BEIRUT (Reuters) –``) and what it says."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="The dateline as it stood in the copy, dash excluded.")
    place: str | None = Field(default=None, description="Place name in title case, e.g. 'Beirut'.")
    date: dt.date | None = None
    agency: str | None = Field(
        default=None, description="Agency named in the dateline, e.g. 'Reuters'."
    )


class Subject(BaseModel):
    """A subject code supplied by the agency (IPTC subject code, Media Topic, own scheme)."""

    model_config = ConfigDict(frozen=True)

    scheme: str = Field(description="Scheme alias: 'medtop', 'subj', or the agency's own.")
    code: str
    name: str | None = None


class Story(BaseModel):
    """A story as normalise makes it from one wire item, whatever the format."""

    story_id: str = Field(description="Stable id of this story's version chain in wiredesk.")
    receipt_id: str
    feed: str
    format: str = Field(
        description="Wire format detected: plaintext, anpa1312, iptc7901, nitf, ..."
    )
    agency: str | None = None
    item_id: str | None = Field(default=None, description="The agency's own id (guid, doc-id).")
    version: int = Field(default=1, ge=0)
    version_label: str | None = Field(
        default=None,
        description="The agency's own version words as carried ('1stLd-Writethru', 'REFILE', "
        "'2ND LEAD'), or null when there are none; the number stays in `version`.",
    )
    status: PubStatus = PubStatus.usable
    signals: list[Signal] = Field(default_factory=list)
    urgency: int | None = Field(default=None, ge=1, le=9, description="1 is a flash.")
    headline: str | None = None
    slugline: str | None = None
    byline: str | None = None
    dateline: Dateline | None = None
    body: list[str] = Field(default_factory=list, description="Paragraphs, in order.")
    lede: str | None = None
    language: str | None = Field(default=None, description="ISO 639-1 code.")
    word_count: int = 0
    truncated: bool = Field(default=False, description="The copy ended in a '[…]' trailer.")
    subjects: list[Subject] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list,
        description="What the copy said to editors rather than readers: editor's notes, kill "
        "and correction notices, embargo warnings, parser remarks.",
    )
    keywords: list[str] = Field(default_factory=list, description="Keywords the agency supplied.")
    replaces: list[str] = Field(
        default_factory=list,
        description="Agency item ids this item says it replaces (a G2 link to the previous "
        "version, a NewsML 1.2 previous revision, an editorial note naming earlier items); "
        "dedupe makes it the newest version of the first one it knows.",
    )
    embargoed_until: datetime | None = None
    first_created: datetime | None = None
    version_created: datetime | None = None
    received_at: datetime
    body_hash: str = Field(description="Hash of the normalised body, for exact-resend dedupe.")


class CheckedStory(Story):
    """A story with the dedupe stage's verdict."""

    verdict: DedupeVerdict


class TaggedStory(CheckedStory):
    """A story with its tags: what publish stores and editors read."""

    tags: list[Tag] = Field(default_factory=list)
    tag_error: str | None = Field(
        default=None, description="Why tagging failed, when it did; the story goes on untagged."
    )
