"""Every Redis key name wiredesk uses, in one place, under one configurable prefix.

Celery's own broker keys get the same prefix (kombu's ``global_keyprefix``), so several
deployments, or a test run, can share one Redis without seeing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Keys", "MetricKeys"]


@dataclass(frozen=True)
class Keys:
    prefix: str

    # Front door.
    def raw(self, receipt_id: str) -> str:
        """The bytes a feed sent, kept from before processing starts until retention ends."""
        return f"{self.prefix}:raw:{receipt_id}"

    def receipt(self, receipt_id: str) -> str:
        """Hash: the receipt's state, stage, story id and reason."""
        return f"{self.prefix}:receipt:{receipt_id}"

    def auth_failures(self, address: str) -> str:
        """Counter of one client address's wrong or missing tokens; expires when its window
        ends (services/api/auth_limit.py)."""
        return f"{self.prefix}:authfail:{address}"

    @property
    def inflight(self) -> str:
        """Sorted set of receipts not yet settled (published, duplicate, quarantined), scored
        by when each last made progress (received, a stage started, a retry is due): what the
        reconciler (workers/reconcile.py) looks over for items that stopped advancing."""
        return f"{self.prefix}:idx:inflight"

    @property
    def reconcile_lock(self) -> str:
        """Lease naming the one worker whose reconciler sweeps (workers/reconcile.py)."""
        return f"{self.prefix}:lock:reconcile"

    def attempts(self, receipt_id: str, stage: str) -> str:
        """Counter of starts of one stage for one receipt; redeliveries after a crash add up."""
        return f"{self.prefix}:attempts:{receipt_id}:{stage}"

    # Dedupe.
    @property
    def dedupe_refs(self) -> str:
        """Counter handing each deduped receipt a short ref, so index entries stay small."""
        return f"{self.prefix}:ddref"

    @property
    def dedupe_bucket_base(self) -> str:
        """Base of the time-bucketed dedupe index. ``dedupe.lua`` appends ``<bucket>:rc``
        (receipt -> ref), ``:body`` (body hash -> ref), ``:sig`` (ref -> record) and ``:b<i>``
        (LSH band value -> refs); each bucket key expires a window after its period ends."""
        return f"{self.prefix}:dd:"

    def dedupe_bucket(self, bucket: int, part: str) -> str:
        return f"{self.dedupe_bucket_base}{bucket}:{part}"

    def chain(self, story_id: str) -> str:
        """Hash: the agency versions dedupe has seen of a story, version -> receipt."""
        return f"{self.prefix}:chain:{story_id}"

    # Story store and indexes.
    def story(self, story_id: str) -> str:
        return f"{self.prefix}:story:{story_id}"

    def version(self, receipt_id: str) -> str:
        """One published version of a story, as that receipt carried it."""
        return f"{self.prefix}:version:{receipt_id}"

    def versions(self, story_id: str) -> str:
        """Sorted set of a story's published versions: receipt id scored by version."""
        return f"{self.prefix}:versions:{story_id}"

    def killed(self, story_id: str) -> str:
        """Set when the agency withdrew the story; holds the kill's receipt id."""
        return f"{self.prefix}:killed:{story_id}"

    def published_guard(self, receipt_id: str) -> str:
        """Set once a receipt's event is on the stream; a redelivered publish finds it."""
        return f"{self.prefix}:published:{receipt_id}"

    def duplicates(self, story_id: str) -> str:
        """Set: the stories in the duplicate cluster led by this one."""
        return f"{self.prefix}:dups:{story_id}"

    @property
    def stories_by_time(self) -> str:
        return f"{self.prefix}:idx:time"

    def index(self, term: str) -> str:
        """Sorted set of the shown stories carrying one term (``place:beirut``, ``kw:vote``,
        ``status:killed``; see ``workers.indexing``), scored by received_at like the time index.
        """
        return f"{self.prefix}:idx:{term}"

    def index_of(self, story_id: str) -> str:
        """Set: the index keys a story is in now, so its next version or kill can leave them."""
        return f"{self.prefix}:story:{story_id}:idx"

    def facets_of(self, story_id: str) -> str:
        """A story's facet lines (``facet<TAB>value<TAB>label``), counted by the query script."""
        return f"{self.prefix}:story:{story_id}:fx"

    @property
    def embargoes(self) -> str:
        """Sorted set of shown stories under embargo, scored by release time (+inf: none)."""
        return f"{self.prefix}:idx:embargo"

    @property
    def embargo_release_lock(self) -> str:
        """Lease naming the one API process that releases due embargoes (services/embargo.py)."""
        return f"{self.prefix}:lock:embargo-release"

    def query_scratch(self, token: str) -> str:
        """Short-lived union of an OR filter's indexes, made and dropped inside one query."""
        return f"{self.prefix}:tmp:q:{token}"

    # Priority.
    @property
    def urgent(self) -> str:
        """String with a short TTL, set while single-story work is under way; bulk tasks
        wait while it exists."""
        return f"{self.prefix}:urgent"

    @property
    def write_probe(self) -> str:
        """A short-lived string a worker writes to learn whether Redis takes writes again."""
        return f"{self.prefix}:probe:write"

    # Feed pollers.
    def poll_state(self, feed: str) -> str:
        """Hash: a pulled feed's ETag, Last-Modified and last document digest, so a restarted
        poller still sends conditional GETs."""
        return f"{self.prefix}:poll:{feed}"

    # Streams.
    @property
    def stories_stream(self) -> str:
        return f"{self.prefix}:stream:stories"

    @property
    def quarantine_stream(self) -> str:
        return f"{self.prefix}:stream:quarantine"

    @property
    def quarantine_audit(self) -> str:
        """Stream of what ops did to quarantined items (discards: who, when, why), kept apart
        from the quarantine stream, which holds only what still needs attention."""
        return f"{self.prefix}:stream:quarantine:audit"

    def dead_letters(self, group: str) -> str:
        """Stream of the stories-stream entries a consumer group gave up on
        (``services.consumer`` writes them; ops counts them)."""
        return f"{self.stories_stream}:dlq:{group}"

    def facets_around(self) -> tuple[str, str]:
        """``facets_of`` as the text before and after the story id, for the query script,
        which reads the facet lines of the stories it finds."""
        head, _, tail = self.facets_of("\0").partition("\0")
        return head, tail

    # Figures.
    @property
    def metrics(self) -> MetricKeys:
        return MetricKeys(self.prefix)

    # Celery.
    @property
    def celery_prefix(self) -> str:
        return f"{self.prefix}:celery:"


