"""A wiredesk of real processes on one machine: an API and Celery workers on a Redis or
Valkey, isolated from anything else on that server by a key prefix of their own.

Tests and benchmarks drive one; `make run` is the same thing with seeds and a terminal.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from services.processes import ManagedProcess, free_port, start_api, start_worker, wait_for_http
from workers.keys import Keys
from workers.settings import DEV_EDITOR_TOKEN, DEV_FEED_TOKENS

__all__ = ["LocalStack", "editor_auth", "feed_auth"]


def feed_auth(feed: str) -> dict[str, str]:
    """The Authorization header of a development feed."""
    return {"Authorization": f"Bearer {DEV_FEED_TOKENS[feed]}"}


def editor_auth() -> dict[str, str]:
    """The Authorization header of the development editor token."""
    return {"Authorization": f"Bearer {DEV_EDITOR_TOKEN}"}


@dataclass
class LocalStack:
    redis_url: str
    log_dir: Path
    env_overrides: dict[str, str] = field(default_factory=dict)
    prefix: str = field(default_factory=lambda: f"wdt{uuid.uuid4().hex[:8]}")
    worker: ManagedProcess | None = None
    bulk_worker: ManagedProcess | None = None
    api: ManagedProcess | None = None
    api_url: str = ""
    api_port: int = 0

    def __post_init__(self) -> None:
        self.keys = Keys(self.prefix)
        self.redis = redis.Redis.from_url(self.redis_url)
        self.env = {
            **os.environ,
            "REDIS_URL": self.redis_url,
            "WIREDESK_KEY_PREFIX": self.prefix,
            "WIREDESK_LOG_JSON": "true",
            "WIREDESK_RETRY_BACKOFF_SECONDS": "0.2",
            **self.env_overrides,
        }
        # Reads go as an editor; ``ingest`` and tests that check other tokens pass their own.
        self.http = httpx.Client(timeout=30, headers=editor_auth())
        self.workers: list[ManagedProcess] = []

    @property
    def queue(self) -> str:
        return f"{self.prefix}.pipeline"

    @property
    def bulk_queue(self) -> str:
        return f"{self.prefix}.bulk"

    def start_worker(
        self, name: str = "w1", concurrency: int = 2, queues: list[str] | None = None
    ) -> ManagedProcess:
        self.worker = start_worker(
            self.env,
            queue=",".join(queues or [self.queue]),
            concurrency=concurrency,
            name=f"{self.prefix}-{name}",
            log=self.log_dir / f"{self.prefix}-worker-{name}.log",
        )
        self.workers.append(self.worker)
        return self.worker

    def start_bulk_worker(self, name: str = "b1", concurrency: int = 2) -> ManagedProcess:
        """A worker for the bulk queue, at lower CPU priority, as `make run` starts one."""
        self.bulk_worker = start_worker(
            self.env,
            queue=self.bulk_queue,
            concurrency=concurrency,
            name=f"{self.prefix}-{name}",
            log=self.log_dir / f"{self.prefix}-worker-{name}.log",
            nice=10,
        )
        self.workers.append(self.bulk_worker)
        return self.bulk_worker

    def start(self, *, worker: bool = True, bulk: bool = False) -> LocalStack:
        if worker:
            self.start_worker()
        if bulk:
            self.start_bulk_worker()
        self.api_port = free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.env.setdefault("WIREDESK_PUBLIC_BASE_URL", self.api_url)
        self.api = start_api(
            self.env,
            host="127.0.0.1",
            port=self.api_port,
            log=self.log_dir / f"{self.prefix}-api.log",
        )
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        wait_for_http(f"{self.api_url}/readyz", process=self.api)
        return self

    def restart_api(self) -> None:
        """The API again on the same port once it has died (or been killed), so feeds retry
        the address they know; returns once it answers and reaches Redis (workers or not)."""
        assert self.api is not None, "start() first"
        self.api.kill()
        self.api.proc.wait(timeout=10)
        self.api.restart()
        wait_for_http(f"{self.api_url}/readyz?workers=false", process=self.api)

    def stop(self, *, keep_data: bool = False) -> None:
        for proc in [self.api, *self.workers]:
            if proc:
                proc.stop()
        self.http.close()
        if not keep_data:
            self.delete_data()
        self.redis.close()

    def delete_data(self) -> None:
        """Every key under this stack's prefix, Celery's included."""
        cursor = 0
        while True:
            cursor, keys = self.redis.scan(cursor, match=f"{self.prefix}*", count=1000)
            if keys:
                self.redis.delete(*keys)
            if cursor == 0:
                break

    # ---- driving it --------------------------------------------------------------------

    def ingest(self, feed: str, body: bytes, *, headers: dict | None = None) -> httpx.Response:
        return self.http.post(
            f"{self.api_url}/v1/ingest/{feed}",
            content=body,
            headers={**feed_auth(feed), **(headers or {})},
        )

    def receipt(self, receipt_id: str) -> dict:
        response = self.http.get(f"{self.api_url}/v1/receipts/{receipt_id}")
        response.raise_for_status()
        return response.json()

    def wait_receipt(
        self,
        receipt_id: str,
        *,
        states=("published", "duplicate", "quarantined"),
        timeout: float = 30.0,
    ) -> dict:
        deadline = time.monotonic() + timeout
        receipt = {}
        while time.monotonic() < deadline:
            receipt = self.receipt(receipt_id)
            if receipt["state"] in states:
                return receipt
            time.sleep(0.1)
        raise TimeoutError(f"receipt {receipt_id} still {receipt.get('state')} after {timeout}s")

    def events(self) -> list[dict]:
        """Every event on the stories stream, oldest first, as consumers see them."""
        return [
            json.loads(fields[b"data"]) for _, fields in self.redis.xrange(self.keys.stories_stream)
        ]

    def events_for(self, receipt_id: str) -> list[dict]:
        return [e for e in self.events() if e["receipt_id"] == receipt_id]
