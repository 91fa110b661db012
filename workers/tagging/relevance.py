"""How central a name is to a story, from where and how often it is mentioned.

Editors read the dateline, the headline and the lede first, and so do the agencies' own
taggers: a name there is what the story is about; a name once in paragraph nine is colour.
"""

from __future__ import annotations

import math

from schemas import Mention, Story

__all__ = ["relevance"]

_POSITION = {"dateline": 0.85, "headline": 0.85}


def relevance(mentions: list[Mention], story: Story) -> float:
    """0-1 score: the best position of any mention, plus a little for each repeat."""
    if not mentions:
        return 0.0
    best = 0.0
    for m in mentions:
        if m.field in _POSITION:
            score = _POSITION[m.field]
        elif m.paragraph == 0:
            score = 0.75
        elif m.paragraph is not None and m.paragraph <= 2:
            score = 0.6
        else:
            score = 0.45
        best = max(best, score)
    repeats = min(0.3, 0.1 * math.log2(len(mentions)) if len(mentions) > 1 else 0.0)
    return min(1.0, best + repeats)
