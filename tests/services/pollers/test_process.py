"""``python -m services.pollers`` as a real process with a feeds file, on the shared stack:
items pulled over HTTP and from a drop folder come out on the stories stream; polls that find
nothing log nothing; SIGTERM stops it cleanly; a bad feeds file stops it at start."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

from services.ingest import receipt_id_for, split_items
from services.pollers.queue import PIPELINE_TASKS
from services.pollers.runner import start_pollers
from tests.harness import ROOT, Stack
from tests.services.pollers.copy import ninjs_list, rss, story
from tests.services.pollers.feedserver import FeedServer


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def log_events(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_pollers_process_pulls_feeds_end_to_end(
    tmp_path: Path, stack: Stack, feed_server: FeedServer
) -> None:
    tag = uuid.uuid4().hex[:8]
    body = rss([story(f"{tag}-x", city="OSLO"), story(f"{tag}-y", city="BERGEN")])
    feed_server.publish("/nordic.rss", body, "application/rss+xml")
    drop = tmp_path / "drop"
    config = tmp_path / "feeds.toml"
    config.write_text(
        f"""
        [feeds.nordic-{tag}]
        kind = "rss"
        url = "{feed_server.url("/nordic.rss")}"
        interval = 0.2

        [feeds.drop-{tag}]
        kind = "folder"
        path = "drop"
        interval = 0.1
        """,
        encoding="utf-8",
    )
    dropped = split_items(ninjs_list([story(f"{tag}-z", city="TROMSO")]))[0]
    expected = [receipt_id_for(f"nordic-{tag}", item) for item in split_items(body)]
    expected.append(receipt_id_for(f"drop-{tag}", dropped))
    log = tmp_path / "pollers.log"
    proc = start_pollers(stack.env, config=config, log=log)
    try:
        wait_for(drop.is_dir)
        (drop / "tromso.json").write_bytes(dropped)
        for receipt_id in expected:
            wait_for(lambda rid=receipt_id: stack.redis.exists(stack.keys.receipt(rid)))
            assert stack.wait_receipt(receipt_id)["state"] == "published"
            assert [e["type"] for e in stack.events_for(receipt_id)] == ["story.published"]
        wait_for(lambda: (drop / "processed" / "tromso.json").exists())

        # Quiet when nothing happens: several 304s later, not one more log line.
        wait_for(lambda: feed_server.not_modified >= 2)
        lines = len(log_events(log))
        seen = feed_server.not_modified
        wait_for(lambda: feed_server.not_modified >= seen + 3)
        assert len(log_events(log)) == lines
    finally:
        proc.stop()
    assert proc.proc.returncode == 0
    events = [e["event"] for e in log_events(log)]
    assert events[0] == "pollers_started" and events[-1] == "pollers_stopped"
    assert events.count("ingested") == 3
    assert events.count("feed_polled") == 1 and events.count("drop_file_processed") == 1


def test_bad_feeds_file_stops_the_process_at_start(tmp_path: Path, stack: Stack) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text("[feeds.wire]\nkind = 'rss'\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "services.pollers", "--config", str(config)],
        env=stack.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "feed 'wire': key 'url' is required" in done.stderr


def test_pipeline_task_names_follow_the_pipeline(stack: Stack) -> None:
    # The pollers name the chain's tasks; the pipeline is the authority on them.
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from workers.pipeline import pipeline_for; "
            "print(' '.join(t.task for t in pipeline_for('rc_x').tasks))",
        ],
        env=stack.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert tuple(done.stdout.split()) == PIPELINE_TASKS
