"""Stage 2, dedupe: is this story new, or one the desk already has?

This version knows exact resends: the same normalised body seen within the retention window.
The lookup itself is the store's atomic claim; this function only judges what it found.
"""

from __future__ import annotations

from schemas import CheckedStory, DedupeVerdict, Story, Verdict

__all__ = ["judge_exact"]


def judge_exact(story: Story, *, first_receipt: str, first_story: str) -> CheckedStory:
    """Verdict from the first (receipt, story) known to carry this story's body."""
    if first_receipt == story.receipt_id:
        verdict = DedupeVerdict(verdict=Verdict.new, reason="body not seen before")
    else:
        verdict = DedupeVerdict(
            verdict=Verdict.resend,
            of_story=first_story,
            reason=f"same normalised body as receipt {first_receipt}",
            score=1.0,
        )
    return CheckedStory(**story.model_dump(), verdict=verdict)
