"""``tag_story``: one story in, its tags out, all offline and in-process.

Order matters: people and organisations claim their tokens first, so that 'Syrian Democratic
Forces' is not also tagged as Syria, and places take what is left.
"""

from __future__ import annotations

from schemas import Story, Tag
from workers.tagging.entities import find_entities
from workers.tagging.gazetteer import load_gazetteer
from workers.tagging.keywords import find_keywords
from workers.tagging.lexicon import load_lexicon
from workers.tagging.ner import load_model
from workers.tagging.places import find_places
from workers.tagging.spans import segments
from workers.tagging.taxonomy import load_taxonomy
from workers.tagging.topics import find_topics, load_cues

__all__ = ["tag_story", "warm_up"]


def warm_up() -> None:
    """Load every list once (about a second); the worker calls this at start."""
    load_gazetteer()
    load_lexicon()
    load_model()
    load_taxonomy()
    load_cues()


def tag_story(story: Story) -> list[Tag]:
    """All tags for a story: places, people, organisations, topics, keywords."""
    segs = segments(story)
    entities = find_entities(story, segs)
    places = find_places(story, segs)
    topics = find_topics(story, segs)
    taken = {
        word.lower() for tag in (*places, *entities) for word in tag.name.replace("-", " ").split()
    }
    for tag in places:
        for m in tag.mentions:
            if m.field == "body" and m.paragraph is not None:
                taken.update(story.body[m.paragraph][m.start : m.end].lower().split())
    keywords = find_keywords(story, segs, taken)
    return [*places, *entities, *topics, *keywords]
