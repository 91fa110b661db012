"""Story text cut into segments and tokens, once, for every tagging step to share.

Names in English copy are runs of capitalised words ('Abu Bakr al-Baghdadi', 'Syrian
Democratic Forces'), so the tokens are grouped into runs here; each run keeps the character
offsets of its tokens so that every tag can say exactly where it was mentioned. ALL-CAPS copy
(old wires) carries no case signal, so its segments are marked and matched against the known
lists only.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from schemas import Story
from workers.tagging.folding import fold, strip_possessive

__all__ = ["MAX_CHARS", "Run", "Segment", "Token", "free_words", "key_of", "segments"]

# Text examined per story: past this the copy is a data dump, not a story, and the tags of its
# first 200,000 characters are the tags of the item.
MAX_CHARS = 200_000

_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŸŹŻŽ"
_PARTICLE = r"(?:al|el|ad|an|ar|as|ash|at|az|bin|ibn|abu)-"
_CAPWORD = rf"(?:[A-Z]\.){{2,}}|(?:{_PARTICLE})?[{_UPPER}][\w'’\-&]*(?:\.(?=[A-Z]\.))?"
# Lower-case words that may sit inside a name: 'Bank of England', 'Abu Bakr al-Baghdadi'.
CONNECTORS = frozenset(
    [
        "of",
        "the",
        "de",
        "del",
        "della",
        "da",
        "di",
        "du",
        "van",
        "von",
        "der",
        "den",
        "bin",
        "ibn",
        "bint",
        "al",
        "el",
        "and",
        "for",
        "la",
        "le",
        "y",
        "des",
        "los",
        "las",
        "do",
        "dos",
        "das",
        "dei",
        "degli",
        "delle",
        "och",
        "og",
        "und",
        "et",
    ]
)
_CONN = "|".join(sorted(CONNECTORS, key=len, reverse=True))
# A capitalised word; the leading character class keeps the scan in C for lower-case text.
_CAP_WORD = re.compile(rf"(?<![\w'’])[{_UPPER}](?:[\w'’\-&]|\.(?=[A-Z]\.?))*\.?")
# French, Italian and Catalan elide articles onto names: 'l'Assemblée', 'Fratelli d'Italia'.
# The wider pattern costs a fifth more, so only copy in those languages pays for it.
_CAP_WORD_ELIDED = re.compile(
    rf"(?:(?<![\w'’])|(?<=\b[dlDL]['’]))[{_UPPER}](?:[\w'’\-&]|\.(?=[A-Z]\.?))*\.?"
)
_ELIDING_LANGUAGES = frozenset(["fr", "it", "ca"])
# What may separate two words of one name: spaces, perhaps a connector ('Bank of England').
_GAP = re.compile(rf"[ \u00a0]+(?:(?:{_CONN})[ \u00a0]+)*(?:[dl]['’])?")
_GAP_WORD = re.compile(rf"\b(?:{_CONN})\b")
_PARTICLE_BEFORE = re.compile(rf"{_PARTICLE}$")
_ANY_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W\d_](?:[\w'’\-&]*[\w&])?[’']?")
_WORDS = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Possessives that belong to a name: 'People's Party', 'Women's League', 'Workers' Party'.
_NAME_POSSESSIVES = frozenset(["people", "women", "children", "workers", "men", "st"])
_SENTENCE_END = frozenset('.!?:;“”"‘(—–')


@dataclass(slots=True)
class Token:
    text: str  # as in copy, possessive stripped
    start: int
    end: int  # end of the name part, possessive excluded
    key: str  # fold(text)
    lower: str  # text.lower(), for cue and keyword lists
    cap: bool  # begins with a capital (or a name particle such as al-)
    possessive: bool
    sentence_start: bool
    owner: str | None = None  # set when a name (person, organisation, place) claims the token


@dataclass(slots=True)
class Run:
    """Consecutive capitalised tokens (with connectors between them) in one segment."""

    segment: Segment
    tokens: list[Token]


@dataclass(slots=True)
class Segment:
    field: str  # 'headline' | 'body'
    paragraph: int | None
    text: str
    all_caps: bool
    lower: str = ""  # text.lower(), folded once for the word lists and keyword mentions
    # dataclasses.field, spelled out: the name ``field`` is this class's first attribute.
    words: list[str] = dataclasses.field(default_factory=list)  # lower-cased words: cues, keywords
    runs: list[Run] = dataclasses.field(default_factory=list)


def _is_all_caps(text: str) -> bool:
    sample = text[:200]
    if _MANY_LOWERS.match(sample):
        return False  # ordinary copy, settled within its first words without counting
    lower = len(_LOWERS.findall(sample))
    if lower > 12:
        return False
    return len(_UPPERS.findall(sample)) > max(3, 6 * lower)


_UPPERS = re.compile(r"[^\W\d_a-zà-ÿ]")
_LOWERS = re.compile(r"[a-zß-ÿ]")
# Thirteen lower-case letters anywhere in the sample: the same test as counting more than 12.
_MANY_LOWERS = re.compile(r"(?:[^a-zß-ÿ]*[a-zß-ÿ]){13}")


def _token(text: str, raw: str, start: int, sentence_start: bool) -> Token:
    parts = _TOKEN_PARTS.get(raw)
    if parts is None:
        parts = _token_parts(raw)
    name, key, lower, cap, possessive = parts
    return Token(name, start, start + len(name), key, lower, cap, possessive, sentence_start)


# Names recur across stories ('Syria', 'Islamic'), so what a raw word folds to is kept per
# process; the cap keeps a data dump from growing it without bound.
_TOKEN_PARTS: dict[str, tuple[str, str, str, bool, bool]] = {}
_TOKEN_PARTS_MAX = 200_000


def _token_parts(raw: str) -> tuple[str, str, str, bool, bool]:
    """Text, key, lower-case form, capitalised and possessive flags of one raw word."""
    trimmed = raw
    if raw.endswith(".") and not _ABBREV.fullmatch(raw):
        trimmed = raw.rstrip(".")
    name = strip_possessive(trimmed)
    cap = name[:1].isupper() or bool(_PARTICLE_PREFIX.match(name))
    # A plural possessive is usually part of the name: 'Workers' Party', 'Farmers' Union'.
    plural = trimmed[-1:] in "'’" and trimmed[-2:-1] == "s"
    parts = (name, fold(name), name.lower(), cap, len(name) != len(trimmed) and not plural)
    if len(_TOKEN_PARTS) < _TOKEN_PARTS_MAX:
        _TOKEN_PARTS[raw] = parts
    return parts


_ABBREV = re.compile(r"(?:[A-Za-z]\.)+")
_PARTICLE_PREFIX = re.compile(_PARTICLE + "[A-Z]")


def _at_sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip()
    return not before or before[-1] in _SENTENCE_END


def _runs(segment: Segment, cap_word: re.Pattern[str] = _CAP_WORD) -> list[Run]:
    """Runs of capitalised words, found by one regex pass so that lower-case text costs little
    Python work; a possessive ends a run ('Iraq’s Mosul' is two names)."""
    text = segment.text
    runs: list[Run] = []
    current: list[Token] = []
    prev_end = -1
    gap_match = _GAP.fullmatch
    parts_of = _TOKEN_PARTS.get
    for m in cap_word.finditer(text):
        start = m.start()
        raw = m.group()
        if start >= 3 and text[start - 1] == "-":
            particle = _PARTICLE_BEFORE.search(text, max(0, start - 5), start)
            if particle and (particle.start() == 0 or not text[particle.start() - 1].isalnum()):
                start = particle.start()
                raw = text[start : m.end()]
        if not current:
            sentence_start = _at_sentence_start(text, start)
        else:
            gap = text[prev_end:start]
            last = current[-1]
            if (
                (last.possessive and last.key not in _NAME_POSSESSIVES)
                or (gap != " " and not gap_match(gap))
                or (text[prev_end - 1] == "." and not _abbreviation(last))
            ):
                runs.append(Run(segment, current))
                current = []
                sentence_start = _at_sentence_start(text, start)
            else:
                sentence_start = False
                if not gap.isspace():
                    for c in _GAP_WORD.finditer(gap):
                        word = c.group()
                        at = prev_end + c.start()
                        current.append(
                            Token(word, at, at + len(word), word, word, False, False, False)
                        )
        # _token inlined: this line runs for every capitalised word of the story.
        name, key, lower, cap, possessive = parts_of(raw) or _token_parts(raw)
        current.append(
            Token(name, start, start + len(name), key, lower, cap, possessive, sentence_start)
        )
        prev_end = start + len(raw)
    if current:
        runs.append(Run(segment, current))
    return runs


def _caps_runs(segment: Segment) -> list[Run]:
    """ALL-CAPS copy: every phrase between punctuation is a run, matched against known names."""
    text = segment.text
    runs: list[Run] = []
    current: list[Token] = []
    prev_end = 0
    for m in _ANY_WORD.finditer(text):
        gap = text[prev_end : m.start()]
        if current and (not gap.isspace() or current[-1].possessive):
            runs.append(Run(segment, current))
            current = []
        tok = _token(text, m.group(), m.start(), not current)
        tok.cap = True
        current.append(tok)
        prev_end = m.end()
    if current:
        runs.append(Run(segment, current))
    return runs


# Abbreviations that end in a dot without ending the sentence ('Gen. Smith', 'St. Louis').
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "gen",
        "sen",
        "rep",
        "gov",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "st",
        "prof",
        "jr",
        "sr",
        "co",
        "corp",
        "inc",
        "no",
        "mt",
        "ft",
    ]
)


def _abbreviation(tok: Token) -> bool:
    """A dotted word that does not end the sentence: a title, 'U.S.', a middle initial
    ('John F. Kessler', 'George H. W. Bush')."""
    text = tok.text
    if len(text) == 2 and text[1] == "." and text[0].isupper():
        return True
    return tok.key in _ABBREVIATIONS or bool(_ABBREV.fullmatch(text))


def _trim(tokens: list[Token]) -> list[Token]:
    while tokens and not tokens[-1].cap:
        tokens.pop()
    return tokens


def segments(story: Story) -> list[Segment]:
    """Headline and body paragraphs as segments with tokens and runs; body capped at MAX_CHARS."""
    parts: list[tuple[str, int | None, str]] = []
    if story.headline:
        parts.append(("headline", None, story.headline))
    budget = MAX_CHARS
    for index, paragraph in enumerate(story.body):
        if budget <= 0:
            break
        parts.append(("body", index, paragraph[:budget]))
        budget -= len(paragraph)
    out = []
    cap_word = _CAP_WORD_ELIDED if story.language in _ELIDING_LANGUAGES else _CAP_WORD
    for field_name, number, text in parts:
        seg = Segment(field_name, number, text, _is_all_caps(text))
        seg.lower = text.lower()
        seg.words = _WORDS.findall(seg.lower)
        seg.runs = _caps_runs(seg) if seg.all_caps else _runs(seg, cap_word)
        out.append(seg)
    return out


def free_words(tokens: list[Token], i: int, most: int) -> int:
    """How many words from i (at most ``most``) a name may take: none claimed by another name,
    a possessive only as its last word. Bounds the longest-match loops of the name lists."""
    n = 0
    for tok in tokens[i : i + most]:
        if tok.owner:
            break
        n += 1
        if tok.possessive:
            break
    return n


def key_of(tokens: list[Token]) -> str:
    """Lookup key of a token sequence."""
    return fold(" ".join(t.text for t in tokens))
