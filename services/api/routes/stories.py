"""The editors' read side: the latest stories, and one story."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from schemas import TaggedStory
from services.api.deps import StoreDep

router = APIRouter(tags=["stories"])


class StoryPage(BaseModel):
    stories: list[TaggedStory]
    next_cursor: str | None


class StoryDetail(BaseModel):
    story: TaggedStory
    duplicates: list[str]


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
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no story {story_id!r} (unknown, or past retention)"
        )
    duplicates = await run_in_threadpool(store.duplicates_of, story_id)
    return StoryDetail(story=story, duplicates=duplicates)
