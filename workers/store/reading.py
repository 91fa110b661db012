"""The read side: what editors see of a story, its versions and cluster, and the filtered,
paged queries and facet counts (``query.lua``)."""

from __future__ import annotations

import base64
import binascii
import functools
import math
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas import PubStatus, TaggedStory, Verdict
from workers.indexing import StoryFilter
from workers.store.base import StorePart
from workers.store.base import now as _now
from workers.store.client import text, text_or_empty, translated
from workers.store.scripts import ScriptCall, StoreScript, arg, key

__all__ = ["Cursor", "FacetCounts", "QueryCall", "ReadStore", "StoryPage"]


@dataclass(frozen=True, kw_only=True)
class QueryCall(ScriptCall):
    """``query.lua``'s keys and arguments (its header says how a filter is walked)."""

    script = "query.lua"
    embargoes: str = key()
    scratch: str = key()  # an OR group's union, dropped before the script ends
    indexes: list[str] = key(many=True)  # every group's index keys, in order
    mode: str = arg()  # 'page' or 'facets'
    max_score: str = arg()  # '+inf' or a score
    after: str = arg()  # cursor id ('' none: take all at max score)
    min_score: str = arg()
    limit: int = arg()
    max_scan: int = arg()
    now: float = arg()
    include_embargoed: bool = arg()
    facet_prefix: str = arg()  # a story's facet key is prefix .. id .. suffix
    facet_suffix: str = arg()
    group_sizes: list[int] = arg(many=True)


def _as_shown(data: Any, killed: Any) -> TaggedStory | None:
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
            value = float(score)
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError("malformed cursor") from exc
        # The scores are receipt times: nan or inf (which float() takes) never came from us,
        # and nan is a Redis error, not an empty page.
        if not math.isfinite(value) or not member:
            raise ValueError("malformed cursor")
        return value, member


class ReadStore(StorePart):
    @functools.cached_property
    def _query(self) -> StoreScript[QueryCall]:
        return StoreScript(self._redis, QueryCall)

    @translated
    def get_story(self, story_id: str) -> TaggedStory | None:
        """What editors see of a story: its newest version, marked canceled once killed."""
        data, killed = self._redis.mget([self.keys.story(story_id), self.keys.killed(story_id)])
        return _as_shown(data, killed)

    @translated
    def killed_by(self, story_id: str) -> str | None:
        """The receipt that withdrew the story, if one did."""
        return text(self._redis.get(self.keys.killed(story_id)))

    @translated
    def versions(self, story_id: str) -> list[TaggedStory]:
        """Every published version of a story's chain, oldest version first (kills included)."""
        receipts = [
            text_or_empty(m) for m in self._redis.zrange(self.keys.versions(story_id), 0, -1)
        ]
        if not receipts:
            return []
        docs = self._redis.mget([self.keys.version(r) for r in receipts])
        return [TaggedStory.model_validate_json(d) for d in docs if d]

    @translated
    def cluster(self, story_id: str) -> tuple[str, list[TaggedStory]] | None:
        """The duplicate cluster a story belongs to: the id of its first-received member and
        the other members, oldest first. None for an unknown story.

        Dedupe names as lead the copy it recorded first, which is not always the first one
        received (two workers racing, a bulk backfill behind a single story); editors are
        told the first received, so the cluster is ordered here by received time."""
        story = self.get_story(story_id)
        if story is None:
            return None
        verdict = story.verdict
        lead = story_id
        if verdict.verdict in (Verdict.resend, Verdict.near_duplicate) and verdict.of_story:
            lead = verdict.cluster or verdict.of_story
        members = sorted(text_or_empty(m) for m in self._redis.smembers(self.keys.duplicates(lead)))
        docs = self._redis.mget([self.keys.story(m) for m in [lead, *members]])
        stories = [TaggedStory.model_validate_json(d) for d in docs if d]
        if not stories:
            return lead, []
        stories.sort(key=lambda s: (s.received_at, s.story_id))
        first, *rest = stories
        return first.story_id, rest

    @translated
    def duplicates_of(self, story_id: str) -> list[str]:
        return sorted(
            text_or_empty(m) for m in self._redis.smembers(self.keys.duplicates(story_id))
        )

    def _run_query(
        self,
        flt: StoryFilter,
        *,
        mode: str,
        limit: int,
        cursor: str | None,
        now: datetime | None,
        max_scan: int,
    ) -> list[Any]:
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
            name if name == self.keys.stories_by_time else self.keys.index(name)
            for group in groups
            for name in group
        ]
        facet_head, facet_tail = self.keys.facets_around()
        call = QueryCall(
            embargoes=self.keys.embargoes,
            scratch=self.keys.query_scratch(base64.b32encode(os.urandom(10)).decode()),
            indexes=index_keys,
            mode=mode,
            max_score=max_score,
            after=after,
            min_score=floor,
            limit=limit,
            max_scan=max_scan,
            now=(now or _now()).timestamp(),
            include_embargoed=flt.include_embargoed,
            facet_prefix=facet_head,
            facet_suffix=facet_tail,
            group_sizes=[len(g) for g in groups],
        )
        answer: list[Any] = self._query(call)
        return answer

    @translated
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
        pairs = [
            (text_or_empty(m), float(sc)) for m, sc in zip(found[::2], found[1::2], strict=True)
        ]
        names = [n for m, _ in pairs for n in (self.keys.story(m), self.keys.killed(m))]
        values = self._redis.mget(names) if pairs else []
        # A story expired from the store is skipped; its index entries trim on the next write.
        shown = (
            _as_shown(value, killed)
            for value, killed in zip(values[::2], values[1::2], strict=True)
        )
        stories = [story for story in shown if story is not None]
        next_cursor = None
        if not int(ran_out) and last_id:
            next_cursor = Cursor.encode(float(last_score), text_or_empty(last_id))
        complete = len(pairs) == limit or bool(int(ran_out))
        return StoryPage(stories=stories, next_cursor=next_cursor, complete=complete)

    @translated
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
            facet, value, label = text_or_empty(line).split("\t", 2)
            counts.setdefault(facet, []).append((value, label, int(n)))
        for facet, rows in counts.items():
            counts[facet] = sorted(rows, key=lambda r: (-r[2], r[0]))[:top]
        return FacetCounts(
            counted=int(counted), window=window, all_counted=bool(int(ran_out)), counts=counts
        )
