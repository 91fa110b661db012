"""One webhook POST, retried: what counts as worth retrying, and how long to wait.

Retried: 5xx answers, 408 and 429, timeouts and connection errors (the receiver may be back
soon). Not retried: other 4xx (the receiver refuses this request; sending it again would not
help). Waits grow exponentially from ``backoff`` up to ``backoff_max`` with equal jitter
(``workers.backoff``), so subscribers that failed together do not retry together.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import httpx

from schemas.webhooks import WebhookSubscriber
from services.webhooks.signing import signed_headers
from workers.backoff import backoff_delay

__all__ = ["Outcome", "RetryPolicy", "post_event"]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    backoff: float = 0.5
    backoff_max: float = 60.0

    def delay(self, attempt: int) -> float:
        """Wait before attempt ``attempt + 1`` (``attempt`` >= 1 have failed)."""
        return backoff_delay(attempt, base=self.backoff, cap=self.backoff_max, jitter="equal")


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    attempts: int
    status: int | None
    error: str | None
    stopped: bool = False

    def describe(self) -> str:
        last = f"HTTP {self.status}" if self.status is not None else self.error
        return f"{'delivered' if self.delivered else 'failed'} after {self.attempts} attempt(s): {last}"


def _retryable(status: int) -> bool:
    return status >= 500 or status in (408, 429)


def post_event(
    client: httpx.Client,
    subscriber: WebhookSubscriber,
    body: bytes,
    *,
    event_type: str,
    entry_id: str,
    delivery_count: int,
    policy: RetryPolicy,
    stop: threading.Event | None = None,
) -> Outcome:
    """POST ``body`` until a 2xx, a non-retryable answer, or ``policy.max_attempts``. Each
    attempt is signed afresh (a retry hours later still has a current timestamp). Returns
    early, undelivered, if ``stop`` is set while waiting."""
    status: int | None = None
    error: str | None = None
    for attempt in range(1, policy.max_attempts + 1):
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "wiredesk-webhooks/1",
            "X-Wiredesk-Event": event_type,
            "X-Wiredesk-Event-Id": entry_id,
            "X-Wiredesk-Delivery": f"{delivery_count}.{attempt}",
            **signed_headers(subscriber.secret, body),
        }
        try:
            response = client.post(str(subscriber.url), content=body, headers=headers)
            status, error = response.status_code, None
            if 200 <= status < 300:
                return Outcome(True, attempt, status, None)
            if not _retryable(status):
                return Outcome(False, attempt, status, f"HTTP {status} (not retried)")
        except httpx.TimeoutException as exc:
            status, error = None, f"timeout: {exc.__class__.__name__}"
        except httpx.TransportError as exc:
            status, error = None, f"connection error: {exc.__class__.__name__}: {exc}"
        if attempt < policy.max_attempts:
            wait = policy.delay(attempt)
            if stop is not None and stop.wait(wait):
                return Outcome(False, attempt, status, "stopped while retrying", stopped=True)
            if stop is None:
                threading.Event().wait(wait)
    return Outcome(False, policy.max_attempts, status, error)
