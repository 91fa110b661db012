"""``python -m services.pollers``: every configured feed, pulled in one process.

One thread per feed, all sharing one Redis client and one queue connection; a slow or failing
upstream holds up only its own thread. SIGTERM or SIGINT sets one stop event: each poller ends
after the request or file in hand (a request ends within its timeout), and the process exits 0.
A bad feeds file stops the process at start with exit code 2 and a message naming the problem.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import structlog

from services.pollers.config import FeedConfig, FeedConfigError, load_feeds
from services.pollers.folder import FolderWatcher
from services.pollers.http import HttpPoller
from services.pollers.queue import PipelineQueue
from services.processes import ManagedProcess
from workers.logs import configure_logging
from workers.settings import Settings, get_settings
from workers.store import Store, connect

__all__ = ["PollerSet", "main", "start_pollers"]

log = structlog.get_logger("wiredesk.pollers")


class PollerSet:
    """The pollers for a list of feeds, each on its own thread."""

    def __init__(
        self, feeds: Sequence[FeedConfig], *, store: Store, enqueue: Callable[[str], None]
    ):
        self.stop_event = threading.Event()
        self.pollers: list[HttpPoller | FolderWatcher] = [
            HttpPoller(feed, store=store, enqueue=enqueue)
            if feed.is_http
            else FolderWatcher(feed, store=store, enqueue=enqueue)
            for feed in feeds
        ]
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for poller in self.pollers:
            thread = threading.Thread(
                target=poller.run,
                args=(self.stop_event,),
                name=f"poll-{poller.feed.name}",
                daemon=True,
            )
            thread.start()
            self.threads.append(thread)

    def stop(self, timeout: float = 30.0) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.pollers", description=__doc__)
    parser.add_argument(
        "--config",
        type=Path,
        help="the feeds file (default: WIREDESK_FEEDS_CONFIG or ./feeds.toml)",
    )
    args = parser.parse_args(argv)
    settings: Settings = get_settings()
    configure_logging(json=settings.log_json, level=settings.log_level)
    # httpx logs every request at INFO; a quiet poll must leave no line (failures are ours to log).
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    path = args.config or settings.feeds_config
    if path is None:
        print("error: no feeds file: pass --config or set WIREDESK_FEEDS_CONFIG", file=sys.stderr)
        return 2
    try:
        feeds = load_feeds(path, max_bytes=settings.max_body_bytes)
    except FeedConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not settings.redis_url:
        print("error: REDIS_URL is not set", file=sys.stderr)
        return 2

    client = connect(settings.redis_url)
    queue = PipelineQueue(settings)
    pollers = PollerSet(feeds, store=Store(client, settings), enqueue=queue)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("pollers_started", config=str(path), feeds=[f.name for f in feeds])
    pollers.start()
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        pollers.stop()
        queue.close()
        client.close()
        log.info("pollers_stopped")
    return 0


def start_pollers(
    env: Mapping[str, str], *, config: Path, log: Path | None = None
) -> ManagedProcess:
    """The pollers as a real child process, the way `make run` and the tests start them."""
    argv = [sys.executable, "-m", "services.pollers", "--config", str(config)]
    return ManagedProcess("pollers", argv, env, log)
