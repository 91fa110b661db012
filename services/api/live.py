"""The live feed (``GET /v1/stories/live``): one Redis reader per API process, fanned out.

A single background task (``LiveHub``, started in the lifespan) reads the stories stream with
a blocking XREAD, turns each event into a ``LiveEvent`` once (parsed, validated, its filter
terms and its SSE text worked out), and offers it to every connected client. Each client has
its filter and a bounded queue: the hub puts only what the filter wants, never waits, and drops
a client whose queue is full (it can resume with ``Last-Event-ID``), so a slow viewer never
holds back the others. Redis sees one connection however many viewers there are, and the CPU
per event grows with viewers only by a set lookup and a queue put each.

A client resuming with ``Last-Event-ID`` older than the hub's position reads the events in
between from the stream itself (XRANGE), then goes on from its queue, which the hub has been
filling since it joined; events it already has are skipped by id. Embargo lifts arrive as
``story.released`` events (``services/embargo.py``), so a client gets a held story when its
embargo passes whenever it connected.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from schemas import EventType, StoryEvent, TaggedStory
from workers.errors import StoreUnavailableError
from workers.indexing import StoryFilter, is_held, status_of, story_terms
from workers.settings import Settings
from workers.store import Store
from workers.store.live import LiveStream

__all__ = [
    "LIVE_TYPES",
    "HubDep",
    "LiveClient",
    "LiveEvent",
    "LiveHub",
    "LiveResponse",
    "live_event",
    "stream_key",
    "valid_event_id",
    "wanted",
]

log = logging.getLogger(__name__)

# What a live client is sent; duplicates and quarantines are not stories an editor can use.
LIVE_TYPES = frozenset(
    {EventType.published, EventType.updated, EventType.killed, EventType.released}
)
_EVENT_ID = re.compile(r"^\d{1,20}(-\d{1,20})?$")


def valid_event_id(value: str) -> bool:
    return bool(_EVENT_ID.match(value))


def stream_key(event_id: str) -> tuple[int, int]:
    """A stream id as a comparable pair ('1700000000000-3' -> (1700000000000, 3))."""
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One stream event as every live client may be sent it, made once per event."""

    event_id: str
    key: tuple[int, int]
    story: TaggedStory
    terms: frozenset[str]  # the filter terms, status included
    held: bool  # under an embargo that has not passed (sent only with include_embargoed)
    message: str  # the SSE text


def _sse(event_id: str, payload: dict) -> str:
    return f"event: story\nid: {event_id}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


async def live_event(store: Store, event_id: str, fields: dict[bytes, bytes]) -> LiveEvent | None:
    """The event as live clients see it; None for the types they are not sent. A kill is sent
    as the stored story (marked canceled); a release is never held."""
    kind = fields.get(b"type", b"").decode()
    if kind not in LIVE_TYPES:
        return None
    event = StoryEvent.model_validate_json(fields[b"data"])
    story = event.story
    killed = kind == EventType.killed
    if killed:
        story = await run_in_threadpool(store.get_story, event.story_id) or story
    if story is None:
        return None
    held = kind != EventType.released and not killed and is_held(story, datetime.now(UTC))
    payload = {
        "type": kind,
        "story_id": story.story_id,
        "held": held,
        "embargoed_until": story.embargoed_until.isoformat() if story.embargoed_until else None,
        "story": story.model_dump(mode="json"),
    }
    terms = frozenset([*story_terms(story), f"status:{status_of(story, killed)}"])
    return LiveEvent(event_id, stream_key(event_id), story, terms, held, _sse(event_id, payload))


def wanted(event: LiveEvent, flt: StoryFilter) -> bool:
    """``workers.indexing.matches`` (the rule lists and facets answer too), with the story's
    terms worked out once per event rather than once per client."""
    if event.held and not flt.include_embargoed:
        return False
    received = event.story.received_at
    if (flt.since and received < flt.since) or (flt.until and received > flt.until):
        return False
    return all(any(t in event.terms for t in group) for group in flt.groups)


_numbers = itertools.count(1)


class LiveClient:
    """One connected viewer: its filter and the queue the hub fills."""

    def __init__(self, flt: StoryFilter, joined_at: str, maxsize: int):
        self.name = f"live-{next(_numbers)}"
        self.filter = flt
        self.joined_at = joined_at  # the hub's position when it joined: the queue starts after
        # Events, and None for a heartbeat (put by the hub when nothing was put for a while).
        self.queue: asyncio.Queue[LiveEvent | None] = asyncio.Queue(maxsize)
        self.dropped = False
        self.last_queued = joined_at
        self.last_put = time.monotonic()


