"""Stage 2, dedupe: is this story new, a resend, a newer (or older) version, a kill, or a
near-duplicate of one the desk already has?

Three plain steps: ``fingerprint`` (pure: the story's content shingles and MinHash signature),
the index's atomic lookup-and-record (``DedupeIndex.dedupe``; in production the store's
``dedupe.lua``), and ``judge`` (pure: the finding as the verdict recorded on the story and its
event). The stage knows the index only by that one method, so it imports no store.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Protocol

from schemas import CheckedStory, DedupeFinding, DedupeVerdict, PubStatus, Signal, Story, Verdict
from workers.dedupe import Signature, content_tokens, shingle_hashes, signature
from workers.dedupe.evidence import SHORT_ITEM_SHINGLES, anchors, evidence
from workers.settings import Settings
from workers.stages.normalise import story_id_for

__all__ = [
    "DedupeIndex",
    "dedupe",
    "fingerprint",
    "follows_slug",
    "is_kill",
    "judge",
    "replaced_story_ids",
    "slug_families",
    "slug_key",
]


class DedupeIndex(Protocol):
    """Where stories are looked up and recorded in one atomic step (``DedupeStore.dedupe``)."""

    def dedupe(self, **call: Any) -> DedupeFinding: ...


def fingerprint(story: Story, *, perm: int = 64) -> Signature:
    """The story's MinHash signature over its content words (headline left out: desks rewrite
    headlines freely, and a flash with no body falls back to its headline)."""
    return signature(_shingles(story), perm=perm)


def _shingles(story: Story) -> set[int]:
    return shingle_hashes(content_tokens(story.body or [story.headline or ""]))


def is_kill(story: Story) -> bool:
    return story.status is PubStatus.canceled or Signal.kill in story.signals


def replaced_story_ids(story: Story) -> list[str]:
    """The chains of the items this one names as replaced (G2 links, NewsML 1.2 previous
    revisions, an editorial note naming earlier items), under the same agency."""
    return [
        story_id_for(feed=story.feed, agency=story.agency, item_id=item_id, receipt_id="")
        for item_id in dict.fromkeys(story.replaces)
        if item_id and item_id != story.item_id
    ]


_SLUG_PARTS = re.compile(r"[-/\s]+")


def _slug_hash(agency: str, slug: str) -> bytes:
    return hashlib.blake2b(f"{agency}\x00{slug}".encode(), digest_size=12).digest()


def _folded_slug(story: Story) -> tuple[str, list[str]] | None:
    if not story.slugline:
        return None
    parts = [p for p in _SLUG_PARTS.split(story.slugline.casefold()) if p]
    # Version and count tails a slug field may still carry ('(UPDATE 1, PIX)') are not the slug.
    parts = [p for p in parts if not p.startswith("(")] or parts
    return (story.agency or story.feed).casefold(), parts


def slug_key(story: Story) -> bytes | None:
    """Agency and slug, folded: the key that ties ANPA and IPTC 7901 takes of one story
    together when the copy carries no item id."""
    folded = _folded_slug(story)
    return _slug_hash(folded[0], " ".join(folded[1])) if folded and folded[1] else None


def slug_families(story: Story) -> list[bytes]:
    """The slug and its parent ('SYRIA-CRISIS-ASSAD-SPEECH' -> 'SYRIA-CRISIS-ASSAD'), under
    the agency: takes of one story that a desk files under one slug, or under one slug and a
    child of it. A parent of one word ('EARNS') names a kind of story, not a story."""
    folded = _folded_slug(story)
    if not folded or not folded[1]:
        return []
    agency, parts = folded
    keys = [_slug_hash(agency, " ".join(parts))]
    if len(parts) >= 3:
        keys.append(_slug_hash(agency, " ".join(parts[:-1])))
    return keys


def follows_slug(story: Story) -> bool:
    """Version words or an editorial signal on copy without an agency item id: the agency
    means 'this replaces the take before it under this slug'."""
    return not story.item_id and bool(story.version_label or story.signals)


def judge(story: Story, finding: DedupeFinding) -> CheckedStory:
    """The verdict for what the store found."""
    older = finding.kind == "update_older"
    verdict = DedupeVerdict(
        verdict=Verdict.update if older else Verdict(finding.kind),
        of_story=finding.of_story,
        reason=finding.reason,
        score=finding.score,
        cluster=finding.lead if finding.kind in ("resend", "near_duplicate") else None,
        shown=not older,
    )
    fields = story.model_dump()
    if finding.story_id:
        # A link moved the item onto the chain it replaces: it is published as that story's
        # newest version, so editors see one story, not two.
        fields["story_id"] = finding.story_id
    return CheckedStory(**fields, verdict=verdict)


def dedupe(story: Story, *, store: DedupeIndex, settings: Settings) -> CheckedStory:
    shingles = _shingles(story)
    finding = store.dedupe(
        receipt_id=story.receipt_id,
        story_id=story.story_id,
        version=story.version,
        has_chain=bool(story.item_id),
        is_kill=is_kill(story),
        body_hash=story.body_hash,
        signature=signature(shingles, perm=settings.minhash_perm),
        version_created=story.version_created.timestamp() if story.version_created else None,
        replaces=replaced_story_ids(story),
        slug_key=slug_key(story),
        follows_slug=follows_slug(story),
        families=slug_families(story),
        evidence=evidence(story.body, story.headline),
        anchors=anchors(shingles),
        short_item=len(shingles) <= SHORT_ITEM_SHINGLES,
    )
    return judge(story, finding)
