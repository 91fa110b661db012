"""People and organisations, found in the text with rules and known-name lists.

Rules, in the order they claim tokens: known names (the curated lists, with their short forms);
a title before a name ('Prime Minister Theresa May'); a bracketed acronym after a long name
('Syrian Democratic Forces (SDF)', 'Nordic Battery Works, or NBW,'); then unknown
capitalised spans, taken as organisations when they end like one ('... Brigades', '... Ministry',
'... Holdings', '... AG'), carry a ticker ('Alpenchem AG (ALPN.S)', 'Tencent (0700.HK)') or follow
a company word ('rival Helvion', 'freight broker Northline Partners'), and as people when they
start with a given name or are quoted ('..., Jane Doe said'). Short forms later in the story
('al-Baghdadi', 'SDF', 'Daesh', a surname) fold into the full name's tag; a surname shared by
two people goes to the one named last before it.

What wire copy gets wrong most, and how it is held off:

* Staff credits (``credits.py``) are masked before any rule runs, and a person tag whose name is
  the byline's or a credit's is dropped.
* A news agency is a tag only when the story is about it (in the headline, or named often), not
  for its dateline, its credits or 'told Reuters'.
* Spans are cut at 'and' and at a mid-span 'the' ('Volunteers and National Guard', 'MPs the
  Government'), a sentence-initial ordinary word is trimmed ('Leaked Treasury papers'), and
  'the Government' or 'the Administration' alone is never a name.
* 'Karen Oldfield of the Linn County Farm Bureau' is a person and an organisation.
* National bodies with shared short forms ('Social Democrats', 'People's Party', 'Congress',
  'Senate') resolve to the story's country (the dateline, the countries and demonyms named, a
  'Sweden's' right before the name); a national body's short form counts only in a story about
  its country.

ALL-CAPS copy gets the lists and titles only, since its capitals say nothing. Copy in other
languages (German capitalises every noun) gets the lists, titles, tickers, company suffixes and
given-name people.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from schemas import Mention, Story, Tag, TagType
from workers.tagging.folding import fold, strip_possessive
from workers.tagging.gazetteer import load_gazetteer
from workers.tagging.lexicon import Known, load_lexicon
from workers.tagging.models import make_mention, make_tag
from workers.tagging.ner import load_model
from workers.tagging.relevance import relevance
from workers.tagging.resources import common_words
from workers.tagging.spans import Run, Segment, Token

__all__ = ["find_entities", "prepare_entities"]

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
        "Attorney General",
        "Director General",
        "Director-General",
        "Surgeon General",
        "Inspector General",
        "Solicitor General",
        "Brigadier General",
        "Brig. Gen.",
        "Lt.",
        "Maj.",
        "Sen",
        "Rep",
        "Gov",
        "Sir",
        "Dame",
        "Rev.",
        "Reverend",
        "Chief Justice",
        "Chief Financial Officer",
        "Chief Operating Officer",
        "Chief Economist",
        "CFO",
        "COO",
        "Statsminister",
        "Finanzminister",
        "Finanzministerin",
        "Bundesfinanzminister",
        "Bundesfinanzministerin",
        "Bundespräsident",
        "Bundespräsidentin",
        "Innenminister",
        "Innenministerin",
        "Verteidigungsminister",
        "Verteidigungsministerin",
        "Wirtschaftsminister",
        "Wirtschaftsministerin",
        "Regierungschef",
        "Regierungschefin",
        "Oberbürgermeister",
        "Oberbürgermeisterin",
        "Bürgermeister",
        "Bürgermeisterin",
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
_ROLE_WORDS_RE = (
    r"(?:spokesman|spokeswoman|spokesperson|minister|president|leader|commander|chief|coach|"
    r"lawyer|analyst|economist|striker|director|official|envoy|ambassador|actor|actress|"
    r"singer|star|player|forward|defender|midfielder|goalkeeper|guard|center|centre|pitcher|"
    r"quarterback|fighter|swimmer|runner|rider|driver|manager|researcher|scientist|professor|"
    r"senator|governor|mayor|judge|chairman|chairwoman|executive|founder|candidate|activist|"
    r"journalist|photographer|author|writer|novelist|artist|director|producer|"
    r"head|deputy|secretary|adviser|advisor|prosecutor|attorney|trader|farmer|resident|"
    r"survivor|witness|victim|teacher|student|doctor|nurse|surgeon|lawmaker|legislator|"
    r"collaborator|partner|daughter|son|wife|husband|mother|father|brother|sister)"
)
_SAID_AFTER = re.compile(
    r"\s*(?:,[^,.;“”\"]{1,90},\s*)?(?:said|says|told|added|wrote|warned|stated|"
    r"explained|insisted|argued)\b"
)
_SAID_BEFORE = re.compile(r"(?:said|says|told|according to)\s+$")
# 'Lena Varga, 41,', 'Tomas Brandt, a 30-year-old baker', 'X, who ...'
_PERSON_AFTER = re.compile(
    r",\s+(?:\d{1,3}[,.;]|(?:a|an)\s+\d{1,3}-year-old\b|who\s|(?:a|an|the)\s+(?:former|retired|"
    r"veteran|longtime|young|local)\b)"
)
# 'founder of Brightwater Labs', 'head of the Farm Bureau': the name after is a body.
_ORG_ROLE_BEFORE = re.compile(
    r"\b(?:founder|co-founder|director|head|president|chairman|chairwoman|chief executive|"
    r"ceo|spokesman|spokeswoman|spokesperson|member|members|owner|manager|executive|"
    r"secretary-general|leader|analyst|economist|researcher|professor|employee|staff)\s+"
    r"(?:of|for|at)\s+(?:the\s+)?$"
)
_PARTICIPLES = (" listed", " based", " born", " led", " backed", " owned", " run")
# 'the Fair Rail campaign': a lower-case word after the name that makes it a body.
_ORG_NOUN_AFTER = re.compile(
    r"\s+(?:campaign|group|movement|coalition|alliance|initiative|network|party|foundation|"
    r"charity|union|organisation|organization|association|think tank|lobby group)\b"
)
_ACRONYM = re.compile(r"\s?\(([A-Z][A-Za-z0-9&.\-]{1,9})\)|,\s+or\s+([A-Z][A-Z0-9&]{1,8})\b")
# A stock ticker after a company name: '(NHS.OL)', '(MAERSKb.CO)', '(0700.HK)', '(NYSE: XYZ)'.
_TICKER = re.compile(
    r"\s?[(<](?:(?:NYSE|NASDAQ|Nasdaq|LSE|TSX|ASX|AMEX|OTC|SIX|Xetra|XETRA|Euronext|HKEX|TSE)"
    r"\s*:\s*[A-Z0-9.]{1,10}|[A-Z0-9][A-Za-z0-9]{0,9}\.[A-Z]{1,3}(?:\s*,\s*[A-Z0-9]{1,10}\.[A-Z]{1,3})*)"
    r"[)>]"
)
# Words right before a name that make it a company or body: 'rival Helvion', 'carmaker Nordvik'.
_COMPANY_WORDS_RE = (
    r"(?:company|firm|group|carmaker|automaker|planemaker|chipmaker|drugmaker|maker|"
    r"operator|retailer|lender|bank|insurer|broker|brokerage|rival|developer|airline|carrier|"
    r"conglomerate|giant|supplier|manufacturer|producer|publisher|chain|miner|utility|"
    r"startup|start-up|investor|consultancy|broadcaster|newspaper|daily|magazine|club|"
    r"platform|subsidiary|unit|owner|parent|outfit|brewer|distributor|exporter|importer|"
    r"shipper|airline|fund|provider|regulator|watchdog|union|agency|service|institute|"
    r"authority|body|organisation|organization|association|federation|charity|"
    r"operator|league|team|side)"
)


def _word_set(pattern: str) -> frozenset[str]:
    words = pattern.strip("(?:)").split("|")
    return frozenset(words) | frozenset(w + "s" for w in words)


_ROLE_WORDS = _word_set(_ROLE_WORDS_RE)
_COMPANY_WORDS = _word_set(_COMPANY_WORDS_RE)


def _word_before(text: str, start: int, end: int | None = None) -> str:
    """The lower-cased word just before ``start``: 'rival', 'coach'. A comma may stand between
    when the name is set off by commas ('The operator, Metro do Porto, said'); given ``end``,
    the name must then be followed by one too."""
    stop = start - 1
    if stop < 1 or text[stop] != " ":
        return ""
    if text[stop - 1] == ",":
        if end is not None and text[end : end + 1] != ",":
            return ""
        stop -= 1
    if not text[stop - 1 : stop].isalpha():
        return ""
    cut = text.rfind(" ", max(0, stop - 24), stop)
    return text[cut + 1 : stop].lower().lstrip('("“')


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
        "holdings",
        "school",
        "hospital",
        "college",
        "academy",
        "clinic",
        "laboratory",
        "laboratories",
        "labs",
        "systems",
        "industries",
        "technologies",
        "motors",
        "pharmaceuticals",
        "partners",
        "capital",
        "securities",
        "investments",
        "ventures",
        "studios",
        "media",
        "communications",
        "telecom",
        "telecoms",
        "railways",
        "markets",
        "research",
        "solutions",
        "logistics",
        "shipping",
        "resources",
        "mining",
        "petroleum",
        "chemicals",
        "insurance",
        "electric",
        "steel",
        "foods",
        "entertainment",
        "aerospace",
        "bancorp",
        "appeals",
        "embassy",
        "consulate",
        "tribunal",
        "senate",
        "congress",
        "cabinet",
        "caucus",
        "co",
        "llc",
        "lp",
        "limited",
        "ag",
        "sa",
        "se",
        "nv",
        "bv",
        "gmbh",
        "spa",
        "asa",
        "ab",
        "oyj",
        "kk",
        "bhd",
        "pty",
    ]
)
# Endings that make a company in any language's copy.
_COMPANY_ENDS = frozenset(
    [
        "inc",
        "corp",
        "co",
        "ltd",
        "llc",
        "lp",
        "plc",
        "limited",
        "holdings",
        "group",
        "ag",
        "sa",
        "se",
        "nv",
        "bv",
        "gmbh",
        "spa",
        "asa",
        "ab",
        "oyj",
        "kk",
        "bhd",
        "pty",
        "corporation",
    ]
)
# Last words that make a capitalised span a place or thing, never a person ('Jordan Valley').
_NOT_PERSON_ENDS = frozenset(
    [
        "valley",
        "river",
        "sea",
        "mountains",
        "hills",
        "lake",
        "island",
        "islands",
        "bay",
        "coast",
        "desert",
        "strait",
        "gulf",
        "peninsula",
        "basin",
        "delta",
        "county",
        "province",
        "region",
        "state",
        "city",
        "square",
        "street",
        "avenue",
        "road",
        "park",
        "airport",
        "stadium",
        "arena",
        "bridge",
        "palace",
        "hotel",
        "hall",
        "centre",
        "center",
        "cathedral",
        "mosque",
        "temple",
        "museum",
        "prize",
        "prizes",
        "award",
        "awards",
        "cup",
        "games",
        "trophy",
        "day",
        "week",
        "act",
        "bill",
        "treaty",
        "accord",
        "agreement",
        "index",
        "newsroom",
        "mps",
        "mp",
        "meps",
        "lawmakers",
        "officials",
        "ministers",
        "leaders",
        "voters",
        "members",
        "supporters",
        "fans",
        "troops",
        "soldiers",
        "residents",
        "workers",
        "gov",
        "sen",
        "rep",
    ]
)
_ORG_STARTS = frozenset(
    [
        "ministry",
        "university",
        "bank",
        "department",
        "office",
        "court",
        "council",
        "school",
        "institute",
        "academy",
        "federation",
        "association",
        "union",
        "church",
        "house",
        "museum",
    ]
)
# First words that make a body in any language: 'Hospital Santa Clara', 'Banco Santander'.
_ORG_FIRST = frozenset(
    [
        "hospital",
        "universidad",
        "universita",
        "universitat",
        "universite",
        "banco",
        "banca",
        "banque",
        "museo",
        "musee",
        "teatro",
        "fundacion",
        "fondazione",
        "clinica",
        "partido",
        "partito",
        "parti",
        "ministerio",
        "ministero",
        "ministere",
        "tribunal",
        "tribunale",
        "club",
        "klinikum",
    ]
)
_NAME_PARTICLES = frozenset(
    ["al", "el", "bin", "ibn", "bint", "von", "van", "de", "der", "da", "di", "du", "la", "le"]
)


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
        "prosecutor",
        "judge",
        "mayor",
        "senator",
        "premier",
    ]
)

_TITLE_STARTS = frozenset(t.split()[0] for t in _TITLES) | _TITLE_HEADS
# Languages whose copy capitalises like English enough for the given-name rule.
_NAME_RULE_LANGUAGES = frozenset(
    ["de", "fr", "es", "it", "pt", "nl", "sv", "no", "nb", "nn", "da", "fi", "ca", "ro", "pl"]
)
# Words that never start a name however they are capitalised (sentence starts, headlines).
_ORDINARY_START = re.compile(r"(?:ed|ing|ly|ers|ies|ions|ments|ness)$")
# An agency is the story's subject only when named this often outside credits and datelines.
_AGENCY_MENTIONS = 3
_AND = frozenset(["and", "und", "et", "y", "e", "og", "och", "en"])
# What follows a name before a bracketed acronym or ticker, or ', or NBW'.
_OPENERS = frozenset([" (", " <", ", "])
# Between two names of one list: 'Kestrel (India) and Longma', 'Nordvik, Volvo'.
_LIST_GAP = re.compile(r"(?:\s*\([^()]{1,30}\))?\s*(?:,|,?\s+and|,?\s+or)\s+")
_BRACKETS = frozenset(["(", "<"])
_TICKER_OPEN = frozenset([" ", "(", "<", ","])


def _opens(text: str, end: int) -> bool:
    return text[end : end + 1] in ("(", "<") or text[end : end + 2] in _OPENERS


@dataclass(slots=True)
class _Entity:
    name: str
    type: str
    known: Known | None = None
    mentions: list[Mention] = field(default_factory=list)
    first: tuple[int, int] = (1 << 30, 0)  # (segment order, offset) of the first mention


@dataclass(slots=True)
class _Context:
    """What the rules need to know about the whole story, worked out once."""

    story: Story | None = None
    _countries: dict[str, int] | None = None  # ISO -> weight of evidence, counted when asked
    segs: list[Segment] = field(default_factory=list)
    _text: str | None = None  # the copy's text, joined when first asked
    _dateline: str | None = None
    order: dict[int, int] = field(default_factory=dict)  # id(segment) -> its index
    english: bool = True
    names_people: bool = True  # given-name rule on (English and capitalising languages)

    @property
    def dateline_country(self) -> str | None:
        """The country of the dateline's place, when the dateline names one."""
        if self._dateline is None:
            self._dateline = ""
            dateline = self.story.dateline if self.story else None
            if dateline is not None and dateline.place:
                cands = load_gazetteer().names.get(fold(dateline.place))
                if cands:
                    self._dateline = max(cands, key=lambda c: c.place.prior).place.country
        return self._dateline or None

    @property
    def countries(self) -> dict[str, int]:
        if self._countries is None:
            self._countries = _count_countries(self.story, self.segs) if self.story else {}
        return self._countries

    def written_lower(self, word: str) -> bool:
        """Whether the copy also writes this word in lower case ('Leaked' ... 'leaked')."""
        if self._text is None:
            self._text = " ".join(seg.text for seg in self.segs if not seg.all_caps)
        return f" {word} " in self._text


