"""Scoring the tagger against a labelled set: precision and recall per tag type.

Shared by the evaluation test and the benchmark so both report the same numbers. A predicted
tag matches a label when the label (or one of its ``aliases``) is the tag's name or the text of
one of its mentions (folded), so 'Raqqa' matches the tag 'Ar Raqqah' mentioned as 'Raqqa'. A tag
that matches an ``also_acceptable`` name is neither right nor wrong (a country named once in a
list, a short form an editor would not miss). Topics are compared at the top level (the 17 IPTC
top-level topics), the level the labels are written at.

An entry gives its copy as ``copy`` (plain-text paragraphs), ``seed`` (a file in ``seeds/``) or
``file`` (a wire file in any format, beside the labels), and may add the agency's ``subjects``
as a parser would carry them. ``set`` names the batch it was written in, so a batch can be
scored alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from schemas import Story, Subject, Tag, TagType
from workers.stages.normalise import normalise
from workers.tagging.folding import fold
from workers.tagging.taxonomy import load_taxonomy

__all__ = ["EvalCase", "Score", "evaluate", "load_cases", "story_bytes", "story_text"]

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
    acceptable: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    set: str = ""


@dataclass(slots=True)
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    ignored: int = 0  # tags matching an also_acceptable name

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def story_bytes(entry: dict, root: Path, here: Path | None = None) -> bytes:
    """The raw copy of an entry, as the wire would deliver it."""
    if "seed" in entry:
        return (root / "seeds" / entry["seed"]).read_bytes()
    if "file" in entry:
        return ((here or root) / entry["file"]).read_bytes()
    return "\n\n".join(entry["copy"]).encode("utf-8")


def story_text(entry: dict, root: Path, here: Path | None = None) -> str:
    return story_bytes(entry, root, here).decode("utf-8", "replace")


def load_cases(path: Path, root: Path) -> list[EvalCase]:
    """Eval stories, each built with the real normalise stage from its copy."""
    cases = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        story = normalise(
            story_bytes(entry, root, path.parent),
            receipt_id=f"rc_{entry['id']}",
            feed=entry.get("feed", "wire"),
            received_at=datetime(2024, 1, 1, tzinfo=UTC),
        )
        if entry.get("subjects"):
            subjects = [Subject(**s) for s in entry["subjects"]]
            story = story.model_copy(update={"subjects": [*story.subjects, *subjects]})
        expected = {k: entry.get(k, []) for k in TYPES}
        acceptable = {k: entry.get("also_acceptable", {}).get(k, []) for k in TYPES}
        cases.append(
            EvalCase(
                entry["id"],
                story,
                expected,
                acceptable,
                entry.get("aliases", {}),
                entry.get("set", ""),
            )
        )
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
                ok = set(case.acceptable.get(kind, ()))
                score.tp += len(got & want)
                score.fp += len(got - want - ok)
                score.ignored += len((got - want) & ok)
                score.fn += len(want - got)
                score.misses += [f"{case.id}:{c}" for c in want - got]
                score.extras += [f"{case.id}:{c}" for c in got - want - ok]
                continue
            labels = {_label(n): n for n in case.expected[kind]}
            forms = _forms([lab[0] for lab in labels], case.aliases)
            ok = {
                f for fs in _forms(case.acceptable.get(kind, ()), case.aliases).values() for f in fs
            }
            matched: set[tuple[str, str | None, bool]] = set()
            for tag in predicted:
                surfaces = _surfaces(tag, case.story)
                hit = {
                    label
                    for label in labels
                    if forms[label[0]] & ({fold(tag.name)} if label[2] else surfaces)
                    and (label[1] is None or label[1] == tag.code)
                }
                if hit:
                    matched |= hit
                    score.tp += 1
                elif surfaces & ok:
                    score.ignored += 1
                else:
                    score.fp += 1
                    score.extras.append(f"{case.id}:{tag.name}")
            missing = [raw for label, raw in labels.items() if label not in matched]
            score.fn += len(missing)
            score.misses += [f"{case.id}:{n}" for n in missing]
    return scores


def _label(raw: str) -> tuple[str, str | None, bool]:
    """A label as written: 'Georgia@US' wants the tag's code to be US as well as its name;
    '=Democratic Party (Italy)' wants the tag's own name (or an alias), not any mention, so
    that a party resolved to the wrong country does not pass on its surface form."""
    exact = raw.startswith("=")
    name, _, code = raw.lstrip("=").partition("@")
    return name, code or None, exact


def _forms(names, aliases: dict[str, list[str]]) -> dict[str, set[str]]:
    """Each label with the folded forms that count for it: itself and its aliases."""
    return {n: {fold(n), *(fold(a) for a in aliases.get(n, ()))} for n in names}
