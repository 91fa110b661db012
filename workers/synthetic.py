"""Invented wire copy for the benchmarks and the tests: distinct 400-600-word stories in
several wire formats, and a bank of everyday news words.

Stories are assembled from a bank of sentences written for this project, with names, places
and figures varied per story, so that no two are near-duplicates (the dedupe stage must do its
full work, not short-cut on resends) and the tagger meets the mix of names real copy has. It
lives in the product, not in ``bench/``, so that the benchmarks and the tests both take it from
here and neither imports the other.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

__all__ = ["FORMATS", "WORDS", "make_corpus", "make_story"]

FORMATS = ("plaintext", "ninjs", "nitf", "anpa1312")

_PLACES = [
    ("BEIRUT", "Lebanon"), ("NAIROBI", "Kenya"), ("LIMA", "Peru"), ("MANILA", "Philippines"),
    ("WARSAW", "Poland"), ("ANKARA", "Turkey"), ("HANOI", "Vietnam"), ("DAKAR", "Senegal"),
    ("OSLO", "Norway"), ("QUITO", "Ecuador"), ("ACCRA", "Ghana"), ("TUNIS", "Tunisia"),
    ("SANTIAGO", "Chile"), ("BUDAPEST", "Hungary"), ("AMMAN", "Jordan"), ("CANBERRA", "Australia"),
]  # fmt: skip
_AGENCIES = [("Reuters", "-"), ("AP", "—"), ("AFP", "-"), ("dpa", "-")]
_FIRST = ["Maria", "Ahmed", "Lena", "Tomasz", "Grace", "Kenji", "Amara", "Pablo", "Ingrid", "Omar"]
_LAST = ["Okafor", "Lindqvist", "Haddad", "Moreno", "Kowalczyk", "Tanaka", "Mensah", "Duarte"]
_ORGS = ["the finance ministry", "the central bank", "the national electoral commission",
         "the World Health Organization", "the United Nations", "the European Union",
         "the port authority", "the state energy company", "the supreme court"]  # fmt: skip
_TOPICS = ["budget", "election", "drought", "strike", "vaccine", "pipeline", "ceasefire",
           "harvest", "tariff", "earthquake", "refinery", "railway", "bond sale", "protest"]  # fmt: skip
_SENTENCES = [
    "{person} said on {day} that {org} would review the {topic} plan before the end of the month.",
    "Officials in {country} expect the {topic} to cost about {n} million dollars, according to documents seen by reporters.",
    "The decision follows weeks of talks between {org} and regional leaders, who have pressed for faster action.",
    "“We are not going to rush this, but we will not wait either,” {person} told a news conference in {city}.",
    "Critics say the {topic} has been poorly explained to the public and warn that costs could rise by {m} percent.",
    "Markets reacted calmly, with the main index closing {m} percent higher and the currency little changed.",
    "{org} said in a statement that it had received {n} complaints since the start of the year.",
    "Analysts at several banks said the {topic} was likely to dominate the agenda until at least the spring.",
    "In {city}, residents queued outside government offices on {day} to ask about the {topic}.",
    "The opposition called for an inquiry, saying {org} had ignored earlier warnings about the {topic}.",
    "{person}, who took office {m} months ago, has made the {topic} a central promise of the government.",
    "Neighbouring countries are watching closely, diplomats said, as the {topic} could affect trade across the region.",
    "A spokesperson for {org} declined to comment on the figures but said more details would follow.",
    "Local media reported that at least {m} people had been affected, although the numbers could not be independently verified.",
    "The {topic} comes as {country} faces its highest inflation in {m} years and a widening budget gap.",
    "Previous attempts to settle the {topic} collapsed in {year} amid disagreements over funding.",
]  # fmt: skip
_ADJ = ["northern", "coastal", "rural", "disputed", "ageing", "new", "delayed", "costly",
        "temporary", "regional", "private", "flooded", "crowded", "remote", "busy", "idle"]  # fmt: skip
_NOUN = ["bridge", "clinic", "harbour", "mine", "school", "market", "airport", "dam", "farm",
         "factory", "border crossing", "power plant", "courthouse", "warehouse", "highway"]  # fmt: skip
_VERB = ["reopened", "closed", "expanded", "inspected", "sold", "repaired", "blocked", "funded"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Everyday news words, for copy built word by word (the dedupe benchmark's ~400-word stories,
# the tests' near-duplicates): their mix, not their sense, is what matters.
WORDS = [
    "minister", "council", "river", "harbour", "strike", "vote", "budget", "court", "police",
    "storm", "bank", "rates", "school", "farmers", "election", "bridge", "railway", "hospital",
    "border", "export", "energy", "price", "union", "airport", "fire", "village", "coast",
    "army", "talks", "treaty", "mayor", "teachers", "wheat", "oil", "gas", "mine", "factory",
    "museum", "bishop", "festival", "drought", "flood", "tunnel", "ferry", "senate",
    "governor", "judge", "protest", "market", "shares", "said", "on", "the", "a", "of", "in",
    "to", "and", "for", "with", "after", "before", "while", "officials", "week", "year",
    "percent", "million",
]  # fmt: skip


def _story_text(rng: random.Random, serial: int) -> dict:
    city, country = rng.choice(_PLACES)
    agency, dash = rng.choice(_AGENCIES)
    person = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    topic = rng.choice(_TOPICS)
    fill = {
        "person": person, "org": rng.choice(_ORGS), "topic": topic, "country": country,
        "city": city.title(), "day": rng.choice(_DAYS), "year": rng.randint(1995, 2024),
    }  # fmt: skip
    paragraphs: list[str] = []
    words = 0
    target = rng.randint(400, 520)
    while words < target:
        sentences = []
        for _ in range(rng.randint(1, 3)):
            template = rng.choice(_SENTENCES)
            sentence = template.format(**fill, n=rng.randint(2, 900), m=rng.randint(2, 40))
            # A varying clause per sentence: shared templates must not make stories look alike.
            clause = (
                f" Separately, a {rng.choice(_ADJ)} {rng.choice(_NOUN)} near "
                f"{rng.choice(_PLACES)[0].title()} was {rng.choice(_VERB)} after "
                f"{rng.randint(2, 60)} {rng.choice(_DAYS)}s of {rng.choice(_ADJ)} debate."
            )
            # Half the sentences are built from word banks alone, so two stories share little
            # more than the phrasing real copy on one topic shares.
            if rng.random() < 0.5:
                sentence = clause.removeprefix(" Separately, a ").capitalize()
                clause = (
                    f" The {rng.choice(_ADJ)} {rng.choice(_NOUN)} in "
                    f"{rng.choice(_PLACES)[1]} had been {rng.choice(_VERB)} "
                    f"{rng.randint(2, 90)} times since {rng.randint(1990, 2025)}."
                )
            sentences.append(sentence + (clause if rng.random() < 0.8 else ""))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    # A serial number in the lede keeps every story's text its own.
    paragraphs[0] = f"Report {serial}: " + paragraphs[0]
    headline = f"{country} weighs {topic} as {person.split()[1]} faces pressure"
    return {"city": city, "country": country, "agency": agency, "dash": dash,
            "headline": headline, "paragraphs": paragraphs, "topic": topic}  # fmt: skip


def make_story(serial: int, fmt: str, *, seed: int = 7) -> bytes:
    """One story in one wire format, the same for the same serial, format and seed."""
    rng = random.Random(seed * 1_000_003 + serial)
    s = _story_text(rng, serial)
    when = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=serial)
    lede = f"{s['city']} ({s['agency']}) {s['dash']} {s['paragraphs'][0]}"
    if fmt == "plaintext":
        return "\n\n".join([s["headline"], lede, *s["paragraphs"][1:]]).encode()
    if fmt == "ninjs":
        return json.dumps({
            "uri": f"urn:bench:{serial}", "version": "1", "pubstatus": "usable",
            "versioncreated": when.isoformat(), "language": "en", "urgency": 4,
            "headline": s["headline"], "body_text": "\n\n".join([lede, *s["paragraphs"][1:]]),
        }).encode()  # fmt: skip
    if fmt == "nitf":
        body = "".join(f"<p>{p}</p>" for p in [lede, *s["paragraphs"][1:]])
        return (
            '<?xml version="1.0" encoding="UTF-8"?><nitf><head><title>'
            f'{s["headline"]}</title><docdata><doc-id id-string="bench-{serial}"/>'
            f'<urgency ed-urg="4"/><date.issue norm="{when:%Y%m%dT%H%M%SZ}"/></docdata></head>'
            f"<body><body.head><hedline><hl1>{s['headline']}</hl1></hedline></body.head>"
            f"<body.content>{body}</body.content></body></nitf>"
        ).encode()
    if fmt == "anpa1312":
        text = "\r\n".join(
            ["^" + s["headline"] + "<", *("\t" + p for p in [lede, *s["paragraphs"][1:]])]
        )
        header = f"a{serial % 10000:04d} r i BC-Bench-{s['topic'].title().replace(' ', '')}-{serial} {len(text.split())}"
        return (
            b"\x16\x16\x01"
            + header.encode()
            + b"\r\n\x02"
            + text.encode()
            + b"\r\n\x03"
            + f"{when:%m-%d-%y %H%M}GMT".encode()
            + b"\x04"
        )
    raise ValueError(f"no corpus generator for {fmt!r}")


def make_corpus(
    count: int, *, formats: tuple[str, ...] = FORMATS, seed: int = 7
) -> Iterator[tuple[str, bytes]]:
    """(format, bytes) for ``count`` distinct stories, formats in turn."""
    for serial in range(count):
        fmt = formats[serial % len(formats)]
        yield fmt, make_story(serial, fmt, seed=seed)
