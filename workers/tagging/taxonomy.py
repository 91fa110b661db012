"""The IPTC Media Topics taxonomy as the tagger uses it: labels, parents, subject-code links.

Reads the compact ``workers/data/mediatopics.json`` made by ``build_taxonomy.py``, or a full
IPTC release in its JSON-LD form (same shape as the 2019 one), so a newer release can be
dropped in without code changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from workers.tagging.build_taxonomy import DEFAULT_OUT, derive

__all__ = ["Taxonomy", "Topic", "load_taxonomy"]


@dataclass(frozen=True, slots=True)
class Topic:
    code: str
    label: str
    parent: str | None
    definition: str | None
    retired: bool
    level: int  # 1 for the 17 top-level topics


@dataclass(slots=True)
class Taxonomy:
    topics: dict[str, Topic] = field(default_factory=dict)
    from_subject: dict[str, str] = field(default_factory=dict)  # IPTC subject code -> medtop

    def ancestors(self, code: str) -> list[str]:
        out: list[str] = []
        topic = self.topics.get(code)
        while topic is not None and topic.parent and topic.parent not in out:
            out.append(topic.parent)
            topic = self.topics.get(topic.parent)
        return out


def _level(code: str, raw: dict[str, dict]) -> int:
    level, seen = 1, {code}
    parent = raw[code].get("parent")
    while parent and parent in raw and parent not in seen:
        seen.add(parent)
        level += 1
        parent = raw[parent].get("parent")
    return level


@cache
def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Load the taxonomy (compact file by default); cached per path."""
    data = json.loads(Path(path or DEFAULT_OUT).read_text(encoding="utf-8"))
    if "conceptSet" in data:
        data = derive(data)
    raw: dict[str, dict] = data["topics"]
    tax = Taxonomy()
    for code, entry in raw.items():
        topic = Topic(
            code=code,
            label=entry["label"],
            parent=entry.get("parent"),
            definition=entry.get("definition"),
            retired=bool(entry.get("retired")),
            level=_level(code, raw),
        )
        tax.topics[code] = topic
        for subj in entry.get("subj", ()):
            # An active topic wins the mapping over a retired one with the same subject code.
            if subj not in tax.from_subject or tax.topics[tax.from_subject[subj]].retired:
                tax.from_subject[subj] = code
    return tax
