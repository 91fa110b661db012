"""Highlighted snippets made in Python, from the story's own text and the query's leaves.

Why not FTS5's ``snippet()``: the SQLite engine keeps no copy of the text in the index (the
story's JSON is the one copy), and its word matches are on a stemmed shadow column whose
tokens are not the words editors read. So the snippet is made here with the same analyser the
index used: a word is marked when its stem in the story's language is a query word's stem, a
run of words when it is a query phrase, a word when it starts with a query prefix.

Cost is what matters here (twenty hits a page, hundreds of words each): the text's distinct
words are judged once each (cached analysis), then one regular expression of the matching
words finds them all; the passage shown is the ``WINDOW``-character stretch holding the most
matches (the earliest of equals), cut at spaces, ``…`` where it cuts the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.archive.analysis import folded_words, pieces, stem, words_of
from services.archive.engine import MARK_CLOSE, MARK_OPEN, mark
from services.archive.query import Field, Phrase, Prefix, Word

__all__ = ["WINDOW", "Matcher", "highlight_all", "snippet"]

WINDOW = 220  # characters: about thirty words
_LEAD = 40  # characters of context before the first match
# Only the opening of a long body is searched for the passage: an editor wants to see why the
# story matched, and the cost stays bounded whatever the story's length.
_SCANNED = 12_000
_SEPARATOR = r"[\W_]+"


@dataclass(frozen=True)
class Matcher:
    """What to mark in one field of one story's language."""

    key: str
    stems: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]
    # Words judged so far (a search's hits share most of their vocabulary).
    _judged: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, leaves: list[Word | Phrase | Prefix], key: str, part: Field) -> Matcher:
        stems: set[str] = set()
        prefixes: list[str] = []
        phrases: list[tuple[str, ...]] = []
        for leaf in leaves:
            if leaf.field not in (None, part):
                continue
            if isinstance(leaf, Word):
                words = folded_words(leaf.text)
                if len(words) == 1:
                    stems.add(stem(key, words[0]))
                elif words:
                    phrases.append(tuple(words))
            elif isinstance(leaf, Prefix):
                prefixes += folded_words(leaf.text)[:1]
            else:
                words = [w for word in leaf.words for w in folded_words(word)]
                if words:
                    phrases.append(tuple(words))
        return cls(key, frozenset(stems), tuple(prefixes), tuple(phrases))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the matches are in the text (up to the scan limit), in order."""
        if not (self.stems or self.prefixes or self.phrases):
            return []
        head = text[:_SCANNED]
        distinct = set(words_of(head))
        judged = self._judged
        singles = []
        for w in distinct:
            hit = judged.get(w)
            if hit is None:
                hit = judged[w] = any(
                    (bool(self.stems) and stem(self.key, p) in self.stems)
                    or (bool(self.prefixes) and p.startswith(self.prefixes))
                    for p in pieces(w)
                )
            if hit:
                singles.append(w)
        patterns = [_alternatives(singles)] if singles else []
        for phrase in self.phrases:
            each = [[w for w in distinct if pieces(w) == (p,)] for p in phrase]
            if all(each):
                patterns.append(_SEPARATOR.join(_alternatives(a) for a in each))
        if not patterns:
            return []
        found = re.compile("|".join(f"(?:{p})" for p in patterns))
        return [m.span() for m in found.finditer(head)]


def _alternatives(words: list[str]) -> str:
    """A pattern for any of these whole words (longest first, so none shadows another)."""
    body = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return rf"(?<![^\W_])(?:{body})(?![^\W_])"


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    at = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out += [text[at:s], MARK_OPEN, text[s:e], MARK_CLOSE]
        at = e
    out.append(text[at:end])
    passage = " ".join("".join(out).split())
    return ("… " if start > 0 else "") + mark(passage) + (" …" if end < len(text) else "")


def snippet(text: str, matcher: Matcher) -> str:
    """The passage of about ``WINDOW`` characters with the most matches, marked."""
    spans = matcher.spans(text)
    if not spans:
        return _render(text, [], 0, _cut(text, WINDOW))
    best, best_count, j = 0, 0, 0
    for i, (s, _) in enumerate(spans):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1][1] <= s + WINDOW:
            j += 1
        if j - i + 1 > best_count:
            best, best_count = i, j - i + 1
    first = spans[best][0]
    start = 0 if first <= _LEAD else text.find(" ", first - _LEAD, first) + 1 or first
    end = _cut(text, max(start + WINDOW, spans[best][1]))
    return _render(text, spans, start, end)


def _cut(text: str, at: int) -> int:
    """``at``, moved on to the next space (or the end of the text)."""
    if at >= len(text):
        return len(text)
    space = text.find(" ", at)
    return len(text) if space < 0 else space


def highlight_all(text: str, matcher: Matcher) -> str:
    """The whole (short) text, matches marked: for headlines."""
    return _render(text, matcher.spans(text), 0, len(text))
