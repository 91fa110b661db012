"""One interface, several engines: what the archive promises, whatever keeps the index.

The archive keeps every story the stories stream carried, for as long as it is told to, and
answers editors' searches over all of it. Each engine (``sqlite.py``, the embedded default;
``postgres.py``, for production; a newsroom's own, see below) implements ``ArchiveEngine``;
everything that must not differ between engines lives here, as plain functions of the story:

* **What a write does** (``plan_batch``). A story is keyed by its id. Each version is kept
  under its receipt; the one shown is the newest by ``(chain order, received time, receipt)``
  (the order publish uses, ``workers.store.publish.chain_order``, then a tie-break that makes
  the outcome independent of arrival order). An older version never replaces a newer one; a
  kill marks the story killed (status ``canceled``) and keeps its last text, or is shown itself
  when no text came before it; a resend or near-duplicate of another story is kept under its
  own id with its cluster's lead, out of searches unless asked for. The same receipt with the
  same content is ``unchanged`` (nothing written: at-least-once delivery is harmless); the same
  receipt with new content (a replay after a tagger change) is ``revised``.
* **What a story is findable by**: its fields' text (``story_texts``), the filter terms of
  ``workers.indexing`` (so ``place=LB`` means what it means on the live list) and its facet
  values (the list's four families plus person, org and language).
* **What a search asks** (``SearchRequest``: the query tree of ``query.py``, the filters, sort,
  page size, cursor, facets) **and what it gets back** (``SearchResult``: hits with the story
  as editors see it, its score and highlighted snippets, the total count of matches and facet
  counts over *all* of them). Snippets are HTML: the text escaped, matches in ``<mark>``.

Errors: a bad request is ``SearchRequestError`` (the API's 400; ``QuerySyntaxError`` is one);
an engine that cannot be reached raises ``ArchiveUnavailableError`` (retryable: the consumer
backs off and redelivers). Both are in the project's tree (``workers.errors``).

A third engine (OpenSearch, Elasticsearch, ...) implements the abstract methods of
``ArchiveEngine``: ``upsert_many`` applying ``plan_batch``'s outcome atomically per story,
``get``/``versions``/``cluster``/``delete``/``expire``, and ``search`` compiling the query tree
(words on a per-language stemmed field, phrases and prefixes on a folded, unstemmed one, fields
as fields, NOT as must_not, pure-NOT as match_all minus), filters from ``filter_terms``, facets
from ``facet_rows`` as terms aggregations, then passes ``tests/services/archive/`` by adding
itself to the engine fixture there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from schemas import PubStatus, Signal, TaggedStory, TagType, Verdict
from services.archive.query import (
    Field,
    Node,
    Not,
    SearchRequestError,
    parse,
    positive_leaves,
    render,
)
from workers.errors import RetryableError
from workers.indexing import FILTERS, STATUS_ALIASES, STATUS_NAMES, facet_lines, norm, story_terms
from workers.store.publish import chain_order

__all__ = [
    "DEFAULT_FACETS",
    "FACET_NAMES",
    "MAX_LIMIT",
    "ArchiveEngine",
    "ArchiveUnavailableError",
    "ArchivedStory",
    "Current",
    "FacetValue",
    "Hit",
    "Plan",
    "RowChange",
    "SearchFilters",
    "SearchRequest",
    "SearchResult",
    "Sort",
    "TimeField",
    "UpsertOutcome",
    "VersionWrite",
    "archive_status",
    "as_shown",
    "created_time",
    "decode_cursor",
    "doc_json",
    "encode_cursor",
    "facet_rows",
    "filter_terms",
    "mark",
    "plan_batch",
    "story_texts",
    "version_key",
]

MAX_LIMIT = 200
# The families the list's facets have always counted, and the ones the archive adds.
DEFAULT_FACETS = ("place", "topic", "feed", "agency")
FACET_NAMES = (*DEFAULT_FACETS, "person", "org", "language")
# Private-use characters around a match while a snippet is made: they survive any engine's
# text handling, and are swapped for <mark> after the text is HTML-escaped.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"


class ArchiveUnavailableError(RetryableError):
    """The archive's engine could not be reached or is busy past its timeout."""


