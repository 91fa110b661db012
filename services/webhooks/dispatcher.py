"""The webhook dispatcher: one thread and one consumer group per subscriber.

Each subscriber reads the stories stream as its own group (``webhook.<name>``), so a slow or
dead subscriber only holds back itself: the others read on, and the pipeline, which only
appends to the stream, never waits for anyone. An event is acked once the subscriber answered
2xx, or once it is dead-lettered (retries used up, or refused with a 4xx); if the dispatcher
dies mid-POST, the event is still pending and is sent again on restart (receivers deduplicate
on ``X-Wiredesk-Event-Id``).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

import httpx

from schemas.webhooks import WebhookSubscriber
from services.consumer.client import StreamConsumer
from services.processes import ManagedProcess
from services.webhooks.sender import RetryPolicy, post_event
from workers.settings import Settings

__all__ = ["Dispatcher", "SubscriberLoop", "group_for", "start_dispatcher"]

log = logging.getLogger(__name__)


def group_for(subscriber: WebhookSubscriber) -> str:
    return f"webhook.{subscriber.name}"


class SubscriberLoop(threading.Thread):
    """Delivers every event of the stream to one subscriber, in stream order."""

    def __init__(self, subscriber: WebhookSubscriber, settings: Settings, redis_url: str):
        super().__init__(name=f"webhook-{subscriber.name}", daemon=True)
        self.subscriber = subscriber
        self.policy = RetryPolicy(
            max_attempts=settings.webhook_max_attempts,
            backoff=settings.webhook_backoff_seconds,
            backoff_max=settings.webhook_backoff_max_seconds,
        )
        self.timeout = settings.webhook_timeout_seconds
        self._stop_event = threading.Event()
        # A fixed consumer name: a restarted dispatcher re-reads what it had in hand.
        self.consumer = StreamConsumer(
            redis_url,
            prefix=settings.key_prefix,
            group=group_for(subscriber),
            consumer="dispatcher",
            start="now",
            claim_idle_ms=settings.consumer_claim_idle_ms,
            max_deliveries=settings.consumer_max_deliveries,
            batch=settings.consumer_batch,
            dead_letter_maxlen=settings.dead_letter_maxlen,
        )

    def stop(self) -> None:
        self._stop_event.set()
        self.consumer.stop()

    def run(self) -> None:
        name = self.subscriber.name
        with httpx.Client(timeout=self.timeout) as client:
            while not self._stop_event.is_set():
                try:
                    self._round(client)
                except Exception:
                    # Redis away or a bug in one round: log, wait, go on. Unacked events stay
                    # pending and come back.
                    log.exception("webhook %s: round failed; retrying", name)
                    self._stop_event.wait(1.0)
        self.consumer.close()

    def _round(self, client: httpx.Client) -> None:
        for delivery in self.consumer.poll():
            if self._stop_event.is_set():
                return
            kind = delivery.event.type.value
            if not self.subscriber.wants(kind):
                self.consumer.ack(delivery.entry_id)
                continue
            outcome = post_event(
                client,
                self.subscriber,
                delivery.data.encode(),
                event_type=kind,
                entry_id=delivery.entry_id,
                delivery_count=delivery.delivery_count,
                policy=self.policy,
                stop=self._stop_event,
            )
            if outcome.delivered:
                self.consumer.ack(delivery.entry_id)
            elif not outcome.stopped:
                reason = f"webhook {self.subscriber.name} {outcome.describe()}"
                log.warning("dead-lettering %s: %s", delivery.entry_id, reason)
                self.consumer.dead_letter(delivery, reason)


class Dispatcher:
    """All configured subscribers, each in its own ``SubscriberLoop``."""

    def __init__(self, settings: Settings, redis_url: str):
        self.loops = [SubscriberLoop(s, settings, redis_url) for s in settings.webhooks]

    def start(self) -> None:
        for loop in self.loops:
            loop.start()

    def stop(self, timeout: float = 10.0) -> None:
        for loop in self.loops:
            loop.stop()
        for loop in self.loops:
            loop.join(timeout)

    def alive(self) -> bool:
        return all(loop.is_alive() for loop in self.loops)


def start_dispatcher(env: Mapping[str, str], *, log: Path | None = None) -> ManagedProcess:
    """``python -m services.webhooks`` as a managed child process."""
    return ManagedProcess("webhooks", [sys.executable, "-m", "services.webhooks"], env, log)
