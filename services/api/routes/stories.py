"""The editors' read side: stories by any combination of filters, facet counts, a live feed
(Server-Sent Events), one story with its versions and duplicates. Editor tokens only.

Every list, count and live event applies one filter (``workers.indexing.StoryFilter``), so a
story the list shows is one the live feed would have sent. Stories under an embargo that has
not passed are left out everywhere unless ``include_embargoed=true``; when they are shown, the
answer lists them as held with their release time.
"""

from __future__ import annotations

import dataclasses
import heapq
import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from schemas import EventType, StoryEvent, TaggedStory
from services.api.deps import EditorAuth, LiveDep, SettingsDep, StoreDep
from workers.indexing import FILTERS, StoryFilter, is_held, matches, search_tokens
from workers.store import FacetCounts, Store

__all__ = [
    "EmbargoHold",
    "FacetValue",
    "Facets",
    "Held",
    "StoryCluster",
    "StoryDetail",
    "StoryPage",
    "StoryVersions",
    "VersionRef",
    "get_story",
    "list_stories",
    "live_stories",
    "router",
    "story_duplicates",
    "story_facets",
    "story_versions",
]

router = APIRouter(tags=["stories"], dependencies=[EditorAuth])

_FILTER_PARAMS = (*FILTERS, "q", "since", "until", "include_embargoed")
_PAGING = ("limit", "cursor")


class Held(BaseModel):
    story_id: str
    embargoed_until: datetime | None = Field(
        description="Release time; null when the agency gave none (held until a new version)."
    )


class StoryPage(BaseModel):
    stories: list[TaggedStory]
    next_cursor: str | None
    complete: bool = Field(
        default=True,
        description="False when the search stopped at its scan budget before filling the page; "
        "next_cursor then goes on from where it stopped.",
    )
    held: list[Held] = Field(
        default_factory=list,
        description="Stories on this page still under embargo (only with include_embargoed): "
        "not for publication before embargoed_until.",
    )


class VersionRef(BaseModel):
    version: int
    receipt_id: str
    received_at: datetime
    status: str


class StoryDetail(BaseModel):
    story: TaggedStory
    held: bool = Field(default=False, description="Under an embargo that has not passed.")
    duplicates: list[str]
    killed_by: str | None = Field(
        default=None, description="Receipt of the agency's kill, when the story was withdrawn."
    )
    versions: list[VersionRef] = Field(default_factory=list, description="Oldest first.")
    links: dict[str, str] = Field(default_factory=dict)


class StoryVersions(BaseModel):
    story_id: str
    versions: list[TaggedStory] = Field(description="Every version received, oldest first.")


class StoryCluster(BaseModel):
    story_id: str
    lead: str = Field(description="The story that leads the cluster (the first one received).")
    duplicates: list[TaggedStory] = Field(
        description="The lead's resends and near-duplicates, each with its verdict and score."
    )


class FacetValue(BaseModel):
    value: str = Field(description="What to pass as the filter to narrow to it.")
    label: str
    count: int


class Facets(BaseModel):
    counted: int = Field(description="How many matching stories were counted.")
    window: int = Field(description="At most this many of the newest matches are counted.")
    all_counted: bool = Field(description="True when that was every match of the filter.")
    what: str
    facets: dict[str, list[FacetValue]]


