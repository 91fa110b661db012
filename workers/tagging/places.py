"""Places: from the dateline and the text, each resolved to one place with its country.

A name may mean several places, so mentions are collected first and resolved after, with the
story's context: the dateline (``PARIS, Texas (AP)`` settles every later 'Paris'), a qualifier
in the text ('Paris, Texas'), the countries and US states the story names, and the size of the
place. Demonyms ('Syrian') point to their country at a lower relevance.

Real copy's traps, and what settles them: a US state beside American places or before a US
title ('Georgia Gov.') beats the country of the same name; a demonym before a person ('a
Hungarian-born engineer', 'a Danish tourist') is that person's origin, not a place of the story; 'Basel-based' is Basel;
'Hurricane Milton', 'Brent crude' and 'the Santiago Bernabeu' are no places. A place chosen over
another country's namesake by a small margin gets less relevance, and the dateline's place
leads the list. Copy in other languages capitalises nouns, so there only places big enough to
be sure count ('Lage' is a German word before it is a German town).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemas import Mention, Story, Tag, TagType
from workers.tagging.folding import fold
from workers.tagging.gazetteer import SMALL_TOWN, Candidate, Gazetteer, Place, load_gazetteer
from workers.tagging.models import make_mention, make_tag
from workers.tagging.relevance import relevance
from workers.tagging.spans import Segment, Token, free_words

__all__ = ["find_places"]

_QUALIFIER = re.compile(r",\s+((?:[A-Z][\w.'’-]*)(?:\s+[A-Z][\w.'’-]*){0,2})")
_DATELINE = re.compile(r"^\s*([^,(]+?)\s*(?:,\s*([^,(]+?)\s*)?(?:[,(]|$)")
_CONTAINER_KINDS = frozenset({"country", "region"})


@dataclass(slots=True)
class _Mention:
    candidates: list[Candidate]
    field: str
    paragraph: int | None
    start: int
    end: int
    demonym: bool = False
    qualifier: Place | None = None
    sentence_start: bool = False
    inside_name: bool = False
    qualifier_text: str = ""  # the qualifier as written ('Va.', 'Texas')
    us_title: bool = False  # followed by 'Gov.', 'Sen.', 'Rep.', 'state'
    tokens: list[Token] = field(default_factory=list)


def _container(gaz: Gazetteer, text: str) -> Place | None:
    """A country or region named as a qualifier ('Texas' in 'Paris, Texas')."""
    for cand in gaz.names.get(fold(text), ()):
        if cand.place.kind in _CONTAINER_KINDS:
            return cand.place
    return gaz.qualifiers.get(text.strip())


def _scan(gaz: Gazetteer, seg: Segment, out: list[_Mention]) -> None:
    """Longest known place names in each run, skipping tokens other taggers have claimed."""
    starts, demonyms, names = gaz.starts, gaz.demonyms, gaz.names
    for run in seg.runs:
        tokens = run.tokens
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.owner or not tok.cap:
                i += 1
                continue
            first = tok.key if " " not in tok.key else tok.key.split(" ", 1)[0]
            if first not in starts and tok.key not in demonyms:
                i += 1
                continue
            if " " in tok.key and tok.key.endswith(_SUFFIXES):
                _suffixed(gaz, seg, tok, out)  # 'Basel-based', 'Lagos-born'
                i += 1
                continue
            if (
                tok.start > 5
                and seg.text[tok.start - 2] in "enmt"
                and _STORM.search(seg.text, max(0, tok.start - 24), tok.start)
            ):
                i += 1  # 'Hurricane Milton' is a storm
                continue
            found = None
            for n in range(free_words(tokens, i, starts.get(first, 1)), 0, -1):
                span = tokens[i : i + n]
                if not span[-1].cap:
                    continue
                key = " ".join([t.key for t in span])
                if key in names and not (n == 1 and key in demonyms and _weak_name(names[key])):
                    found = (span, names[key], False)
                    break
                if n == 1 and key in demonyms:
                    if _PERSON_NOUN_AFTER.match(seg.text, span[-1].end):
                        break  # 'a Danish tourist': a person's origin, not a place
                    found = (span, [Candidate(demonyms[key], False, False)], True)
                    break
            if found is None:
                i += 1
                continue
            span, candidates, demonym = found
            mention = _Mention(
                candidates=candidates,
                field=seg.field,
                paragraph=seg.paragraph,
                start=span[0].start,
                end=span[-1].end,
                demonym=demonym,
                sentence_start=span[0].sentence_start,
                inside_name=not seg.all_caps and _inside_name(tokens, i, i + len(span)),
                us_title=seg.text[span[-1].end : span[-1].end + 1] == " "
                and bool(_US_TITLE.match(seg.text, span[-1].end)),
                tokens=span,
            )
            if _NOT_PLACE_AFTER.match(seg.text, span[-1].end):
                i += len(span)
                continue
            if mention.inside_name and _THE.search(
                seg.text, max(0, span[0].start - 4), span[0].start
            ):
                i += len(span)  # 'the Santiago Bernabeu': part of a venue's name
                continue
            if not demonym:
                q = _QUALIFIER.match(seg.text, span[-1].end + (1 if span[-1].possessive else 0))
                if q and q.start() == span[-1].end:
                    mention.qualifier = _container(gaz, q.group(1))
            out.append(mention)
            i += len(span)


# A place chosen over another country's namesake by less than this is given less relevance.
_CLOSE = 2.0
_DOUBTFUL: set[Place] = set()  # filled per story by _choose, read and cleared by find_places
# A demonym before one of these describes a person, not the country's part in the story.
_PERSON_NOUN_AFTER = re.compile(
    r"[\s-]+(?:immigrant|emigrant|national|citizen|native|expatriate|expat|tourist|man|woman|"
    r"boy|girl|student|entrepreneur|businessman|businesswoman|billionaire|couple|family|born|"
    r"hostage|prisoner|detainee|climber|sailor|backpacker|aid worker|mother|father)s?\b"
)
# 'Brent crude', 'Dubai futures': a benchmark named after a place.
_NOT_PLACE_AFTER = re.compile(r"\s+(?:crude|futures|blend|benchmark|index)\b")
_STORM = re.compile(r"(?:Hurricane|Storm|Typhoon|Cyclone|Tropical Storm|Tempête|Sturm)\s$")
_US_TITLE = re.compile(r"\s+(?:Gov\.|Sen\.|Rep\.|Lt\. Gov\.|Attorney General|state\b|State\b)")
_THE = re.compile(r"\b[Tt]he\s$")
_SUFFIXES = (" based", " born", " led", " backed", " bound", " owned", " listed", " area")


def _suffixed(gaz: Gazetteer, seg: Segment, tok: Token, out: list[_Mention]) -> None:
    """A place fused with a participle: 'Basel-based', 'Lagos-born', 'Moscow-backed'."""
    key = tok.key
    if " " not in key or not key.endswith(_SUFFIXES):
        return
    base = key.rsplit(" ", 1)[0]
    candidates = gaz.names.get(base)
    if not candidates:
        return
    length = tok.text.rfind("-")
    if length <= 0:
        return
    out.append(
        _Mention(
            candidates=candidates,
            field=seg.field,
            paragraph=seg.paragraph,
            start=tok.start,
            end=tok.start + length,
            tokens=[tok],
        )
    )


def _weak_name(candidates: list[Candidate]) -> bool:
    """A demonym beats a town that merely shares its spelling ('Thai', 'Swiss')."""
    return all(c.alias or c.place.population < SMALL_TOWN for c in candidates)


def _inside_name(tokens: list[Token], start: int, end: int) -> bool:
    """The span touches another unclaimed capitalised word of the same run."""
    after = tokens[end] if end < len(tokens) else None
    before = tokens[start - 1] if start > 0 else None
    return any(
        t is not None and t.cap and not t.owner and not t.possessive and t.key not in _ARTICLES
        for t in (after, before)
    ) and not (before is not None and before.possessive)


_ARTICLES = frozenset(["the", "a", "an", "der", "die", "das", "le", "la", "les", "el", "il"])


def _dateline_mention(gaz: Gazetteer, story: Story) -> _Mention | None:
    dateline = story.dateline
    if dateline is None or not dateline.place:
        return None
    text = dateline.text
    parts = _DATELINE.match(text)
    qualifier = _container(gaz, parts.group(2)) if parts and parts.group(2) else None
    candidates = gaz.names.get(fold(dateline.place))
    if not candidates:
        if qualifier is None:
            return None
        # 'MILLHAVEN, South Dakota': a town too small for the gazetteer, placed by its qualifier.
        town = Place(dateline.place.title(), qualifier.country, "city", None, 0)
        candidates = [Candidate(town, False, False)]
    start = text.lower().find(dateline.place.lower())
    start = max(start, 0)
    mention = _Mention(
        candidates=candidates,
        field="dateline",
        paragraph=None,
        start=start,
        end=start + len(dateline.place),
    )
    if qualifier is not None:
        mention.qualifier = qualifier
        mention.qualifier_text = parts.group(2)
    return mention


def _choose(
    mention: _Mention,
    countries: set[str],
    regions: set[str],
    dateline_place: Place | None,
    named_as_dateline: bool,
    english: bool = True,
) -> Place | None:
    best: tuple[float, Place] | None = None
    runner_up = float("-inf")
    for cand in mention.candidates:
        place = cand.place
        qualified = mention.qualifier is not None and (
            mention.qualifier.country == place.country
            and (mention.qualifier.kind == "country" or mention.qualifier.name in regions)
        )
        if (
            cand.wordlike
            and not qualified
            and mention.field != "dateline"
            # 'Rome and Florence' in a story about Italy: a city, not a given name.
            and not (place.country in countries and place.population >= SMALL_TOWN)
        ):
            continue
        if not english and mention.field != "dateline" and not qualified:
            # Other languages capitalise nouns and spell towns their own way: an alternate
            # spelling or a small town is a place only when it is big enough to be sure.
            if cand.alias and place.population < 1_000_000 and place.kind == "city":
                continue
            if place.kind == "city" and place.population < SMALL_TOWN:
                continue
        if (
            place.kind == "city"
            and place.population < SMALL_TOWN
            and mention.field != "dateline"
            and not qualified
            and place.country not in countries
        ):
            continue
        if mention.inside_name and place.kind == "city" and place.population < 1_000_000:
            continue  # 'Santiago Bernabeu', 'Barrie Kosky': part of a longer unknown name
        score = place.prior - (1.0 if cand.alias else 0.0)
        if place.kind != "country" and place.country in countries:
            score += 2.0
        if mention.qualifier is not None and mention.qualifier.country == place.country:
            score += 10.0
        if named_as_dateline and place == dateline_place:
            score += 10.0
        if place.kind == "city" and place.country == "US" and regions:
            score += 0.5
        if place.kind == "region" and place.country in countries:
            score += 2.5  # 'Georgia' beside Atlanta and Alabama is the state
        if place.kind == "country" and place.country in countries:
            score += 2.0
        if mention.us_title and place.country == "US" and place.kind == "region":
            score += 5.0  # 'Georgia Gov.', 'Texas Sen.': a US state
        if best is None or score > best[0]:
            if best is not None and best[1].country != place.country:
                runner_up = max(runner_up, best[0])
            best = (score, place)
        elif place.country != best[1].country:
            runner_up = max(runner_up, score)
    if best is None:
        return None
    if best[0] - runner_up < _CLOSE and mention.field != "dateline":
        _DOUBTFUL.add(best[1])  # a close call between countries: tagged, with less weight
    return best[1]


@dataclass(slots=True)
class _Context:
    """What the story says about where it is: it settles each mention's place."""

    english: bool
    countries: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    dateline_place: Place | None = None
    dateline_key: str | None = None  # the dateline's place name, folded


