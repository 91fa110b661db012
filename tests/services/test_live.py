"""The live feed on a real stack, over real HTTP: one Redis reader per API process fanned out
to every client, heartbeats on a quiet stream past the Redis client's socket timeout, embargo
lifts published on the stream once and delivered to clients that connected after the story,
resuming with Last-Event-ID, and clients leaving without an ERROR in the API's log."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from schemas import EventType, StoryEvent, TaggedStory
from services.api.live import live_event, wanted
from services.consumer import StreamConsumer
from tests.harness import Stack, editor_auth
from tests.services.streamkit import ScratchStream, wait_until
from workers.indexing import StoryFilter, matches

HEARTBEAT = 1.0
SOCKET_TIMEOUT = HEARTBEAT + 10  # what workers/store/live.py gives the live feed's client


@pytest.fixture(scope="module")
def live(redis_url: str, log_dir: Path) -> Iterator[Stack]:
    stack = Stack(
        redis_url=redis_url,
        log_dir=log_dir,
        env_overrides={
            "WIREDESK_LIVE_HEARTBEAT_SECONDS": str(HEARTBEAT),
            "WIREDESK_EMBARGO_RELEASE_SECONDS": "0.2",
        },
    ).start()
    yield stack
    stack.stop()


def ninjs(uri: str, *, place: str, embargoed: datetime | None = None) -> bytes:
    doc = {
        "uri": f"urn:newsml:test.example:{uri}",
        "type": "text",
        "version": "1",
        "pubstatus": "usable",
        "urgency": 3,
        "language": "en",
        "headline": f"Harbour news from {place} {uri}",
        "located": place,
        "body_text": f"{place} (Reuters) - The harbour authority said on Monday, ref {uri}.",
    }
    if embargoed:
        doc["embargoed"] = embargoed.isoformat().replace("+00:00", "Z")
    return json.dumps(doc).encode()


def send(stack: Stack, raw: bytes) -> dict:
    answer = stack.ingest("reuters", raw)
    assert answer.status_code == 202, answer.text
    receipt = stack.wait_receipt(answer.json()["receipt_id"], timeout=60)
    assert receipt["state"] == "published", receipt
    return receipt


class Viewer:
    """One live client reading in a thread of its own: events and heartbeats as they come."""

    def __init__(self, stack: Stack, params: dict, *, last_event_id: str | None = None):
        headers = {**editor_auth(), **({"Last-Event-ID": last_event_id} if last_event_id else {})}
        self.client = httpx.Client(timeout=httpx.Timeout(30, read=SOCKET_TIMEOUT * 3))
        self.request = self.client.build_request(
            "GET", f"{stack.api_url}/v1/stories/live", params=params, headers=headers
        )
        self.events: list[dict] = []
        self.heartbeats: list[float] = []
        self.status = 0
        self.ended = threading.Event()
        self.opened = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self.opened.wait(30) and self.status == 200, self.status

    def _read(self) -> None:
        try:
            response = self.client.send(self.request, stream=True)
            self.status = response.status_code
            self.opened.set()
            event: dict = {}
            for line in response.iter_lines():
                if line.startswith(": heartbeat"):
                    self.heartbeats.append(time.monotonic())
                elif line.startswith("id: "):
                    event["id"] = line[4:]
                elif line.startswith("data: "):
                    event.update(json.loads(line[6:]))
                elif not line and event:
                    self.events.append(event)
                    event = {}
        except (httpx.HTTPError, RuntimeError):
            pass  # closed by the test
        finally:
            self.opened.set()
            self.ended.set()

    def stories(self) -> list[str]:
        return [e["story_id"] for e in self.events]

    def close(self) -> None:
        self.client.close()
        self.ended.wait(10)


def live_connections(stack: Stack) -> int:
    """Connections the API's live feed holds on Redis (named by workers/store/live.py)."""
    name = f"wiredesk-live:{stack.prefix}"
    return sum(1 for c in stack.redis.client_list() if c.get("name") == name)


def api_errors(stack: Stack) -> list[str]:
    log = stack.log_dir / f"{stack.prefix}-api.log"
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if '"level": "error"' in line or "Traceback" in line]


