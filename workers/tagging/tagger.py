"""``tag_story``: one story in, its tags out, all offline and in-process.

Order matters: staff credits are masked first (a reporter or a desk city is no tag), then
people and organisations claim their tokens, so that 'Syrian Democratic Forces' is not also
tagged as Syria, and places take what is left. Topics come last, so that the words of people's
and teams' names ('Miami Heat') are not read as topic cues.
"""

from __future__ import annotations

import re

from schemas import Story, Tag, TagType
from workers.tagging.credits import find_credits
from workers.tagging.entities import find_entities, prepare_entities
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
    """Load every list once (about two seconds); the worker calls this at start."""
    load_gazetteer()
    load_lexicon()
    prepare_entities()
    load_model()
    load_taxonomy()
    load_cues()


def tag_story(story: Story) -> list[Tag]:
    """All tags for a story: places, people, organisations, topics, keywords."""
    segs = segments(story)
    credits = find_credits(segs, story.byline)
    for seg in segs:
        ranges = credits.ranges.get(id(seg))
        if ranges:
            _claim(seg, ranges)
    entities = find_entities(story, segs, credits.staff)
    places = find_places(story, segs)
    # Words of people's and teams' names are no topic cues ('Miami Heat', 'Frank Storm'); an
    # organisation named for its field ('Supreme Court', 'Weather Service') still counts.
    names = frozenset(
        word.lower()
        for tag in entities
        if tag.type == TagType.person or not _FIELD_WORD.search(tag.name)
        for word in tag.name.split()
        if len(word) > 3
    )
    topics = find_topics(story, segs, names)
    taken = {
        word.lower() for tag in (*places, *entities) for word in tag.name.replace("-", " ").split()
    }
    for tag in places:
        for m in tag.mentions:
            if m.field == "body" and m.paragraph is not None:
                taken.update(story.body[m.paragraph][m.start : m.end].lower().split())
    keywords = find_keywords(story, segs, taken)
    return [*places, *entities, *topics, *keywords]


_FIELD_WORD = re.compile(
    r"\b(?:Court|Bank|Service|Agency|Ministry|Department|Council|Commission|Organi[sz]ation|"
    r"Institute|University|Hospital|Party|Union|Association|Fund|Office|Board|Authority|"
    r"Parliament|Assembly|Senate|Congress|Government|Police|Army|Navy|Forces|Church|School|"
    r"Clinic|Health|Weather|Election|Labour|Workers|Reserve|Exchange|Energy|Space)\b"
)


def _claim(seg, ranges: list[tuple[int, int]]) -> None:
    """Tokens inside staff credits belong to no tag: the reporter, the desk city."""
    for run in seg.runs:
        for tok in run.tokens:
            if any(start <= tok.start < end for start, end in ranges):
                tok.owner = "credit"