def _bad(message: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, message)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _refuse_unknown(request: Request, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise _bad(f"unknown parameter(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")


def _filter(
    request: Request,
    settings: SettingsDep,
    feed: Annotated[list[str], Query(description="Feed name; repeat for any of several.")] = [],  # noqa: B006
    agency: Annotated[list[str], Query(description="Agency, e.g. Reuters.")] = [],  # noqa: B006
    priority: Annotated[list[str], Query(description="Urgency 1 (flash) to 9.")] = [],  # noqa: B006
    place: Annotated[list[str], Query(description="Place name or code (Beirut, LB).")] = [],  # noqa: B006
    person: Annotated[list[str], Query(description="Person's name or id.")] = [],  # noqa: B006
    org: Annotated[list[str], Query(description="Organisation's name or id.")] = [],  # noqa: B006
    topic: Annotated[list[str], Query(description="Topic code or name (16000000).")] = [],  # noqa: B006
    lang: Annotated[list[str], Query(description="ISO 639-1 language code.")] = [],  # noqa: B006
    status_: Annotated[
        list[str],
        Query(alias="status", description="usable, embargoed, withheld, killed."),
    ] = [],  # noqa: B006
    q: Annotated[
        str | None,
        Query(description="Words, all of which must be in headline, slugline, lede or tags."),
    ] = None,
    since: Annotated[datetime | None, Query(description="Received at or after.")] = None,
    until: Annotated[datetime | None, Query(description="Received at or before.")] = None,
    include_embargoed: bool = False,
) -> StoryFilter:
    paging = _PAGING if request.url.path == "/v1/stories" else ()
    _refuse_unknown(request, (*_FILTER_PARAMS, *paging))
    values = {
        "feed": feed,
        "agency": agency,
        "priority": priority,
        "place": place,
        "person": person,
        "org": org,
        "topic": topic,
        "lang": lang,
        "status": status_,
    }
    try:
        words = search_tokens(q, settings.search_max_chars) if q is not None else None
        return StoryFilter.build(
            values,
            search=words,
            since=_utc(since),
            until=_utc(until),
            include_embargoed=include_embargoed,
        )
    except ValueError as exc:
        raise _bad(str(exc)) from exc


FilterDep = Annotated[StoryFilter, Depends(_filter)]


def _missing(story_id: str) -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND, f"no story {story_id!r} (unknown, or past retention)"
    )


@router.get("/v1/stories", response_model=StoryPage, summary="Stories, newest first, filtered")
async def list_stories(
    store: StoreDep,
    flt: FilterDep,
    limit: int = Query(default=20, ge=1, le=200),
    cursor: str | None = Query(default=None, max_length=200),
) -> StoryPage:
    try:
        page = await run_in_threadpool(lambda: store.query(flt, limit=limit, cursor=cursor))
    except ValueError as exc:
        raise _bad(str(exc)) from exc
    now = datetime.now(UTC)
    held = [
        Held(story_id=s.story_id, embargoed_until=s.embargoed_until)
        for s in page.stories
        if is_held(s, now)
    ]
    return StoryPage(
        stories=page.stories, next_cursor=page.next_cursor, complete=page.complete, held=held
    )


@router.get("/v1/stories/facets", response_model=Facets, summary="Facet counts for a filter")
async def story_facets(store: StoreDep, settings: SettingsDep, flt: FilterDep) -> Facets:
    found: FacetCounts = await run_in_threadpool(
        lambda: store.facets(flt, window=settings.facet_window)
    )
    return Facets(
        counted=found.counted,
        window=found.window,
        all_counted=found.all_counted,
        what=f"stories per place, topic, feed and agency among the newest {found.counted} "
        f"stories matching the filter (at most {found.window}); top 20 values of each",
        facets={
            facet: [FacetValue(value=v, label=lb, count=n) for v, lb, n in rows]
            for facet, rows in found.counts.items()
        },
    )


def _sse(event_id: str, payload: dict) -> str:
    return f"event: story\nid: {event_id}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _payload(kind: str, story: TaggedStory, held: bool) -> dict:
    return {
        "type": kind,
        "story_id": story.story_id,
        "held": held,
        "embargoed_until": story.embargoed_until.isoformat() if story.embargoed_until else None,
        "story": story.model_dump(mode="json"),
    }