def released_events(stack: Stack, story_id: str) -> list[tuple[str, dict]]:
    return [
        (i.decode(), json.loads(f[b"data"]))
        for i, f in stack.redis.xrange(stack.keys.stories_stream)
        if f[b"type"] == b"story.released" and f[b"story_id"].decode() == story_id
    ]


def test_a_quiet_stream_stays_open_past_the_socket_timeout_with_heartbeats(live) -> None:
    viewer = Viewer(live, {"place": f"nowhere{uuid.uuid4().hex[:6]}"})
    try:
        started = time.monotonic()
        wait_until(
            lambda: time.monotonic() - started > SOCKET_TIMEOUT + 2,
            timeout=SOCKET_TIMEOUT + 10,
            what="the connection to outlive the socket timeout",
        )
        assert not viewer.ended.is_set(), "the live feed dropped on a quiet stream"
        gaps = [b - a for a, b in zip(viewer.heartbeats, viewer.heartbeats[1:], strict=False)]
        assert len(viewer.heartbeats) >= SOCKET_TIMEOUT / HEARTBEAT, viewer.heartbeats
        assert max(gaps) < HEARTBEAT * 2.5, gaps
    finally:
        viewer.close()
    assert api_errors(live) == []


def test_clients_with_different_filters_share_one_reader(live) -> None:
    run = uuid.uuid4().hex[:6]
    assert wait_until(lambda: live_connections(live) == 1, timeout=10, what="the one reader")
    valletta = [Viewer(live, {"place": "valletta"}) for _ in range(3)]
    oslo = [Viewer(live, {"place": "oslo"}) for _ in range(3)]
    try:
        # Six clients, still the one connection of the one reader.
        assert live_connections(live) == 1
        to_valletta = send(live, ninjs(f"{run}-v", place="Valletta"))["story_id"]
        to_oslo = send(live, ninjs(f"{run}-o", place="Oslo"))["story_id"]
        send(live, ninjs(f"{run}-r", place="Rome"))
        for viewer in [*valletta, *oslo]:
            wait_until(lambda v=viewer: v.stories(), timeout=30, what="a story")
        time.sleep(HEARTBEAT)  # anything sent to the wrong client would be in by now
        assert all(v.stories() == [to_valletta] for v in valletta)
        assert all(v.stories() == [to_oslo] for v in oslo)
        assert live_connections(live) == 1
    finally:
        for viewer in [*valletta, *oslo]:
            viewer.close()


def test_an_embargo_lift_reaches_a_client_that_connected_after_the_story(live) -> None:
    run = uuid.uuid4().hex[:6]
    release = datetime.now(UTC) + timedelta(seconds=4)
    receipt = send(live, ninjs(f"{run}-held", place="Tallinn", embargoed=release))
    story_id = receipt["story_id"]
    published = live.redis.hget(live.keys.receipt(receipt["receipt_id"]), "event_id").decode()
    assert datetime.now(UTC) < release, "the story took too long to publish for this test"
    assert released_events(live, story_id) == []

    viewer = Viewer(live, {"place": "tallinn"})  # connected after the story was published
    try:
        wait_until(viewer.stories, timeout=30, what="the released story")
        [event] = viewer.events
        assert event["type"] == "story.released" and event["held"] is False
        assert event["story_id"] == story_id
        assert datetime.now(UTC) >= release
    finally:
        viewer.close()

    # Once on the stream, however many release rounds have run since.
    time.sleep(1)
    [(released_id, data)] = released_events(live, story_id)
    assert data["story"]["headline"].endswith(f"{run}-held")
    assert live.redis.zscore(live.keys.embargoes, story_id) is None
    assert live.http.get(f"{live.api_url}/v1/stories/{story_id}").json()["held"] is False

    # A client that saw the held story's event and went away gets the release on resuming.
    resumed = Viewer(live, {"place": "tallinn"}, last_event_id=published)
    try:
        wait_until(resumed.stories, timeout=30, what="the release from the backlog")
        assert [(e["id"], e["type"]) for e in resumed.events] == [(released_id, "story.released")]
    finally:
        resumed.close()