class Sort(StrEnum):
    relevance = "relevance"
    newest = "newest"


class TimeField(StrEnum):
    """Which time ``since``/``until`` and ``sort=newest`` use: when wiredesk received the
    story, or when the agency made this version (its own stamp, else its first version's, else
    the receipt time), so a backfilled archive is not all "today"."""

    received = "received"
    created = "created"


class UpsertOutcome(StrEnum):
    created = "created"  # a story the archive did not hold
    replaced = "replaced"  # a newer version is now the one shown
    revised = "revised"  # the same receipt with new content (a replay)
    kept = "kept"  # an older version: kept in the chain, not shown
    killed = "killed"  # the story is now killed
    duplicate = "duplicate"  # another story's copy, kept under its own id
    unchanged = "unchanged"  # seen before exactly as it is: nothing written


# ---------------------------------------------------------------------------------------------
# What a story is findable by


def story_texts(story: TaggedStory) -> dict[Field, str]:
    """Each field's text. The slug field also holds the agency's keywords; place, topic hold
    names and codes (``LB``, ``medtop 04000000``), so ``place:lb`` works as the filter does."""
    names: dict[TagType, list[str]] = {t: [] for t in TagType}
    for tag in story.tags:
        names[tag.type].append(tag.name)
        if tag.type in (TagType.place, TagType.topic) and tag.code:
            names[tag.type].append(f"{tag.scheme} {tag.code}" if tag.scheme else tag.code)
    places = ([story.dateline.place] if story.dateline and story.dateline.place else []) + names[
        TagType.place
    ]
    topics = names[TagType.topic] + [
        " ".join(p for p in (s.name, s.scheme, s.code) if p) for s in story.subjects
    ]
    body = list(story.body)
    if story.lede and story.lede not in body:
        body.insert(0, story.lede)
    return {
        Field.headline: story.headline or "",
        Field.slug: "\n".join([story.slugline or "", *story.keywords]).strip(),
        Field.byline: story.byline or "",
        Field.body: "\n".join(body),
        Field.place: "\n".join(dict.fromkeys(places)),
        Field.person: "\n".join(dict.fromkeys(names[TagType.person])),
        Field.org: "\n".join(dict.fromkeys(names[TagType.organisation])),
        Field.topic: "\n".join(dict.fromkeys(topics)),
    }


def filter_terms(story: TaggedStory) -> list[str]:
    """The filter terms of ``workers.indexing`` (``feed:reuters``, ``place:lb``, ``lang:de``,
    ``urgency:1`` ...) without its keyword terms: the query language replaces those."""
    return [t for t in story_terms(story) if not t.startswith("kw:")]


def facet_rows(story: TaggedStory) -> list[tuple[str, str, str]]:
    """(facet, value, label) per facet value the story counts for: the list's facet lines
    (places by name, topics by scheme:code) plus people, organisations and the language."""
    rows = [
        tuple(line.split("\t", 2))
        for line in facet_lines(story).split("\n")
        if line.count("\t") == 2
    ]
    for tag in story.tags:
        if tag.type is TagType.person:
            rows.append(("person", norm(tag.name), tag.name))
        elif tag.type is TagType.organisation:
            rows.append(("org", norm(tag.name), tag.name))
    if story.language:
        rows.append(("language", norm(story.language), story.language))
    unique = {(f, v): label for f, v, label in reversed(rows)}
    return [(f, v, label) for (f, v), label in reversed(unique.items())]


def archive_status(story: TaggedStory, killed: bool) -> str:
    """The story's status as filters see it: ``canceled`` once killed."""
    if killed or story.status is PubStatus.canceled or Signal.kill in story.signals:
        return PubStatus.canceled.value
    return story.status.value


def created_time(story: TaggedStory) -> datetime:
    """The agency's time for a version: its own stamp, else its first version's, else the
    receipt time."""
    return story.version_created or story.first_created or story.received_at


def version_key(story: TaggedStory) -> tuple[float, float, str]:
    """The order of versions in a chain: publish's chain order, then received time, then
    receipt, so two writers (or one writer redelivered out of order) always agree."""
    return (chain_order(story), story.received_at.timestamp(), story.receipt_id)