@router.get(
    "/v1/stories/live",
    summary="New stories matching a filter, as Server-Sent Events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def live_stories(
    request: Request, store: StoreDep, live: LiveDep, settings: SettingsDep, flt: FilterDep
) -> StreamingResponse:
    """Each new, updated or killed story that matches, as an ``event: story`` whose data is
    ``{type, story_id, held, embargoed_until, story}``; ``: heartbeat`` comments between. A
    story under embargo is sent when its release time comes (while the connection lasts), or
    at once marked ``held`` with include_embargoed. Resume with ``Last-Event-ID``."""
    heartbeat = settings.live_heartbeat_seconds

    async def events() -> AsyncIterator[str]:
        held = EmbargoHold()
        last = request.headers.get("last-event-id") or await live.newest_id()
        yield "retry: 3000\n\n"
        while True:
            for event_id, kind, story in held.released(time.time()):
                yield _sse(event_id, _payload(kind, story, False))
            rows = await live.read_after(last, block_seconds=held.wait(time.time(), heartbeat))
            if not rows:
                yield ": heartbeat\n\n"
                continue
            for last, fields in rows:
                found = await _story_of(store, fields)
                if found is None:
                    continue
                kind, story = found
                sent = _routed(held, flt, last, kind, story, datetime.now(UTC))
                if sent is not None:
                    yield sent

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


class EmbargoHold:
    """Stories a live client will see when their embargo lifts (while it stays connected):
    a heap by release time."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, str, str, str]] = []  # release, event id, type, json

    def hold(self, release: float, event_id: str, kind: str, story: TaggedStory) -> None:
        heapq.heappush(self._heap, (release, event_id, kind, story.model_dump_json()))

    def released(self, now: float) -> Iterator[tuple[str, str, TaggedStory]]:
        while self._heap and self._heap[0][0] <= now:
            _, event_id, kind, data = heapq.heappop(self._heap)
            yield event_id, kind, TaggedStory.model_validate_json(data)

    def wait(self, now: float, heartbeat: float) -> float:
        """How long the next read may block: until a release or the next heartbeat."""
        return min(heartbeat, self._heap[0][0] - now) if self._heap else heartbeat


async def _story_of(store: Store, fields: dict[bytes, bytes]) -> tuple[str, TaggedStory] | None:
    """The event's type and story, for the event types a live client sees; a kill is sent
    as the stored story (marked canceled)."""
    kind = fields.get(b"type", b"").decode()
    if kind not in (EventType.published, EventType.updated, EventType.killed):
        return None
    event = StoryEvent.model_validate_json(fields[b"data"])
    story = event.story
    if kind == EventType.killed:
        story = await run_in_threadpool(store.get_story, event.story_id) or story
    return (kind, story) if story is not None else None


def _routed(
    held: EmbargoHold,
    flt: StoryFilter,
    event_id: str,
    kind: str,
    story: TaggedStory,
    moment: datetime,
) -> str | None:
    """The SSE message for a story that matches now; a matching story under embargo is held
    for its release instead (None)."""
    killed = kind == EventType.killed
    embargoed = not killed and is_held(story, moment)
    if matches(story, flt, moment, killed=killed):
        return _sse(event_id, _payload(kind, story, embargoed))
    if (
        embargoed
        and story.embargoed_until
        and matches(story, dataclasses.replace(flt, include_embargoed=True), moment)
    ):
        held.hold(story.embargoed_until.timestamp(), event_id, kind, story)
    return None


@router.get("/v1/stories/{story_id}", response_model=StoryDetail)
async def get_story(story_id: str, store: StoreDep) -> StoryDetail:
    story = await run_in_threadpool(store.get_story, story_id)
    if story is None:
        raise _missing(story_id)
    duplicates = await run_in_threadpool(store.duplicates_of, story_id)
    killed_by = await run_in_threadpool(store.killed_by, story_id)
    versions = await run_in_threadpool(store.versions, story_id)
    return StoryDetail(
        story=story,
        held=is_held(story, datetime.now(UTC)),
        duplicates=duplicates,
        killed_by=killed_by,
        versions=[
            VersionRef(
                version=v.version,
                receipt_id=v.receipt_id,
                received_at=v.received_at,
                status=v.status.value,
            )
            for v in versions
        ],
        links={
            "versions": f"/v1/stories/{story_id}/versions",
            "duplicates": f"/v1/stories/{story_id}/duplicates",
        },
    )


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
