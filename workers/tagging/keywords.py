"""Keywords: a handful of salient terms, TF-IDF-like against a built-in background list.

A word that is frequent in the story but not in news copy generally ('caliphate', 'militants')
says what the story is about; a frequent everyday word ('said', 'government') does not. Names
already tagged as people, places or organisations are left out: they have their own tags.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import cache

from schemas import Story, Tag, TagType
from workers.tagging.models import make_mention, make_tag
from workers.tagging.resources import common_words
from workers.tagging.spans import Segment

__all__ = ["find_keywords"]

# Background weight per band of common_words.txt; words not in the list are rare (weight 1).
_BAND_WEIGHT = {1: 0.0, 2: 0.15, 3: 0.35}
_MAX_KEYWORDS = 6
_POSSESSIVE = ("’s", "'s")


@cache
def _weights() -> tuple[dict[str, float], frozenset[str]]:
    """Background weight per common word, and the words of weight 0: data only, built once."""
    weights = {word: _BAND_WEIGHT.get(band, 1.0) for word, band in common_words().items()}
    return weights, frozenset(word for word, weight in weights.items() if weight == 0.0)


def find_keywords(story: Story, segs: list[Segment], taken: set[str]) -> list[Tag]:
    """Up to six keyword tags; ``taken`` holds lower-cased words of names already tagged."""
    weights, function_words = _weights()
    raw: Counter[str] = Counter()
    for seg in segs:
        raw.update(seg.words)  # an iterable is counted in C; a Counter argument is not
        if seg.field == "headline":
            raw.update(seg.words)
    # Comprehensions, not a loop with a test per word: this runs over the story's vocabulary.
    counts = {word: count for word, count in raw.items() if len(word) >= 4 and word not in taken}
    possessives = [word for word in raw if word.endswith(_POSSESSIVE)]
    for word in possessives:
        counts.pop(word, None)
    for word in possessives:
        # 'Obama’s' counts as 'Obama'; every possessive is dropped before any is merged, so
        # the result is the same whatever order the words come in.
        base = word[:-2]
        if len(base) >= 4 and base not in taken:
            counts[base] = counts.get(base, 0) + raw[word]
    scored = []
    # Words of weight 0 never score; they stay in counts for the plural test below.
    for word in counts.keys() - function_words:
        count = counts[word]
        weight = weights.get(word, 1.0)
        if count < 2 and weight < 1.0:
            continue
        if word.endswith("s") and word[:-1] in counts:
            continue  # 'fighters' and 'fighter' are one keyword
        scored.append((weight * (1.0 + math.log(count)), word))
    scored.sort(reverse=True)
    top = scored[:_MAX_KEYWORDS]
    if not top:
        return []
    best = top[0][0]
    tags = []
    for score, word in top:
        mentions = []
        for seg in segs:
            start = seg.lower.find(word)
            if start >= 0:
                end = start + len(word)
                mentions = [make_mention(seg.field, seg.paragraph, start, end)]
                break
        tags.append(
            make_tag(
                type=TagType.keyword,
                name=word,
                relevance=round(0.3 + 0.6 * score / best, 3),
                mentions=mentions,
            )
        )
    return tags
