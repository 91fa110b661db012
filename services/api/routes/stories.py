"""The editors' read side: stories by any combination of filters, facet counts, a live feed
(Server-Sent Events), one story with its versions and duplicates. Editor tokens only.

Every list, count and live event applies one filter (``workers.indexing.StoryFilter``), so a
story the list shows is one the live feed would have sent. Stories under an embargo that has
not passed are left out everywhere unless ``include_embargoed=true``; when they are shown, the
answer lists them as held with their release time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from schemas import TaggedStory
from services.api.deps import EditorAuth, SettingsDep, StoreDep
from services.api.live import HubDep, LiveResponse, valid_event_id
from workers.indexing import FILTERS, StoryFilter, is_held, search_tokens
from workers.store import FacetCounts

__all__ = [
    "FacetValue",
    "Facets",
    "Held",
    "KillNotice",
    "StoryCluster",
    "StoryDetail",
    "StoryPage",
    "StoryVersions",
    "VersionRef",
    "get_story",
    "kill_notice",
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


class KillNotice(BaseModel):
    """The kill's own copy: the agency's reason for withdrawing the story and what to do."""

    receipt_id: str
    received_at: datetime | None = Field(
        default=None, description="Null only when the kill's copy is past retention."
    )
    feed: str | None = None
    agency: str | None = None
    headline: str | None = None
    body: list[str] = Field(default_factory=list, description="Paragraphs, in order.")
    notes: list[str] = Field(
        default_factory=list, description="What the copy said to editors (the kill notice)."
    )


class StoryDetail(BaseModel):
    story: TaggedStory
    held: bool = Field(default=False, description="Under an embargo that has not passed.")
    duplicates: list[str]
    killed_by: str | None = Field(
        default=None, description="Receipt of the agency's kill, when the story was withdrawn."
    )
    kill_notice: KillNotice | None = Field(
        default=None,
        description="The agency's kill as it was sent, when the story was withdrawn (status "
        "canceled): what editors must read before anything else about the story.",
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
        Query(
            alias="status",
            description="usable, embargoed, withheld, canceled (a killed story: the story's "
            "own status; `killed` is accepted for canceled).",
        ),
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
    except ValueError as exc:  # only a cursor this service did not make
        raise _bad(f"cursor: {exc}; pass the next_cursor of an earlier page") from exc
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


@router.get(
    "/v1/stories/live",
    summary="New stories matching a filter, as Server-Sent Events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def live_stories(request: Request, hub: HubDep, flt: FilterDep) -> StreamingResponse:
    """Each new, updated, killed or released story that matches, as an ``event: story`` whose
    data is ``{type, story_id, held, embargoed_until, story}``; ``: heartbeat`` comments
    between. A story under embargo is sent when its embargo lifts (a ``story.released`` event,
    held false), or at once marked ``held`` with include_embargoed. Resume with
    ``Last-Event-ID`` (the missed events are read from the stream). Served from the API's one
    reader of the stream (``services/api/live.py``)."""
    last_event_id = request.headers.get("last-event-id") or None
    if last_event_id is not None and not valid_event_id(last_event_id):
        raise _bad(f"Last-Event-ID {last_event_id!r} is not a stream id like 1700000000000-0")
    return LiveResponse(
        hub.events(flt, last_event_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


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
        kill_notice=kill_notice(killed_by, versions),
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


def kill_notice(killed_by: str | None, versions: list[TaggedStory]) -> KillNotice | None:
    """The kill among the story's versions (a kill is kept as a version of the story it
    withdraws); only its receipt when that copy is gone."""
    if killed_by is None:
        return None
    kill = next((v for v in versions if v.receipt_id == killed_by), None)
    if kill is None:
        return KillNotice(receipt_id=killed_by)
    return KillNotice(
        receipt_id=kill.receipt_id,
        received_at=kill.received_at,
        feed=kill.feed,
        agency=kill.agency,
        headline=kill.headline,
        body=kill.body,
        notes=kill.notes,
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
