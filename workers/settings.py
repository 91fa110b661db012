"""The one settings class. Every knob comes from an environment variable (``WIREDESK_*``,
plus the conventional ``REDIS_URL``), is read once per process, and can be overridden in tests
by building ``Settings(...)`` with keyword arguments.

The ``fault_*`` settings are fault drills for tests and rehearsals, off unless set
(``WIREDESK_FAULT_DELAY_STAGE``, ``WIREDESK_FAULT_RAISE_STAGE``, ``WIREDESK_FAULT_RAISE_KIND``,
``WIREDESK_FAULT_RAISE_FEED``): they hold a stage, or make a stage or the tagger raise, so the
failure paths can be run on a real stack. What each does is written beside it below.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.webhooks import WebhookSubscriber

__all__ = ["DEV_EDITOR_TOKEN", "DEV_FEED_TOKENS", "DEV_OPS_TOKEN", "Settings", "get_settings"]

# Development feeds and tokens, so `make run` works out of the box. Refused in production.
DEV_FEED_TOKENS: dict[str, str] = {
    feed: f"dev-{feed}-token"
    for feed in ["reuters", "ap", "afp", "dpa", "efe", "ansa", "kyodo", "upi", "wire"]
}

DEV_OPS_TOKEN = "dev-ops-token"
DEV_EDITOR_TOKEN = "dev-editor-token"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WIREDESK_", extra="ignore")

    environment: Literal["development", "production"] = "development"

    # Redis / Valkey: broker, dedupe index, story store and bus. None starts an embedded Valkey.
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "WIREDESK_REDIS_URL")
    )
    key_prefix: str = Field(default="wd", pattern=r"^[A-Za-z0-9_.-]{1,32}$")
    # Celery broker, when it is not the Redis above (e.g. amqp://user:pass@rabbit:5672//);
    # Redis stays the store and the bus either way. See deploy/OPERATIONS.md.
    broker_url: str | None = None
    data_dir: Path = Path(".wiredesk")
    # The embedded Valkey's port (`make run` without REDIS_URL); None takes the first free one
    # from 16379 up, so a second Valkey on the machine moves it to 16380 and so on.
    valkey_port: int | None = Field(default=None, ge=1, le=65535)

    # Front door.
    feed_tokens: dict[str, str] = Field(default_factory=lambda: dict(DEV_FEED_TOKENS))
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    # Bulk path: POST /v1/ingest/{feed}/batch bodies, and how many items one batch task carries.
    max_batch_bytes: int = Field(default=64 * 1024 * 1024, gt=0)
    batch_size: int = Field(default=50, ge=1, le=1000)
    # Priority between the two paths. The operating system already runs the bulk worker at a
    # lower CPU priority, but Redis serves both paths alike: every single-story ingest and stage
    # start marks urgent work for bulk_yield_ms, and a bulk task waits before each item while
    # the mark is set. bulk_yield_max_ms caps the wait per item, so a steady stream of single
    # stories slows a backfill but cannot stop it. 0 turns the yielding off.
    bulk_yield_ms: int = Field(default=50, ge=0)
    bulk_yield_max_ms: int = Field(default=250, ge=0)
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # Hostile clients. Links the API hands out (a receipt's status_url) start with
    # public_base_url, never with the request's Host header; unset, it is
    # http://api_host:api_port. A request body that stops arriving for
    # body_read_timeout_seconds is answered 408 and its connection closed
    # (services/api/body_timeout.py). A client address that sent auth_failure_limit wrong or
    # missing tokens within auth_failure_window_seconds is answered 429 with Retry-After until
    # that window ends (services/api/auth_limit.py: counted in Redis, so every API replica sees
    # the same count). metrics_token, when set, is the bearer token /metrics wants.
    public_base_url: str | None = Field(default=None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    body_read_timeout_seconds: float = Field(default=30.0, gt=0)
    auth_failure_limit: int = Field(default=20, ge=1)
    auth_failure_window_seconds: int = Field(default=60, ge=1)
    metrics_token: str | None = None

    # Retention of raw copy, stories, receipts and the dedupe index.
    retention_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    stream_maxlen: int = Field(default=100_000, gt=0)
    quarantine_maxlen: int = Field(default=10_000, gt=0)

    # Dedupe. The window is a ring of buckets that expire by TTL. Thresholds from the labelled
    # set in workers/dedupe/cases.py (python -m bench.dedupe prints the table): the unrelated and
    # independently told pairs there reach Jaccard 0.23 / containment 0.44 at most, the lightest
    # true near-duplicates (one paragraph of three rewritten) start at 0.31 / 0.55, so the bars
    # sit at the bottom of the true ones; containment also needs 12 of 64 bins to agree.
    dedupe_window_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    dedupe_buckets: int = Field(default=7, ge=1, le=64)
    minhash_perm: int = Field(default=64, ge=8, le=256)
    lsh_bands: int = Field(default=16, ge=1)
    lsh_rows: int = Field(default=2, ge=1)
    lsh_refs_per_band: int = Field(default=8, ge=1)
    near_dup_jaccard: float = Field(default=0.3, gt=0, le=1)
    near_dup_containment: float = Field(default=0.55, gt=0, le=1)
    near_dup_min_matches: int = Field(default=12, ge=1)
    near_dup_min_shingles: int = Field(default=20, ge=1)
    near_dup_max_candidates: int = Field(default=32, ge=1)
    # Evidence beside the text (workers/dedupe/evidence.py). Links by slug (version words, a
    # slug family) and short items a summary absorbs are looked for this many buckets back.
    dedupe_link_buckets: int = Field(default=1, ge=0)
    # A rewritten take of the same agency's story under its slug or the slug's parent: at
    # least this many facts in common (names, figures, and one per four agreeing signature
    # bins), making at least this share of the smaller story's names and figures. From the
    # labelled set (python -m bench.dedupe): 2 / 0.4 finds 19 of 20 rewritten takes and
    # merges none of the same-slug other stories or standing-slug template reports.
    near_dup_names_shared: int = Field(default=2, ge=1)
    near_dup_names_share: float = Field(default=0.4, gt=0, le=1)
    # Look-alikes: wording in common but under this share of figures (both sides carrying at
    # least lookalike_min_figures) and under lookalike_names_share of names: two stories
    # (template copy names its own company or city and prints its own figures; a rewrite of
    # one story keeps nearly all of both).
    lookalike_figures_share: float = Field(default=0.34, gt=0, le=1)
    lookalike_min_figures: int = Field(default=4, ge=1)
    lookalike_names_share: float = Field(default=0.8, gt=0, le=1)
    # Boilerplate: a band value this many stories in the window carried (a feed's template
    # sentences, standing copy) no longer makes candidates or counts as agreement.
    near_dup_band_df: int = Field(default=12, ge=2)
    # A short item is held by a longer story when this share of its sampled shingles is.
    short_item_anchor_share: float = Field(default=0.8, gt=0, le=1)

    # Downstream delivery: stream consumers and webhooks (services/consumer, services/webhooks).
    # An unacked event is taken over after consumer_claim_idle_ms and dead-lettered after
    # consumer_max_deliveries deliveries; a webhook is dead-lettered after webhook_max_attempts.
    consumer_claim_idle_ms: int = Field(default=30_000, ge=0)
    consumer_max_deliveries: int = Field(default=5, ge=1)
    consumer_batch: int = Field(default=50, ge=1)
    dead_letter_maxlen: int = Field(default=10_000, gt=0)
    webhooks: list[WebhookSubscriber] = Field(default_factory=list)
    webhook_max_attempts: int = Field(default=8, ge=1)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_backoff_seconds: float = Field(default=0.5, ge=0)
    webhook_backoff_max_seconds: float = Field(default=60.0, ge=0)

    # The search archive (services/archive): every story the stream carried, searchable with
    # the editors' query language and kept past the hot window. None keeps it in SQLite under
    # data_dir (archive.db); a postgresql:// URL keeps it in PostgreSQL; sqlite:///PATH names
    # the file. Stories received longer ago than archive_retention_days are expired (0 keeps
    # them for ever, the default: newsrooms keep the wire for months or years).
    archive_url: str | None = Field(
        default=None, validation_alias=AliasChoices("WIREDESK_ARCHIVE_URL", "ARCHIVE_URL")
    )
    archive_retention_days: int = Field(default=0, ge=0)

    # Celery reliability. The visibility timeout must stay well above the hard time limit, or a
    # slow task is redelivered to a second worker while the first still runs it.
    # The visibility timeout is also how long a message of a dead worker stays away: a stage
    # takes milliseconds and a batch of 50 well under a second, so a 30 s hard limit leaves a
    # wide margin and a dead worker's messages are back within a minute.
    task_soft_time_limit: float = Field(default=25.0, gt=0)
    task_time_limit: float = Field(default=30.0, gt=0)
    visibility_timeout: int = Field(default=45, gt=0)
    # How often a worker sweeps for messages whose worker died (unacked past the visibility
    # timeout) and puts them back on the queue.
    unacked_restore_interval: float = Field(default=5.0, gt=0)
    # The reconciler (workers/reconcile.py): every reconcile_period_seconds, the worker holding
    # its lease looks for receipts that made no progress (received, or a stage started) for
    # reconcile_after_seconds while no queue still holds a message that old, and queues them
    # again from their raw copy; after reconcile_max_requeues it quarantines them with the
    # reason. 0 for the period turns it off.
    reconcile_period_seconds: float = Field(default=5.0, ge=0)
    reconcile_after_seconds: float = Field(default=30.0, gt=0)
    reconcile_max_requeues: int = Field(default=3, ge=1)
    # A stage that finds Redis full, read-only or away waits for it in place (the message stays
    # with the worker) for up to this long before handing the retry to the broker.
    outage_wait_seconds: float = Field(default=15.0, ge=0)
    max_attempts: int = Field(default=5, ge=1)
    # A stage that hit a passing fault is retried after base·2^(attempt-1) seconds, capped
    # (workers/backoff.py, no jitter: the broker's delivery already spreads the retries).
    retry_backoff_seconds: float = Field(default=1.0, ge=0)
    retry_backoff_max_seconds: float = Field(default=300.0, ge=0)
    # Single-story tasks spend most of their time waiting on Redis round trips, not on the CPU:
    # four pool processes overlap those waits. Measured on 2 cores with a backfill running, two
    # processes fell behind 50 stories/s (p50 490 ms), four kept up (p50 30 ms).
    worker_concurrency: int = Field(default=4, ge=1)
    bulk_concurrency: int = Field(default=2, ge=1)
    # Celery task events for Flower and `celery events`; each costs Redis round trips per task.
    task_events: bool = False

    # Pull feeds (services.pollers): the TOML file naming them; ./feeds.toml when it exists.
    feeds_config: Path | None = Field(
        default_factory=lambda: Path("feeds.toml") if Path("feeds.toml").is_file() else None
    )

    # Operations (/v1/ops, `wiredesk ops`): bearer tokens, and how long a feed may stay quiet
    # before it is reported idle (per feed, else the default).
    ops_tokens: list[str] = Field(default_factory=lambda: [DEV_OPS_TOKEN])
    feed_idle_seconds: dict[str, float] = Field(default_factory=dict)
    feed_idle_default_seconds: float = Field(default=3600.0, gt=0)

    # Editors (/v1/stories, /v1/quarantine, `wiredesk stories`): bearer tokens of their own, so
    # a feed's token cannot read the desk's copy and an editor's cannot push copy in.
    editor_tokens: list[str] = Field(default_factory=lambda: [DEV_EDITOR_TOKEN])
    # Story queries: the longest keyword search, and how many of the newest matches the facet
    # counts look at.
    search_max_chars: int = Field(default=200, ge=1)
    facet_window: int = Field(default=2000, ge=1, le=50_000)
    # The live feed (SSE) sends a comment this often when no story matches, so proxies keep
    # the connection and a client that went away is noticed.
    live_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)
    # Events queued for one live client before it counts as too slow and is dropped (it can
    # resume with Last-Event-ID); and how often the API looks for embargoes that have passed.
    live_client_queue: int = Field(default=1000, ge=1)
    embargo_release_seconds: float = Field(default=1.0, gt=0, le=60)

    # Logs: JSON lines unless a person is watching a terminal.
    log_json: bool | None = None
    log_level: str = "INFO"

    # Fault drills and tests (workers/hooks.py); all off by default, and nothing in production
    # should set them. A stage is named as the pipeline names it (normalise, dedupe, tag,
    # publish), on the single-story and the batch path alike; "tagger" is the tagger inside the
    # tag stage, whose failure the stage catches (the story goes out untagged, with tag_error).
    # - fault_delay_stage: hold that stage for fault_delay_seconds, so a worker can be killed
    #   mid-task.
    # - fault_raise_stage: make that stage raise, as a bug would (fault_raise_kind "unexpected":
    #   quarantined at once as "unexpected InjectedFault in <stage>: ...") or as a passing fault
    #   that does not pass ("retryable": retried with backoff, quarantined after max_attempts).
    #   fault_raise_feed limits it to one feed's items, so the others show the pipeline goes on.
    fault_delay_stage: str | None = None
    fault_delay_seconds: float = 0.0
    fault_raise_stage: str | None = None
    fault_raise_kind: Literal["unexpected", "retryable"] = "unexpected"
    fault_raise_feed: str | None = None

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.task_time_limit >= self.visibility_timeout:
            raise ValueError(
                "visibility_timeout must exceed task_time_limit, or running tasks get redelivered"
            )
        if self.task_soft_time_limit > self.task_time_limit:
            raise ValueError("task_soft_time_limit must not exceed task_time_limit")
        if self.environment == "production":
            if not self.redis_url:
                raise ValueError(
                    "production needs REDIS_URL; the embedded Valkey is for development"
                )
            dev = {t for f, t in self.feed_tokens.items() if DEV_FEED_TOKENS.get(f) == t}
            if dev or any(len(t) < 16 for t in self.feed_tokens.values()):
                raise ValueError("production feed tokens must be set and at least 16 characters")
            if DEV_OPS_TOKEN in self.ops_tokens or any(len(t) < 16 for t in self.ops_tokens):
                raise ValueError("production ops tokens must be set and at least 16 characters")
            if DEV_EDITOR_TOKEN in self.editor_tokens or any(
                len(t) < 16 for t in self.editor_tokens
            ):
                raise ValueError("production editor tokens must be set and at least 16 characters")
        return self

    @property
    def pipeline_queue(self) -> str:
        return f"{self.key_prefix}.pipeline"

    @property
    def bulk_queue(self) -> str:
        """Batches (backfills, re-runs) wait here, never in front of single stories."""
        return f"{self.key_prefix}.bulk"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
