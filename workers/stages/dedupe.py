"""Stage 2, dedupe: is this story new, a resend, a newer (or older) version, a kill, or a
near-duplicate of one the desk already has?

Three plain steps: ``fingerprint`` (pure: the story's content shingles and MinHash signature),
the store's atomic lookup-and-record (``Store.dedupe``, one Lua script), and ``judge`` (pure:
the finding as the verdict recorded on the story and its event).
"""

from __future__ import annotations

from schemas import CheckedStory, DedupeVerdict, PubStatus, Signal, Story, Verdict
from workers.dedupe import Signature, content_tokens, shingle_hashes, signature
from workers.settings import Settings
from workers.store import DedupeFinding, Store

__all__ = ["dedupe", "fingerprint", "is_kill", "judge"]


def fingerprint(story: Story, *, perm: int = 64) -> Signature:
    """The story's MinHash signature over its content words (headline left out: desks rewrite
    headlines freely, and a flash with no body falls back to its headline)."""
    tokens = content_tokens(story.body or [story.headline or ""])
    return signature(shingle_hashes(tokens), perm=perm)


def is_kill(story: Story) -> bool:
    return story.status is PubStatus.canceled or Signal.kill in story.signals


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
    return CheckedStory(**story.model_dump(), verdict=verdict)


def dedupe(story: Story, *, store: Store, settings: Settings) -> CheckedStory:
    finding = store.dedupe(
        receipt_id=story.receipt_id,
        story_id=story.story_id,
        version=story.version,
        has_chain=bool(story.item_id),
        is_kill=is_kill(story),
        body_hash=story.body_hash,
        signature=fingerprint(story, perm=settings.minhash_perm),
    )
    return judge(story, finding)