_Hits = dict[Place, list[tuple[Mention, bool]]]  # place -> (mention, whether a demonym)


def find_places(story: Story, segs: list[Segment]) -> list[Tag]:
    """Place tags for the story, most relevant first."""
    gaz = load_gazetteer()
    context = _Context(english=(story.language or "en") == "en")
    mentions: list[_Mention] = []
    dateline = _dateline_mention(gaz, story)
    for seg in segs:
        _scan(gaz, seg, mentions)
    _note_containers(mentions, context)
    _resolve_dateline(story, dateline, context)
    found = _dateline_hits(story, dateline, context.dateline_place)
    _text_hits(mentions, context, found)
    doubtful = set(_DOUBTFUL)
    _DOUBTFUL.clear()
    tags = [
        _place_tag(place, hits, story, context.dateline_place, doubtful)
        for place, hits in found.items()
        if hits
    ]
    # The dateline's place leads, then the rest by relevance.
    tags.sort(key=lambda t: (t.mentions[0].field != "dateline", -t.relevance))
    return tags


def _note_containers(mentions: list[_Mention], context: _Context) -> None:
    """Countries and regions the story names without ambiguity, or as qualifiers."""
    for m in mentions:
        if len(m.candidates) == 1 and m.candidates[0].place.kind in _CONTAINER_KINDS:
            context.countries.add(m.candidates[0].place.country)
            if m.candidates[0].place.kind == "region":
                context.regions.add(m.candidates[0].place.name)
        if m.qualifier is not None:
            context.countries.add(m.qualifier.country)
            context.regions.add(m.qualifier.name)


