"""Tags in the shape commercial taggers use: type, name, id in a scheme, relevance, positions."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Mention", "Tag", "TagType"]


class TagType(StrEnum):
    place = "place"
    person = "person"
    organisation = "organisation"
    topic = "topic"
    keyword = "keyword"


class Mention(BaseModel):
    """Where a tag was found: a character span in one part of the story."""

    model_config = ConfigDict(frozen=True)

    field: str = Field(description="'dateline', 'headline' or 'body'.")
    paragraph: int | None = Field(default=None, description="Body paragraph index, from 0.")
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Tag(BaseModel):
    type: TagType
    name: str
    scheme: str | None = Field(default=None, description="'iso3166', 'geonames', 'medtop', ...")
    code: str | None = Field(default=None, description="Id in the scheme, e.g. 'LB' or '16000000'.")
    ids: dict[str, str] = Field(
        default_factory=dict,
        description="Further ids in other schemes, e.g. {'geonames': '276781'}.",
    )
    relevance: float = Field(ge=0.0, le=1.0)
    mentions: list[Mention] = Field(default_factory=list)
