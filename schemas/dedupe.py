"""The dedupe stage's verdict on a story."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DedupeFinding", "DedupeVerdict", "Verdict"]


class Verdict(StrEnum):
    new = "new"
    resend = "resend"
    update = "update"
    kill = "kill"
    near_duplicate = "near_duplicate"


class DedupeVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    of_story: str | None = Field(
        default=None, description="The story this one repeats, updates, kills or resembles."
    )
    reason: str = Field(description="Readable why, for editors and operations.")
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    cluster: str | None = Field(
        default=None,
        description="Lead story of the duplicate cluster this one joins (resends, near-duplicates).",
    )
    shown: bool = Field(
        default=True,
        description="False for a version older than one already received: it is kept in the "
        "chain (GET /v1/stories/{id}/versions) but does not replace what editors see.",
    )


@dataclass(frozen=True)
class DedupeFinding:
    """What the store's lookup found for a story, before the stage turns it into a verdict:
    ``kind`` is a verdict name or ``update_older`` (a version older than one already seen);
    ``lead`` the cluster's lead; ``story_id`` the chain the item joined (its own unless an
    agency link or a slug moved it)."""

    kind: str
    of_story: str | None
    score: float | None
    reason: str
    lead: str
    story_id: str = ""
