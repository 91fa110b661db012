"""What a story is findable by, as pure functions of the stored story.

Publish writes a story into one sorted set per *term* (``feed:reuters``, ``place:beirut``,
``topic:16000000``, ``kw:ceasefire``, ``status:usable`` …), scored by received_at. The same
functions decide which terms a query asks for and whether a story on the live feed matches a
filter, so the list, the facets and the live feed can never disagree about what matches.

Filter values are compared after ``norm`` (case-folded, spaces collapsed): ``place=Beirut`` and
``place=beirut`` are one filter. Places, people, organisations and topics are findable by name
and by code (``place=LB``, ``topic=16000000``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from schemas import PubStatus, Signal, TaggedStory, TagType

__all__ = [
    "FACETS",
    "FILTERS",
    "STATUSES",
    "STATUS_ALIASES",
    "STATUS_NAMES",
    "StoryFilter",
    "facet_lines",
    "is_held",
    "matches",
    "norm",
    "search_tokens",
    "status_of",
    "story_terms",
    "text_tokens",
]

# Query parameter -> term family. ``priority`` is the agencies' urgency (1 is a flash).
FILTERS: dict[str, str] = {
    "feed": "feed",
    "agency": "agency",
    "priority": "urgency",
    "place": "place",
    "person": "person",
    "org": "org",
    "topic": "topic",
    "lang": "lang",
    "status": "status",
}
# A story's status has one public name, the story's own ``status`` field (IPTC's pubStatus):
# ``canceled`` for a killed story, in filters, answers, docs and the CLI alike. ``killed``,
# what the filter said before, is still read as ``canceled``.
STATUS_NAMES = ("usable", "embargoed", "withheld", "canceled")
STATUS_ALIASES = {"killed": "canceled"}
# The status index terms, one per name. A canceled story's index keeps the term it has had
# from the start (``status:killed``): renaming it would strand every index already stored, and
# no answer shows it.
STATUSES = ("usable", "embargoed", "withheld", "killed")
_STATUS_TERM = dict(zip(STATUS_NAMES, STATUSES, strict=True))
# What facet counts are kept for: the families editors narrow a desk by.
FACETS = ("place", "topic", "feed", "agency")

# Words too common to narrow a search; a search made only of them is refused.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "she",
        "that",
        "the",
        "their",
        "they",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "said",
        "says",
        "after",
        "over",
        "about",
        "into",
        "than",
        "then",
        "there",
    ]
)
_WORD = re.compile(r"\w+")
_MAX_TOKEN = 40
_MAX_TERM = 100
_MAX_KEYWORDS = 200


def norm(value: str) -> str:
    """A filter value as terms hold it: case-folded, inner spaces collapsed, length-capped."""
    return " ".join(value.casefold().split())[:_MAX_TERM]


def text_tokens(text: str | None) -> list[str]:
    """Searchable words of a text: word characters only, case-folded, stop words dropped."""
    if not text:
        return []
    return [
        w[:_MAX_TOKEN]
        for w in _WORD.findall(text.casefold())
        if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())
    ]


def search_tokens(query: str, max_chars: int) -> list[str]:
    """The words of a keyword search, each of which a story must contain.

    Raises ValueError for a search that is too long or has nothing to look for; anything that
    is not a word character (quotes, operators, Lua or Redis syntax) is only a separator here.
    """
    if len(query) > max_chars:
        raise ValueError(f"search is longer than {max_chars} characters")
    words = list(dict.fromkeys(text_tokens(query)))
    if not words:
        raise ValueError("search has no words to look for (only stop words or punctuation)")
    if len(words) > 8:
        raise ValueError("search has more than 8 words")
    return words


def status_of(story: TaggedStory, killed: bool = False) -> str:
    """The story's status index term (one of ``STATUSES``)."""
    if killed or story.status is PubStatus.canceled or Signal.kill in story.signals:
        return "killed"
    return story.status.value


def _named(family: str, name: str | None, code: str | None, scheme: str | None = None) -> list[str]:
    values = [name, code, f"{scheme}:{code}" if scheme and code else None]
    return [f"{family}:{norm(v)}" for v in values if v and norm(v)]


def _topic_value(scheme: str | None, code: str | None, name: str) -> str:
    return norm(f"{scheme}:{code}" if scheme and code else code or name)


_TAG_FAMILY = {
    TagType.place: "place",
    TagType.person: "person",
    TagType.organisation: "org",
    TagType.topic: "topic",
}