@dataclass(slots=True)
class _Found:
    ctx: _Context
    entities: dict[tuple[str, str], _Entity] = field(default_factory=dict)
    # Short form -> every entity it may stand for (a surname two people share).
    aliases: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    weak: list[tuple[Known, Segment, list[Token]]] = field(default_factory=list)
    # National short forms no country of the story explained yet: (span, known, key, segment).
    pending: list[tuple] = field(default_factory=list)
    last_org: tuple[Segment, int] | None = None  # where the last company word's company ended

    def add(
        self,
        name: str,
        type_: str,
        seg: Segment,
        tokens: list[Token],
        alias: str | None = None,
        known: Known | None = None,
    ) -> _Entity:
        key = (type_, name)
        entity = self.entities.get(key)
        where = (self.ctx.order.get(id(seg), 0), tokens[0].start)
        if entity is None:
            entity = self.entities[key] = _Entity(name, type_, known)
            if type_ == "person":
                self._register_person(entity)
        if where < entity.first:
            entity.first = where
        entity.mentions.append(_mention(seg, tokens[0].start, tokens[-1].end))
        for tok in tokens:
            tok.owner = type_
        if type_ == "organisation":
            self.last_org = (seg, tokens[-1].end)
        if alias:
            self._alias(fold(alias), key)
        return entity

    def _alias(self, short: str, key: tuple[str, str]) -> None:
        targets = self.aliases.setdefault(short, [])
        if key not in targets:
            targets.append(key)

    def _register_person(self, entity: _Entity) -> None:
        parts = fold(entity.name).split()
        if len(parts) >= 2:
            # 'Abu Bakr al-Baghdadi' is later 'al-Baghdadi' or 'Baghdadi'.
            last = parts[-1]
            self._alias(last, ("person", entity.name))
            if len(parts) >= 3 and parts[-2] in _NAME_PARTICLES:
                self._alias(f"{parts[-2]} {last}", ("person", entity.name))
            # 'Jordan Hayes' is later 'Jordan' where Jordan could be the country.
            if parts[0] in load_gazetteer().names and parts[0] in load_lexicon().first_names:
                self._alias(parts[0], ("person", entity.name))

    def target(self, short: str, seg: Segment, start: int) -> tuple[str, str] | None:
        """The entity a short form stands for: the one named last before it."""
        listed = self.aliases.get(short)
        if listed is None:
            return None
        targets = [t for t in listed if t in self.entities]
        if len(targets) <= 1:
            return targets[0] if targets else None
        here = (self.ctx.order.get(id(seg), 0), start)
        before = [t for t in targets if self.entities[t].first <= here]
        pool = before or targets
        return max(pool, key=lambda t: self.entities[t].first)


