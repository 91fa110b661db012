"""IPTC Media Topics for a story: from the agency's own subject codes and from the text.

Agency codes are trusted first (medtop directly, IPTC Subject Codes through the taxonomy's
exactMatch links). The text is scored with cue words per topic: phrases from the topic labels,
rare words from the definitions, and a curated list for the topics news copy is mostly about.
A topic's score also counts towards its parents, so 'armed conflict' cues raise
'conflict, war and peace'. Topics come out down to the second level.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache

from schemas import Story, Tag, TagType
from workers.tagging.models import make_tag
from workers.tagging.resources import common_words, tsv_rows
from workers.tagging.spans import Segment
from workers.tagging.taxonomy import Taxonomy, load_taxonomy

__all__ = ["Cues", "find_topics", "load_cues"]

_CURATED, _LABEL, _DEFINITION = 1.5, 1.0, 0.25
_WORD = re.compile(r"[a-z][a-z'\-]+")
_SUBJECT_RELEVANCE = 0.9


@dataclass(slots=True)
class Cues:
    exact: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    prefixes: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    prefix_lengths: tuple[int, ...] = ()
    pair_starts: frozenset[str] = frozenset()  # first words of two-word cues
    memo: dict[str, list[tuple[str, float]] | None] = field(default_factory=dict)

    def add(self, cue: str, code: str, weight: float) -> None:
        table = self.exact
        if cue.endswith("*"):
            cue, table = cue[:-1], self.prefixes
        hits = table.setdefault(cue, [])
        for i, (c, w) in enumerate(hits):
            if c == code:
                hits[i] = (c, max(w, weight))
                return
        hits.append((code, weight))


@cache
def load_cues() -> Cues:
    tax = load_taxonomy()
    common = common_words()
    cues = Cues()
    for row in tsv_rows("topic_cues.tsv"):
        for cue in row[1].split(";"):
            if cue.strip():
                cues.add(cue.strip().lower(), row[0], _CURATED)
    active = [t for t in tax.topics.values() if not t.retired and t.level <= 3]
    for topic in active:
        for phrase in re.split(r",\s*|\s+and\s+|\s+or\s+", topic.label.lower()):
            phrase = phrase.strip()
            if phrase and phrase not in common and phrase.count(" ") <= 2:
                cues.add(phrase, topic.code, _LABEL)
    # Rare definition words: a word in many definitions says nothing about any one topic.
    spread: Counter[str] = Counter()
    words_of: dict[str, set[str]] = {}
    for topic in active:
        if topic.level <= 2 and topic.definition:
            words = {w for w in _WORD.findall(topic.definition.lower()) if len(w) > 4}
            words_of[topic.code] = words - common.keys()
            spread.update(words_of[topic.code])
    for code, words in words_of.items():
        for word in words:
            if spread[word] <= 2:
                cues.add(word, code, _DEFINITION)
    cues.prefix_lengths = tuple(sorted({len(p) for p in cues.prefixes}))
    cues.pair_starts = frozenset(k.split()[0] for k in cues.exact if " " in k)
    return cues


def _word_hits(word: str, cues: Cues) -> list[tuple[str, float]] | None:
    """Cues for one word, prefix cues included; memoised since news vocabulary repeats."""
    try:
        return cues.memo[word]
    except KeyError:
        pass
    hits = cues.exact.get(word)
    if hits is None:
        for n in cues.prefix_lengths:
            if n > len(word):
                break
            hits = cues.prefixes.get(word[:n])
            if hits:
                break
    if len(cues.memo) < 200_000:
        cues.memo[word] = hits
    return hits


_UNSEEN: list[tuple[str, float]] = []  # sentinel: a word the memo has not met


def _score_text(
    segs: list[Segment], cues: Cues, names: frozenset[str] = frozenset()
) -> dict[str, float]:
    """Cue weights summed per topic; words of the story's people and organisations ('Miami
    Heat', 'Hurricanes') say nothing about its topic."""
    scores: dict[str, float] = defaultdict(float)
    exact, pairs, memo = cues.exact, cues.pair_starts, cues.memo
    for seg in segs:
        factor = 2.0 if seg.field == "headline" else 1.5 if seg.paragraph == 0 else 1.0
        previous = ""
        for word in seg.words:
            # The memo inline: this loop runs for every word of the story.
            hits = memo.get(word, _UNSEEN)
            if hits is _UNSEEN:
                hits = _word_hits(word, cues)
            if hits and word in names:
                hits = None
            if previous in pairs:
                pair = exact.get(f"{previous} {word}")
                if pair:
                    hits = pair if hits is None else hits + pair
            if hits:
                for code, weight in hits:
                    scores[code] += weight * factor
            previous = word
    return scores