class LiveHub:
    """The one reader of the stories stream in this process, and the clients it feeds."""

    def __init__(self, stream: LiveStream, store: Store, settings: Settings):
        self.stream = stream
        self.store = store
        self.heartbeat = settings.live_heartbeat_seconds
        self.queue_size = settings.live_client_queue
        self.clients: set[LiveClient] = set()
        self.position: str | None = None  # the id of the last event offered to the clients
        self.ready = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._last_beat = 0.0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="live-hub")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def join(self, flt: StoryFilter) -> LiveClient:
        client = LiveClient(flt, self.position or "0-0", self.queue_size)
        self.clients.add(client)
        log.info(
            "live client %s joined at %s (%d connected)",
            client.name,
            client.joined_at,
            len(self.clients),
        )
        return client

    def leave(self, client: LiveClient) -> None:
        self.clients.discard(client)
        log.info("live client %s left (%d connected)", client.name, len(self.clients))

    async def _run(self) -> None:
        while True:
            try:
                if self.position is None:
                    self.position = await self.stream.newest_id()
                    self.ready.set()
                # Half the heartbeat, so a quiet client's beat is never more than 1.5 late.
                rows = await self.stream.read_after(self.position, block_seconds=self.heartbeat / 2)
                for event_id, fields in rows:
                    await self._offer(event_id, fields)
                self._beat(time.monotonic())
            except StoreUnavailableError as exc:
                log.warning("live feed: %s; reading again in 1 s", exc)
                await asyncio.sleep(1)
            except Exception:
                log.exception("live feed reader failed; reading again in 1 s")
                await asyncio.sleep(1)

    def _beat(self, now: float) -> None:
        """A heartbeat for each client that was handed nothing for a heartbeat interval. The
        hub sends them, rather than each client timing its own wait: a timer per client per
        event would cost more than the event."""
        if now - self._last_beat < self.heartbeat / 4:
            return
        self._last_beat = now
        for client in self.clients:
            if now - client.last_put >= self.heartbeat and not client.queue.full():
                client.queue.put_nowait(None)
                client.last_put = now

    async def _offer(self, event_id: str, fields: dict[bytes, bytes]) -> None:
        event = None
        if self.clients:  # nobody watching: only the position moves
            try:
                event = await live_event(self.store, event_id, fields)
            except (ValidationError, KeyError, UnicodeDecodeError) as exc:
                log.warning(
                    "live feed skipped stream entry %s: not a valid event (%s)", event_id, exc
                )
        # No await from here to the end: a client joining sees the position and the queue
        # agree (everything after joined_at reaches its queue).
        self.position = event_id
        if event is None:
            return
        now = time.monotonic()
        for client in list(self.clients):
            if not wanted(event, client.filter):
                continue
            try:
                client.queue.put_nowait(event)
                client.last_queued = event_id
                client.last_put = now
            except asyncio.QueueFull:
                client.dropped = True
                self.clients.discard(client)
                log.warning(
                    "live client %s dropped: too slow, %d events unread; it may resume with "
                    "Last-Event-ID %s",
                    client.name,
                    client.queue.qsize(),
                    client.last_queued,
                )

    async def events(self, flt: StoryFilter, last_event_id: str | None) -> AsyncIterator[str]:
        """One client's SSE text: backlog first when resuming, then what the hub hands it,
        with a heartbeat comment whenever nothing came for a heartbeat interval."""
        yield "retry: 3000\n\n"
        while not self.ready.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.ready.wait(), self.heartbeat)
            if not self.ready.is_set():
                yield ": heartbeat\n\n"
        client = self.join(flt)
        try:
            last = stream_key(last_event_id) if last_event_id else (0, 0)
            if last_event_id and last < stream_key(client.joined_at):
                async for message in self._backlog(flt, last_event_id, client.joined_at):
                    yield message
            while not (client.dropped and client.queue.empty()):
                batch = [await client.queue.get()]
                # Whatever else is queued goes in the same write: fewer sends under load.
                while not client.queue.empty():
                    batch.append(client.queue.get_nowait())
                events = [e for e in batch if e is not None]
                if not events:
                    yield ": heartbeat\n\n"
                    continue
                text = "".join(e.message for e in events if e.key > last)
                if text:
                    yield text
        finally:
            self.leave(client)

    async def _backlog(self, flt: StoryFilter, after: str, upto: str) -> AsyncIterator[str]:
        """The events a resuming client missed, read from the stream in pages."""
        while True:
            rows = await self.stream.read_range(after, upto)
            for event_id, fields in rows:
                try:
                    event = await live_event(self.store, event_id, fields)
                except (ValidationError, KeyError, UnicodeDecodeError):
                    continue
                if event is not None and wanted(event, flt):
                    yield event.message
            if len(rows) < 500:
                return
            after = rows[-1][0]


class LiveResponse(StreamingResponse):
    """A streaming response whose client may leave at any time: leaving is the normal end of
    a live feed, so it ends the stream quietly (the client's generator logs it at INFO),
    never with an ERROR traceback."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except (ClientDisconnect, OSError):
            pass
        finally:
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                await aclose()


def _hub(request: Request) -> LiveHub:
    return request.app.state.live_hub


HubDep = Annotated[LiveHub, Depends(_hub)]
