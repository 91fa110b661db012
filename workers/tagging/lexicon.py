"""Known organisations and people, and the given names that mark an unknown person.

Loaded once per process from wiredesk's own lists in ``workers/data``. Every short form maps
to its full name, which is how 'Daesh' and 'Islamic State', or 'SDF' and 'Syrian Democratic
Forces', come out as one tag.

Some short forms name a different body in every country: 'the Social Democrats' are the SPD in
a Berlin story and the Swedish party in a Stockholm one; 'the People's Party' is Spain's PP,
Austria's ÖVP or the Swiss SVP. Such a form keeps all its candidates (``choices``) with their
country, and ``entities.py`` picks the one of the story's country; a candidate marked as the
default (``US*`` in the lists) is taken when the story names none of their countries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from workers.tagging.folding import fold
from workers.tagging.gazetteer import load_gazetteer
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
        "general assembly",
        "security council",
        "commission",
        "observatory",
        "bloc",
        "national",
        "finns",
        "labor",
        "diet",
        "commons",
        "lords",
        "rada",
        "ice",
        "unite",
        "orange",
        "target",
        "delta",
        "total",
        "vale",
        "puma",
        "shell",
        "ford",
        "ing",
        "sap",
        "dell",
        "tata",
        "kia",
        "inter",
        "harris",
        "petro",
        "store",
        "gandhi",
        "sanchez",
        "albanese",
    ]
)


_CONNECTORS = frozenset(["of", "the", "de", "du", "des", "del", "della", "di", "da", "and", "y"])
_ELISION = re.compile(r"\b[dlDL]['’](?=\w)")


@dataclass(frozen=True, slots=True)
class Known:
    name: str  # full name, what the tag says
    type: str  # 'person' | 'organisation'
    weak: bool  # a short form that needs the full name (or a title) in the story
    kind: str = ""  # organisations: agency | party | company | gov | intl | sport | ...
    country: str | None = None  # ISO alpha-2 of a national body
    default: bool = False  # the candidate taken when the story names no candidate's country
    key: str = ""  # fold(name), to tell a match on the full name from one on a short form

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", fold(self.name))


@dataclass(slots=True)
class NameLexicon:
    names: dict[str, Known] = field(default_factory=dict)
    # First word of a name whose later words are lower case ('Assemblée nationale') -> the
    # folded names and their word counts; copy's capitalised runs cannot hold them.
    lower_tails: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # Short forms shared by national bodies of several countries -> every candidate.
    choices: dict[str, list[Known]] = field(default_factory=dict)
    first_names: frozenset[str] = frozenset()
    max_words: int = 1
    # First word of every name -> most words of a name it starts, to bound the longest match.
    starts: dict[str, int] = field(default_factory=dict)

    def add(self, alias: str, known: Known) -> None:
        self._add(alias, known)
        # Copy tokens drop what fold keeps together: 'People's Party' is read as the words
        # 'People' 'Party', 'Fratelli d'Italia' as 'Fratelli' 'Italia'.
        variant = _ELISION.sub("", alias.replace("'s ", " ").replace("’s ", " "))
        if variant != alias:
            self._add(variant, known)

    def _add(self, alias: str, known: Known) -> None:
        key = fold(alias)
        if not key:
            return
        if key in self.names:
            old = self.names[key]
            if known.country and old.country and old.name != known.name:
                options = self.choices.setdefault(key, [old])
                if all(k.name != known.name for k in options):
                    options.append(known)
            return
        words = key.count(" ") + 1
        first = key.split(" ", 1)[0]
        self.starts[first] = max(self.starts.get(first, 1), words)
        self.names[key] = known
        raw = alias.split()
        if len(raw) > 1 and any(w[:1].islower() and w not in _CONNECTORS for w in raw[1:]):
            self.lower_tails.setdefault(first, []).append((key, len(raw)))
        self.max_words = max(self.max_words, words)


@cache
def load_lexicon() -> NameLexicon:
    lex = NameLexicon()
    common = common_words()
    for file in ("organisations.tsv", "parties.tsv"):
        for row in tsv_rows(file):
            _add_organisation(lex, row)
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


def _add_organisation(lex: NameLexicon, row: list[str]) -> None:
    """name <TAB> aliases (;) <TAB> kind <TAB> country ('US*': the default among namesakes)."""
    name = row[0]
    kind = row[2] if len(row) > 2 else ""
    raw_country = row[3] if len(row) > 3 else ""
    country = raw_country.rstrip("*") or None
    default = raw_country.endswith("*")
    lex.add(name, Known(name, "organisation", False, kind, country, default))
    places = load_gazetteer().names
    common = common_words()
    for alias in row[1].split(";") if len(row) > 1 else ():
        alias = alias.strip()
        if alias:
            key = fold(alias)
            # 'Barcelona', 'Bayern', 'Heat': a club only once the story names a club in full.
            weak = key in _AMBIGUOUS or (kind == "sport" and (key in places or key in common))
            lex.add(alias, Known(name, "organisation", weak, kind, country, default))