def _resolve_dateline(story: Story, dateline: _Mention | None, context: _Context) -> None:
    """The dateline's place, chosen first: its country is context for every later mention."""
    if dateline is None:
        return
    if dateline.qualifier is not None:
        context.countries.add(dateline.qualifier.country)
        context.regions.add(dateline.qualifier.name)
    context.dateline_place = _choose(dateline, context.countries, context.regions, None, False)
    context.dateline_key = fold(story.dateline.place) if story.dateline else None
    if context.dateline_place is not None:
        context.countries.add(context.dateline_place.country)


def _dateline_hits(story: Story, dateline: _Mention | None, place: Place | None) -> _Hits:
    """The dateline's place, and the state or country that qualifies it there."""
    found: _Hits = {}
    if dateline is None or place is None or story.dateline is None:
        return found
    found[place] = [(_as_mention(dateline), False)]
    if dateline.qualifier is not None and dateline.qualifier != place:
        # 'PARIS, Texas', 'NAIROBI, Kenya': the state or country is named there too.
        text = story.dateline.text
        written = dateline.qualifier_text or dateline.qualifier.name
        start = max(0, text.find(written))
        region = make_mention("dateline", None, start, start + len(written))
        found.setdefault(dateline.qualifier, []).append((region, False))
    return found


