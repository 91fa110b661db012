"""People and organisations, found in the text with rules and known-name lists.

Rules, in the order they claim tokens: known names (the curated lists, with their short forms);
a title before a name ('Prime Minister Theresa May'); a bracketed acronym after a long name
('Syrian Democratic Forces (SDF)'); then unknown capitalised spans, taken as organisations when
they end like one ('... Brigades', '... Ministry') and as people when they start with a given
name or are quoted ('..., Jane Doe said'). Short forms later in the story ('al-Baghdadi',
'SDF', 'Daesh') fold into the full name's tag. ALL-CAPS and non-English copy get the lists and
titles only, since their capitals say nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemas import Mention, Story, Tag, TagType
from workers.tagging.folding import fold
from workers.tagging.gazetteer import load_gazetteer
from workers.tagging.lexicon import Known, load_lexicon
from workers.tagging.models import make_mention, make_tag
from workers.tagging.ner import load_model
from workers.tagging.relevance import relevance
from workers.tagging.resources import common_words
from workers.tagging.spans import Run, Segment, Token, free_words

__all__ = ["find_entities"]

_TITLES = frozenset(
    fold(t)
    for t in [
        "President",
        "Vice President",
        "Prime Minister",
        "Deputy Prime Minister",
        "Foreign Minister",
        "Defence Minister",
        "Defense Minister",
        "Finance Minister",
        "Interior Minister",
        "Health Minister",
        "Economy Minister",
        "Minister",
        "Chancellor",
        "King",
        "Queen",
        "Prince",
        "Crown Prince",
        "Princess",
        "Pope",
        "Senator",
        "Sen.",
        "Rep.",
        "Representative",
        "Gov.",
        "Governor",
        "Mayor",
        "General",
        "Gen.",
        "Lt. Gen.",
        "Lieutenant General",
        "Major General",
        "Maj. Gen.",
        "Col.",
        "Colonel",
        "Secretary",
        "Secretary of State",
        "Secretary-General",
        "Secretary General",
        "Chief Executive",
        "CEO",
        "Chairman",
        "Chairwoman",
        "Judge",
        "Justice",
        "Dr.",
        "Mr.",
        "Mrs.",
        "Ms.",
        "Sheikh",
        "Ayatollah",
        "Emir",
        "Sultan",
        "Premier",
        "Speaker",
        "Ambassador",
        "Envoy",
        "Bishop",
        "Cardinal",
        "Archbishop",
        "Rabbi",
        "Imam",
        "Professor",
        "Prof.",
        "Captain",
        "Capt.",
        "Sgt.",
        "Sergeant",
        "Detective",
        "Inspector",
        "Commissioner",
        "Coach",
        "Opposition leader",
        "Leader",
        "Bundeskanzler",
        "Bundeskanzlerin",
        "Kanzler",
        "Kanzlerin",
        "Präsident",
        "Präsidentin",
        "Ministerpräsident",
        "Außenminister",
        "Außenministerin",
        "Frau",
        "Herr",
        "Président",
        "Presidente",
        "Premier ministre",
        "M.",
        "Mme",
    ]
)
_TITLE_WORDS = 3
# Lower-case role words before a name: 'spokesman John Smith', 'said commander Ali Hassan'.
_ROLE_BEFORE = re.compile(
    r"(?:spokesman|spokeswoman|spokesperson|minister|president|leader|commander|chief|coach|"
    r"lawyer|analyst|economist|striker|director|official|envoy|ambassador|actor|singer|"
    r"senator|governor|mayor|judge|chairman|executive|founder)\s+$"
)
_SAID_AFTER = re.compile(
    r"\s*(?:,[^,.;“”\"]{1,90},\s*)?(?:said|says|told|added|wrote|warned|stated|"
    r"explained|insisted|argued)\b"
)
_SAID_BEFORE = re.compile(r"(?:said|says|told|according to)\s+$")
_ACRONYM = re.compile(r"\s?\(([A-Z][A-Za-z0-9&.\-]{1,9})\)")
_ORG_ENDS = frozenset(
    [
        "forces",
        "army",
        "party",
        "ministry",
        "council",
        "bank",
        "agency",
        "front",
        "union",
        "organization",
        "organisation",
        "association",
        "committee",
        "commission",
        "court",
        "university",
        "company",
        "corp",
        "corporation",
        "inc",
        "ltd",
        "plc",
        "group",
        "airlines",
        "airways",
        "institute",
        "federation",
        "league",
        "movement",
        "brigades",
        "brigade",
        "fund",
        "reserve",
        "authority",
        "office",
        "department",
        "parliament",
        "assembly",
        "police",
        "service",
        "services",
        "network",
        "foundation",
        "alliance",
        "coalition",
        "guard",
        "guards",
        "militia",
        "battalion",
        "regiment",
        "navy",
        "command",
        "club",
        "fc",
        "exchange",
        "board",
        "bureau",
        "trust",
        "society",
        "church",
        "government",
        "administration",
    ]
)
_ORG_STARTS = frozenset(
    ["ministry", "university", "bank", "department", "office", "court", "council"]
)
_NAME_PARTICLES = frozenset(
    ["al", "el", "bin", "ibn", "bint", "von", "van", "de", "der", "da", "di", "du", "la", "le"]
)


@dataclass(slots=True)
class _Entity:
    name: str
    type: str
    mentions: list[Mention] = field(default_factory=list)
    aliases: set[str] = field(default_factory=set)  # folded short forms


@dataclass(slots=True)
class _Found:
    entities: dict[tuple[str, str], _Entity] = field(default_factory=dict)
    aliases: dict[str, tuple[str, str]] = field(default_factory=dict)  # short form -> entity
    weak: list[tuple[Known, Segment, list[Token]]] = field(default_factory=list)

    def add(
        self, name: str, type_: str, seg: Segment, tokens: list[Token], alias: str | None = None
    ) -> _Entity:
        key = (type_, name)
        entity = self.entities.get(key)
        if entity is None:
            entity = self.entities[key] = _Entity(name, type_)
            if type_ == "person":
                self._register_person(entity)
        entity.mentions.append(_mention(seg, tokens[0].start, tokens[-1].end))
        for tok in tokens:
            tok.owner = type_
        if alias:
            self.aliases.setdefault(fold(alias), key)
        return entity

    def _register_person(self, entity: _Entity) -> None:
        parts = fold(entity.name).split()
        if len(parts) >= 2:
            # 'Abu Bakr al-Baghdadi' is later 'al-Baghdadi' or 'Baghdadi'.
            last = parts[-1]
            self.aliases.setdefault(last, ("person", entity.name))
            if len(parts) >= 3 and parts[-2] in _NAME_PARTICLES:
                self.aliases.setdefault(f"{parts[-2]} {last}", ("person", entity.name))


def _mention(seg: Segment, start: int, end: int) -> Mention:
    return make_mention(seg.field, seg.paragraph, start, end)


# Words that end a job title however it starts: 'Lamar County Sheriff', 'Energy Minister'.
_TITLE_HEADS = frozenset(
    [
        "minister",
        "secretary",
        "chief",
        "director",
        "chair",
        "chairman",
        "chairwoman",
        "sheriff",
        "administrator",
        "lawmaker",
        "president",
        "governor",
        "commander",
        "spokesman",
        "spokeswoman",
        "leader",
        "coach",
        "captain",
        "ambassador",
        "envoy",
        "commissioner",
        "general",
        "prosecutor",
        "judge",
        "mayor",
        "senator",
        "premier",
    ]
)


_TITLE_STARTS = frozenset(t.split()[0] for t in _TITLES) | _TITLE_HEADS


def _title_length(tokens: list[Token], i: int) -> int:
    """Length of the title (titles may stack: 'Energy Minister Prince') starting at i."""
    total = 0
    while i + total < len(tokens):
        step = 0
        for n in range(min(_TITLE_WORDS, len(tokens) - i - total), 0, -1):
            span = tokens[i + total : i + total + n]
            key = " ".join(t.key for t in span)
            if key in _TITLES or (span[-1].key in _TITLE_HEADS and all(t.cap for t in span)):
                step = n
                break
        if not step:
            break
        total += step
    return total


def _name_after_title(tokens: list[Token], start: int) -> list[Token]:
    out: list[Token] = []
    for tok in tokens[start:]:
        if tok.owner or len(out) >= 4:
            break
        if tok.cap or (out and tok.key in _NAME_PARTICLES):
            out.append(tok)
        else:
            break
    while out and not out[-1].cap:
        out.pop()
    return out


def _longest_known(tokens: list[Token], i: int, names: dict[str, Known], most: int):
    for n in range(free_words(tokens, i, most), 0, -1):
        span = tokens[i : i + n]
        if not span[-1].cap:
            continue
        known = names.get(" ".join([t.key for t in span]))
        if known is not None:
            return span, known
    return None


def _acronym_after(seg: Segment, tokens: list[Token]) -> str | None:
    m = _ACRONYM.match(seg.text, tokens[-1].end)
    if m is None:
        return None
    acronym = m.group(1)
    return acronym if sum(ch.isupper() for ch in acronym) >= 2 else None


def _scan_run(run: Run, found: _Found, rules: bool) -> None:
    lex = load_lexicon()
    tokens = run.tokens
    seg = run.segment
    count = len(tokens)
    i = 0
    while i < count:
        tok = tokens[i]
        if tok.owner or not tok.cap:
            i += 1
            continue
        title = 0
        if not seg.all_caps and (
            tok.key in _TITLE_STARTS
            # A head within the title's reach (_TITLE_WORDS): 'Energy Minister', 'Lamar County
            # Sheriff'; spelt out since it runs for every capitalised word.
            or (i + 1 < count and tokens[i + 1].key in _TITLE_HEADS)
            or (i + 2 < count and tokens[i + 2].key in _TITLE_HEADS)
        ):
            title = _title_length(tokens, i)
        if title:
            name = _name_after_title(tokens, i + title)
            if name:
                _add_titled(name, seg, found)
                i += title + len(name)
                continue
        most = lex.starts.get(tok.key)
        hit = _longest_known(tokens, i, lex.names, most) if most else None
        if hit is not None:
            span, known = hit
            acronym = _acronym_after(seg, span)
            if known.weak:
                found.weak.append((known, seg, span))
            else:
                found.add(known.name, known.type, seg, span, acronym)
            i += len(span)
            continue
        i += 1
    if rules:
        _unknown_spans(run, found)


def _add_titled(name: list[Token], seg: Segment, found: _Found) -> None:
    lex = load_lexicon()
    key = " ".join(t.key for t in name)
    known = lex.names.get(key)
    if known is not None and known.type == "person":
        found.add(known.name, "person", seg, name)
    elif key in found.aliases and found.aliases[key][0] == "person":
        found.add(found.aliases[key][1], "person", seg, name)
    else:
        found.add(" ".join(t.text for t in name), "person", seg, name)


def _unknown_spans(run: Run, found: _Found) -> None:
    """Capitalised spans no list knows: organisation, person or nothing."""
    if len(run.tokens) < 2:
        return  # a lone word is neither: both rules need two capitalised words
    common = common_words()
    spans: list[list[Token]] = []
    current: list[Token] = []
    for tok in run.tokens:
        if tok.owner:
            if current:
                spans.append(current)
            current = []
        else:
            current.append(tok)
            if tok.possessive:
                spans.append(current)
                current = []
    if current:
        spans.append(current)
    gaz = load_gazetteer()
    seg = run.segment
    for span in spans:
        while span and (
            not span[0].cap
            or common.get(span[0].lower) == 1
            or (span[0].sentence_start and span[0].lower in common)
        ):
            span = span[1:]
        while span and not span[-1].cap:
            span = span[:-1]
        if len(span) < 2:
            continue  # trimmed to capitalised ends, so two tokens are two capitalised words
        key = " ".join([t.key for t in span])
        words = [t.key for t in span if t.cap]
        acronym = _acronym_after(seg, span)
        if len(words) >= 2 and (
            acronym or words[-1] in _ORG_ENDS or (words[0] in _ORG_STARTS and "of" in key.split())
        ):
            found.add(" ".join(t.text for t in span), "organisation", seg, span, acronym)
            continue
        if len(words) < 2 or len(words) > 4 or key in gaz.names or key in gaz.demonyms:
            continue
        if any(w in common or w in gaz.demonyms for w in words):
            continue
        first_names = load_lexicon().first_names
        if words[0] not in first_names and len(words) > 2 and words[1] in first_names:
            span, words = span[1:], words[1:]  # 'Lawmaker Brando Benifei'
        first_name = words[0] in first_names
        before = seg.text[max(0, span[0].start - 30) : span[0].start]
        quoted = bool(_SAID_AFTER.match(seg.text, span[-1].end)) or bool(
            _SAID_BEFORE.search(before) or _ROLE_BEFORE.search(before)
        )
        if first_name or quoted:
            found.add(" ".join(t.text for t in span), "person", seg, span)


def _short_forms(segs: list[Segment], found: _Found) -> None:
    """Second pass: lone short forms of names already found ('al-Baghdadi', 'SDF')."""
    for seg in segs:
        for run in seg.runs:
            for tok in run.tokens:
                if tok.owner or not tok.cap:
                    continue
                target = found.aliases.get(tok.key)
                if target is None and tok.key.startswith("al "):
                    target = found.aliases.get(tok.key[3:])
                if target is not None and target in found.entities:
                    found.add(target[1], target[0], seg, [tok])


def _resolve_weak(found: _Found) -> None:
    for known, seg, span in found.weak:
        if ("person", known.name) in found.entities or (
            "organisation",
            known.name,
        ) in found.entities:
            found.add(known.name, known.type, seg, span)


def _model_spans(segs: list[Segment], story: Story, found: _Found) -> None:
    model = load_model()
    if model is None:
        return
    for seg in segs:
        for span in model.spans(seg.text, story.language):
            if span.label not in ("person", "organisation"):
                continue
            tokens = [t for r in seg.runs for t in r.tokens if span.start <= t.start < span.end]
            if tokens and not any(t.owner for t in tokens):
                found.add(seg.text[span.start : span.end], span.label, seg, tokens)


def _agency(story: Story, found: _Found) -> None:
    """The agency in the dateline ('BEIRUT (Reuters)') is an organisation mention."""
    dateline = story.dateline
    if dateline is None or not dateline.agency:
        return
    known = load_lexicon().names.get(fold(dateline.agency))
    name = known.name if known is not None else dateline.agency
    start = dateline.text.find(dateline.agency)
    key = ("organisation", name)
    entity = found.entities.get(key) or found.entities.setdefault(key, _Entity(name, key[0]))
    if start >= 0:
        entity.mentions.insert(
            0, make_mention("dateline", None, start, start + len(dateline.agency))
        )


def find_entities(story: Story, segs: list[Segment]) -> list[Tag]:
    """Person and organisation tags; claims their tokens so that places skip them."""
    found = _Found()
    english = (story.language or "en") == "en"
    _model_spans(segs, story, found)
    for seg in segs:
        for run in seg.runs:
            _scan_run(run, found, rules=english and not seg.all_caps)
    _resolve_weak(found)
    _short_forms(segs, found)
    _agency(story, found)
    tags = []
    for entity in found.entities.values():
        if not entity.mentions:
            continue
        entity.mentions.sort(key=_order)
        tags.append(
            make_tag(
                type=TagType.person if entity.type == "person" else TagType.organisation,
                name=entity.name,
                relevance=round(relevance(entity.mentions, story), 3),
                mentions=entity.mentions,
            )
        )
    tags.sort(key=lambda t: -t.relevance)
    return tags


_FIELDS = {"dateline": 0, "headline": 1, "body": 2}


def _order(m: Mention) -> tuple[int, int, int]:
    return (_FIELDS.get(m.field, 3), m.paragraph or 0, m.start)