def doc_json(story: TaggedStory) -> tuple[str, str]:
    """The stored JSON of a version and its content hash (what ``unchanged`` compares)."""
    text = story.model_dump_json()
    return text, hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


# ---------------------------------------------------------------------------------------------
# What a write does


@dataclass
class Current:
    """What an engine holds for a story id: the receipt shown and its order, whether that is a
    kill notice (a kill that came before any text), who killed it, its cluster lead if it is
    another story's copy."""

    receipt_id: str
    order: tuple[float, float, str]
    is_kill: bool = False
    killed_by: str | None = None
    lead: str | None = None


@dataclass(frozen=True)
class VersionWrite:
    story: TaggedStory
    json: str
    hash: str


@dataclass
class RowChange:
    """A story id's state after a batch: ``shown`` is the new shown version's story when that
    changed (the engine reindexes), else None; ``before`` is what the engine held."""

    story_id: str
    before: Current | None
    after: Current
    shown: TaggedStory | None = None

    @property
    def status_changed(self) -> bool:
        return self.before is not None and self.before.killed_by != self.after.killed_by


@dataclass
class Plan:
    outcomes: list[UpsertOutcome] = field(default_factory=list)
    versions: list[VersionWrite] = field(default_factory=list)
    rows: dict[str, RowChange] = field(default_factory=dict)


def plan_batch(
    held: dict[str, Current], known: dict[str, str], stories: Sequence[TaggedStory]
) -> Plan:
    """What writing ``stories`` in order does, given what the engine holds: ``held`` (story
    id -> Current, for the batch's ids) and ``known`` (receipt -> content hash, for the
    batch's receipts). Pure; the engine applies the plan in one transaction."""
    plan = Plan()
    known = dict(known)
    state = {sid: replace(cur) for sid, cur in held.items()}
    for story in stories:
        text, digest = doc_json(story)
        rid, sid = story.receipt_id, story.story_id
        if known.get(rid) == digest:
            plan.outcomes.append(UpsertOutcome.unchanged)
            continue
        revision = rid in known
        cur = state.get(sid)
        verdict = story.verdict
        outcome: UpsertOutcome
        shown = False
        if verdict.verdict in (Verdict.resend, Verdict.near_duplicate):
            lead = verdict.cluster or verdict.of_story or sid
            if cur is not None and cur.receipt_id != rid:
                # The id already has a story (the usual case for a resend of the same item):
                # the copy adds nothing.
                plan.outcomes.append(UpsertOutcome.unchanged)
                continue
            if cur is None:
                cur = Current(rid, version_key(story), lead=lead if lead != sid else None)
                outcome = UpsertOutcome.duplicate if lead != sid else UpsertOutcome.created
            else:
                outcome = UpsertOutcome.revised
            shown = True
        elif verdict.verdict is Verdict.kill:
            if cur is None:
                cur = Current(rid, version_key(story), is_kill=True, killed_by=rid)
                outcome, shown = UpsertOutcome.killed, True
            elif cur.killed_by is None:
                cur.killed_by = rid
                outcome = UpsertOutcome.killed
                shown = cur.receipt_id == rid
            else:
                shown = cur.receipt_id == rid
                outcome = UpsertOutcome.revised if revision else UpsertOutcome.kept
        else:
            key = version_key(story)
            if cur is None:
                cur = Current(rid, key)
                outcome, shown = UpsertOutcome.created, True
            elif cur.receipt_id == rid:
                outcome, shown = UpsertOutcome.revised, True
            elif cur.is_kill or cur.lead is not None or (verdict.shown and key > cur.order):
                cur.receipt_id, cur.order, cur.is_kill, cur.lead = rid, key, False, None
                outcome, shown = UpsertOutcome.replaced, True
            else:
                outcome = UpsertOutcome.revised if revision else UpsertOutcome.kept
        known[rid] = digest
        state[sid] = cur
        plan.versions.append(VersionWrite(story, text, digest))
        row = plan.rows.get(sid)
        if row is None:
            row = plan.rows[sid] = RowChange(sid, held.get(sid), cur)
        row.after = cur
        if shown:
            row.shown = story
        plan.outcomes.append(outcome)
    return plan


# ---------------------------------------------------------------------------------------------
# What a search asks and gets


