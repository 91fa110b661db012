"""The drop folder against the real stack: finished files go through the front door and the
worker and are moved to processed/; broken copy is the pipeline's to quarantine; files the
front door refuses go to error/ with the reason beside them."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from services.pollers.config import FeedConfig
from services.pollers.folder import FolderWatcher
from services.pollers.queue import PipelineQueue
from services.pollers.runner import PollerSet
from tests.harness import Stack
from tests.services.pollers.copy import ninjs_list, rss, story
from workers.store import Store

SAMPLES = Path(__file__).resolve().parents[2] / "workers" / "formats" / "samples"


def folder_feed(path: Path, **overrides) -> FeedConfig:
    values = {
        "name": f"drop-{uuid.uuid4().hex[:8]}",
        "kind": "folder",
        "interval": 0.05,
        "format": None,
        "max_bytes": 1024 * 1024,
        "path": path,
        "processed_dir": path / "processed",
        "error_dir": path / "error",
    }
    return FeedConfig(**(values | overrides))


def test_good_file_is_published_and_moved_to_processed(
    tmp_path: Path, stack: Stack, store: Store, queue: PipelineQueue
) -> None:
    watcher = FolderWatcher(folder_feed(tmp_path / "drop"), store=store, enqueue=queue)
    dropped = tmp_path / "drop" / "brief.json"
    dropped.write_bytes(ninjs_list([story(uuid.uuid4().hex, city="GENOA")])[1:-1])

    assert watcher.scan_once() == []  # first sight: maybe still being written
    [outcome] = watcher.scan_once()
    assert outcome.result == "processed"
    assert not dropped.exists()
    assert outcome.moved_to == tmp_path / "drop" / "processed" / "brief.json"
    assert outcome.moved_to.is_file()
    [receipt] = outcome.receipts
    assert stack.wait_receipt(receipt.receipt_id)["state"] == "published"
    [event] = stack.events_for(receipt.receipt_id)
    assert event["type"] == "story.published"
    assert watcher.scan_once() == []


def test_files_being_written_are_not_taken(
    tmp_path: Path, store: Store, queue: PipelineQueue
) -> None:
    drop = tmp_path / "drop"
    watcher = FolderWatcher(folder_feed(drop), store=store, enqueue=queue)
    body = rss([story(uuid.uuid4().hex), story(uuid.uuid4().hex)])
    growing = drop / "growing.xml"
    growing.write_bytes(body[:100])
    (drop / "renamed-later.xml.tmp").write_bytes(body)
    (drop / ".hidden.xml").write_bytes(body)
    (drop / "subdir").mkdir()
    assert watcher.scan_once() == []
    with growing.open("ab") as f:
        f.write(body[100:200])
    assert watcher.scan_once() == []  # it grew: not finished yet
    growing.write_bytes(body)
    assert watcher.scan_once() == []
    # The writer's rename is the signal for the .tmp convention; still two stable scans.
    (drop / "renamed-later.xml.tmp").rename(drop / "renamed-later.xml")
    taken = watcher.scan_once()
    assert [o.name for o in taken] == ["growing.xml"]
    assert taken[0].result == "processed" and len(taken[0].receipts) == 2
    assert [o.name for o in watcher.scan_once()] == ["renamed-later.xml"]
    assert sorted(p.name for p in drop.iterdir()) == [".hidden.xml", "error", "processed", "subdir"]


def test_broken_copy_is_accepted_and_quarantined_by_the_pipeline(
    tmp_path: Path, stack: Stack, store: Store, queue: PipelineQueue
) -> None:
    drop = tmp_path / "drop"
    watcher = FolderWatcher(folder_feed(drop), store=store, enqueue=queue)
    (drop / "broken.xml").write_bytes((SAMPLES / "rss" / "malformed.xml").read_bytes())
    watcher.scan_once()
    [outcome] = watcher.scan_once()
    assert outcome.result == "processed"  # the front door took it; judging it is the pipeline's job
    [receipt] = outcome.receipts
    settled = stack.wait_receipt(receipt.receipt_id)
    assert settled["state"] == "quarantined"
    assert settled["reason"]
    assert (drop / "processed" / "broken.xml").is_file()


def test_refused_files_go_to_error_with_the_reason(
    tmp_path: Path, store: Store, queue: PipelineQueue
) -> None:
    drop = tmp_path / "drop"
    watcher = FolderWatcher(folder_feed(drop, max_bytes=300), store=store, enqueue=queue)
    (drop / "huge.xml").write_bytes(rss([story(uuid.uuid4().hex)] * 3))
    (drop / "empty.txt").write_bytes(b"  \n")
    watcher.scan_once()
    outcomes = {o.name: o for o in watcher.scan_once()}
    assert {o.result for o in outcomes.values()} == {"error"}
    assert sorted(p.name for p in (drop / "error").iterdir()) == [
        "empty.txt",
        "empty.txt.reason.txt",
        "huge.xml",
        "huge.xml.reason.txt",
    ]
    assert "exceeds max_bytes 300" in (drop / "error" / "huge.xml.reason.txt").read_text()
    assert "empty body" in (drop / "error" / "empty.txt.reason.txt").read_text()
    assert not list((drop / "processed").iterdir())

    # The same name dropped again does not overwrite the first one's evidence.
    (drop / "empty.txt").write_bytes(b"")
    watcher.scan_once()
    [again] = watcher.scan_once()
    assert again.moved_to == drop / "error" / "empty-1.txt"
    assert (drop / "error" / "empty-1.txt.reason.txt").is_file()


def test_watcher_thread_takes_files_until_stopped(
    tmp_path: Path, stack: Stack, store: Store, queue: PipelineQueue
) -> None:
    drop = tmp_path / "drop"
    pollers = PollerSet([folder_feed(drop)], store=store, enqueue=queue)
    pollers.start()
    try:
        (drop / "late.xml").write_bytes(rss([story(uuid.uuid4().hex), story(uuid.uuid4().hex)]))
        deadline = time.monotonic() + 30
        while not (drop / "processed" / "late.xml").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (drop / "processed" / "late.xml").is_file()
    finally:
        pollers.stop()
    assert not any(t.is_alive() for t in pollers.threads)