def story_terms(story: TaggedStory) -> list[str]:
    """Every term the story is findable by, except its status (which a kill changes without a
    new version, so publish handles it apart). Keyword terms cover headline, slugline, lede
    and the names of its tags."""
    terms = [f"feed:{norm(story.feed)}"]
    if story.agency:
        terms.append(f"agency:{norm(story.agency)}")
    if story.urgency is not None:
        terms.append(f"urgency:{story.urgency}")
    if story.language:
        terms.append(f"lang:{norm(story.language)}")
    if story.dateline and story.dateline.place:
        terms += _named("place", story.dateline.place, None)
    for tag in story.tags:
        family = _TAG_FAMILY.get(tag.type)
        if family:
            terms += _named(family, tag.name, tag.code, tag.scheme)
    for subject in story.subjects:
        terms += _named("topic", subject.name, subject.code, subject.scheme)
    words: list[str] = []
    for text in (story.headline, story.slugline, story.lede, *(t.name for t in story.tags)):
        words += text_tokens(text)
    terms += [f"kw:{w}" for w in dict.fromkeys(words)][:_MAX_KEYWORDS]
    return list(dict.fromkeys(terms))


def facet_lines(story: TaggedStory) -> str:
    """``facet<TAB>value<TAB>label`` lines for the facet counts: value is what to filter by,
    label what to show. Places count by name (Beirut and Lebanon apart), topics by scheme and
    code (``medtop:16000000``), from the tagger's topics and the agency's subjects."""
    lines: list[tuple[str, str, str]] = [("feed", norm(story.feed), story.feed)]
    if story.agency:
        lines.append(("agency", norm(story.agency), story.agency))
    for tag in story.tags:
        if tag.type is TagType.place:
            lines.append(("place", norm(tag.name), tag.name))
        elif tag.type is TagType.topic:
            lines.append(("topic", _topic_value(tag.scheme, tag.code, tag.name), tag.name))
    for subject in story.subjects:
        label = subject.name or subject.code
        lines.append(("topic", _topic_value(subject.scheme, subject.code, label), label))
    unique = {(facet, value): label for facet, value, label in reversed(lines)}
    return "\n".join(
        "\t".join(part.replace("\t", " ").replace("\n", " ") for part in (f, v, lb))
        for (f, v), lb in reversed(unique.items())
    )


def is_held(story: TaggedStory, now: datetime) -> bool:
    """Under an embargo that has not passed. An embargo without a release time holds until a
    later version lifts it: a desk never guesses a release."""
    if story.status is not PubStatus.embargoed:
        return False
    return story.embargoed_until is None or story.embargoed_until > now


@dataclass(frozen=True)
class StoryFilter:
    """A query: every group must match, any term within a group will do (``place=lb&place=sy``
    is Lebanon or Syria; ``place=lb&topic=…`` is both). Times are received_at bounds."""

    groups: tuple[tuple[str, ...], ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    include_embargoed: bool = False
    search: tuple[str, ...] = field(default=())

    @classmethod
    def build(
        cls,
        values: dict[str, list[str]],
        *,
        search: list[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        include_embargoed: bool = False,
    ) -> StoryFilter:
        """From query parameters (name -> values). Raises ValueError on a bad value."""
        groups: list[tuple[str, ...]] = []
        for name, family in FILTERS.items():
            wanted = [v for v in values.get(name, []) if v.strip()]
            if not wanted:
                continue
            if name == "priority" and not all(v.isdigit() and 1 <= int(v) <= 9 for v in wanted):
                raise ValueError("priority is a number from 1 (flash) to 9")
            if name == "status":
                groups.append(_status_group(wanted))
                # Asking for embargoed stories by status is asking to see them.
                include_embargoed = include_embargoed or "status:embargoed" in groups[-1]
                continue
            groups.append(tuple(dict.fromkeys(f"{family}:{norm(v)}" for v in wanted)))
        words = tuple(search or ())
        groups += [(f"kw:{w}",) for w in words]
        if since and until and since > until:
            raise ValueError("since is after until")
        return cls(tuple(groups), since, until, include_embargoed, words)


def _status_group(wanted: list[str]) -> tuple[str, ...]:
    """The index terms of status filter values (``canceled``, or its alias ``killed``).
    Raises ValueError on an unknown status."""
    names = [STATUS_ALIASES.get(norm(v), norm(v)) for v in wanted]
    unknown = sorted(set(names) - set(STATUS_NAMES))
    if unknown:
        raise ValueError(
            f"status {unknown[0]!r} is not one of {', '.join(STATUS_NAMES)} "
            "(killed is accepted for canceled)"
        )
    return tuple(dict.fromkeys(f"status:{_STATUS_TERM[n]}" for n in names))


def matches(story: TaggedStory, flt: StoryFilter, now: datetime, *, killed: bool = False) -> bool:
    """Whether a story belongs in a filter's results now: the live feed's test, and the same
    rule the indexes answer for lists and facets."""
    if not flt.include_embargoed and not killed and is_held(story, now):
        return False
    if flt.since and story.received_at < flt.since:
        return False
    if flt.until and story.received_at > flt.until:
        return False
    terms = set(story_terms(story))
    terms.add(f"status:{status_of(story, killed)}")
    return all(any(t in terms for t in group) for group in flt.groups)