@dataclass(frozen=True, kw_only=True)
class SearchFilters:
    """The list's filters: repeat a value for *any of* them, combine filters for *all of*
    them. Values are matched as ``workers.indexing`` matches them (case-folded; places,
    people, organisations and topics by name or code)."""

    feed: tuple[str, ...] = ()
    agency: tuple[str, ...] = ()
    priority: tuple[int, ...] = ()
    place: tuple[str, ...] = ()
    person: tuple[str, ...] = ()
    org: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    time: TimeField = TimeField.received
    include_embargoed: bool = False
    include_duplicates: bool = False

    def term_groups(self) -> list[tuple[str, ...]]:
        """One tuple of filter terms per filter given: a story needs one of each."""
        values = {
            "feed": self.feed,
            "agency": self.agency,
            "priority": tuple(str(p) for p in self.priority),
            "place": self.place,
            "person": self.person,
            "org": self.org,
            "topic": self.topic,
            "lang": self.language,
        }
        groups = []
        for name, wanted in values.items():
            terms = tuple(dict.fromkeys(f"{FILTERS[name]}:{norm(v)}" for v in wanted if norm(v)))
            if terms:
                groups.append(terms)
        return groups

    def statuses(self) -> tuple[str, ...]:
        """The status values asked for (``killed`` read as ``canceled``)."""
        return tuple(dict.fromkeys(STATUS_ALIASES.get(norm(s), norm(s)) for s in self.status))

    def shows_embargoed(self) -> bool:
        """Asking for embargoed stories by status is asking to see them."""
        return self.include_embargoed or "embargoed" in self.statuses()

    def check(self) -> None:
        """Raises SearchRequestError on a value no story can have."""
        if any(not 1 <= p <= 9 for p in self.priority):
            raise SearchRequestError("priority is a number from 1 (flash) to 9")
        unknown = sorted(set(self.statuses()) - set(STATUS_NAMES))
        if unknown:
            raise SearchRequestError(
                f"status {unknown[0]!r} is not one of {', '.join(STATUS_NAMES)} "
                "(killed is accepted for canceled)"
            )
        for bound in (self.since, self.until):
            if bound is not None and bound.tzinfo is None:
                raise SearchRequestError("since and until need a time zone (e.g. +00:00)")
        if self.since and self.until and self.since > self.until:
            raise SearchRequestError("since is after until")


@dataclass(frozen=True, kw_only=True)
class SearchRequest:
    """A search. ``query`` is a tree from ``query.parse``, the text of one, or None for every
    story the filters let through. ``sort`` defaults to relevance when the query has something
    to score and to newest otherwise. ``facets`` names the families to count (``FACET_NAMES``)
    over every match, the ``facet_top`` commonest of each. ``now`` decides embargoes."""

    query: Node | str | None = None
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: Sort | None = None
    limit: int = 20
    cursor: str | None = None
    facets: tuple[str, ...] = ()
    facet_top: int = 20
    now: datetime | None = None

    def tree(self) -> Node | None:
        if self.query is None:
            return None
        if isinstance(self.query, str):
            return parse(self.query) if self.query.strip() else None
        return self.query

    def checked(self) -> tuple[Node | None, Sort]:
        """The query tree and the sort, after checking every part. Raises
        SearchRequestError (QuerySyntaxError for the query)."""
        tree = self.tree()
        self.filters.check()
        if not 1 <= self.limit <= MAX_LIMIT:
            raise SearchRequestError(f"limit is from 1 to {MAX_LIMIT}")
        unknown = sorted(set(self.facets) - set(FACET_NAMES))
        if unknown:
            raise SearchRequestError(f"facet {unknown[0]!r} is not one of {', '.join(FACET_NAMES)}")
        if not 1 <= self.facet_top <= 1000:
            raise SearchRequestError("facet_top is from 1 to 1000")
        scored = tree is not None and bool(positive_leaves(tree)) and not isinstance(tree, Not)
        sort = self.sort or (Sort.relevance if scored else Sort.newest)
        return tree, sort

    def fingerprint(self, tree: Node | None, sort: Sort) -> str:
        """What a cursor is tied to: the same query, filters and sort."""
        f = self.filters
        parts = [render(tree) if tree is not None else "", sort.value, repr(f)]
        return hashlib.blake2b("\x00".join(parts).encode(), digest_size=6).hexdigest()

    def at(self) -> datetime:
        return self.now or datetime.now(UTC)


