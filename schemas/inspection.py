"""The contract of ``wiredesk inspect --json``: one NDJSON line per item, in processing order.

Feed engineers (and the real-copy evaluation) read these lines to see what wiredesk makes of
an agency's sample before go-live, so the shape is part of the published contract:
``schemas/json/inspect-line.schema.json`` is generated from ``InspectLine``. A file that cannot
be processed at all (unreadable, format not detected, cannot be split, no news item in it)
gives one line with ``index`` null.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from schemas.story import TaggedStory

__all__ = ["InspectError", "InspectLine", "InspectStage"]

InspectStage = Literal["read", "detect", "split", "normalise", "dedupe", "tag"]


class InspectError(BaseModel):
    stage: InspectStage = Field(description="Where the item (or the file) stopped.")
    reason: str = Field(description="Readable why, as quarantine would record it.")


class InspectLine(BaseModel):
    file: str = Field(description="The path exactly as given on the command line.")
    index: int | None = Field(
        description="0-based index of the item within the file; null for a file-level failure."
    )
    format: str | None = Field(description="Wire format detected; null when none was.")
    story: TaggedStory | None = Field(
        description="The item as the pipeline makes it (dedupe verdict and tags included); "
        "null when it could not be made into a story."
    )
    error: InspectError | None = None
