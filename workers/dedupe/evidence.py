"""Evidence beside the text: the names and figures a story carries, and anchor shingles that
let a long story find a short one it absorbed.

Shingle similarity alone fails on real copy in three ways, each answered here:

- **Template look-alikes** (earnings, results, price tables) share most of their wording; what
  tells them apart is who and how much. Two stories that share wording but neither their
  names nor their figures are different stories.
- **A rewritten take** of one agency's story (same slug, same event, new wording) shares almost
  no shingles; what it shares is the people, places and organisations it names.
- **A summary absorbing a short item** holds nearly all of the short one's shingles, but so
  few MinHash bins agree that the bands never make them candidates. A sample of the short
  item's shingles (one hash in four) is indexed as anchors; a later story looks up its
  own sampled shingles and finds every short item whose anchors it holds.

Names and figures are kept as 16-bit hashes, a few dozen bytes a story.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from hashlib import blake2b

from workers.dedupe.shingles import is_boilerplate
from workers.tagging.resources import common_words

__all__ = ["Evidence", "anchors", "evidence"]

MAX_NAMES = 16
MAX_FIGURES = 24
MAX_ANCHORS = 128
#: Characters of the story read for names and figures.
EVIDENCE_CHARS = 2500
#: A story with at most this many shingles is a short item: its anchors are indexed.
SHORT_ITEM_SHINGLES = 80

_SENTENCE = re.compile(r"(?<=[.!?:;\"”])\s+|^")
_NAME = re.compile(r"\b[A-ZÀ-ÝĀ-Ž][\w’'-]*[^\W\d_]\b")
_POSSESSIVE = re.compile(r"['’]s?$")
_FIGURE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:%|\b)")
# Capitalised words that name nobody: sentence openers, calendar words, agencies and titles.
_NOT_NAMES = frozenset(
    str.split("""
    the a an and but or if in on at of for to by from with as after before when while this that
    these those there here he she it they we you i his her its their our my your mr mrs ms dr
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december jan feb mar apr jun jul aug sep sept
    oct nov dec reuters ap afp dpa efe ansa upi pa aap ntb stt ana associated press agence
    france-presse presse said says according also however meanwhile earlier later last next
    new one two three first second president minister prime government officials police
    """)
)


class Evidence:
    """What a story names and counts, as sorted 16-bit hashes packed big-endian."""

    __slots__ = ("figures", "names")

    def __init__(self, names: bytes, figures: bytes):
        self.names = names
        self.figures = figures


def _h16(text: str) -> int:
    return int.from_bytes(blake2b(text.encode(), digest_size=2).digest(), "big")


def _pack(values: Iterable[int]) -> bytes:
    return b"".join(v.to_bytes(2, "big") for v in sorted(set(values)))


def evidence(paragraphs: list[str], headline: str | None = None) -> Evidence:
    """The story's most named names (capitalised words that do not merely open a sentence)
    and its figures."""
    names: Counter[str] = Counter()
    figures: dict[str, None] = {}
    common = common_words()
    budget = EVIDENCE_CHARS
    for text in [headline or "", *(p for p in paragraphs if not is_boilerplate(p))]:
        if budget <= 0:
            break  # who and how much are told in the opening; the rest costs time only
        budget -= len(text)
        for sentence in _SENTENCE.split(text):
            for n, match in enumerate(_NAME.finditer(sentence)):
                word = _POSSESSIVE.sub("", match[0].casefold())
                if word in _NOT_NAMES:
                    continue
                # A capital that only opens a sentence is a name unless the word is common.
                if n == 0 and match.start() <= 1 and word in common:
                    continue
                names[word] += 1
        for match in _FIGURE.finditer(text):
            figures.setdefault(match[0].replace(",", "."), None)
    top = [w for w, _ in names.most_common(MAX_NAMES)]
    return Evidence(_pack(map(_h16, top)), _pack(map(_h16, list(figures)[:MAX_FIGURES])))


def anchors(shingles: set[int]) -> list[bytes]:
    """The sampled shingles (one hash in four) as 4-byte strings, lowest first: a short item's
    anchors, and what a longer story looks up to find the short items it holds."""
    sample = sorted(h for h in shingles if not h & 3)[:MAX_ANCHORS]
    return [h.to_bytes(4, "big") for h in sample]
