"""Scoring the tagger against a labelled set: precision and recall per tag type.

Shared by the evaluation test and the benchmark so both report the same numbers. A predicted
tag matches a label when the label is the tag's name or the text of one of its mentions
(folded), so 'Raqqa' matches the tag 'Ar Raqqah' mentioned as 'Raqqa'. Topics are compared at
the top level (the 17 IPTC top-level topics), the level the labels are written at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from schemas import Story, Tag, TagType
from workers.stages.normalise import normalise
from workers.tagging.folding import fold
from workers.tagging.taxonomy import load_taxonomy

__all__ = ["EvalCase", "Score", "evaluate", "load_cases", "story_text"]

TYPES = {
    "places": TagType.place,
    "people": TagType.person,
    "organisations": TagType.organisation,
    "topics": TagType.topic,
}


@dataclass(slots=True)
class EvalCase:
    id: str
    story: Story
    expected: dict[str, list[str]]


@dataclass(slots=True)
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def story_text(entry: dict, root: Path) -> str:
    if "seed" in entry:
        return (root / "seeds" / entry["seed"]).read_text(encoding="utf-8")
    return "\n\n".join(entry["copy"])


def load_cases(path: Path, root: Path) -> list[EvalCase]:
    """Eval stories, each built with the real normalise stage from its plain-text copy."""
    cases = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        story = normalise(
            story_text(entry, root).encode("utf-8"),
            receipt_id=f"rc_{entry['id']}",
            feed=entry.get("feed", "wire"),
            received_at=datetime(2024, 1, 1, tzinfo=UTC),
        )
        expected = {k: entry.get(k, []) for k in TYPES}
        cases.append(EvalCase(entry["id"], story, expected))
    return cases


def _surfaces(tag: Tag, story: Story) -> set[str]:
    keys = {fold(tag.name)}
    for m in tag.mentions:
        if m.field == "body" and m.paragraph is not None and m.paragraph < len(story.body):
            keys.add(fold(story.body[m.paragraph][m.start : m.end]))
        elif m.field == "headline" and story.headline:
            keys.add(fold(story.headline[m.start : m.end]))
        elif m.field == "dateline" and story.dateline:
            keys.add(fold(story.dateline.text[m.start : m.end]))
    return keys


def _top_level(code: str) -> str:
    tax = load_taxonomy()
    chain = [code, *tax.ancestors(code)]
    return chain[-1]


def evaluate(cases: list[EvalCase], tagger) -> dict[str, Score]:
    """Precision/recall per label type over the cases, with ``tagger(story) -> list[Tag]``."""
    scores = {k: Score() for k in TYPES}
    for case in cases:
        tags = tagger(case.story)
        for kind, tag_type in TYPES.items():
            score = scores[kind]
            predicted = [t for t in tags if t.type == tag_type]
            if kind == "topics":
                got = {_top_level(t.code) for t in predicted if t.code}
                want = set(case.expected[kind])
                score.tp += len(got & want)
                score.fp += len(got - want)
                score.fn += len(want - got)
                score.misses += [f"{case.id}:{c}" for c in want - got]
                score.extras += [f"{case.id}:{c}" for c in got - want]
                continue
            want = {fold(n): n for n in case.expected[kind]}
            matched: set[str] = set()
            for tag in predicted:
                hit = _surfaces(tag, case.story) & want.keys()
                if hit:
                    matched |= hit
                    score.tp += 1
                else:
                    score.fp += 1
                    score.extras.append(f"{case.id}:{tag.name}")
            missing = [n for k, n in want.items() if k not in matched]
            score.fn += len(missing)
            score.misses += [f"{case.id}:{n}" for n in missing]
    return scores
