"""Pollers for feeds served over HTTP: RSS, Atom and JSON (ninjs lists) documents.

Each poll is one conditional GET (If-None-Match / If-Modified-Since from the validators the
upstream sent last time, kept in Redis so a restart does not refetch everything). A 304, or a
200 with the very bytes of the last document, ends the poll quietly. A new document goes whole
to ``services.ingest.accept``, the front door the HTTP API uses: it splits the feed into items
and gives each a receipt from (feed, item bytes), so items seen in an earlier document get
their old receipts back and are not processed again.

Failures (timeouts, connection errors, non-2xx answers, a document over the size limit, Redis
or the queue unavailable) are logged once each and retried after an exponential backoff with
full jitter, capped by the feed's ``max_backoff``; the first success goes back to the feed's
interval. Nothing is logged for a poll that found nothing new.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import structlog

from services.ingest import Accepted, IngestError, accept
from services.pollers.config import FeedConfig
from services.pollers.state import PollState, Validators
from workers.backoff import backoff_delay, retry_after_seconds
from workers.errors import StoreUnavailableError, WiredeskError
from workers.store import Store

__all__ = ["HttpPoller", "PollError", "PollOutcome"]

log = structlog.get_logger("wiredesk.pollers")

_ACCEPT = {
    "rss": "application/rss+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1",
    "atom": "application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1",
    "json": "application/json, */*;q=0.1",
}


class PollError(WiredeskError):
    """One poll failed; ``retry_after`` is the upstream's Retry-After in seconds, if it sent one."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        self.retry_after = retry_after
        super().__init__(message)


@dataclass(frozen=True)
class PollOutcome:
    """``fetched``: a new document went to the front door; ``not_modified``: 304;
    ``unchanged``: the same bytes as last time, or an empty document."""

    status: str
    receipts: list[Accepted] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(not r.duplicate_receipt for r in self.receipts)


class HttpPoller:
    """Polls one HTTP feed. ``poll_once`` does one fetch; ``run`` loops until ``stop`` is set."""

    def __init__(
        self,
        feed: FeedConfig,
        *,
        store: Store,
        enqueue: Callable[[str], None],
        rng: random.Random | None = None,
    ):
        if not feed.is_http or feed.url is None:
            raise ValueError(f"feed {feed.name!r} is not an HTTP feed")
        self.feed = feed
        self.store = store
        self.enqueue = enqueue
        self.state = PollState(store, feed.name)
        self.failures = 0
        self._rng = rng or random.Random()
        self.client = httpx.Client(
            timeout=feed.timeout,
            follow_redirects=True,
            headers={
                "User-Agent": "wiredesk-poller/0.1",
                "Accept": _ACCEPT[feed.kind],
                **feed.headers,
            },
        )

    def close(self) -> None:
        self.client.close()

    # ---- one poll ----------------------------------------------------------------------

    def poll_once(self) -> PollOutcome:
        """Fetch the feed once and hand a new document to the front door. Raises PollError."""
        try:
            last = self.state.load()
        except StoreUnavailableError as exc:
            raise PollError(str(exc)) from exc
        conditional = {}
        if last.etag:
            conditional["If-None-Match"] = last.etag
        if last.last_modified:
            conditional["If-Modified-Since"] = last.last_modified
        try:
            with self.client.stream("GET", self.feed.url, headers=conditional) as response:
                if response.status_code == 304:
                    return PollOutcome("not_modified")
                if not response.is_success:
                    raise PollError(
                        f"upstream answered {response.status_code} {response.reason_phrase}",
                        retry_after=retry_after_seconds(response.headers.get("retry-after")),
                    )
                body = self._read_limited(response)
                content_type = response.headers.get("content-type")
                fresh = Validators(
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    digest=hashlib.sha256(body).hexdigest(),
                )
        except httpx.TimeoutException as exc:
            raise PollError(
                f"timed out after {self.feed.timeout:g}s ({type(exc).__name__})"
            ) from exc
        except httpx.HTTPError as exc:
            raise PollError(f"request failed: {type(exc).__name__}: {exc}") from exc

        if not body.strip() or fresh.digest == last.digest:
            self._save(fresh)
            return PollOutcome("unchanged")
        try:
            receipts = accept(
                self.store,
                self.enqueue,
                feed=self.feed.name,
                raw=body,
                content_type=content_type,
                format_hint=self.feed.format,
            )
        except (IngestError, StoreUnavailableError) as exc:
            raise PollError(f"front door refused the document: {exc}") from exc
        # Only now: a document that failed to go in must be fetched again, not answered 304.
        self._save(fresh)
        return PollOutcome("fetched", receipts)

    def _read_limited(self, response: httpx.Response) -> bytes:
        limit = self.feed.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise PollError(f"document of {declared} bytes exceeds max_bytes {limit}")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise PollError(f"document exceeds max_bytes {limit}")
            chunks.append(chunk)
        return b"".join(chunks)

    def _save(self, validators: Validators) -> None:
        try:
            self.state.save(validators)
        except StoreUnavailableError as exc:
            raise PollError(str(exc)) from exc

    # ---- the loop ----------------------------------------------------------------------

    def failure_delay(self, error: PollError) -> float:
        """Full-jitter backoff for the current failure count; a Retry-After is a floor."""
        delay = backoff_delay(
            self.failures, base=self.feed.backoff_base, cap=self.feed.max_backoff, rng=self._rng
        )
        if error.retry_after is not None:
            delay = max(delay, min(error.retry_after, self.feed.max_backoff))
        return delay

    def step(self) -> float:
        """One poll with its logging; returns how long to wait before the next."""
        try:
            outcome = self.poll_once()
        except Exception as exc:
            error = exc if isinstance(exc, PollError) else PollError(f"{type(exc).__name__}: {exc}")
            self.failures += 1
            delay = self.failure_delay(error)
            log.warning(
                "poll_failed",
                feed=self.feed.name,
                url=self.feed.url,
                error=str(error),
                failures=self.failures,
                retry_in=round(delay, 3),
            )
            return delay
        if self.failures:
            log.info("poll_recovered", feed=self.feed.name, after_failures=self.failures)
            self.failures = 0
        if outcome.new:
            log.info(
                "feed_polled",
                feed=self.feed.name,
                items=len(outcome.receipts),
                new=outcome.new,
            )
        return self.feed.interval

    def run(self, stop: threading.Event) -> None:
        """Poll now, then every interval (or after a backoff) until ``stop`` is set."""
        try:
            while not stop.is_set():
                stop.wait(self.step())
        finally:
            self.close()