def _mention(seg: Segment, start: int, end: int) -> Mention:
    return make_mention(seg.field, seg.paragraph, start, end)


def _context(story: Story, segs: list[Segment]) -> _Context:
    """What the rules need about the whole story; the countries are counted when first asked."""
    ctx = _Context()
    language = story.language or "en"
    ctx.english = language == "en"
    ctx.names_people = ctx.english or language in _NAME_RULE_LANGUAGES
    ctx.segs = segs
    ctx.story = story
    for index, seg in enumerate(segs):
        ctx.order[id(seg)] = index
    return ctx


def _count_countries(story: Story, segs: list[Segment]) -> dict[str, int]:
    """Countries the story is about, for national bodies: the dateline's, the agency's own (a
    national agency writes about its country), and every country or demonym named."""
    gaz = load_gazetteer()
    countries: dict[str, int] = {}
    dateline = story.dateline
    if dateline is not None and dateline.place:
        cands = gaz.names.get(fold(dateline.place))
        if cands:
            best = max(cands, key=lambda c: c.place.prior)
            countries[best.place.country] = countries.get(best.place.country, 0) + 3
    if story.agency:
        agency = load_lexicon().names.get(fold(story.agency))
        if agency is not None and agency.country:
            countries[agency.country] = countries.get(agency.country, 0) + 1
    keys, pairs = _country_keys()
    words = [w for seg in segs for w in seg.words]
    named = Counter(words)  # counted in C; then only the names that mean a country are read
    for word in named.keys() & keys.keys():
        country = keys[word]
        countries[country] = countries.get(country, 0) + named[word]
    if pairs.isdisjoint(named):
        return countries
    for pair in [f"{a} {b}" for a, b in pairwise(words) if a in pairs]:
        paired = keys.get(pair)
        if paired is not None:
            countries[paired] = countries.get(paired, 0) + 1
    return countries