def _text_hits(mentions: list[_Mention], context: _Context, found: _Hits) -> None:
    """Each mention in the text resolved to its place and added to ``found``."""
    # Repeats of a name in the same context choose the same place: choose once per story. The
    # candidate lists and qualifiers are the gazetteer's own objects, alive for the whole loop,
    # so their ids are safe keys.
    chosen: dict[tuple, Place | None] = {}
    for m in mentions:
        named_as_dateline = (
            context.dateline_place is not None
            and bool(m.tokens)
            and fold(" ".join([t.text for t in m.tokens])) == context.dateline_key
        )
        key = (id(m.candidates), id(m.qualifier), m.inside_name, named_as_dateline, m.us_title)
        if key in chosen:
            place = chosen[key]
        else:
            place = chosen[key] = _choose(
                m,
                context.countries,
                context.regions,
                context.dateline_place,
                named_as_dateline,
                context.english,
            )
        if place is None:
            continue
        # A lone everyday word at a sentence start ('Nice to see') is not a place.
        if m.sentence_start and len(m.tokens) == 1 and m.tokens[0].lower in _SENTENCE_WORDS:
            continue
        for t in m.tokens:
            t.owner = "place"
        found.setdefault(place, []).append((_as_mention(m), m.demonym))
        if m.qualifier is not None and m.qualifier.kind == "region":
            found.setdefault(m.qualifier, [])


def _place_tag(
    place: Place,
    hits: list[tuple[Mention, bool]],
    story: Story,
    dateline_place: Place | None,
    doubtful: set[Place],
) -> Tag:
    """The place's tag, its relevance weighed by how the story names it."""
    only_demonym = all(d for _, d in hits)
    score = relevance([h for h, _ in hits], story)
    if only_demonym:
        score *= 0.5
    if place == dateline_place:
        score = max(score, 0.95)  # the dateline says where the story is
    elif place in doubtful:
        score *= 0.7
    return make_tag(
        type=TagType.place,
        name=place.name,
        scheme="iso3166",
        code=place.country,
        ids={"geonames": place.geonames} if place.geonames else {},
        relevance=round(score, 3),
        mentions=[h for h, _ in hits],
    )


_SENTENCE_WORDS = frozenset(["nice", "split", "reading", "bath", "hope", "deal", "mobile"])


def _as_mention(m: _Mention) -> Mention:
    return make_mention(m.field, m.paragraph, m.start, m.end)
