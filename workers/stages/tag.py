"""Stage 3, tag: places, people, organisations, topics and keywords.

A tagger failure must not cost the desk the story: it goes on untagged, with the failure
recorded on it (``tag_error``) for operations to see.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from schemas import CheckedStory, Story, Tag, TaggedStory
from workers.tagging import tag_story

__all__ = ["tag"]

log = structlog.get_logger(__name__)


def tag(story: CheckedStory, *, tagger: Callable[[Story], list[Tag]] = tag_story) -> TaggedStory:
    try:
        tags = tagger(story)
        error = None
    except Exception as exc:  # any tagger bug: the story still goes out
        log.warning("tagger_failed", story_id=story.story_id, error=repr(exc))
        tags, error = [], f"{type(exc).__name__}: {exc}"
    return TaggedStory(**story.model_dump(), tags=tags, tag_error=error)