_COUNTRY_KEYS: tuple[dict[str, str], frozenset[str]] | None = None


def _country_keys() -> tuple[dict[str, str], frozenset[str]]:
    """Every name and demonym that means one country (or a region of one) without doubt, and
    the first words of the two-word ones: the story's countries are counted with these."""
    global _COUNTRY_KEYS
    if _COUNTRY_KEYS is None:
        gaz = load_gazetteer()
        keys = {k: p.country for k, p in gaz.demonyms.items()}
        for key, cands in gaz.names.items():
            if len(cands) == 1 and cands[0].place.kind in ("country", "region"):
                keys.setdefault(key, cands[0].place.country)
        pairs = frozenset(k.split(" ", 1)[0] for k in keys if k.count(" ") == 1)
        _COUNTRY_KEYS = (keys, pairs)
    return _COUNTRY_KEYS


def _country_of(gaz, key: str) -> str | None:
    """The country a name or demonym means without doubt, or a US state's US."""
    demonym = gaz.demonyms.get(key)
    if demonym is not None:
        return demonym.country
    cands = gaz.names.get(key)
    if cands and len(cands) == 1 and cands[0].place.kind in ("country", "region"):
        return cands[0].place.country
    return None


def _near_countries(seg: Segment, start: int) -> set[str]:
    """Countries named right before a mention: 'Sweden's Social Democrats', 'Swedish Greens'."""
    keys = _country_keys()[0]
    out = set()
    for word in seg.text[max(0, start - 40) : start].split()[-3:]:
        if word[:1].isupper():
            country = keys.get(fold(strip_possessive(word.strip(",.;:()\"'“”"))))
            if country:
                out.add(country)
    return out


def _resolve(known: Known, key: str, seg: Segment, start: int, ctx: _Context) -> Known | None:
    """The national body a short form means in this story, or None when it means none."""
    options = load_lexicon().choices.get(key)
    if options is None:
        if not known.country or known.default or known.kind == "agency" or known.key == key:
            return known
        options = [known]
    near = _near_countries(seg, start)
    for option in options:
        if option.country in near:
            return option
    home = ctx.dateline_country
    if home is not None:
        # The dateline's country settles most stories without counting every name.
        for option in options:
            if option.country == home:
                return option
    scored = [(ctx.countries.get(o.country or "", 0), o) for o in options]
    best_score = max(score for score, _ in scored)
    if best_score > 0:
        leaders = [o for score, o in scored if score == best_score]
        return next((o for o in leaders if o.default), leaders[0])
    return next((o for o in options if o.default), None)


def _title_length(tokens: list[Token], i: int) -> int:
    """Length of the title (titles may stack: 'Energy Minister Prince') starting at i."""
    total = 0
    while i + total < len(tokens):
        step = 0
        for n in range(min(_TITLE_WORDS, len(tokens) - i - total), 0, -1):
            span = tokens[i + total : i + total + n]
            key = " ".join([t.key for t in span])
            if key in _TITLES or (span[-1].key in _TITLE_HEADS and all(t.cap for t in span)):
                step = n
                break
        if not step:
            break
        total += step
    return total


def _name_after_title(tokens: list[Token], start: int) -> list[Token]:
    """The name a title introduces: up to four capitalised words with particles between
    ('Luiz Inacio Lula da Silva' counts its particle free)."""
    out: list[Token] = []
    caps = 0
    for tok in tokens[start:]:
        if tok.owner or caps >= 4:
            break
        if tok.cap:
            out.append(tok)
            caps += 1
            if tok.possessive:
                break
        elif out and tok.key in _NAME_PARTICLES:
            out.append(tok)
        else:
            break
    while out and not out[-1].cap:
        out.pop()
    return out


def _longest_known(tokens: list[Token], i: int, names: dict[str, Known], most: int):
    free = 0
    for tok in tokens[i : i + most]:
        if tok.owner:
            break
        free += 1
        # A possessive ends the name unless it is a name word: 'People's Party'.
        if tok.possessive and tok.key not in _NAME_POSSESSIVES:
            break
    for n in range(free, 0, -1):
        span = tokens[i : i + n]
        if not span[-1].cap:
            continue
        key = " ".join([t.key for t in span])
        known = names.get(key)
        if known is not None:
            return span, known, key
    return None


_NAME_POSSESSIVES = frozenset(["people", "peoples", "women", "children", "workers", "men", "st"])


def _is_place(tok: Token) -> bool:
    gaz = load_gazetteer()
    return tok.key in gaz.names or tok.key in gaz.demonyms or tok.key in _PLACE_WORDS


# First words of place names of two words or more (filled on first use from the gazetteer).
_PLACE_STARTS: dict[str, int] = {}
_PLACE_WORDS = frozenset(["county", "state", "city", "province", "district", "parish"])


def _place_ahead(tokens: list[Token], i: int, known_len: int) -> int:
    """Words of a multi-word place name starting at i that is longer than the known name found
    there: 'United Arab Emirates' is not the airline Emirates."""
    most = _PLACE_STARTS.get(tokens[i].key, 1)
    if most < 2:
        return 0
    gaz = load_gazetteer()
    for n in range(min(most, len(tokens) - i), max(known_len, 1), -1):
        key = " ".join([t.key for t in tokens[i : i + n]])
        if key in gaz.names:
            return n
    return 0


