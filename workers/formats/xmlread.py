"""Reading fields out of parsed XML wire items: the small things NITF, G2 and feeds share.

Every helper matches elements by local name, ignoring namespaces, because the same vocabulary
arrives with and without them (NITF bare, NITF inside G2 with the 2006 namespace, RSS with
prefixed extensions). Helpers never raise on odd values: an unreadable date or urgency comes
back as None and the parser decides whether that is worth a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from workers.dateline import AGENCIES, canonical_agency
from workers.formats.wiretime import zone_offset
from workers.language import declared_code

__all__ = [
    "XML_LANG",
    "child",
    "children",
    "code_tail",
    "inline_text",
    "known_agency",
    "language_code",
    "local",
    "named_zone_to_offset",
    "parse_int",
    "parse_wire_datetime",
    "pick_agency",
    "read_paragraphs",
    "spaced_text",
    "table_rows",
    "title_place",
]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Elements that hold one paragraph each, in NITF, XHTML and the HTML feeds carry.
_PARAGRAPHS = frozenset({"p", "hl2", "pre", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6"})
# Elements that only group paragraphs: their children are read in order.
_CONTAINERS = frozenset(
    {
        "body",
        "body.content",
        "block",
        "bq",
        "blockquote",
        "div",
        "section",
        "article",
        "main",
        "html",
        "ul",
        "ol",
        "dl",
        "inlineXML",
        "nitf",
        "content",
        "center",
    }
)
# Not story prose: data tables, media, editors' notes, footnotes, scripts and the like.
_SKIPPED = frozenset(
    {
        "table",
        "media",
        "note",
        "fn",
        "head",
        "body.head",
        "body.end",
        "script",
        "style",
        "object",
        "img",
        "figure",
        "iframe",
        "noscript",
        "form",
        "title",
        "meta",
        "link",
        # HTML5 page furniture around the story (dpa puts its slug list, time and h1 there).
        "header",
        "footer",
        "nav",
        "aside",
    }
)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:])")
_BLANK_LINE = re.compile(r"\n[ \t\r\u00a0]*\n")
_COMPACT_ISO = re.compile(
    r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
# Long agency names, as copyright lines and credit lines spell them.
_AGENCY_NAMES = {
    "associated press": "AP",
    "the associated press": "AP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "deutsche presse-agentur": "dpa",
    "thomson reuters": "Reuters",
    "press association": "PA",
    "kyodo news": "Kyodo",
    "xinhua news agency": "Xinhua",
    "agencia efe": "EFE",
    "yonhap news agency": "Yonhap",
    "press trust of india": "PTI",
    "australian associated press": "AAP",
    "the canadian press": "CP",
    "canadian press": "CP",
}
# Each long name as a whole word in free text, in the order above (the first found wins).
_AGENCY_NAME_WORDS = [
    (re.compile(rf"(?<!\w){re.escape(name)}(?!\w)"), canonical)
    for name, canonical in _AGENCY_NAMES.items()
]
# Any of them, in one scan: most text names none, and then the scans one by one are skipped.
_ANY_AGENCY_NAME = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(name) for name in _AGENCY_NAMES) + r")(?!\w)"
)
_NON_WORD = re.compile(r"[^\w&-]+")
_CODE_SEPARATOR = re.compile(r"[:/#]")
_COPYRIGHT_NOISE = re.compile(
    r"©|\(c\)|\bcopyright\b|\ball rights reserved\b|\b\d{4}\b|[,;]|\.(?!\w)", re.IGNORECASE
)


def local(element: etree._Element) -> str:
    """An element's name without its namespace; '' for comments, entities and the like."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def children(element: etree._Element | None, name: str) -> Iterator[etree._Element]:
    """Direct children with this local name, in document order.

    lxml's tag filter matches in C ('{*}' is any namespace or none), so children of other
    names never become Python objects: item heads hold dozens of them and are looked through
    field by field.
    """
    if element is None:
        return iter(())
    return element.iterchildren("{*}" + name)


