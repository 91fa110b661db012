"""Known organisations and people, and the given names that mark an unknown person.

Loaded once per process from wiredesk's own lists in ``workers/data``. Every short form maps
to its full name, which is how 'Daesh' and 'Islamic State', or 'SDF' and 'Syrian Democratic
Forces', come out as one tag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from workers.tagging.folding import fold
from workers.tagging.resources import DATA_DIR, common_words, tsv_rows

__all__ = ["Known", "NameLexicon", "load_lexicon"]

# Short forms too ambiguous to stand alone: they count only once the full name is in the story.
_AMBIGUOUS = frozenset(
    [
        "may",
        "francis",
        "moon",
        "abe",
        "johnson",
        "abbas",
        "lula",
        "xi",
        "kim",
        "fed",
        "is",
        "who",
        "au",
    ]
)


@dataclass(frozen=True, slots=True)
class Known:
    name: str  # full name, what the tag says
    type: str  # 'person' | 'organisation'
    weak: bool  # a short form that needs the full name (or a title) in the story


@dataclass(slots=True)
class NameLexicon:
    names: dict[str, Known] = field(default_factory=dict)
    first_names: frozenset[str] = frozenset()
    max_words: int = 1
    # First word of every name -> most words of a name it starts, to bound the longest match.
    starts: dict[str, int] = field(default_factory=dict)

    def add(self, alias: str, known: Known) -> None:
        key = fold(alias)
        if key and key not in self.names:
            words = key.count(" ") + 1
            first = key.split(" ", 1)[0]
            self.starts[first] = max(self.starts.get(first, 1), words)
            self.names[key] = known
            self.max_words = max(self.max_words, words)


@cache
def load_lexicon() -> NameLexicon:
    lex = NameLexicon()
    common = common_words()
    for row in tsv_rows("organisations.tsv"):
        name = row[0]
        lex.add(name, Known(name, "organisation", False))
        for alias in row[1].split(";") if len(row) > 1 else ():
            if alias:
                weak = fold(alias) in _AMBIGUOUS
                lex.add(alias, Known(name, "organisation", weak))
    for row in tsv_rows("people.tsv"):
        name = row[0]
        lex.add(name, Known(name, "person", False))
        for alias in row[1].split(";") if len(row) > 1 else ():
            if alias:
                key = fold(alias)
                weak = key in _AMBIGUOUS or key in common
                lex.add(alias, Known(name, "person", weak))
    words: set[str] = set()
    with (DATA_DIR / "first_names.txt").open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                words.update(fold(w) for w in line.split())
    lex.first_names = frozenset(words)
    return lex