def _acronym_after(seg: Segment, tokens: list[Token]) -> str | None:
    end = tokens[-1].end
    if not _opens(seg.text, end):
        return None
    m = _ACRONYM.match(seg.text, end)
    if m is None:
        return None
    acronym = m.group(1) or m.group(2)
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
        key = tok.key
        # A hyphenated token ('Hapag-Lloyd', 'Meteo-France') folds to several words.
        most = lex.starts.get(key if " " not in key else key.split(" ", 1)[0])
        hit = _longest_known(tokens, i, lex.names, most) if most else None
        place = (
            _place_ahead(tokens, i, len(hit[0]) if hit else 0)
            if _PLACE_STARTS.get(key, 1) > 1
            else 0
        )
        if place and not (i + place < count and tokens[i + place].key in _TITLE_STARTS):
            i += place  # a place name: the places step takes it
            continue
        title = 0
        if (
            not seg.all_caps
            and (
                key in _TITLE_STARTS
                # A head within the title's reach (_TITLE_WORDS): 'Energy Minister', 'Lamar County
                # Sheriff'; spelt out since it runs for every capitalised word.
                or (i + 1 < count and tokens[i + 1].key in _TITLE_HEADS)
                or (i + 2 < count and tokens[i + 2].key in _TITLE_HEADS)
            )
            # 'Corner Star Fuel Mart': a title word inside a longer name is no title; a
            # place before one is a qualifier ('Georgia Gov.', 'Lamar County Sheriff').
            and not (
                i > 0
                and tokens[i - 1].cap
                and not tokens[i - 1].owner
                and not _is_place(tokens[i - 1])
            )
        ):
            title = _title_length(tokens, i)
        if title and not (hit and len(hit[0]) > title):
            lead = 0
            if hit is not None and hit[1].type == "organisation":
                # 'UAW President Denise Harlow', 'Ford Chief Executive Jim Farley': the body
                # is named too, and the title runs on after it.
                lead = _add_known(hit, seg, found, tokens)
                title = _title_length(tokens, i + lead) if lead else title
            name = _name_after_title(tokens, i + lead + title)
            if name and (name[-1].key in _ORG_ENDS or name[-1].key in _NOT_PERSON_ENDS):
                name = []  # 'Massachusetts General Hospital': no title, a body's name
            if name and title and not lead and _body_in_title(tokens, i, title):
                # 'UFC President Dana White', 'Eurogroup President Tomas Varga'.
                found.add(tok.text, "organisation", seg, [tok])
            if name and title:
                places = load_gazetteer()
                for t in tokens[i + lead : i + lead + title]:
                    if t.key not in places.demonyms and t.key not in places.names:
                        t.owner = "title"  # 'Austrian President': Austria stays a place
                _add_titled(name, seg, found)
                i += lead + title + len(name)
                continue
            if lead:
                i += lead
                continue

        if hit is not None:
            i += _add_known(hit, seg, found, tokens) or 1
            continue
        if not title and i + 1 < count and _body_before_title(tok, tokens, i):
            # 'UFC President Dana White', 'Eurogroup President ...': the body whose title it is.
            found.add(tok.text, "organisation", seg, [tok])
            i += 1
            continue
        if " " in tok.key and tok.key.split(" ", 1)[0] in lex.names:
            _compound(tok, seg, found)  # 'CDU-Chef', 'SPD-Politikerin'
        elif tok.key in lex.lower_tails:
            _lower_tail(tok, seg, found)
        i += 1
    if rules:
        _unknown_spans(run, found)


# Words before a title head that make the title ('Energy Minister', 'Deputy Leader'), not a
# body whose officer it is ('UFC President').
_PORTFOLIOS = frozenset(
    [
        "energy",
        "finance",
        "foreign",
        "defence",
        "defense",
        "interior",
        "health",
        "economy",
        "economic",
        "trade",
        "justice",
        "education",
        "labour",
        "labor",
        "agriculture",
        "environment",
        "transport",
        "culture",
        "sports",
        "sport",
        "home",
        "treasury",
        "deputy",
        "vice",
        "prime",
        "county",
        "state",
        "city",
        "district",
        "police",
        "fire",
        "army",
        "navy",
        "air",
        "chief",
        "executive",
        "managing",
        "general",
        "party",
        "opposition",
        "team",
        "club",
        "democratic",
        "republican",
        "conservative",
        "liberal",
        "socialist",
        "green",
        "independent",
        "senior",
        "assistant",
        "acting",
        "interim",
        "former",
        "regional",
        "national",
        "federal",
        "provincial",
        "parliamentary",
        "majority",
        "minority",
        "house",
        "senate",
        "council",
        "board",
    ]
)


# Heads of titles that an organisation's officer holds ('UFC President', 'Eurogroup chief').
_OFFICER_HEADS = frozenset(
    [
        "president",
        "chairman",
        "chairwoman",
        "chair",
        "chief",
        "director",
        "spokesman",
        "spokeswoman",
        "coach",
        "captain",
        "leader",
        "commander",
    ]
)


def _body_in_title(tokens: list[Token], i: int, title: int) -> bool:
    """'UFC President': a one-word head start of a head-made title that is a body's name."""
    if title != 2 or " ".join([t.key for t in tokens[i : i + title]]) in _TITLES:
        return False
    tok = tokens[i]
    if tokens[i + 1].key not in _OFFICER_HEADS:
        return False  # 'Brexit Secretary', 'Housing Minister': a portfolio, not a body
    if tok.key in _PORTFOLIOS or tok.lower in common_words() or tok.possessive:
        return False
    if _ORDINARY_START.search(tok.lower):
        return False  # 'Outgoing President'

    gaz = load_gazetteer()
    return not (tok.key in gaz.names or tok.key in gaz.demonyms or tok.key in _first_names())


def _body_before_title(tok: Token, tokens: list[Token], i: int) -> bool:
    """A lone unknown word right before a full title ('UFC President') names a body."""
    nxt = tokens[i + 1]
    if nxt.owner or nxt.key not in _TITLES or tok.possessive:
        return False
    if i > 0 and tokens[i - 1].cap and not tokens[i - 1].owner:
        return False  # inside a longer name
    gaz = load_gazetteer()
    if tok.key in gaz.names or tok.key in gaz.demonyms or tok.key in _first_names():
        return False
    common = common_words()
    if (
        tok.lower in common
        or tok.lower in _ROLE_WORDS
        or (tok.sentence_start and not tok.text.isupper())
    ):
        return False
    return _name_after_title(tokens, i + 1 + _title_length(tokens, i + 1)) != []


def _add_known(hit, seg: Segment, found: _Found, tokens: list[Token] | None = None) -> int:
    """Tag a known name; the number of tokens it took (0 when it stands for nothing here)."""
    span, known, key = hit
    if known.type == "organisation":
        resolved = _resolve(known, key, seg, span[0].start, found.ctx)
        if resolved is None:
            found.pending.append((*hit, seg))  # retried once the story's bodies are known
            return 0
        if _not_the_company(resolved, seg, span):
            return 0
        known = resolved
        if tokens is not None:
            longer = _longer_name(known, span, tokens, seg)
            if longer is not None:
                _add_org(longer, seg, found, _acronym_after(seg, longer))
                # Tokens taken from the scan's position on (a state name before it was behind).
                return sum(1 for t in longer if t.start >= span[0].start)
        if known.kind == "company" and tokens is not None:
            span = _with_suffix(span, tokens)
    acronym = _acronym_after(seg, span)
    if known.weak:
        found.weak.append((known, seg, span))
    else:
        found.add(known.name, known.type, seg, span, acronym, known)
    return len(span)


