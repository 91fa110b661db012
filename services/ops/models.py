"""The figures ``/v1/ops`` answers with, ``wiredesk ops`` shows and ``/metrics`` renders."""

from __future__ import annotations

from pydantic import BaseModel, Field

from schemas import QuarantineEntry

__all__ = [
    "ConsumerGroupFigures",
    "FeedFigures",
    "Latency",
    "OpsSnapshot",
    "QuarantineFigures",
    "QueueFigures",
    "RunningTask",
    "StageFigures",
    "WorkerFigures",
]


class QueueFigures(BaseModel):
    queue: str
    depth: int = Field(description="Messages waiting to be delivered.")
    unacked: int | None = Field(
        description="Delivered to a worker and not yet acknowledged; null on RabbitMQ."
    )
    reserved: int | None = Field(
        description="Unacked messages no worker has started (prefetched); null on RabbitMQ."
    )
    oldest_age_seconds: float | None = Field(
        description="How long the oldest waiting message has waited; null when none waits."
    )


class Latency(BaseModel):
    """Nearest-rank percentiles, in seconds, over the runs of the window."""

    count: int
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    max: float | None = None


class StageFigures(BaseModel):
    stage: str
    rate_1m: float = Field(description="Runs ended per second over the last minute.")
    rate_5m: float = Field(description="Runs ended per second over the last five minutes.")
    latency_5m: Latency
    totals: dict[str, int] = Field(description="Runs by outcome since the figures began.")
    failures_5m: int = Field(description="Runs that quarantined or failed, last five minutes.")
    retries_5m: int


class FeedFigures(BaseModel):
    feed: str
    last_item_at: float | None = Field(description="Unix time of the last item received.")
    quiet_seconds: float | None
    items_last_hour: int
    errors_last_hour: int
    errors_total: int
    retries_total: int
    idle_after_seconds: float
    idle: bool = Field(description="Quiet for longer than the feed's idle time.")


class ConsumerGroupFigures(BaseModel):
    group: str
    consumers: int
    pending: int = Field(description="Delivered to the group and not acknowledged.")
    lag: int | None = Field(description="Entries not yet delivered to the group.")
    dead_lettered: int


class QuarantineFigures(BaseModel):
    size: int
    newest: list[QuarantineEntry]


class RunningTask(BaseModel):
    task_id: str
    stage: str
    receipt_id: str | None
    running_seconds: float


class WorkerFigures(BaseModel):
    hostname: str
    last_seen_seconds: float
    running: list[RunningTask]


class OpsSnapshot(BaseModel):
    taken_at: float
    queues: list[QueueFigures]
    stages: list[StageFigures]
    end_to_end_5m: Latency
    consumer_groups: list[ConsumerGroupFigures]
    quarantine: QuarantineFigures
    feeds: list[FeedFigures]
    workers: list[WorkerFigures]
