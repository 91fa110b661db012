"""The editors' read side: the latest stories, one story, its versions and its duplicates."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from schemas import TaggedStory
from services.api.deps import EditorAuth, StoreDep

router = APIRouter(tags=["stories"], dependencies=[EditorAuth])


class StoryPage(BaseModel):
    stories: list[TaggedStory]
    next_cursor: str | None


class StoryDetail(BaseModel):
    story: TaggedStory
    duplicates: list[str]
    killed_by: str | None = Field(
        default=None, description="Receipt of the agency's kill, when the story was withdrawn."
    )


class StoryVersions(BaseModel):
    story_id: str
    versions: list[TaggedStory] = Field(description="Every version received, oldest first.")


class StoryCluster(BaseModel):
    story_id: str
    lead: str = Field(description="The story that leads the cluster (the first one received).")
    duplicates: list[TaggedStory] = Field(
        description="The lead's resends and near-duplicates, each with its verdict and score."
    )


def _missing(story_id: str) -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND, f"no story {story_id!r} (unknown, or past retention)"
    )


@router.get("/v1/stories", response_model=StoryPage)
async def list_stories(
    store: StoreDep,
    limit: int = Query(default=20, ge=1, le=200),
    cursor: str | None = Query(default=None, max_length=200),
) -> StoryPage:
    try:
        stories, next_cursor = await run_in_threadpool(
            lambda: store.list_stories(limit=limit, cursor=cursor)
        )
    except ValueError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    return StoryPage(stories=stories, next_cursor=next_cursor)


@router.get("/v1/stories/{story_id}", response_model=StoryDetail)
async def get_story(story_id: str, store: StoreDep) -> StoryDetail:
    story = await run_in_threadpool(store.get_story, story_id)
    if story is None:
        raise _missing(story_id)
    duplicates = await run_in_threadpool(store.duplicates_of, story_id)
    killed_by = await run_in_threadpool(store.killed_by, story_id)
    return StoryDetail(story=story, duplicates=duplicates, killed_by=killed_by)


@router.get("/v1/stories/{story_id}/versions", response_model=StoryVersions)
async def story_versions(story_id: str, store: StoreDep) -> StoryVersions:
    versions = await run_in_threadpool(store.versions, story_id)
    if not versions:
        raise _missing(story_id)
    return StoryVersions(story_id=story_id, versions=versions)


@router.get("/v1/stories/{story_id}/duplicates", response_model=StoryCluster)
async def story_duplicates(story_id: str, store: StoreDep) -> StoryCluster:
    found = await run_in_threadpool(store.cluster, story_id)
    if found is None:
        raise _missing(story_id)
    lead, members = found
    return StoryCluster(story_id=story_id, lead=lead, duplicates=members)