@dataclass(frozen=True)
class FacetValue:
    value: str  # what to filter by
    label: str  # what to show
    count: int


@dataclass(frozen=True)
class Hit:
    """One story found: as editors see it (status ``canceled`` once killed), the engine's
    relevance score (None when sorted by time or the query only excludes), the headline and a
    passage of the body with the matches marked (HTML: escaped text, ``<mark>`` around
    matches; the body's opening when nothing in it matched)."""

    story: TaggedStory
    score: float | None
    headline: str
    snippet: str
    killed_by: str | None = None
    duplicate_of: str | None = None


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int  # every match, not only this page
    next_cursor: str | None
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)


@dataclass(frozen=True)
class ArchivedStory:
    """A story as the archive holds it: the version shown (status ``canceled`` once killed),
    the receipt of the kill and the cluster lead of a copy."""

    story: TaggedStory
    killed_by: str | None
    duplicate_of: str | None


def as_shown(story: TaggedStory, killed_by: str | None) -> TaggedStory:
    if killed_by and story.status is not PubStatus.canceled:
        return story.model_copy(update={"status": PubStatus.canceled})
    return story


def encode_cursor(fingerprint: str, position: list[float | int | str]) -> str:
    raw = json.dumps([fingerprint, *position], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str, shape: tuple[type, ...]) -> list[Any]:
    """The position a cursor holds. Raises SearchRequestError on one this search did not make
    (another query, filters or sort; or not a cursor at all)."""
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise SearchRequestError("malformed cursor") from exc
    if not isinstance(value, list) or len(value) != len(shape) + 1:
        raise SearchRequestError("malformed cursor")
    if value[0] != fingerprint:
        raise SearchRequestError("the cursor belongs to another search (query, filters or sort)")
    position = value[1:]
    for item, kind in zip(position, shape, strict=True):
        ok = isinstance(item, kind) and not isinstance(item, bool)
        if kind is float:
            ok = isinstance(item, int | float) and not isinstance(item, bool)
            ok = ok and item == item and abs(item) != float("inf")
        if not ok:
            raise SearchRequestError("malformed cursor")
    return position


def mark(text: str) -> str:
    """A snippet made with MARK_OPEN/MARK_CLOSE around matches, as HTML."""
    escaped = html.escape(text, quote=False)
    return escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


# ---------------------------------------------------------------------------------------------
# The interface


class ArchiveEngine(ABC):
    """An archive engine. Implementations are safe to share between threads (each keeps a
    connection per thread); ``close`` releases them all."""

    name: str

    @abstractmethod
    def upsert_many(self, stories: Sequence[TaggedStory]) -> list[UpsertOutcome]:
        """Write stories in order, in one transaction: all of them or none. Returns what each
        did (``plan_batch``)."""

    def upsert(self, story: TaggedStory) -> UpsertOutcome:
        return self.upsert_many([story])[0]

    @abstractmethod
    def get(self, story_id: str) -> ArchivedStory | None:
        """The story as shown, or None."""

    @abstractmethod
    def versions(self, story_id: str) -> list[TaggedStory]:
        """Every version kept, oldest first (kills included)."""

    @abstractmethod
    def cluster(self, story_id: str) -> tuple[str, list[TaggedStory]] | None:
        """(the cluster lead's id, the copies kept under their own ids, oldest first), or None
        for an unknown story."""

    @abstractmethod
    def delete(self, story_id: str) -> bool:
        """Remove a story and its versions (a legal takedown). False if it was not there."""

    @abstractmethod
    def expire(self, before: datetime, *, time: TimeField = TimeField.received) -> int:
        """Remove the stories whose time is before ``before`` (retention); how many."""

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult:
        """Answer a search. Raises SearchRequestError (QuerySyntaxError) on a bad request."""

    @abstractmethod
    def count(self) -> int:
        """Stories held (copies included)."""

    @abstractmethod
    def disk_bytes(self) -> int:
        """What the archive takes on disk, indexes included."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> ArchiveEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
