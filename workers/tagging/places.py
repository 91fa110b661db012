"""Places: from the dateline and the text, each resolved to one place with its country.

A name may mean several places, so mentions are collected first and resolved after, with the
story's context: the dateline (``PARIS, Texas (AP)`` settles every later 'Paris'), a qualifier
in the text ('Paris, Texas'), the countries and US states the story names, and the size of the
place. Demonyms ('Syrian') point to their country at a lower relevance.
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
    tokens: list[Token] = field(default_factory=list)


def _container(gaz: Gazetteer, text: str) -> Place | None:
    """A country or region named as a qualifier ('Texas' in 'Paris, Texas')."""
    for cand in gaz.names.get(fold(text), ()):
        if cand.place.kind in _CONTAINER_KINDS:
            return cand.place
    return None


def _scan(gaz: Gazetteer, seg: Segment, out: list[_Mention]) -> None:
    """Longest known place names in each run, skipping tokens other taggers have claimed."""
    starts, demonyms, names = gaz.starts, gaz.demonyms, gaz.names
    for run in seg.runs:
        tokens = run.tokens
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.owner or not tok.cap or (tok.key not in starts and tok.key not in demonyms):
                i += 1
                continue
            found = None
            for n in range(free_words(tokens, i, starts.get(tok.key, 1)), 0, -1):
                span = tokens[i : i + n]
                if not span[-1].cap:
                    continue
                key = " ".join([t.key for t in span])
                if key in names:
                    found = (span, names[key], False)
                    break
                if n == 1 and key in demonyms:
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
                tokens=span,
            )
            if not demonym:
                q = _QUALIFIER.match(seg.text, span[-1].end + (1 if span[-1].possessive else 0))
                if q and q.start() == span[-1].end:
                    mention.qualifier = _container(gaz, q.group(1))
            out.append(mention)
            i += len(span)


def _inside_name(tokens: list[Token], start: int, end: int) -> bool:
    """The span touches another unclaimed capitalised word of the same run."""
    after = tokens[end] if end < len(tokens) else None
    before = tokens[start - 1] if start > 0 else None
    return any(
        t is not None and t.cap and not t.owner and not t.possessive for t in (after, before)
    ) and not (before is not None and before.possessive)


def _dateline_mention(gaz: Gazetteer, story: Story) -> _Mention | None:
    dateline = story.dateline
    if dateline is None or not dateline.place:
        return None
    candidates = gaz.names.get(fold(dateline.place))
    if not candidates:
        return None
    text = dateline.text
    start = text.lower().find(dateline.place.lower())
    start = max(start, 0)
    mention = _Mention(
        candidates=candidates,
        field="dateline",
        paragraph=None,
        start=start,
        end=start + len(dateline.place),
    )
    parts = _DATELINE.match(text)
    if parts and parts.group(2):
        mention.qualifier = _container(gaz, parts.group(2))
    return mention


def _choose(
    mention: _Mention,
    countries: set[str],
    regions: set[str],
    dateline_place: Place | None,
    named_as_dateline: bool,
) -> Place | None:
    best: tuple[float, Place] | None = None
    for cand in mention.candidates:
        place = cand.place
        qualified = mention.qualifier is not None and (
            mention.qualifier.country == place.country
            and (mention.qualifier.kind == "country" or mention.qualifier.name in regions)
        )
        if cand.wordlike and not qualified and mention.field != "dateline":
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
        if best is None or score > best[0]:
            best = (score, place)
    return best[1] if best else None


def find_places(story: Story, segs: list[Segment]) -> list[Tag]:
    """Place tags for the story, most relevant first."""
    gaz = load_gazetteer()
    mentions: list[_Mention] = []
    dateline = _dateline_mention(gaz, story)
    for seg in segs:
        _scan(gaz, seg, mentions)
    # Context: countries and regions the story names without ambiguity.
    countries: set[str] = set()
    regions: set[str] = set()
    for m in mentions:
        if len(m.candidates) == 1 and m.candidates[0].place.kind in _CONTAINER_KINDS:
            countries.add(m.candidates[0].place.country)
            if m.candidates[0].place.kind == "region":
                regions.add(m.candidates[0].place.name)
        if m.qualifier is not None:
            countries.add(m.qualifier.country)
            regions.add(m.qualifier.name)
    dateline_place = None
    dateline_key = None
    if dateline is not None:
        if dateline.qualifier is not None:
            countries.add(dateline.qualifier.country)
            regions.add(dateline.qualifier.name)
        dateline_place = _choose(dateline, countries, regions, None, False)
        dateline_key = fold(story.dateline.place) if story.dateline else None
        if dateline_place is not None:
            countries.add(dateline_place.country)
    found: dict[Place, list[tuple[Mention, bool]]] = {}
    if dateline_place is not None:
        found[dateline_place] = [(_as_mention(dateline), False)]
        if dateline.qualifier is not None and dateline.qualifier != dateline_place:
            # 'PARIS, Texas', 'NAIROBI, Kenya': the state or country is named there too.
            text = story.dateline.text
            start = max(0, text.find(dateline.qualifier.name))
            region = make_mention("dateline", None, start, start + len(dateline.qualifier.name))
            found.setdefault(dateline.qualifier, []).append((region, False))
    # Repeats of a name in the same context choose the same place: choose once per story. The
    # candidate lists and qualifiers are the gazetteer's own objects, alive for the whole loop,
    # so their ids are safe keys.
    chosen: dict[tuple[int, int, bool, bool], Place | None] = {}
    for m in mentions:
        named_as_dateline = (
            dateline_place is not None
            and bool(m.tokens)
            and fold(" ".join([t.text for t in m.tokens])) == dateline_key
        )
        context = (id(m.candidates), id(m.qualifier), m.inside_name, named_as_dateline)
        if context in chosen:
            place = chosen[context]
        else:
            place = chosen[context] = _choose(
                m, countries, regions, dateline_place, named_as_dateline
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
    tags = []
    for place, hits in found.items():
        if not hits:
            continue
        only_demonym = all(d for _, d in hits)
        score = relevance([h for h, _ in hits], story)
        if only_demonym:
            score *= 0.5
        tags.append(
            make_tag(
                type=TagType.place,
                name=place.name,
                scheme="iso3166",
                code=place.country,
                ids={"geonames": place.geonames} if place.geonames else {},
                relevance=round(score, 3),
                mentions=[h for h, _ in hits],
            )
        )
    tags.sort(key=lambda t: -t.relevance)
    return tags


_SENTENCE_WORDS = frozenset(["nice", "split", "reading", "bath", "hope", "deal", "mobile"])


def _as_mention(m: _Mention) -> Mention:
    return make_mention(m.field, m.paragraph, m.start, m.end)