def child(element: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element down this path of local names, or None."""
    for name in path:
        if element is None:
            return None
        element = next(element.iterchildren("{*}" + name), None)
    return element


def inline_text(element: etree._Element | None) -> str | None:
    """All the text of an element, inline markup dropped, <br> kept as a line break."""
    if element is None:
        return None
    text = _inline(element)
    return text if text.strip() else None


def _inline(element: etree._Element) -> str:
    parts = [element.text or ""] if isinstance(element.tag, str) else []
    for sub in element:
        name = local(sub)
        if name == "br":
            parts.append("\n")
        elif name and name not in _SKIPPED:
            parts.append(_inline(sub))
        parts.append(sub.tail or "")
    return "".join(parts)


def spaced_text(
    element: etree._Element | None, *, skip: frozenset[str] = frozenset()
) -> str | None:
    """Text of a short field whose parts sit in separate elements (a byline's name and title,
    a dateline's city and country): the parts are kept apart by a space, never run together."""
    if element is None:
        return None
    pieces = [element.text or ""]
    for sub in element:
        name = local(sub)
        if name and name not in skip and name not in _SKIPPED:
            pieces.append(f" {spaced_text(sub, skip=skip) or ''} ")
        pieces.append(sub.tail or "")
    text = " ".join("".join(pieces).split())
    # The only spaces left are single ones, so ' ,' ' .' ' ;' ' :' are all the rule can find.
    if " ," in text or " ." in text or " ;" in text or " :" in text:
        text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    return text or None


def read_paragraphs(container: etree._Element | None) -> list[str]:
    """Paragraphs of a body (NITF body.content, XHTML body, an HTML fragment), in order.

    Paragraph elements give one paragraph each; grouping elements are read through; loose text
    between blocks becomes paragraphs of its own, split at blank lines and double <br>.
    Whitespace inside a paragraph is left for normalise's cleaning.
    """
    out: list[str] = []
    if container is None:
        return out
    loose: list[str] = [container.text or ""]

    def flush() -> None:
        for chunk in _BLANK_LINE.split("".join(loose)):
            if chunk.strip():
                out.append(chunk.strip())
        loose.clear()

    for sub in container:
        name = local(sub)
        if name == "table":
            # Results, prices and standings are the story's data: a row a paragraph, cells
            # apart, so two template stories are told apart by what their tables say.
            flush()
            out.extend(table_rows(sub))
        elif not name or name in _SKIPPED:
            pass
        elif name in _PARAGRAPHS:
            flush()
            text = inline_text(sub)
            if text:
                out.append(text.strip())
        elif name in _CONTAINERS:
            flush()
            out.extend(read_paragraphs(sub))
        elif name == "br":
            loose.append("\n")
        else:
            loose.append(_inline(sub))
        loose.append(sub.tail or "")
    flush()
    return out


def table_rows(table: etree._Element) -> list[str]:
    """A table's rows as lines, the cells' text apart; empty cells and rows left out."""
    rows = []
    # '{*}tr' matches the element with or without a namespace, in lxml's C loop.
    for row in table.iter("{*}tr"):
        cells = (" ".join((inline_text(c) or "").split()) for c in row if local(c) in ("td", "th"))
        if text := " ".join(c for c in cells if c):
            rows.append(text)
    return rows


def named_zone_to_offset(value: str) -> tuple[str, str | None]:
    """A time written with a zone name ('Sat, 20 Jan 2024 10:00 CET', '2024-01-20 10:00 MEZ',
    '+0200 (CEST)') with the name turned into the offset it stands for. Also returns the name
    when it is not one ``wiretime.ZONES`` holds, so a caller can say so."""
    match = _TRAILING_ZONE.search(value)
    if not match:
        return value, None
    head = value[: match.start()].rstrip()
    if _NUMERIC_ZONE_END.search(head):
        return head, None  # '+0200 (CEST)': the name only repeats the offset
    offset = zone_offset(match["zone"])
    if offset is None:
        return value, match["zone"]
    # ISO wants '+01:00' right after the time, RFC 822 '+0100' after a space.
    if _ISO_START.match(head):
        return f"{head}{offset[:3]}:{offset[3:]}", None
    return f"{head} {offset}", None


def parse_wire_datetime(value: str | None) -> datetime | None:
    """ISO 8601 (extended or NITF's compact 20171110T140000Z) or RFC 822 (RSS) to an aware
    datetime, zone names such as 'CET' read by ``wiretime.ZONES``. A time without a zone is
    taken as UTC, which is what wire systems send."""
    if not value or not value.strip():
        return None
    value, _ = named_zone_to_offset(value.strip())
    found: datetime | None = None
    if m := _COMPACT_ISO.match(value):
        zone = m[7] or "Z"
        if zone != "Z" and ":" not in zone:
            zone = f"{zone[:3]}:{zone[3:]}"
        rebuilt = f"{m[1]}-{m[2]}-{m[3]}T{m[4] or '00'}:{m[5] or '00'}:{m[6] or '00'}{zone}"
        found = _fromisoformat(rebuilt)
    if found is None:
        found = _fromisoformat(value)
    if found is None:
        try:
            found = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):  # a 20-digit year overflows
            return None
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    return found


_NUMERIC_ZONE_END = re.compile(r"[+-]\d{2}:?\d{2}$")
_ISO_START = re.compile(r"^\d{4}-\d{2}-?\d{2}")
_TRAILING_ZONE = re.compile(r"(?<=\d)\s*\(?(?P<zone>[A-Za-z]{2,5})\)?\s*$")


def _fromisoformat(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        try:
            return datetime.combine(date.fromisoformat(value), datetime.min.time())
        except ValueError:
            return None


def parse_int(value: str | None, *, low: int, high: int) -> int | None:
    """An integer within [low, high], or None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def code_tail(code: str | None) -> str | None:
    """'stat:canceled' or 'http://cv.iptc.org/newscodes/pubstatusg2/canceled' -> 'canceled'."""
    if not code or not code.strip():
        return None
    return _CODE_SEPARATOR.split(code.strip().rstrip("/"))[-1].lower() or None


def language_code(tag: str | None) -> str | None:
    """'en-GB' -> 'en', 'swe' -> 'sv': ISO 639-1 codes, as Story.language holds."""
    code = declared_code(tag)
    return code if code and len(code) == 2 else None


def pick_agency(*candidates: str | None) -> str | None:
    """The agency from a list of places that may name it (provider code, credit line,
    copyright holder). A name we know wins over one we don't, in the order given."""
    cleaned = []
    for candidate in candidates:
        if not candidate or not candidate.strip():
            continue
        text = " ".join(_COPYRIGHT_NOISE.sub(" ", candidate).split())
        if text:
            cleaned.append(text)
    for text in cleaned:
        lowered = text.lower()
        if lowered in AGENCIES:
            return canonical_agency(text)
        if lowered in _AGENCY_NAMES:
            return _AGENCY_NAMES[lowered]
    if known := known_agency(*cleaned):
        return known
    return cleaned[0] if cleaned else None


def known_agency(*candidates: str | None) -> str | None:
    """An agency we know by name, found in free text such as a feed's title ('Reuters: World
    News'), or None: a newspaper's own feed title must not pass for an agency."""
    for candidate in candidates:
        if not candidate:
            continue
        lowered = " ".join(_COPYRIGHT_NOISE.sub(" ", candidate).split()).lower()
        if lowered in AGENCIES:
            return canonical_agency(lowered)
        if lowered in _AGENCY_NAMES:
            return _AGENCY_NAMES[lowered]
        if _ANY_AGENCY_NAME.search(lowered):
            for pattern, canonical in _AGENCY_NAME_WORDS:
                if pattern.search(lowered):
                    return canonical
        for word in _NON_WORD.split(lowered):
            # Two-letter words ('ap', 'pa') are too often something else in free text.
            if len(word) > 2 and word in AGENCIES:
                return canonical_agency(word)
    return None


def title_place(raw: str | None) -> str | None:
    """'BEIRUT' -> 'Beirut'; a place written in mixed case keeps its spelling."""
    if not raw or not raw.strip():
        return None
    raw = " ".join(raw.split()).strip(" ,-–—")
    if raw.isupper():
        return " ".join("-".join(p.capitalize() for p in w.split("-")) for w in raw.split())
    return raw or None
