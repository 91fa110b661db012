"""wiredesk's state in Redis: receipts, raw copy, the exact-resend index, the story store with
its time index, and the streams. Every key name comes from ``Keys``; every multi-key write that
must not be seen half-done is one Lua script or one MULTI.

Redis errors are translated at this boundary into ``StoreUnavailableError`` (retryable).
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any, ParamSpec, TypeVar

import redis

from schemas import (
    EventType,
    PubStatus,
    QuarantineEntry,
    Receipt,
    ReceiptState,
    StoryEvent,
    TaggedStory,
    Verdict,
)
from workers.dedupe import Signature
from workers.dedupe.evidence import Evidence
from workers.errors import StoreUnavailableError
from workers.indexing import STATUSES, StoryFilter, facet_lines, status_of, story_terms
from workers.keys import Keys
from workers.settings import Settings

__all__ = ["Cursor", "DedupeFinding", "FacetCounts", "Store", "StoryPage", "connect"]

P = ParamSpec("P")
T = TypeVar("T")


def _translate_errors(fn: Callable[P, T]) -> Callable[P, T]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise StoreUnavailableError(f"Redis unreachable: {exc}") from exc
        except (redis.exceptions.OutOfMemoryError, redis.exceptions.ReadOnlyError) as exc:
            # Full (maxmemory with noeviction) or a replica after a failover: the item is not
            # at fault, so this is retried like an outage, never quarantined as the item's.
            raise StoreUnavailableError(f"Redis refused the write: {exc}") from exc

    return wrapper


def connect(url: str) -> redis.Redis:
    """A client for wiredesk's own keys; bytes in and out (raw copy is bytes)."""
    return redis.Redis.from_url(
        url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30
    )


_PUBLISH_MODE = {
    Verdict.new: "show",
    Verdict.update: "show",
    Verdict.kill: "kill",
    Verdict.resend: "dup",
    Verdict.near_duplicate: "dup",
}


@dataclass(frozen=True)
class DedupeFinding:
    """What ``dedupe.lua`` found: ``kind`` is a verdict name or ``update_older``."""

    kind: str
    of_story: str | None
    score: float | None
    reason: str
    lead: str
    story_id: str = ""


def chain_order(story: TaggedStory) -> float:
    """Where a version stands in its story's chain: its creation time when the agency gave one
    (some agencies' version numbers are opaque, not sequential), else its number. Versions
    stamped with the same time (to the millisecond) are told apart by number: the score is
    milliseconds * 1000 + the number (capped at 999), exact in a double until the year 2255."""
    if story.version_created is not None:
        return float(int(story.version_created.timestamp() * 1000) * 1000 + min(story.version, 999))
    return float(story.version)


def _now() -> datetime:
    return datetime.now(UTC)