def _propagate(scores: dict[str, float], tax: Taxonomy) -> dict[str, float]:
    total = dict(scores)
    for code, score in scores.items():
        for parent in tax.ancestors(code):
            total[parent] = total.get(parent, 0.0) + 0.5 * score
    return total


# How many top-level topics a story gets, and how sure the text must be of each: one when the
# text is at all clear, a second only when it is nearly as strong as the first. Over-tagging
# was the main topic error on real copy (a flood story also tagged economy, politics, lifestyle).
_FIRST_MIN, _SECOND_MIN, _SECOND_RATIO, _MAX_TOPS = 0.3, 0.5, 0.85, 2
# Agency codes are trusted as given up to this many top-level topics; a longer list (Reuters
# sends a dozen) keeps the ones the text supports best.
_CODES_TRUSTED = 3
_CHILDREN_PER_TOP = 2


def _agency_topics(story: Story, tax: Taxonomy) -> list[str]:
    """Media Topics from the agency's own codes, in the order given."""
    out: list[str] = []
    for subject in story.subjects:
        scheme = subject.scheme.lower()
        code = subject.code.split(":")[-1].split("/")[-1]
        if scheme in ("medtop", "mediatopic"):
            medtop = code if code in tax.topics else None
        elif scheme in ("subj", "subjectcode", "iptc"):
            medtop = tax.from_subject.get(code) or tax.from_subject.get(code[:2] + "000000")
        else:
            medtop = None
        if medtop is not None and medtop not in out:
            out.append(medtop)
    return out


def _top_of(code: str, tax: Taxonomy) -> str:
    chain = [code, *tax.ancestors(code)]
    return chain[-1]


def find_topics(
    story: Story, segs: list[Segment], names: frozenset[str] = frozenset()
) -> list[Tag]:
    """Topic tags, most relevant first: agency subjects first, then the text's surest cues.
    ``names``: lower-cased words of the people and organisations tagged, not cues."""
    tax = load_taxonomy()
    words = sum(len(s.words) for s in segs)
    scale = 3.0 + words / 150.0
    english = (story.language or "en") == "en"
    # The cue lists are English: other languages' copy gets its agency codes only.
    scores = _propagate(_score_text(segs, load_cues(), names), tax) if english else {}
    text = {
        c: 1.0 - math.exp(-s / scale)
        for c, s in scores.items()
        if c in tax.topics and not tax.topics[c].retired and tax.topics[c].level <= 2
    }
    chosen: dict[str, float] = {}
    codes = _agency_topics(story, tax)
    if codes:
        tops = list(dict.fromkeys(_top_of(c, tax) for c in codes))
        if len(tops) > _CODES_TRUSTED:
            tops = sorted(tops, key=lambda t: -text.get(t, 0.0))[:_MAX_TOPS]
        for code in codes:
            top = _top_of(code, tax)
            if top in tops:
                for c in (code, *tax.ancestors(code)):
                    chosen[c] = max(chosen.get(c, 0.0), _SUBJECT_RELEVANCE)
    else:
        ranked = sorted(
            ((rel, c) for c, rel in text.items() if tax.topics[c].level == 1), reverse=True
        )
        if ranked and ranked[0][0] >= _FIRST_MIN:
            best = ranked[0][0]
            for rel, code in ranked[:_MAX_TOPS]:
                if code == ranked[0][1] or (rel >= _SECOND_MIN and rel >= _SECOND_RATIO * best):
                    chosen[code] = rel
    children: dict[str, int] = {}
    for rel, code in sorted(((r, c) for c, r in text.items()), reverse=True):
        topic = tax.topics[code]
        if topic.level != 2 or rel < 0.4 or topic.parent not in chosen or code in chosen:
            continue
        if children.get(topic.parent, 0) < _CHILDREN_PER_TOP:
            children[topic.parent] = children.get(topic.parent, 0) + 1
            chosen[code] = min(rel, chosen[topic.parent])
    tags = [
        make_tag(
            type=TagType.topic,
            name=tax.topics[code].label,
            scheme="medtop",
            code=code,
            relevance=round(min(1.0, rel), 3),
        )
        for code, rel in chosen.items()
    ]
    tags.sort(key=lambda t: -t.relevance)
    return tags
