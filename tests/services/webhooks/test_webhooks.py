"""Webhooks from the real dispatcher process to a real local HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from schemas import StoryEvent
from services.consumer import dead_letter_stream
from services.processes import ManagedProcess
from services.webhooks import sign, verify_signature
from services.webhooks.dispatcher import start_dispatcher
from services.webhooks.sender import RetryPolicy
from tests.services.streamkit import ScratchStream, wait_until

SECRET = "s3cret-s3cret-s3cret"


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class Receiver:
    """A local HTTP server. Per path: answers to give in turn (the last one repeats), and an
    optional gate the handler waits on before answering."""

    answers: dict[str, list[int]] = field(default_factory=dict)
    gates: dict[str, threading.Event] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                gate = receiver.gates.get(self.path)
                if gate is not None:
                    gate.wait(60)
                with receiver.lock:
                    queue = receiver.answers.get(self.path, [200])
                    status = queue.pop(0) if len(queue) > 1 else queue[0]
                    receiver.hits.append(Hit(self.path, dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def got(self, path: str, status: int | None = None) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path == path and status in (None, h.status)]

    def close(self) -> None:
        for gate in self.gates.values():
            gate.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def stream(redis_url: str) -> Iterator[ScratchStream]:
    s = ScratchStream(redis_url)
    yield s
    s.drop()


def run_dispatcher(
    stream: ScratchStream, tmp_path: Path, subscribers: list[dict], **settings: str
) -> ManagedProcess:
    env = {
        **stream.env,
        "WIREDESK_WEBHOOKS": json.dumps(subscribers),
        "WIREDESK_WEBHOOK_BACKOFF_SECONDS": "0.05",
        "WIREDESK_WEBHOOK_MAX_ATTEMPTS": "4",
        **{f"WIREDESK_{k.upper()}": v for k, v in settings.items()},
    }
    proc = start_dispatcher(env, log=tmp_path / "webhooks.log")
    groups = {f"webhook.{s['name']}" for s in subscribers}

    def ready() -> bool:
        assert proc.alive(), (tmp_path / "webhooks.log").read_text()
        try:
            return groups <= {g["name"] for g in stream.r.xinfo_groups(stream.name)}
        except Exception:
            return False

    wait_until(ready, what="the dispatcher's consumer groups")
    return proc


def sub(name: str, url: str, **extra) -> dict:
    return {"name": name, "url": url, "secret": SECRET, **extra}


def test_each_event_arrives_signed_and_verifiable(
    stream: ScratchStream, receiver: Receiver, tmp_path: Path
) -> None:
    proc = run_dispatcher(stream, tmp_path, [sub("desk", receiver.url("/hook"))])
    try:
        ids = stream.add(3)
        wait_until(lambda: len(receiver.got("/hook")) == 3, what="three POSTs")
    finally:
        proc.stop()
    for hit, entry_id in zip(receiver.got("/hook"), ids, strict=True):
        ts, sig = hit.headers["X-Wiredesk-Timestamp"], hit.headers["X-Wiredesk-Signature"]
        assert sig.startswith("sha256=")
        assert verify_signature(SECRET, ts, hit.body, sig)
        assert not verify_signature("another-secret-value", ts, hit.body, sig)
        assert not verify_signature(SECRET, ts, hit.body + b" ", sig)
        assert not verify_signature(SECRET, int(ts) - 3600, hit.body, sig)
        assert hit.headers["X-Wiredesk-Event"] == "story.published"
        assert hit.headers["X-Wiredesk-Event-Id"] == entry_id
        assert StoryEvent.model_validate_json(hit.body).type == "story.published"
    assert stream.pending("webhook.desk") == 0


def test_event_type_filter(stream: ScratchStream, receiver: Receiver, tmp_path: Path) -> None:
    from schemas import EventType

    proc = run_dispatcher(
        stream, tmp_path, [sub("kills", receiver.url("/kills"), events=["story.killed"])]
    )
    try:
        stream.add(2)
        killed = stream.add(1, kind=EventType.killed)
        wait_until(lambda: stream.pending("webhook.kills") == 0 and receiver.got("/kills"))
    finally:
        proc.stop()
    assert [h.headers["X-Wiredesk-Event-Id"] for h in receiver.got("/kills")] == killed


def test_server_errors_are_retried_until_delivered_once(
    stream: ScratchStream, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.answers["/flaky"] = [500, 503, 200]
    proc = run_dispatcher(stream, tmp_path, [sub("flaky", receiver.url("/flaky"))])
    try:
        (entry_id,) = stream.add(1)
        wait_until(lambda: receiver.got("/flaky", 200), what="the delivery after two 5xx")
        wait_until(lambda: stream.pending("webhook.flaky") == 0, what="the ack")
    finally:
        proc.stop()
    hits = receiver.got("/flaky")
    assert [h.status for h in hits] == [500, 503, 200]
    assert {h.headers["X-Wiredesk-Event-Id"] for h in hits} == {entry_id}
    assert [h.headers["X-Wiredesk-Delivery"] for h in hits] == ["1.1", "1.2", "1.3"]
    assert len(receiver.got("/flaky", 200)) == 1
    assert stream.r.xlen(dead_letter_stream(stream.prefix, "webhook.flaky")) == 0


def test_dead_subscriber_is_dead_lettered_and_never_holds_back_a_healthy_one(
    stream: ScratchStream, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.answers["/dead"] = [500]
    receiver.gates["/dead"] = gate = threading.Event()
    subscribers = [sub("dead", receiver.url("/dead")), sub("healthy", receiver.url("/ok"))]
    proc = run_dispatcher(
        stream, tmp_path, subscribers, webhook_max_attempts="3", webhook_timeout_seconds="90"
    )
    try:
        ids = stream.add(5)
        # The dead subscriber's first POST hangs until released; the healthy one gets all.
        wait_until(lambda: len(receiver.got("/ok")) == 5, what="every event at the healthy one")
        assert receiver.got("/dead") == []
        gate.set()
        dlq = dead_letter_stream(stream.prefix, "webhook.dead")
        wait_until(lambda: stream.r.xlen(dlq) == 5, what="five dead letters")
    finally:
        proc.stop()
    assert [h.headers["X-Wiredesk-Event-Id"] for h in receiver.got("/ok")] == ids
    letters = stream.r.xrange(dlq)
    assert [f["entry_id"] for _, f in letters] == ids
    assert all("failed after 3 attempt(s): HTTP 500" in f["reason"] for _, f in letters)
    assert len(receiver.got("/dead")) == 15
    assert stream.pending("webhook.dead") == 0


def test_unreachable_subscriber_is_retried_then_dead_lettered(
    stream: ScratchStream, tmp_path: Path
) -> None:
    from services.processes import free_port

    url = f"http://127.0.0.1:{free_port()}/nobody"
    proc = run_dispatcher(stream, tmp_path, [sub("gone", url)], webhook_max_attempts="2")
    try:
        stream.add(1)
        dlq = dead_letter_stream(stream.prefix, "webhook.gone")
        wait_until(lambda: stream.r.xlen(dlq) == 1, what="the dead letter")
    finally:
        proc.stop()
    ((_, letter),) = stream.r.xrange(dlq)
    assert "failed after 2 attempt(s): connection error" in letter["reason"]


def test_signature_scheme() -> None:
    body = b'{"type":"story.published"}'
    sig = sign(SECRET, 1_700_000_000, body)
    assert verify_signature(SECRET, "1700000000", body, sig, now=1_700_000_100)
    assert not verify_signature(SECRET, "1700000000", body, sig, tolerance=60, now=1_700_000_100)
    for ts, s in [(None, sig), ("x", sig), ("1700000000", None), ("1700000000", "sha256=00")]:
        assert not verify_signature(SECRET, ts, body, s, now=1_700_000_000)


def test_backoff_grows_exponentially_with_jitter_under_a_cap() -> None:
    policy = RetryPolicy(max_attempts=10, backoff=1.0, backoff_max=8.0)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        waits = {policy.delay(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(waits) > 1