def _longer_name(known: Known, span: list[Token], tokens: list[Token], seg: Segment):
    """A known name inside a longer one is that longer name: 'Virginia Senate' (a state's
    chamber, not the US Senate), 'Siemens Energy AG', 'Harvard Medical School', 'A.P.
    Moller-Maersk (MAERSKb.CO)', 'Election Commission of India', 'subsidiary Siemens Gamesa'.
    None when the known name stands alone."""
    first = next((n for n, t in enumerate(tokens) if t is span[0]), -1)
    if first < 0:
        return None
    last = first + len(span)
    if known.kind == "gov" and first > 0:
        before = tokens[first - 1]
        if before.cap and not before.owner and _is_region(before.key):
            return tokens[first - 1 : last]
    after: list[Token] = []
    for tok in tokens[last : last + 4]:
        if tok.owner or not (tok.cap or tok.key in ("of", "for")):
            break
        after.append(tok)
    while after and not after[-1].cap:
        after.pop()
    if not after:
        return None
    end = after[-1].key
    if (
        end in _ORG_ENDS
        or end in _COMPANY_ENDS
        or (after[0].key == "of" and end in load_gazetteer().names)
        or (_opens(seg.text, after[-1].end) and _TICKER.match(seg.text, after[-1].end))
    ):
        return span + after
    if known.kind == "company" and _word_before(seg.text, span[0].start) in _COMPANY_WORDS:
        return span + after[:1]  # 'subsidiary Siemens Gamesa'
    return None


def _is_region(key: str) -> bool:
    return any(c.place.kind == "region" for c in load_gazetteer().names.get(key, ()))


def _with_suffix(span: list[Token], tokens: list[Token]) -> list[Token]:
    """'Tencent Holdings', 'Boeing Co': the company's legal suffix belongs to its mention."""
    at = next((n for n, t in enumerate(tokens) if t is span[-1]), -1) + 1
    if not at:
        return span
    extra = []
    for tok in tokens[at : at + 2]:
        if tok.owner or tok.key not in _COMPANY_ENDS:
            break
        extra.append(tok)
    return span + extra if extra else span


_GEO_AFTER = re.compile(r"\s+(?:rainforest|river|basin|region|jungle|forest|delta|valley|coast)\b")


def _not_the_company(known: Known, seg: Segment, span: list[Token]) -> bool:
    """'the Amazon rainforest' is no company."""
    return known.kind == "company" and bool(_GEO_AFTER.match(seg.text, span[-1].end))


def _compound(tok: Token, seg: Segment, found: _Found) -> None:
    """A known name at the head of a German compound: 'CDU-Chef', 'SPD-Politikerin'."""
    head = tok.key.split(" ", 1)[0]
    known = load_lexicon().names[head]
    if known.type != "organisation" or known.weak:
        return
    resolved = _resolve(known, head, seg, tok.start, found.ctx)
    if resolved is None:
        return
    cut = tok.text.find("-")
    if cut <= 0:
        return
    part = Token(tok.text[:cut], tok.start, tok.start + cut, head, head, True, False, False)
    found.add(resolved.name, "organisation", seg, [part], known=resolved)
    tok.owner = "organisation"


_N_WORDS = [re.compile(rf"\S+(?:\s+\S+){{{max(n - 1, 0)}}}") for n in range(8)]


def _lower_tail(tok: Token, seg: Segment, found: _Found) -> None:
    """Names whose later words are lower case in their language: 'Assemblée nationale',
    'Parti socialiste', 'Partito democratico'."""
    lex = load_lexicon()
    for key, words in lex.lower_tails[tok.key]:
        m = _N_WORDS[min(words, len(_N_WORDS) - 1)].match(seg.text, tok.start)
        if m is None:
            continue
        text = m.group().rstrip(".,;:)»\"'")
        if fold(text) != key:
            continue
        known = lex.names[key]
        resolved = _resolve(known, key, seg, tok.start, found.ctx) if not known.weak else None
        if resolved is None:
            return
        part = Token(text, tok.start, tok.start + len(text), key, text.lower(), True, False, False)
        found.add(resolved.name, "organisation", seg, [part], known=resolved)
        tok.owner = "organisation"
        return


def _add_titled(name: list[Token], seg: Segment, found: _Found) -> None:
    lex = load_lexicon()
    key = " ".join(t.key for t in name)
    known = lex.names.get(key)
    target = found.target(key, seg, name[0].start)
    if known is not None and known.type == "person":
        found.add(known.name, "person", seg, name, known=known)
    elif target is not None and target[0] == "person":
        found.add(target[1], "person", seg, name)
    else:
        found.add(" ".join(t.text for t in name), "person", seg, name)


def _pieces(run: Run) -> list[list[Token]]:
    """A run cut into candidate names: at claimed tokens, after a possessive, at 'and' (unless
    it joins one body's name: 'Ministry of Trade and Industry', 'Trade and Industry Ministry')
    and at a 'the' that does not follow 'of' or 'for' ('MPs the Government')."""
    pieces: list[list[Token]] = []
    current: list[Token] = []
    tokens = run.tokens
    for index, tok in enumerate(tokens):
        if tok.owner:
            if current:
                pieces.append(current)
            current = []
            continue
        if not tok.cap and tok.key == "the" and current and current[-1].key not in ("of", "for"):
            pieces.append(current)
            current = []
            continue
        if not tok.cap and tok.key in _AND and current and not _joins(current, tokens, index):
            pieces.append(current)
            current = []
            continue
        current.append(tok)
        if tok.possessive:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    return pieces


def _joins(left: list[Token], tokens: list[Token], index: int) -> bool:
    """Whether an 'and' at tokens[index] is inside one organisation's name."""
    if any(t.key == "of" for t in left):
        return True  # 'Department of Health and Human Services'
    right = []
    for tok in tokens[index + 1 :]:
        if tok.owner or not (tok.cap or tok.key in ("of", "the")):
            break
        right.append(tok)
    if not right or right[-1].key not in _ORG_ENDS:
        return False
    caps = [t for t in left if t.cap]
    return len(caps) == 1 and not caps[0].sentence_start and caps[0].key not in _first_names()


def _first_names() -> frozenset[str]:
    return load_lexicon().first_names


def _ordinary(tok: Token, ctx: _Context, common: dict[str, int]) -> bool:
    """A capitalised word that is only capitalised by its place: 'Leaked', 'Volunteers'."""
    if tok.key in _first_names():
        return False
    lower = tok.lower
    if common.get(lower) == 1:
        return True
    if not tok.sentence_start:
        return False
    return (
        lower in common
        or lower in _ROLE_WORDS
        or lower in _COMPANY_WORDS
        or ctx.written_lower(lower)
        or bool(_ORDINARY_START.search(lower))
    )