def test_resuming_with_last_event_id_reads_the_backlog_then_goes_on(live) -> None:
    run = uuid.uuid4().hex[:6]
    first = send(live, ninjs(f"{run}-1", place="Riga"))
    first_id = live.redis.hget(live.keys.receipt(first["receipt_id"]), "event_id").decode()
    missed = send(live, ninjs(f"{run}-2", place="Riga"))["story_id"]
    viewer = Viewer(live, {"place": "riga"}, last_event_id=first_id)
    try:
        wait_until(viewer.stories, timeout=30, what="the missed story")
        after = send(live, ninjs(f"{run}-3", place="Riga"))["story_id"]
        wait_until(lambda: len(viewer.stories()) >= 2, timeout=30, what="the new story")
        time.sleep(HEARTBEAT)
        assert viewer.stories() == [missed, after]
    finally:
        viewer.close()
    bad = live.http.get(f"{live.api_url}/v1/stories/live", headers={"Last-Event-ID": "x; DROP"})
    assert bad.status_code == 400


def test_a_client_leaving_logs_no_error(live) -> None:
    log = live.log_dir / f"{live.prefix}-api.log"
    before = log.read_text(encoding="utf-8").count("left (")
    viewer = Viewer(live, {"place": "vilnius"})
    wait_until(lambda: viewer.heartbeats, timeout=10, what="a heartbeat")
    viewer.close()
    wait_until(
        lambda: log.read_text(encoding="utf-8").count("left (") > before,
        timeout=HEARTBEAT * 5,
        what="the API to notice the client left",
    )
    left = [line for line in log.read_text(encoding="utf-8").splitlines() if "left (" in line]
    assert json.loads(left[-1])["level"] == "info"
    assert api_errors(live) == []


def test_a_consumer_skips_an_event_type_it_does_not_know(redis_url: str) -> None:
    stream = ScratchStream(redis_url)
    try:
        known = stream.add(1)
        future = stream.add_raw({"type": "story.someday", "story_id": "s", "data": "{}"})
        consumer = StreamConsumer(
            redis_url, prefix=stream.prefix, group="g", start="beginning", block_ms=100
        )
        assert [d.entry_id for d in consumer.poll()] == known
        assert consumer.dead_lettered() == []
        assert future not in consumer.held and stream.pending("g") == 1  # only the known one
        consumer.close()
    finally:
        stream.drop()


def test_the_live_filter_is_the_list_filter() -> None:
    """``wanted`` (terms worked out once per event) agrees with ``workers.indexing.matches``."""
    now = datetime.now(UTC)
    story = TaggedStory.model_validate(
        {
            "story_id": "st_1",
            "receipt_id": "rc_1",
            "feed": "reuters",
            "format": "ninjs",
            "agency": "Reuters",
            "status": "embargoed",
            "urgency": 2,
            "language": "en",
            "headline": "Harbour reopens in Valletta",
            "dateline": {"text": "VALLETTA", "place": "Valletta"},
            "embargoed_until": (now + timedelta(hours=1)).isoformat(),
            "received_at": now.isoformat(),
            "body_hash": "x",
            "verdict": {"verdict": "new", "reason": "first"},
        }
    )
    fields = {
        b"type": b"story.published",
        b"data": StoryEvent(
            type=EventType.published,
            story_id="st_1",
            version=1,
            receipt_id="rc_1",
            feed="reuters",
            occurred_at=now,
            story=story,
        )
        .model_dump_json()
        .encode(),
    }
    event = asyncio.run(live_event(None, "1-0", fields))  # type: ignore[arg-type]
    assert event is not None and event.held
    for values, include in [
        ({}, False),
        ({}, True),
        ({"feed": ["reuters"]}, True),
        ({"feed": ["ap"]}, True),
        ({"priority": ["2", "3"], "lang": ["en"]}, True),
        ({"status": ["embargoed"]}, False),
        ({"status": ["usable"]}, True),
        ({"agency": ["reuters"], "lang": ["fr"]}, True),
    ]:
        flt = StoryFilter.build(values, include_embargoed=include)
        assert wanted(event, flt) == matches(story, flt, now), (values, include)
