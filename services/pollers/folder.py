"""The drop folder: agency copy delivered as files (FTP/SFTP drops, rsync, a shared mount).

The folder is scanned every ``interval`` seconds; no inotify, so it works the same on network
mounts. A file is taken only when it is finished: its size and modification time must be the
same on two scans in a row, and names that writers use while still writing (dot files,
``*.tmp``, ``*.part``, ``*.partial``) are never taken, so ``write x.xml.tmp, rename to x.xml``
works too. A taken file goes whole to ``services.ingest.accept``, the front door of the HTTP
API, then:

* accepted -> moved to ``processed/``. Copy that turns out to be broken is still accepted:
  the pipeline quarantines it with the parser's reason, as it does for pushed copy.
* refused for good (over ``max_bytes``, unreadable, empty) -> moved to ``error/`` with
  ``<name>.reason.txt`` beside it saying why.
* Redis or the queue unavailable -> left where it is and tried again on a later scan.

A name already taken in ``processed/`` or ``error/`` gets a ``-1``, ``-2``… suffix: a file
dropped twice is kept twice, and the front door's receipts make the second harmless.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import structlog

from services.ingest import Accepted, IngestError, accept
from services.pollers.config import FeedConfig
from workers.errors import StoreUnavailableError
from workers.store import Store

__all__ = ["DropOutcome", "FolderWatcher"]

log = structlog.get_logger("wiredesk.pollers")

_IN_PROGRESS_SUFFIXES = (".tmp", ".part", ".partial", ".reason.txt")


@dataclass(frozen=True)
class DropOutcome:
    """What became of one file: ``processed``, ``error`` or ``retry`` (left in place)."""

    name: str
    result: str
    moved_to: Path | None = None
    reason: str | None = None
    receipts: list[Accepted] = field(default_factory=list)


class FolderWatcher:
    """Watches one drop folder. ``scan_once`` does one pass; ``run`` loops until stopped."""

    def __init__(self, feed: FeedConfig, *, store: Store, enqueue: Callable[[str], None]):
        if feed.kind != "folder" or feed.path is None:
            raise ValueError(f"feed {feed.name!r} is not a folder feed")
        self.feed = feed
        self.store = store
        self.enqueue = enqueue
        self.path = feed.path
        self.processed_dir = feed.processed_dir or feed.path / "processed"
        self.error_dir = feed.error_dir or feed.path / "error"
        # name -> (size, mtime_ns) seen on the previous scan, to tell finished files.
        self._seen: dict[str, tuple[int, int]] = {}
        for folder in (self.path, self.processed_dir, self.error_dir):
            folder.mkdir(parents=True, exist_ok=True)

    def scan_once(self) -> list[DropOutcome]:
        """One pass over the folder: take every file that has stopped changing."""
        current: dict[str, tuple[int, int]] = {}
        ready: list[Path] = []
        try:
            entries = list(os.scandir(self.path))
        except OSError as exc:
            log.warning(
                "drop_folder_unreadable", feed=self.feed.name, path=str(self.path), error=str(exc)
            )
            return []
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith(".") or entry.name.endswith(_IN_PROGRESS_SUFFIXES):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone between listing and stat: a writer renamed or removed it
            current[entry.name] = (stat.st_size, stat.st_mtime_ns)
            if self._seen.get(entry.name) == current[entry.name]:
                ready.append(Path(entry.path))
        self._seen = current
        outcomes = [self._take(path) for path in ready]
        for outcome in outcomes:
            if outcome.result != "retry":
                self._seen.pop(outcome.name, None)
        return outcomes

    def _take(self, path: Path) -> DropOutcome:
        name = path.name
        try:
            size = path.stat().st_size
            if size > self.feed.max_bytes:
                return self._reject(
                    path, f"file of {size} bytes exceeds max_bytes {self.feed.max_bytes}"
                )
            raw = path.read_bytes()
        except OSError as exc:
            return self._reject(path, f"cannot read the file: {exc}")
        try:
            receipts = accept(
                self.store,
                self.enqueue,
                feed=self.feed.name,
                raw=raw,
                content_type=None,
                format_hint=self.feed.format,
            )
        except StoreUnavailableError as exc:
            return self._retry(name, str(exc))
        except IngestError as exc:
            if exc.status >= 500:
                return self._retry(name, str(exc))
            return self._reject(path, f"refused by the front door: {exc}")
        target = _move(path, self.processed_dir)
        log.info(
            "drop_file_processed",
            feed=self.feed.name,
            file=name,
            moved_to=str(target),
            items=len(receipts),
            new=sum(not r.duplicate_receipt for r in receipts),
        )
        return DropOutcome(name, "processed", moved_to=target, receipts=receipts)

    def _reject(self, path: Path, reason: str) -> DropOutcome:
        target = _move(path, self.error_dir)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        reason_file = target.with_name(target.name + ".reason.txt")
        reason_file.write_text(
            f"{reason}\nfeed: {self.feed.name}\nfile: {path.name}\nat: {stamp}\n", encoding="utf-8"
        )
        log.warning(
            "drop_file_failed",
            feed=self.feed.name,
            file=path.name,
            reason=reason,
            moved_to=str(target),
        )
        return DropOutcome(path.name, "error", moved_to=target, reason=reason)

    def _retry(self, name: str, reason: str) -> DropOutcome:
        log.warning("drop_file_deferred", feed=self.feed.name, file=name, reason=reason)
        return DropOutcome(name, "retry", reason=reason)

    def run(self, stop: threading.Event) -> None:
        """Scan every interval until ``stop`` is set; a scan's own failure never ends the loop."""
        while not stop.is_set():
            try:
                self.scan_once()
            except Exception as exc:
                log.error(
                    "drop_scan_failed", feed=self.feed.name, error=f"{type(exc).__name__}: {exc}"
                )
            stop.wait(self.feed.interval)


def _move(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder`` without overwriting: name, name-1, name-2…"""
    target = folder / path.name
    n = 0
    while target.exists() or target.with_name(target.name + ".reason.txt").exists():
        n += 1
        target = folder / f"{path.stem}-{n}{path.suffix}"
    os.replace(path, target)
    return target
