"""The consumer library and ``wiredesk consume`` on a real Redis, with consumers as real
processes that get SIGKILLed mid-batch."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from services.consumer import StreamConsumer
from services.processes import ManagedProcess
from tests.harness import Stack
from tests.services.streamkit import ScratchStream, wait_until


def consumer_for(stream: ScratchStream, group: str, **kw) -> StreamConsumer:
    kw.setdefault("block_ms", 100)
    return StreamConsumer(stream.redis_url, prefix=stream.prefix, group=group, **kw)


def start_cli(stream: ScratchStream, log: Path, *args: str) -> ManagedProcess:
    argv = [sys.executable, "-m", "services.cli", "consume", *args]
    return ManagedProcess("consume", argv, stream.env, log)


def lines(path: Path) -> list[tuple[str, int]]:
    if not path.exists():
        return []
    return [
        (entry_id, int(count))
        for entry_id, count in (line.split() for line in path.read_text().splitlines() if line)
    ]


def test_consumer_killed_mid_batch_and_restarted_receives_every_event(
    stream: ScratchStream, tmp_path: Path
) -> None:
    ids = stream.add(30)
    out = tmp_path / "handled"
    # The handler records the delivery, then works a little: a kill lands between a delivery
    # and its ack, and while later entries of the batch are still unhandled.
    handler = (
        f'cat >/dev/null; echo "$WIREDESK_ENTRY_ID $WIREDESK_DELIVERY_COUNT" >> {out}; sleep 0.05'
    )
    args = ["--group", "g", "--consumer", "c1", "--from", "beginning", "--batch", "10"]
    args += ["--claim-idle-ms", "60000", "--exec", handler]

    first = start_cli(stream, tmp_path / "c1.log", *args)
    wait_until(lambda: len(lines(out)) >= 4, what="first deliveries")
    first.kill()
    first.proc.wait(timeout=10)
    before = lines(out)
    assert len({i for i, _ in before}) < len(ids), "the kill came too late to be mid-stream"

    second = start_cli(stream, tmp_path / "c1-again.log", *args)
    try:
        wait_until(lambda: {i for i, _ in lines(out)} >= set(ids), what="every event")
        wait_until(lambda: stream.pending("g") == 0, what="every event acked")
    finally:
        second.stop()

    seen = lines(out)
    assert {i for i, _ in seen} == set(ids)
    after = seen[len(before) :]
    handled_before = {i for i, _ in before}
    # The restarted consumer re-reads its pending history: the entry handled but not acked
    # when the kill landed, and the rest of the interrupted batch, all marked as redelivered.
    redelivered = [(i, c) for i, c in after if c > 1]
    assert redelivered, "nothing was marked as a redelivery"
    for entry_id, count in after:
        if entry_id in handled_before:
            assert count > 1, f"{entry_id} came again without a higher delivery count"
    # Duplicates only of events that were delivered before the kill and never acked.
    dupes = [i for i in handled_before if sum(1 for j, _ in seen if j == i) > 1]
    assert len(dupes) <= 1


def test_second_consumer_claims_a_dead_consumers_pending_entries(
    stream: ScratchStream, tmp_path: Path
) -> None:
    ids = stream.add(8)
    # A consumer that takes a batch of 5 and hangs on the first, then dies.
    hung = start_cli(
        stream,
        tmp_path / "hung.log",
        *["--group", "g", "--consumer", "dead", "--from", "beginning", "--batch", "5"],
        *["--exec", "sleep 60"],
    )
    wait_until(lambda: stream.pending("g") == 5, what="the dead consumer's batch")
    hung.kill()
    hung.proc.wait(timeout=10)

    rescuer = consumer_for(stream, "g", consumer="rescuer", claim_idle_ms=200)
    got = {}
    deadline = time.monotonic() + 30
    while len(got) < len(ids) and time.monotonic() < deadline:
        for d in rescuer.poll():
            got[d.entry_id] = d.delivery_count
            assert rescuer.ack(d.entry_id)
    assert set(got) == set(ids)
    assert all(got[i] == 2 for i in ids[:5]), got
    assert all(got[i] == 1 for i in ids[5:]), got
    assert stream.pending("g") == 0


def test_an_event_never_acked_is_dead_lettered_after_max_deliveries(
    stream: ScratchStream,
) -> None:
    poison, fine = stream.add(2)
    c = consumer_for(stream, "g", start="beginning", claim_idle_ms=0, max_deliveries=3)
    counts = []
    for _ in range(6):
        for d in c.poll():
            if d.entry_id == poison:
                counts.append(d.delivery_count)
            else:
                c.ack(d.entry_id)
    assert counts == [1, 2, 3]
    letters = c.dead_lettered()
    assert [x["entry_id"] for x in letters] == [poison]
    assert letters[0]["kind"] == "event" and letters[0]["delivery_count"] == "4"
    assert "not acknowledged after 3 deliveries" in letters[0]["reason"]
    assert '"receipt_id":"rcpt-1"' in letters[0]["data"]
    assert letters[0]["id"] and stream.name.endswith(":stream:stories")
    assert c.dead_letters == f"{stream.prefix}:stream:stories:dlq:g"
    assert stream.pending("g") == 0
    assert fine not in {x["entry_id"] for x in letters}


def test_an_entry_that_is_not_an_event_is_dead_lettered_not_delivered(
    stream: ScratchStream,
) -> None:
    first = stream.add(1)
    junk = stream.add_raw({"type": "story.published", "data": '{"type": "story.published"}'})
    no_data = stream.add_raw({"hello": "world"})
    last = stream.add(1)
    c = consumer_for(stream, "g", start="beginning")
    got = [d.entry_id for d in c.poll()]
    assert got == first + last
    reasons = {x["entry_id"]: x["reason"] for x in c.dead_lettered()}
    assert set(reasons) == {junk, no_data}
    assert all(r.startswith("not a valid event") for r in reasons.values())


def test_start_from_beginning_now_or_a_time(stream: ScratchStream) -> None:
    early = stream.add(3)
    time.sleep(0.01)
    late = stream.add(3)
    ms = int(late[0].split("-")[0])
    when = datetime.fromtimestamp(ms / 1000, UTC)

    def drain(c: StreamConsumer) -> list[str]:
        got = []
        while batch := c.poll(block_ms=0):
            got += [d.entry_id for d in batch]
            for d in batch:
                c.ack(d.entry_id)
        return got

    beginning = consumer_for(stream, "from-beginning", start="beginning")
    now = consumer_for(stream, "from-now", start="now")
    at_time = consumer_for(stream, "from-time", start=when)
    assert drain(beginning) == early + late
    assert drain(now) == []
    assert drain(at_time) == late
    newer = stream.add(1)
    for c in (beginning, now, at_time):
        assert drain(c) == newer
        assert c.lag().missed == 0
    # An existing group keeps its place whatever start a new consumer asks for.
    assert drain(consumer_for(stream, "from-now", start="beginning", consumer="other")) == []


def test_garbage_acks_change_nothing_and_lose_nothing(stream: ScratchStream) -> None:
    ids = stream.add(4)
    c = consumer_for(stream, "g", start="beginning", consumer="a", batch=2)
    other = consumer_for(stream, "g", consumer="b", batch=2)
    mine = [d.entry_id for d in c.poll()]
    theirs = [d.entry_id for d in other.poll()]
    assert sorted(mine + theirs) == sorted(ids)
    for garbage in ("", "garbage", "1-", "-1", "0-0", "99999999999999-0", "1-1; DROP", None, 7):
        assert c.ack(garbage) is False
    assert c.ack(theirs[0]) is False, "acked an event handed to another consumer"
    assert stream.pending("g") == 4
    assert c.ack(mine[0]) is True
    assert c.ack(mine[0]) is False, "a repeated ack counted twice"
    assert stream.pending("g") == 3


def test_group_that_fell_behind_the_trim_is_told(stream: ScratchStream) -> None:
    stream.add(5, maxlen=5)
    c = consumer_for(stream, "slow", start="beginning", claim_idle_ms=0, batch=2)
    held = [d.entry_id for d in c.poll()]
    assert len(held) == 2 and c.lag().missed == 0
    stream.add(20, maxlen=5)  # 18 events the group never read are trimmed, and its 2 held
    lag = c.lag()
    assert lag.behind_trim and lag.missed == 18 and lag.length == 5

    got = []
    while batch := c.poll(block_ms=0):
        got += batch
        for d in batch:
            c.ack(d.entry_id)
    assert len(got) == 5, "the retained events are still delivered"
    assert c.lag().missed == 0
    told = {n.missed for n in c.trim_notices} | {n.unacked_ids for n in c.trim_notices}
    assert 18 in told and tuple(held) in told
    letters = [x for x in c.dead_lettered() if x["kind"] == "trimmed"]
    assert {x["missed"] for x in letters} >= {"18"}
    assert any("18 event(s) were trimmed" in x["reason"] for x in letters)


def test_cli_warns_when_its_group_fell_behind(stream: ScratchStream) -> None:
    stream.add(3, maxlen=3)
    c = consumer_for(stream, "cli", start="now")
    c.close()
    stream.add(10, maxlen=3)
    status = subprocess.run(
        [sys.executable, "-m", "services.cli", "consume", "--group", "cli", "--lag"],
        capture_output=True,
        text=True,
        timeout=60,
        env=stream.env,
    )
    assert status.returncode == 1, status.stderr
    shown = json.loads(status.stdout)
    assert shown["behind_trim"] is True and shown["missed"] == 7 and shown["length"] == 3
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "consume", "--group", "cli", "--count", "3"],
        capture_output=True,
        text=True,
        timeout=60,
        env=stream.env,
    )
    assert done.returncode == 0, done.stderr
    assert "7 event(s) were trimmed" in done.stderr
    assert len(done.stdout.splitlines()) == 3


def test_cli_prints_events_the_pipeline_published(stack: Stack) -> None:
    response = stack.ingest(
        "reuters", b"Harbour reopens\n\nVALLETTA (Reuters) - The Grand Harbour reopened on Monday."
    )
    receipt_id = response.json()["receipts"][0]["receipt_id"]
    stack.wait_receipt(receipt_id)
    argv = ["consume", "--group", "print", "--from", "beginning", "--json"]
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", *argv, "--count", str(len(stack.events()))],
        capture_output=True,
        text=True,
        timeout=60,
        env=stack.env,
    )
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    mine = [p for p in printed if p["event"]["receipt_id"] == receipt_id]
    assert mine and mine[0]["delivery_count"] == 1
    assert mine[0]["event"]["type"] == "story.published"
    assert mine[0]["event"]["story"]["headline"] == "Harbour reopens"
