"""``tag_story``: one story in, its tags out, all offline and in-process.

Order matters: people and organisations claim their tokens first, so that 'Syrian Democratic
Forces' is not also tagged as Syria, and places take what is left.
"""

from __future__ import annotations

from schemas import Story, Tag
from workers.tagging.entities import find_entities
from workers.tagging.gazetteer import load_gazetteer
from workers.tagging.lexicon import load_lexicon
from workers.tagging.ner import load_model
from workers.tagging.places import find_places
from workers.tagging.spans import segments

__all__ = ["tag_story", "warm_up"]


def warm_up() -> None:
    """Load every list once (about a second); the worker calls this at start."""
    load_gazetteer()
    load_lexicon()
    load_model()


def tag_story(story: Story) -> list[Tag]:
    """All tags for a story: places, people, organisations, topics, keywords."""
    segs = segments(story)
    entities = find_entities(story, segs)
    places = find_places(story, segs)
    return [*places, *entities]