@dataclass(frozen=True)
class MetricKeys:
    """Key names of the figures, all under ``{prefix}:ops:``, next to wiredesk's own keys."""

    prefix: str

    @property
    def base(self) -> str:
        return f"{self.prefix}:ops"

    @property
    def items(self) -> str:
        """Hash ``stage|outcome`` -> runs since the figures began (Prometheus counters)."""
        return f"{self.base}:items"

    def histogram(self, name: str) -> str:
        """Hash: ``le`` bound -> runs that took at most that long (not cumulative), ``+Inf``,
        ``sum`` and ``count``. ``name`` is a stage or ``end_to_end``."""
        return f"{self.base}:hist:{name}"

    def slot(self, index: int) -> str:
        """Hash ``stage|outcome`` -> runs that ended in one ``SLOT_SECONDS`` slot."""
        return f"{self.base}:slot:{index}"

    def samples(self, name: str) -> str:
        """Sorted set of durations (member ``seconds|nonce``) scored by when the run ended."""
        return f"{self.base}:lat:{name}"

    @property
    def feeds(self) -> str:
        """Hash feed -> unix time of the last item received from it."""
        return f"{self.base}:feeds"

    def feed_totals(self, feed: str) -> str:
        """Hash: ``received``, ``errors`` (quarantined) and ``retries`` since the figures began."""
        return f"{self.base}:feed:{feed}"

    def feed_slot(self, index: int) -> str:
        """Hash ``received|feed`` / ``errors|feed`` -> count in one minute."""
        return f"{self.base}:feedslot:{index}"

    @property
    def workers(self) -> str:
        """Sorted set of worker hostnames scored by when they were last heard of."""
        return f"{self.base}:workers"

    def running(self, hostname: str) -> str:
        """Hash task id -> JSON of what that worker is running (stage, receipt, start)."""
        return f"{self.base}:running:{hostname}"

    def history(self, receipt_id: str) -> str:
        """List of JSON entries: a receipt's past quarantines and replays, oldest first."""
        return f"{self.base}:history:{receipt_id}"

    @property
    def replays(self) -> str:
        """Counter of items put back through the pipeline."""
        return f"{self.base}:replays"

    @property
    def reconciled(self) -> str:
        """Hash of counters: items the reconciler queued again (``requeued``) or gave up on
        (``quarantined``)."""
        return f"{self.base}:reconciled"