def _unknown_spans(run: Run, found: _Found) -> None:
    """Capitalised spans no list knows: organisation, person or nothing."""
    ctx = found.ctx
    seg = run.segment
    tokens = run.tokens
    if len(tokens) == 1:
        # Most runs are one capitalised word; most such words are no company, which a glance
        # at the characters around them tells.
        tok = tokens[0]
        if tok.owner:
            return
        text = seg.text
        after = text[tok.end : tok.end + 2]
        if (
            after[:1] in _BRACKETS
            or after in _OPENERS
            or (found.last_org is not None and found.last_org[0] is seg)
            or (tok.start > 2 and text[tok.start - 1] in " ," and text[tok.start - 2].isalpha())
        ):
            _lone_word(tok, seg, found)
        return
    common = common_words()
    gaz = load_gazetteer()
    first_names = _first_names()
    for span in _pieces(run):
        while span and (not span[0].cap or _ordinary(span[0], ctx, common)):
            span = span[1:]
        while span and not span[-1].cap:
            span = span[:-1]
        if not span:
            continue
        words = [t.key for t in span if t.cap]
        key = " ".join([t.key for t in span])
        acronym = _acronym_after(seg, span) if len(words) >= 2 else None
        end = span[-1].end
        ticker = _opens(seg.text, end) and _TICKER.match(seg.text, end)
        if ticker or (len(words) >= 2 and words[-1] in _COMPANY_ENDS):
            if not _person_of_org(span, seg, found, gaz, common):
                _add_org(span, seg, found, acronym)
            continue
        if not ctx.english:
            if ctx.names_people and 2 <= len(words) <= 3:
                _maybe_person(span, words, key, seg, found, gaz, common, quoted=False)
            continue
        if len(words) >= 2 and (
            acronym
            or words[-1] in _ORG_ENDS
            or (words[0] in _ORG_STARTS and "of" in key.split())
            or words[0] in _ORG_FIRST
        ):
            if not _person_of_org(span, seg, found, gaz, common):
                _add_org(span, seg, found, acronym)
            continue
        if len(words) >= 2 and _team(span, seg, gaz):
            _add_org(span, seg, found, None)
            continue
        word_before = _word_before(seg.text, span[0].start, span[-1].end)
        if (
            word_before in _COMPANY_WORDS
            and len(words) <= 4
            and words[0] not in first_names
            and key not in gaz.names
        ):
            _add_org(span, seg, found, None)
            continue
        before = seg.text[max(0, span[0].start - 30) : span[0].start]
        if (
            words[0] not in first_names
            and key not in gaz.names
            and not key.endswith(_PARTICIPLES)
            and (
                _ORG_ROLE_BEFORE.search(before)
                or (len(words) >= 2 and _ORG_NOUN_AFTER.match(seg.text, end))
            )
        ):
            _add_org(span, seg, found, acronym)
            continue
        if len(words) < 2:
            continue
        quoted = (
            word_before in _ROLE_WORDS
            or bool(_SAID_AFTER.match(seg.text, end))
            or bool(_PERSON_AFTER.match(seg.text, end))
            or bool(_SAID_BEFORE.search(before))
        )
        _maybe_person(span, words, key, seg, found, gaz, common, quoted)


# Team nicknames that are not plurals: 'Miami Heat', 'Tampa Bay Lightning', 'Orlando Magic'.
_SINGULAR_NICKNAMES = frozenset(
    [
        "heat",
        "lightning",
        "magic",
        "jazz",
        "thunder",
        "wild",
        "fire",
        "galaxy",
        "union",
        "crew",
        "storm",
        "sky",
        "fever",
        "mercury",
        "dream",
        "united",
        "city",
        "athletic",
        "rovers",
        "wanderers",
        "albion",
    ]
)
_SPORT_CONTEXT = re.compile(
    r"\b(?:beat|beats|defeated|edged|routed|scored|points|goals?|saves|season|game|match|"
    r"playoffs?|coach|innings|touchdowns?|rebounds|win|won|victory|league|stadium|arena|"
    r"fans|team|club|quarterback)\b"
)


def _team(span: list[Token], seg: Segment, gaz) -> bool:
    """'the Florida Panthers', 'Tampa Bay Lightning': a place, then a nickname, in sports copy."""
    for n in range(min(3, len(span) - 1), 0, -1):
        if " ".join([t.key for t in span[:n]]) in gaz.names:
            break
    else:
        return False
    rest = [t for t in span[n:] if t.cap]
    if not 1 <= len(rest) <= 2 or any(t.key in gaz.names or t.key in gaz.demonyms for t in rest):
        return False
    nick = rest[-1].key
    plural = nick.endswith("s") and not nick.endswith("ss")
    if not (plural or nick in _SINGULAR_NICKNAMES):
        return False
    return bool(_SPORT_CONTEXT.search(seg.lower))


def _lone_word(tok: Token, seg: Segment, found: _Found) -> None:
    """A capitalised word alone is a company only with a ticker ('Tencent (0700.HK)') or a
    company word before it ('rival Helvion', 'carmaker Nordvik')."""
    if tok.owner:
        return
    text = seg.text
    start = tok.start
    end = tok.end
    if (
        found.last_org
        and found.last_org[0] is seg
        and _LIST_GAP.fullmatch(text, found.last_org[1], start)
    ):
        # 'automakers Kestrel (India) and Longma (China)': the list goes on.
        if tok.key not in load_gazetteer().demonyms and found.target(tok.key, seg, start) is None:
            _add_org([tok], seg, found, None)
        return
    if text[end : end + 1] not in _TICKER_OPEN and not (
        start > 2 and text[start - 1] in " ," and text[start - 2].isalpha()
    ):
        return  # neither a ticker after it nor a word right before it
    if (_opens(text, tok.end) and _TICKER.match(text, tok.end)) or (
        found.ctx.english
        and not tok.sentence_start
        and _word_before(text, tok.start, tok.end) in _COMPANY_WORDS
        and found.target(tok.key, seg, tok.start) is None
        and tok.key not in _first_names()
        and tok.key not in load_gazetteer().names
        and tok.lower not in common_words()
    ):
        _add_org([tok], seg, found, None)


_ORDINAL_BEFORE = re.compile(r"\b(\d{1,2}(?:st|nd|rd|th))\s$")


