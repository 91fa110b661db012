"""Publish: store, index and announce a story exactly once (``publish.lua``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from schemas import ReceiptState, StoryEvent, TaggedStory, Verdict
from workers.indexing import STATUSES, facet_lines, status_of, story_terms
from workers.store.base import StorePart, now
from workers.store.client import text, translated
from workers.store.scripts import ScriptCall, StoreScript, arg, key

__all__ = ["PublishCall", "PublishStore", "chain_order"]

_PUBLISH_MODE = {
    Verdict.new: "show",
    Verdict.update: "show",
    Verdict.kill: "kill",
    Verdict.resend: "dup",
    Verdict.near_duplicate: "dup",
}


@dataclass(frozen=True, kw_only=True)
class PublishCall(ScriptCall):
    """``publish.lua``'s keys and arguments (its header says what each mode does)."""

    script = "publish.lua"
    guard: str = key()  # set once the receipt's event is on the stream
    story: str = key()  # what editors see
    time_index: str = key()
    stream: str = key()
    receipt: str = key()
    inflight: str = key()  # the receipt leaves the reconciler's watch once settled
    cluster: str = key()  # the duplicate set of the cluster's lead
    versions: str = key()
    version: str = key()  # this version's own copy
    killed: str = key()
    index_set: str = key()  # the index keys the story is in now
    facets: str = key()
    embargoes: str = key()
    status_index: str = key()  # its own status
    killed_index: str = key()
    indexes: list[str] = key(many=True)  # every status index (status_count), then its terms
    ttl: int = arg()
    story_json: str = arg()
    score: float = arg()  # where it sits in the indexes: received_at
    story_id: str = arg()
    event_type: str = arg()
    event_json: str = arg()
    stream_maxlen: int = arg()
    now: str = arg()  # ISO time
    state: str = arg()  # the receipt's state once published
    duplicate_of: str | None = arg()
    floor: float = arg()  # index entries older than this are trimmed
    mode: str = arg()  # show, archive, kill or dup
    order: float = arg()  # the version's place in its chain (chain_order)
    receipt_id: str = arg()
    lead: str = arg()  # '' unless a duplicate
    embargo: str = arg()  # release score, '+inf' when none is given, '' when not embargoed
    facet_lines: str = arg()
    status_count: int = arg()


def chain_order(story: TaggedStory) -> float:
    """Where a version stands in its story's chain: its creation time when the agency gave one
    (some agencies' version numbers are opaque, not sequential), else its number. Versions
    stamped with the same time (to the millisecond) are told apart by number: the score is
    milliseconds * 1000 + the number (capped at 999), exact in a double until the year 2255."""
    if story.version_created is not None:
        return float(int(story.version_created.timestamp() * 1000) * 1000 + min(story.version, 999))
    return float(story.version)


class PublishStore(StorePart):
    @functools.cached_property
    def _publish(self) -> StoreScript[PublishCall]:
        return StoreScript(self._redis, PublishCall)

    def publish_call(self, story: TaggedStory, event: StoryEvent) -> PublishCall:
        """The call of ``publish.lua`` for one story."""
        verdict = story.verdict
        mode = _PUBLISH_MODE[verdict.verdict]
        if mode == "show" and not verdict.shown:
            mode = "archive"
        duplicate_of = verdict.of_story if mode == "dup" else None
        state = ReceiptState.duplicate if duplicate_of else ReceiptState.published
        lead = (verdict.cluster or verdict.of_story or story.story_id) if duplicate_of else ""
        k = self.keys
        status = status_of(story)
        embargo = ""
        if status == "embargoed":
            until = story.embargoed_until
            embargo = repr(until.timestamp()) if until else "+inf"
        return PublishCall(
            guard=k.published_guard(story.receipt_id),
            story=k.story(story.story_id),
            time_index=k.stories_by_time,
            stream=k.stories_stream,
            receipt=k.receipt(story.receipt_id),
            inflight=k.inflight,
            cluster=k.duplicates(lead or story.story_id),
            versions=k.versions(story.story_id),
            version=k.version(story.receipt_id),
            killed=k.killed(story.story_id),
            index_set=k.index_of(story.story_id),
            facets=k.facets_of(story.story_id),
            embargoes=k.embargoes,
            status_index=k.index(f"status:{status}"),
            killed_index=k.index("status:killed"),
            indexes=[
                *[k.index(f"status:{s}") for s in STATUSES],
                *[k.index(term) for term in story_terms(story)],
            ],
            ttl=self.settings.retention_seconds,
            story_json=story.model_dump_json(),
            score=story.received_at.timestamp(),
            story_id=story.story_id,
            event_type=event.type.value,
            event_json=event.model_dump_json(),
            stream_maxlen=self.settings.stream_maxlen,
            now=now().isoformat(),
            state=state.value,
            duplicate_of=duplicate_of,
            floor=now().timestamp() - self.settings.retention_seconds,
            mode=mode,
            order=chain_order(story),
            receipt_id=story.receipt_id,
            lead=lead,
            embargo=embargo,
            facet_lines=facet_lines(story),
            status_count=len(STATUSES),
        )

    @translated
    def publish(self, story: TaggedStory, event: StoryEvent) -> tuple[bool, str]:
        """Store, index and announce a story once. Returns (newly published, stream event id).

        What is stored follows the verdict: a new story or a newer version becomes what
        editors see (every version stays readable) and replaces the older one in the term
        indexes; an older late version joins the chain only; a kill marks the story killed
        and moves it to the killed status index; a resend or near-duplicate joins its lead's
        cluster and stays out of the latest list and the indexes.
        """
        created, event_id = self._publish(self.publish_call(story, event))
        return bool(created), text(event_id) or ""

    @translated
    def publish_many(self, items: list[tuple[TaggedStory, StoryEvent]]) -> list[bool]:
        """``publish`` for many stories in one round trip (backfills, benchmark loads); each
        is still its own atomic script run."""
        with self._redis.pipeline(transaction=False) as pipe:
            for story, event in items:
                self._publish(self.publish_call(story, event), client=pipe)
            return [bool(created) for created, _ in pipe.execute()]
