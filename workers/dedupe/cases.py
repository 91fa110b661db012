"""Labelled dedupe cases built from the invented corpus: what the desk receives first, the item
that follows, and the verdict that item must get.

Each case is judged in an index of its own, which also holds every other event's story as a
distractor, so a false match against an unrelated story counts against precision.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from schemas import PubStatus, Signal, Story, Verdict
from workers.dedupe.corpus import EVENTS, Event
from workers.stages.normalise import normalise, story_id_for

__all__ = ["Case", "Item", "all_cases", "distractors"]

STYLE = {
    "reuters": ("{city}, March 12 (Reuters) - ", "(Reporting by Lena Hart; Editing by Tom Quill)"),
    "ap": ("{city} (AP) — ", "Associated Press writer Omar Fields contributed to this report."),
    "afp": ("{city} (AFP) - ", "burs-jm/lth"),
}
BOILERPLATE = [
    "The company did not immediately respond to a request for comment.",
    "For more news, visit our website and follow us on social media.",
    "Copyright 2026 Thomson Reuters. All rights reserved.",
]
# Light copy-desk edits: the words change, the story does not.
EDITS = [
    (" said", " stated"),
    ("on Monday", "Monday"),
    ("on Tuesday", "Tuesday"),
    ("on Wednesday", "Wednesday"),
    ("on Thursday", "Thursday"),
    ("about ", "around "),
    (" towards ", " toward "),
    ("per hour", "an hour"),
]


@dataclass
class Item:
    paragraphs: list[str]
    city: str
    agency: str = "reuters"
    item_id: str | None = None
    version: int = 1
    kill: bool = False
    correction: bool = False
    extra: list[str] = field(default_factory=list)
    respace: bool = False
    slug: str | None = None
    replaces: list[str] = field(default_factory=list)

    def story(self, receipt_id: str) -> Story:
        head, credit = STYLE[self.agency]
        paras = [*self.paragraphs, *self.extra]
        paras = [head.format(city=self.city) + paras[0], *paras[1:], credit]
        text = "\n\n".join(paras)
        if self.respace:  # a resend: other line breaks, spacing and quotes, same words
            text = text.replace(", ", ",  ").replace("\n\n", "\r\n\r\n").replace("'", "’")
        s = normalise(
            text.encode(), receipt_id=receipt_id, feed=self.agency, received_at=datetime.now(UTC)
        )
        if self.item_id:
            s = s.model_copy(
                update={
                    "item_id": self.item_id,
                    "version": self.version,
                    "story_id": story_id_for(
                        feed=self.agency, agency=self.agency, item_id=self.item_id, receipt_id=""
                    ),
                }
            )
        if self.slug or self.replaces:
            s = s.model_copy(update={"slugline": self.slug, "replaces": self.replaces})
        if self.kill:
            s = s.model_copy(update={"status": PubStatus.canceled, "signals": [Signal.kill]})
        elif self.correction:
            s = s.model_copy(update={"signals": [Signal.correction]})
        return s


@dataclass
class Case:
    name: str
    kind: str
    events: tuple[str, ...]
    first: list[Item]
    then: Item
    expect: Verdict


def _edit(text: str) -> str:
    for old, new in EDITS:
        text = text.replace(old, new)
    return text


def _cases_for(i: int, e: Event) -> Iterator[Case]:
    a, b = list(e.a), list(e.b)
    other = EVENTS[(i + 7) % len(EVENTS)]
    item = f"RTR-{e.slug.upper()}"
    yield Case(
        f"{e.slug}/resend-body",
        "resend of the same copy, re-spaced, from another feed",
        (e.slug,),
        [Item(a, e.city)],
        Item(a, e.city, respace=True),
        Verdict.resend,
    )
    yield Case(
        f"{e.slug}/resend-version",
        "same agency item and version sent again with a fixed typo",
        (e.slug,),
        [Item(a, e.city, item_id=item)],
        Item([a[0].replace(" the ", " the  ", 1), *a[1:]], e.city, item_id=item, respace=True),
        Verdict.resend,
    )
    yield Case(
        f"{e.slug}/write-through",
        "write-through: version 2 adds a paragraph",
        (e.slug,),
        [Item(a, e.city, item_id=item)],
        Item(a, e.city, item_id=item, version=2, extra=[e.more]),
        Verdict.update,
    )
    yield Case(
        f"{e.slug}/correction",
        "correction: version 2 rewrites the lede",
        (e.slug,),
        [Item(a, e.city, item_id=item)],
        Item([_edit(a[0]), *a[1:]], e.city, item_id=item, version=2, correction=True),
        Verdict.update,
    )
    yield Case(
        f"{e.slug}/kill",
        "kill of the story",
        (e.slug,),
        [Item(a, e.city, item_id=item)],
        Item(
            [f"Editors: the story slugged {e.slug} is withdrawn. A substitute will not be sent."],
            e.city,
            item_id=item,
            version=2,
            kill=True,
        ),
        Verdict.kill,
    )
    if i % 2 == 0:
        yield Case(
            f"{e.slug}/older-late",
            "version 2 arrives after version 3",
            (e.slug,),
            [
                Item(a, e.city, item_id=item),
                Item(a, e.city, item_id=item, version=3, extra=[e.more]),
            ],
            Item([_edit(p) for p in a], e.city, item_id=item, version=2),
            Verdict.update,
        )
    yield Case(
        f"{e.slug}/redistributed-writethru",
        "another feed's copy of the story with a paragraph added, no shared item id",
        (e.slug,),
        [Item(a, e.city)],
        Item(a, e.city, agency="afp", extra=[e.more]),
        Verdict.near_duplicate,
    )
    yield Case(
        f"{e.slug}/light-edits",
        "another feed's copy with copy-desk edits and the last paragraph cut",
        (e.slug,),
        [Item(a, e.city)],
        Item([_edit(p) for p in a[:-1]] if len(a) > 2 else a, e.city, agency="ap"),
        Verdict.near_duplicate,
    )
    yield Case(
        f"{e.slug}/rewritten-paragraph",
        "another feed's copy with one paragraph rewritten and one added",
        (e.slug,),
        [Item(a, e.city)],
        Item([a[0], b[1], a[2]], e.city, agency="afp", extra=[e.more]),
        Verdict.near_duplicate,
    )
    yield Case(
        f"{e.slug}/independent",
        "the same event told independently by another agency (must not merge)",
        (e.slug,),
        [Item(a, e.city)],
        Item(b, e.city, agency="ap"),
        Verdict.new,
    )
    yield Case(
        f"{e.slug}/shared-quote",
        "another agency's own story that quotes the same statement word for word (must not merge)",
        (e.slug,),
        [Item(a, e.city)],
        Item([*b, a[1]], e.city, agency="ap"),
        Verdict.new,
    )
    yield Case(
        f"{e.slug}/shared-boilerplate",
        "an unrelated story with the same dateline and boilerplate (must not merge)",
        (e.slug, other.slug),
        [Item([*a, *BOILERPLATE], e.city)],
        Item([*other.a, *BOILERPLATE], e.city),
        Verdict.new,
    )


# Template copy (results, earnings, markets): the same sentences around other names and figures.
TEMPLATES = [
    (
        "{name} Corp on Tuesday reported first-quarter net income of ${a}.{b} million, after "
        "reporting a loss in the same period a year earlier. The {city}-based company said it "
        "had profit of {c} cents per share. Results beat Wall Street expectations.",
        "The average estimate of four analysts surveyed was for earnings of {d} cents per "
        "share. The company posted revenue of ${e} million in the period, also topping "
        "forecasts. Shares of {name} have risen {f} percent since the beginning of the year.",
        "For the current quarter, {name} said it expects revenue in the range of ${g} million "
        "to ${h} million. The company's shares closed at ${a}.{c} on Monday.",
    ),
    (
        "Temperatures in {city} are expected to reach {a} degrees on Wednesday, with winds of "
        "up to {b} kilometres per hour from the west, the national weather service said in its "
        "morning forecast for the {name} region.",
        "Rain is likely in the afternoon, with {c} millimetres expected by evening and a "
        "{d} percent chance of thunderstorms. Overnight lows will fall to {e} degrees.",
        "The outlook for the weekend is drier, with highs of {f} to {g} degrees and light "
        "winds, the service said. Sunrise in {city} is at {h} minutes past six.",
    ),
]
NAMES = ["Halvard", "Quenby", "Ostrander", "Millbrook", "Tavistock", "Rowanfield", "Ellery",
         "Brackwater", "Corrigan", "Dunmore", "Fairhaven", "Greyling"]  # fmt: skip
CITIES = ["Denver", "Tulsa", "Omaha", "Boise", "Fresno", "Tampa", "Reno", "Akron", "Dayton",
          "Spokane", "Mobile", "Eugene"]  # fmt: skip


def _template(kind: int, n: int) -> list[str]:
    fill = {k: str(10 + (n * 7 + i * 13) % 80) for i, k in enumerate("abcdefgh")}
    fill |= {"name": NAMES[n % len(NAMES)], "city": CITIES[(n * 5) % len(CITIES)]}
    return [p.format(**fill) for p in TEMPLATES[kind % len(TEMPLATES)]]


def _real_style_cases_for(i: int, e: Event) -> Iterator[Case]:
    """The kinds real copy showed that the first set lacked: an update naming its predecessor
    under another id, a summary absorbing a short item, a rewritten take under the same slug,
    and template look-alikes."""
    a, b = list(e.a), list(e.b)
    slug = f"{e.slug.upper()}-{e.city.split()[0]}"
    yield Case(
        f"{e.slug}/update-names-predecessor",
        "version 2 under a new item id, naming version 1's id as the one it replaces",
        (e.slug,),
        [Item(a, e.city, item_id=f"urn:stt:{i}:v1")],
        Item(
            [_edit(a[0]), *a[1:], e.more],
            e.city,
            item_id=f"urn:stt:{i}",
            version=2,
            replaces=[f"urn:stt:{i}:v1"],
        ),
        Verdict.update,
    )
    lede = " ".join(a[0].split()[:22])
    yield Case(
        f"{e.slug}/summary-absorbs-short-item",
        "a short first item (the lede's first words), then the full story holding it",
        (e.slug,),
        [Item([lede], e.city)],
        Item(a, e.city, extra=[e.more]),
        Verdict.near_duplicate,
    )
    yield Case(
        f"{e.slug}/rewritten-take",
        "the same agency's story rewritten under the slug's child: new wording, one paragraph "
        "carried over",
        (e.slug,),
        [Item(a, e.city, slug=slug)],
        Item([b[0], a[-1], b[1], e.more], e.city, slug=f"{slug}-REACTION"),
        Verdict.near_duplicate,
    )
    other = EVENTS[(i + 3) % len(EVENTS)]
    yield Case(
        f"{e.slug}/same-slug-other-story",
        "the same agency reusing the slug for another story the next hour (must not merge)",
        (e.slug, other.slug),
        [Item(a, e.city, slug=slug)],
        Item(list(other.a), other.city, slug=slug),
        Verdict.new,
    )
    yield Case(
        f"{e.slug}/daily-template-same-slug",
        "yesterday's and today's template report under one standing slug (must not merge)",
        (e.slug,),
        [Item(_template(i + 1, i), e.city, slug="MARKETS-DAILY-REPORT")],
        Item(_template(i + 1, i + 5), e.city, slug="MARKETS-DAILY-REPORT"),
        Verdict.new,
    )
    yield Case(
        f"{e.slug}/template-lookalike",
        "template copy (earnings, weather) around other names and figures (must not merge)",
        (e.slug,),
        [Item(_template(i, i), e.city)],
        Item(_template(i, i + 5), e.city),
        Verdict.new,
    )


def all_cases() -> list[Case]:
    return [
        c for i, e in enumerate(EVENTS) for c in [*_cases_for(i, e), *_real_style_cases_for(i, e)]
    ]


def distractors(exclude: tuple[str, ...]) -> list[Item]:
    """Every other event's story, already in the window when the case's items arrive."""
    return [Item(list(e.a), e.city, agency="afp") for e in EVENTS if e.slug not in exclude]