def _add_org(span: list[Token], seg: Segment, found: _Found, acronym: str | None) -> None:
    name = " ".join(t.text for t in span)
    ordinal = _ORDINAL_BEFORE.search(seg.text, max(0, span[0].start - 6), span[0].start)
    if ordinal:
        # '9th U.S. Circuit Court of Appeals': the number is part of the court's name.
        name = f"{ordinal.group(1)} {name}"
        lead = Token(ordinal.group(1), ordinal.start(1), ordinal.end(1), "", "", True, False, False)
        span = [lead, *span]
    campus = _CAMPUS.match(seg.text, span[-1].end) if span[0].key == "university" else None
    if campus is not None and fold(campus.group(1)) in load_gazetteer().names:
        # 'University of Texas, El Paso': the campus city is part of the name.
        extra = [
            t
            for r in seg.runs
            for t in r.tokens
            if campus.start(1) <= t.start < campus.end(1) and not t.owner
        ]
        if extra:
            name = f"{name}, {campus.group(1)}"
            span = [*span, *extra]
    found.add(name, "organisation", seg, span, acronym)


_CAMPUS = re.compile(r",\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})(?=[\s,;)]|\.|$)")


def _person_of_org(span, seg, found: _Found, gaz, common) -> bool:
    """'Karen Oldfield of the Linn County Farm Bureau': a person, then an organisation."""
    for index, tok in enumerate(span):
        if tok.key != "of" or index < 2:
            continue
        left = span[:index]
        right = span[index + 1 :]
        while right and not right[0].cap:
            right = right[1:]
        first_names = _first_names()
        if len(left) > 2 and left[0].key not in first_names and left[1].key in first_names:
            left = left[1:]  # 'Analyst Ron Houston of ...'
        caps = [t.key for t in left if t.cap]
        if not right or not 2 <= len(caps) <= 4 or caps[0] in _ORG_STARTS:
            return False
        if caps[0] not in first_names or any(w in common for w in caps[1:] if len(w) > 1):
            return False
        found.add(" ".join(t.text for t in left), "person", seg, left)
        _add_org(right, seg, found, _acronym_after(seg, right))
        return True
    return False


def _maybe_person(span, words, key, seg, found: _Found, gaz, common, quoted: bool) -> None:
    if len(words) < 2 or len(words) > 4 or key in gaz.names or key in gaz.demonyms:
        return
    last = words[-1]
    if last in _NOT_PERSON_ENDS or last in _ORG_ENDS or last in _TITLE_HEADS:
        return
    first_names = _first_names()
    if words[0] not in first_names and len(words) > 2 and words[1] in first_names:
        span, words = span[1:], words[1:]  # 'Lawmaker Brando Benifei'
    if words[0] not in first_names and _country_keys()[0].get(words[0]):
        return  # 'USA Swimming', 'Kenya Airways': a country's body, not a person
    if any(
        (w in common and not (n == 0 and w in first_names)) or w in gaz.demonyms
        for n, w in enumerate(words)
        if len(w) > 1
    ):
        return
    if seg.text[max(0, span[0].start - 4) : span[0].start].lower() == "the ":
        return  # 'the Santiago Bernabeu': a venue, a ship, a prize; people have no article
    if words[0] not in first_names and len(words) > 2 and words[1] in first_names:
        span, words = span[1:], words[1:]  # 'Lawmaker Brando Benifei'
    if words[0] in first_names or quoted:
        target = found.target(" ".join(t.key for t in span), seg, span[0].start)
        if target is not None and target[0] == "person":
            found.add(target[1], "person", seg, span)
        else:
            found.add(" ".join(t.text for t in span), "person", seg, span)


def _short_forms(segs: list[Segment], found: _Found) -> None:
    """Second pass: lone short forms of names already found ('al-Baghdadi', 'SDF')."""
    for seg in segs:
        for run in seg.runs:
            for tok in run.tokens:
                if tok.owner or not tok.cap:
                    continue
                target = found.target(tok.key, seg, tok.start)
                if target is None and tok.key.startswith("al "):
                    target = found.target(tok.key[3:], seg, tok.start)
                if target is not None:
                    found.add(target[1], target[0], seg, [tok])


def _retry_pending(found: _Found) -> None:
    """National bodies named in full say which country the story is about ('House of
    Commons'): with them counted, try the short forms that had no country ('Treasury')."""
    if not found.pending:
        return
    countries = found.ctx.countries
    for entity in list(found.entities.values()):
        known = entity.known
        if known is not None and known.country and known.kind != "agency":
            countries[known.country] = countries.get(known.country, 0) + 1
    for span, known, key, seg in found.pending:
        if any(t.owner for t in span):
            continue
        resolved = _resolve(known, key, seg, span[0].start, found.ctx)
        if resolved is not None and not resolved.weak:
            found.add(resolved.name, "organisation", seg, span, None, resolved)


def _resolve_weak(found: _Found) -> None:
    """Weak short forms count once their full name is in the story; a club's short form
    ('Bayern', 'Heat') once any club is named in full."""
    clubs = any(e.known is not None and e.known.kind == "sport" for e in found.entities.values())
    for known, seg, span in found.weak:
        if any(t.owner for t in span):
            continue
        if (known.type, known.name) in found.entities or (clubs and known.kind == "sport"):
            found.add(known.name, known.type, seg, span, known=known)


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


_LABEL = re.compile(r"(?:\s+[A-Z][\w-]*){0,2}\s*:")


def _keep(entity: _Entity, staff: set[str] | frozenset[str], headline: str | None = None) -> bool:
    """Drop what is no tag: an agency the story is not about, a staff member's name."""
    if not entity.mentions:
        return False
    if entity.type == "person":
        key = fold(entity.name)
        return key not in staff
    if entity.known is not None and entity.known.kind == "agency":
        # 'AP Exclusive: ...', 'Reuters Poll: ...' label the headline; they are no subject.
        in_headline = any(
            m.field == "headline" and not (headline and _LABEL.match(headline, m.end))
            for m in entity.mentions
        )
        return in_headline or len(entity.mentions) >= _AGENCY_MENTIONS
    return True


def prepare_entities() -> None:
    """Derive the tables the rules read from the gazetteer, once per process (warm_up)."""
    global _PLACE_STARTS
    if not _PLACE_STARTS:
        _PLACE_STARTS = {k: n for k, n in load_gazetteer().starts.items() if n > 1}
    _country_keys()


def find_entities(
    story: Story, segs: list[Segment], staff: set[str] | frozenset[str] = frozenset()
) -> list[Tag]:
    """Person and organisation tags; claims their tokens so that places skip them."""
    prepare_entities()
    found = _Found(_context(story, segs))
    _model_spans(segs, story, found)
    rules = found.ctx.english or found.ctx.names_people
    for seg in segs:
        for run in seg.runs:
            _scan_run(run, found, rules=rules and not seg.all_caps)
    _retry_pending(found)
    _resolve_weak(found)
    _short_forms(segs, found)
    tags = []
    for entity in found.entities.values():
        if not _keep(entity, staff, story.headline):
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