def _text(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else value


def _as_shown(data: bytes | None, killed: bytes | None) -> TaggedStory | None:
    if not data:
        return None
    story = TaggedStory.model_validate_json(data)
    if killed and story.status is not PubStatus.canceled:
        story = story.model_copy(update={"status": PubStatus.canceled})
    return story


@dataclass(frozen=True)
class StoryPage:
    """One page of a query. ``complete`` is False when the walk stopped at its scan budget
    before filling the page; ``next_cursor`` then continues from where it stopped."""

    stories: list[TaggedStory]
    next_cursor: str | None
    complete: bool


@dataclass(frozen=True)
class FacetCounts:
    """Counts of facet values over the newest ``counted`` matches of a filter (at most
    ``window``); ``all_counted`` says whether that was every match."""

    counted: int
    window: int
    all_counted: bool
    counts: dict[str, list[tuple[str, str, int]]]


class Cursor:
    """An opaque paging cursor: the score and id of the last story on the page before."""

    @staticmethod
    def encode(score: float, member: str) -> str:
        return base64.urlsafe_b64encode(f"{score!r}|{member}".encode()).decode().rstrip("=")

    @staticmethod
    def decode(cursor: str) -> tuple[float, str]:
        """Raises ValueError on anything that is not a cursor this service made."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            score, member = base64.urlsafe_b64decode(padded.encode()).decode().split("|", 1)
            return float(score), member
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError("malformed cursor") from exc


class Store:
    def __init__(self, client: redis.Redis, settings: Settings):
        self.r = client
        self.settings = settings
        self.keys = Keys(settings.key_prefix)
        self._ingest = self._script("ingest.lua")
        self._publish = self._script("publish.lua")
        self._begin_stage = self._script("begin_stage.lua")
        self._dedupe = self._script("dedupe.lua")
        self._query = self._script("query.lua")
        self._mark_urgent = self._script("mark_urgent.lua")

    def _script(self, name: str):
        source = resources.files("workers").joinpath("lua", name).read_text()
        return self.r.register_script(source)

    # ---- front door ---------------------------------------------------------------------

    @_translate_errors
    def create_receipt(
        self,
        *,
        receipt_id: str,
        feed: str,
        raw: bytes,
        content_type: str | None,
        received_at: datetime,
        format_hint: str | None = None,
    ) -> bool:
        """Keep the raw bytes and open a receipt. False when the receipt already existed."""
        [created] = self.create_receipts(
            [(receipt_id, raw)],
            feed=feed,
            content_type=content_type,
            received_at=received_at,
            format_hint=format_hint,
        )
        return created

    @_translate_errors
    def create_receipts(
        self,
        items: list[tuple[str, bytes]],
        *,
        feed: str,
        content_type: str | None,
        received_at: datetime,
        format_hint: str | None = None,
        urgent: bool = False,
    ) -> list[bool]:
        """``create_receipt`` for many (receipt id, raw bytes) items in one round trip.
        ``urgent``: the items travel the single-story path, so bulk tasks yield from now."""
        stamp = received_at.isoformat()
        with self.r.pipeline(transaction=False) as pipe:
            if urgent and self.settings.bulk_yield_ms:
                self._mark_urgent(
                    keys=[self.keys.urgent], args=[self.settings.bulk_yield_ms], client=pipe
                )
            for receipt_id, raw in items:
                fields = {
                    "receipt_id": receipt_id,
                    "feed": feed,
                    "state": ReceiptState.queued.value,
                    "received_at": stamp,
                    "updated_at": stamp,
                    "size": str(len(raw)),
                    "content_type": content_type or "",
                    "format_hint": format_hint or "",
                }
                argv: list[Any] = [self.settings.retention_seconds, raw]
                for key, value in fields.items():
                    argv += [key, value]
                self._ingest(
                    keys=[self.keys.receipt(receipt_id), self.keys.raw(receipt_id)],
                    args=argv,
                    client=pipe,
                )
            answers = pipe.execute()
        return [bool(created) for created in answers[-len(items) :]] if items else []

    @_translate_errors
    def drop_receipts(self, receipt_ids: list[str]) -> None:
        """Undo ``create_receipts`` for items that could not be queued."""
        if receipt_ids:
            self.r.delete(
                *[self.keys.receipt(r) for r in receipt_ids],
                *[self.keys.raw(r) for r in receipt_ids],
            )

    @_translate_errors
    def receipt(self, receipt_id: str) -> Receipt | None:
        data = self.r.hgetall(self.keys.receipt(receipt_id))
        if not data:
            return None
        fields = {_text(k): _text(v) for k, v in data.items()}
        return Receipt(
            receipt_id=fields["receipt_id"],
            feed=fields["feed"],
            state=ReceiptState(fields["state"]),
            received_at=fields["received_at"],
            updated_at=fields["updated_at"],
            size=int(fields.get("size") or 0),
            content_type=fields.get("content_type") or None,
            stage=fields.get("stage") or None,
            story_id=fields.get("story_id") or None,
            duplicate_of=fields.get("duplicate_of") or None,
            reason=fields.get("reason") or None,
        )

    @_translate_errors
    def load_raws(self, receipt_ids: list[str]) -> list[tuple[bytes | None, dict[str, str]]]:
        """``load_raw`` for many receipts in one round trip."""
        with self.r.pipeline(transaction=False) as pipe:
            for receipt_id in receipt_ids:
                pipe.get(self.keys.raw(receipt_id))
                pipe.hgetall(self.keys.receipt(receipt_id))
            answers = pipe.execute()
        return [
            (raw, {_text(k): _text(v) for k, v in meta.items()})
            for raw, meta in zip(answers[::2], answers[1::2], strict=True)
        ]

    @_translate_errors
    def load_raw(self, receipt_id: str) -> tuple[bytes | None, dict[str, str]]:
        """The raw bytes (None once retention has passed) and the receipt's fields."""
        with self.r.pipeline(transaction=False) as pipe:
            pipe.get(self.keys.raw(receipt_id))
            pipe.hgetall(self.keys.receipt(receipt_id))
            raw, meta = pipe.execute()
        return raw, {_text(k): _text(v) for k, v in meta.items()}

    @_translate_errors
    def receipts_published_between(self, since: float, until: float | None = None) -> list[str]:
        """Receipts of the stories editors see, received in [since, until], oldest first: what
        a re-run goes over."""
        story_ids = [
            _text(m)
            for m in self.r.zrangebyscore(
                self.keys.stories_by_time, since, "+inf" if until is None else until
            )
        ]
        receipts: list[str] = []
        for start in range(0, len(story_ids), 1000):
            chunk = story_ids[start : start + 1000]
            for value in self.r.mget([self.keys.story(s) for s in chunk]):
                if value is not None:
                    receipts.append(TaggedStory.model_validate_json(value).receipt_id)
        return receipts

    @_translate_errors
    def reopen(self, receipt_ids: list[str]) -> None:
        """Make settled receipts ready to run again: queued, publish guard and batch attempt
        count cleared. Only for a deliberate re-run; the pipeline never calls it."""
        with self.r.pipeline(transaction=False) as pipe:
            for receipt_id in receipt_ids:
                pipe.delete(
                    self.keys.published_guard(receipt_id), self.keys.attempts(receipt_id, "batch")
                )
                pipe.hset(
                    self.keys.receipt(receipt_id),
                    mapping={"state": ReceiptState.queued.value, "stage": "", "reason": ""},
                )
            pipe.execute()

    @_translate_errors
    def receipt_states(self, receipt_ids: list[str]) -> list[str | None]:
        with self.r.pipeline(transaction=False) as pipe:
            for receipt_id in receipt_ids:
                pipe.hget(self.keys.receipt(receipt_id), "state")
            return [_text(v) for v in pipe.execute()]

    @_translate_errors
    def begin_stages(self, receipt_ids: list[str], stage: str) -> list[int]:
        """``begin_stage`` for many receipts in one round trip (a batch task's items); a batch
        does not mark urgent work."""
        now = _now().isoformat()
        with self.r.pipeline(transaction=False) as pipe:
            for receipt_id in receipt_ids:
                self._begin_stage(
                    keys=self._stage_keys(receipt_id, stage),
                    args=[stage, now, self.settings.retention_seconds, 0],
                    client=pipe,
                )
            return [int(n) for n in pipe.execute()]

    @_translate_errors
    def begin_stage(self, receipt_id: str, stage: str) -> int:
        """Count one more start of ``stage`` for this receipt, mark the receipt as in it, and
        renew the urgent mark bulk tasks yield to. Returns the attempt number (redeliveries
        after a crash included)."""
        return int(
            self._begin_stage(
                keys=self._stage_keys(receipt_id, stage),
                args=[
                    stage,
                    _now().isoformat(),
                    self.settings.retention_seconds,
                    self.settings.bulk_yield_ms,
                ],
            )
        )

    def _stage_keys(self, receipt_id: str, stage: str) -> list[str]:
        return [self.keys.receipt(receipt_id), self.keys.attempts(receipt_id, stage),
                self.keys.urgent]  # fmt: skip

    @_translate_errors
    def yield_to_urgent(self, budget_ms: int) -> float:
        """Wait while single-story work is under way (the urgent mark is set), for at most
        ``budget_ms``. Returns the seconds waited. An idle urgent path costs one PTTL per
        call; a waiting bulk task looks again every 25 ms at most, so it goes on soon after
        the mark goes, however long it was set for."""
        waited = 0.0
        while waited * 1000 < budget_ms:
            left_ms = self.r.pttl(self.keys.urgent)
            if left_ms <= 0:
                break
            pause = min(left_ms, budget_ms - waited * 1000, 25) / 1000
            time.sleep(pause)
            waited += pause
        return waited

    # ---- dedupe -------------------------------------------------------------------------

    def dedupe_call(
        self,
        *,
        receipt_id: str,
        story_id: str,
        version: int,
        has_chain: bool,
        is_kill: bool,
        body_hash: str,
        signature: Signature,
        version_created: float | None = None,
        replaces: list[str] | None = None,
        slug_key: bytes | None = None,
        follows_slug: bool = False,
        families: list[bytes] | None = None,
        evidence: Evidence | None = None,
        anchors: list[bytes] | None = None,
        short_item: bool = False,
        now: float | None = None,
    ) -> tuple[list[str], list[Any]]:
        """The keys and arguments of ``dedupe.lua`` (its header documents them), in the one
        place that knows their order."""
        st = self.settings
        bucket_seconds = max(1, st.dedupe_window_seconds // st.dedupe_buckets)
        bucket = int((now if now is not None else time.time()) // bucket_seconds)
        usable = signature.values and signature.size >= st.near_dup_min_shingles
        args = [
            receipt_id,
            story_id,
            version,
            "1" if has_chain else "0",
            "1" if is_kill else "0",
            bytes.fromhex(body_hash)[:16],
            bucket,
            st.dedupe_buckets,
            st.dedupe_window_seconds + bucket_seconds,
            signature.values if usable else b"",
            signature.size,
            st.lsh_bands,
            st.lsh_rows,
            st.near_dup_jaccard,
            st.near_dup_containment,
            st.near_dup_min_matches,
            st.near_dup_max_candidates,
            st.lsh_refs_per_band,
            st.retention_seconds,
            self.keys.chain(""),
            repr(version_created) if version_created is not None else "",
            slug_key or b"",
            "1" if follows_slug else "0",
            st.dedupe_link_buckets,
            evidence.names if evidence else b"",
            evidence.figures if evidence else b"",
            b"".join(anchors or []),
            "1" if short_item else "0",
            b"".join(families or []),
            st.near_dup_names_shared,
            st.near_dup_names_share,
            st.lookalike_figures_share,
            st.lookalike_min_figures,
            st.short_item_anchor_share,
            st.lookalike_names_share,
            st.near_dup_band_df,
            *(replaces or []),
        ]
        keys = [self.keys.dedupe_refs, self.keys.chain(story_id), self.keys.dedupe_bucket_base]
        return keys, args

    @_translate_errors
    def dedupe(self, **call: Any) -> DedupeFinding:
        """Look the story up and record it in one atomic script (``dedupe.lua``): its version
        chain, the exact-body index, the LSH bands, its slug family and, for a short item, its
        anchors. Whichever of two concurrent near-duplicates runs second finds the first. A
        redelivered task gets its first answer. Arguments as ``dedupe_call``.

        ``replaces``: story ids of the items this one names as replaced (agency links); the
        first one the window knows makes this an update (or kill) of it. ``slug_key`` (agency
        and slug) records the take; with ``follows_slug`` (version words such as '2ndLd'),
        an item without an agency id joins the take with the same key from the last day or so.
        ``finding.story_id`` is the chain the item joined (its own unless a link moved it).
        """
        keys, args = self.dedupe_call(**call)
        kind, of, score, reason, lead, joined = (
            _text(v) for v in self._dedupe(keys=keys, args=args)
        )
        return DedupeFinding(
            kind=kind,
            of_story=of or None,
            score=float(score) if score else None,
            reason=reason,
            lead=lead,
            story_id=joined or call["story_id"],
        )

    # ---- publish ------------------------------------------------------------------------

    def _publish_call(self, story: TaggedStory, event: StoryEvent) -> tuple[list, list]:
        """The keys and arguments of ``publish.lua`` for one story."""
        verdict = story.verdict
        mode = _PUBLISH_MODE[verdict.verdict]
        if mode == "show" and not verdict.shown:
            mode = "archive"
        duplicate_of = verdict.of_story if mode == "dup" else None
        state = ReceiptState.duplicate if duplicate_of else ReceiptState.published
        lead = (verdict.cluster or verdict.of_story or story.story_id) if duplicate_of else ""
        score = story.received_at.timestamp()
        floor = _now().timestamp() - self.settings.retention_seconds
        k = self.keys
        embargo = ""
        if status_of(story) == "embargoed":
            until = story.embargoed_until
            embargo = repr(until.timestamp()) if until else "+inf"
        keys = [
            k.published_guard(story.receipt_id),
            k.story(story.story_id),
            k.stories_by_time,
            k.stories_stream,
            k.receipt(story.receipt_id),
            k.duplicates(lead or story.story_id),
            k.versions(story.story_id),
            k.version(story.receipt_id),
            k.killed(story.story_id),
            k.index_of(story.story_id),
            k.facets_of(story.story_id),
            k.embargoes,
            k.index(f"status:{status_of(story)}"),
            k.index("status:killed"),
            *[k.index(f"status:{s}") for s in STATUSES],
            *[k.index(term) for term in story_terms(story)],
        ]
        args = [
            self.settings.retention_seconds,
            story.model_dump_json(),
            repr(score),
            story.story_id,
            event.type.value,
            event.model_dump_json(),
            self.settings.stream_maxlen,
            _now().isoformat(),
            state.value,
            duplicate_of or "",
            repr(floor),
            mode,
            chain_order(story),
            story.receipt_id,
            lead,
            embargo,
            facet_lines(story),
            len(STATUSES),
        ]
        return keys, args

    @_translate_errors
    def publish(self, story: TaggedStory, event: StoryEvent) -> tuple[bool, str]:
        """Store, index and announce a story once. Returns (newly published, stream event id).

        What is stored follows the verdict: a new story or a newer version becomes what
        editors see (every version stays readable) and replaces the older one in the term
        indexes; an older late version joins the chain only; a kill marks the story killed
        and moves it to the killed status index; a resend or near-duplicate joins its lead's
        cluster and stays out of the latest list and the indexes.
        """
        keys, args = self._publish_call(story, event)
        created, event_id = self._publish(keys=keys, args=args)
        return bool(created), _text(event_id)

    @_translate_errors
    def publish_many(self, items: list[tuple[TaggedStory, StoryEvent]]) -> list[bool]:
        """``publish`` for many stories in one round trip (backfills, benchmark loads); each
        is still its own atomic script run."""
        with self.r.pipeline(transaction=False) as pipe:
            for story, event in items:
                keys, args = self._publish_call(story, event)
                self._publish(keys=keys, args=args, client=pipe)
            return [bool(created) for created, _ in pipe.execute()]

    # ---- quarantine ---------------------------------------------------------------------

    @_translate_errors
    def quarantine(self, entry: QuarantineEntry, raw: bytes | None) -> str:
        """Keep an item a stage could not handle, with its raw bytes and the reason, and say so
        on the receipt and on the stories stream. Returns the quarantine entry id."""
        event = StoryEvent(
            type=EventType.quarantined,
            story_id="",
            version=0,
            receipt_id=entry.receipt_id,
            feed=entry.feed,
            occurred_at=entry.quarantined_at,
        )
        fields = entry.model_dump(mode="json", exclude={"entry_id"})
        with self.r.pipeline(transaction=True) as pipe:
            pipe.xadd(
                self.keys.quarantine_stream,
                {**{k: str(v) for k, v in fields.items()}, "raw": raw or b""},
                maxlen=self.settings.quarantine_maxlen,
                approximate=True,
            )
            receipt_key = self.keys.receipt(entry.receipt_id)
            pipe.hset(
                receipt_key,
                mapping={
                    "state": ReceiptState.quarantined.value,
                    "stage": entry.stage,
                    "reason": entry.reason,
                    "updated_at": entry.quarantined_at.isoformat(),
                },
            )
            pipe.expire(receipt_key, self.settings.retention_seconds)
            pipe.xadd(
                self.keys.stories_stream,
                {"type": event.type.value, "story_id": "", "data": event.model_dump_json()},
                maxlen=self.settings.stream_maxlen,
                approximate=True,
            )
            entry_id, *_ = pipe.execute()
        return _text(entry_id)

    @_translate_errors
    def list_quarantine(self, *, limit: int = 50) -> list[QuarantineEntry]:
        rows = self.r.xrevrange(self.keys.quarantine_stream, count=limit)
        out = []
        for entry_id, raw_fields in rows:
            fields = {_text(k): v for k, v in raw_fields.items() if _text(k) != "raw"}
            out.append(
                QuarantineEntry(
                    entry_id=_text(entry_id), **{k: _text(v) for k, v in fields.items()}
                )
            )
        return out

    # ---- read side ----------------------------------------------------------------------

    @_translate_errors
    def get_story(self, story_id: str) -> TaggedStory | None:
        """What editors see of a story: its newest version, marked canceled once killed."""
        data, killed = self.r.mget([self.keys.story(story_id), self.keys.killed(story_id)])
        return _as_shown(data, killed)

    @_translate_errors
    def killed_by(self, story_id: str) -> str | None:
        """The receipt that withdrew the story, if one did."""
        return _text(self.r.get(self.keys.killed(story_id)))

    @_translate_errors
    def versions(self, story_id: str) -> list[TaggedStory]:
        """Every published version of a story's chain, oldest version first (kills included)."""
        receipts = [_text(m) for m in self.r.zrange(self.keys.versions(story_id), 0, -1)]
        if not receipts:
            return []
        docs = self.r.mget([self.keys.version(r) for r in receipts])
        return [TaggedStory.model_validate_json(d) for d in docs if d]

    @_translate_errors
    def cluster(self, story_id: str) -> tuple[str, list[TaggedStory]] | None:
        """The duplicate cluster a story belongs to: its lead's id and the other members (the
        lead's resends and near-duplicates). None for an unknown story."""
        story = self.get_story(story_id)
        if story is None:
            return None
        verdict = story.verdict
        lead = story_id
        if verdict.verdict in (Verdict.resend, Verdict.near_duplicate) and verdict.of_story:
            lead = verdict.cluster or verdict.of_story
        members = sorted(_text(m) for m in self.r.smembers(self.keys.duplicates(lead)))
        docs = self.r.mget([self.keys.story(m) for m in members]) if members else []
        return lead, [TaggedStory.model_validate_json(d) for d in docs if d]

    @_translate_errors
    def duplicates_of(self, story_id: str) -> list[str]:
        return sorted(_text(m) for m in self.r.smembers(self.keys.duplicates(story_id)))

    def _run_query(
        self,
        flt: StoryFilter,
        *,
        mode: str,
        limit: int,
        cursor: str | None,
        now: datetime | None,
        max_scan: int,
    ) -> list:
        max_score, after = "+inf", ""
        if cursor:
            score, after = Cursor.decode(cursor)
            max_score = repr(score)
        if flt.until is not None:
            ceiling = flt.until.timestamp()
            if max_score == "+inf" or ceiling < float(max_score):
                max_score, after = repr(ceiling), ""
        floor = repr(flt.since.timestamp()) if flt.since else "-inf"
        groups = [list(g) for g in flt.groups] or [[self.keys.stories_by_time]]
        index_keys = [
            key if key == self.keys.stories_by_time else self.keys.index(key)
            for group in groups
            for key in group
        ]
        k = self.keys
        keys = [
            k.embargoes,
            k.query_scratch(base64.b32encode(os.urandom(10)).decode()),
            *index_keys,
        ]
        args = [
            mode,
            max_score,
            after,
            floor,
            limit,
            max_scan,
            repr((now or _now()).timestamp()),
            "1" if flt.include_embargoed else "0",
            f"{self.keys.prefix}:story:",
            ":fx",
            len(groups),
            *[len(g) for g in groups],
        ]
        return self._query(keys=keys, args=args)

    @_translate_errors
    def query(
        self,
        flt: StoryFilter,
        *,
        limit: int,
        cursor: str | None = None,
        now: datetime | None = None,
        max_scan: int = 250_000,
    ) -> StoryPage:
        """The newest shown stories matching a filter, from the cursor on. Ties on the score
        are ordered by id, so paging never skips one. Raises ValueError on a bad cursor."""
        answer = self._run_query(
            flt, mode="page", limit=limit, cursor=cursor, now=now, max_scan=max_scan
        )
        *found, last_id, last_score, ran_out = answer
        pairs = [(_text(m), float(sc)) for m, sc in zip(found[::2], found[1::2], strict=True)]
        names = [n for m, _ in pairs for n in (self.keys.story(m), self.keys.killed(m))]
        values = self.r.mget(names) if pairs else []
        stories = [
            _as_shown(value, killed)
            for value, killed in zip(values[::2], values[1::2], strict=True)
            if value is not None  # expired from the store; its index entries trim on next write
        ]
        next_cursor = None
        if not int(ran_out) and last_id:
            next_cursor = Cursor.encode(float(last_score), _text(last_id))
        complete = len(pairs) == limit or bool(int(ran_out))
        return StoryPage(stories=stories, next_cursor=next_cursor, complete=complete)

    @_translate_errors
    def facets(
        self, flt: StoryFilter, *, window: int, now: datetime | None = None, top: int = 20
    ) -> FacetCounts:
        """How many of the newest ``window`` matches carry each place, topic, feed and agency,
        the ``top`` commonest of each, counted server-side from the stories' facet lines."""
        counted, ran_out, *pairs = self._run_query(
            flt, mode="facets", limit=window, cursor=None, now=now, max_scan=250_000
        )
        counts: dict[str, list[tuple[str, str, int]]] = {}
        for line, n in zip(pairs[::2], pairs[1::2], strict=True):
            facet, value, label = _text(line).split("\t", 2)
            counts.setdefault(facet, []).append((value, label, int(n)))
        for facet, rows in counts.items():
            counts[facet] = sorted(rows, key=lambda r: (-r[2], r[0]))[:top]
        return FacetCounts(
            counted=int(counted), window=window, all_counted=bool(int(ran_out)), counts=counts
        )

    @_translate_errors
    def ping(self) -> bool:
        return bool(self.r.ping())
