"""ANPA-1312, the US newspaper wire framing AP and its members still send.

A message is ``SYN SYN SOH``, a one-line header (service level and selector, priority letter,
category letter, slug with version words, date, word count), ``STX``, the text, ``ETX`` and a
time trailer. In the text, ``^`` lines carry the slug echo, headline, editor's notes and byline;
paragraphs open with a tab or an indent. The framing is read on the raw bytes, so error
positions are byte offsets, and each part is decoded on its own.

Broken framing (no SOH, no STX, no ETX) raises ParseError naming the byte where it broke: such
copy was cut in transmission and must not reach editors as if it were whole.
"""

from __future__ import annotations

import re

from schemas import PubStatus, Subject
from workers.encoding import decode_text
from workers.errors import ParseError
from workers.formats.base import ParsedItem, WireFormat
from workers.formats.framing import EOT, SOH, SYN, cut_frame
from workers.formats.versionwords import read_version_words
from workers.formats.wiretime import parse_anpa_trailer, parse_embargo

__all__ = ["ANPA_CATEGORIES", "ANPA_PRIORITIES", "Anpa1312"]


# Priority letter -> urgency (1 is a flash). Advisories and schedules are for editors only.
ANPA_PRIORITIES: dict[str, int] = {
    "f": 1,  # flash
    "b": 2,  # bulletin
    "u": 3,  # urgent
    "s": 4,  # special / priority
    "r": 5,  # routine
    "a": 6,  # advisory
    "d": 7,  # deferred
    "w": 8,  # weekend / advance copy
}

# Category letters as AP assigns them; an unknown letter is kept without a name.
ANPA_CATEGORIES: dict[str, str] = {
    "a": "Domestic news",
    "e": "Entertainment",
    "f": "Financial",
    "i": "International news",
    "k": "Commentary",
    "l": "Lifestyle",
    "o": "Weather",
    "p": "National politics",
    "q": "Sports results",
    "s": "Sports",
    "t": "Travel",
    "v": "Advisories",
    "w": "Washington",
}

_HEADER = re.compile(
    r"^\s*(?P<service>[A-Za-z])\s?(?P<selector>\d{3,5})\s+(?P<priority>[A-Za-z])\s+"
    r"(?P<category>[A-Za-z])\s+(?P<rest>\S.*?)\s*$"
)
_HEADER_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_REFERENCE = re.compile(r"^[a-z]\d{4}$")
# The two-letter cycle prefix of an AP slug: BC (both cycles), AM, PM.
_CYCLE = re.compile(r"^(?:[&%]\S*-)?(?P<cycle>[A-Z]{2})-", re.IGNORECASE)
_LINE_END = re.compile(r"[<=>]+\s*$")
_NOTE = re.compile(r"^(?:eds?|editors?|editor's note|ed note|note to editors)\s*[:.]", re.I)
_AFFILIATION = re.compile(r"associated press|\bAP\b.*writer", re.IGNORECASE)
_END_LINE = re.compile(
    r"^(?:AP-[A-Z]{2}-\d{1,2}-\d{1,2}-\d{2,4}\s+\d{4}\s*[A-Z]{1,4}|-?30-|\(?END\)?|-0-)$"
)
_SLUG_TAIL = re.compile(r"correction|corrected|kill|elimination|advisory|writethru", re.I)
_COPYRIGHT = re.compile(r"^\(?\s*copyright\b", re.IGNORECASE)


class Anpa1312(WireFormat):
    name = "anpa1312"

    def sniff(self, raw: bytes) -> float:
        head = raw[:256].lstrip(b"\r\n ")
        start = head.find(SOH)
        if start < 0 or start > 4:
            return 0.0
        header = head[start + 1 : start + 80].split(b"\n")[0].decode("latin-1")
        if _HEADER.match(header):
            return 0.95
        # SYN SYN SOH is ANPA's own; a bare SOH may as well be IPTC 7901.
        return 0.6 if head.startswith(SYN + SYN + SOH) else 0.3

    def split(self, raw: bytes) -> list[bytes]:
        """One item per SYN SYN SOH; a message without that marker is one item."""
        starts = [m.start() for m in re.finditer(re.escape(SYN + SYN + SOH), raw)]
        if len(starts) < 2:
            return [raw]
        return [raw[a:b] for a, b in zip(starts, [*starts[1:], len(raw)], strict=True)]

    def parse(self, raw: bytes) -> ParsedItem:
        header_bytes, text_bytes, trailer_bytes = cut_frame(
            raw, format="anpa1312", header="ANPA-1312 header"
        )
        header, _ = decode_text(header_bytes)
        text, _ = decode_text(text_bytes)
        trailer, _ = decode_text(trailer_bytes.split(EOT)[0])

        match = _HEADER.match(header.strip().split("\n")[0])
        if not match:
            raise ParseError(
                f"header {header.strip()[:60]!r} is not 'service+selector priority category "
                "slug ...'",
                format=self.name,
                position=f"byte {raw.find(SOH) + 1}",
            )
        item = ParsedItem(format=self.name, body=[])
        notes = item.notes
        notes.append(f"selector: {match['service']}{match['selector']}")
        priority = match["priority"].lower()
        item.urgency = ANPA_PRIORITIES.get(priority)
        if item.urgency is None:
            notes.append(f"unknown priority letter {priority!r}")
        category = match["category"].lower()
        item.subjects.append(
            Subject(scheme="anpa-category", code=category, name=ANPA_CATEGORIES.get(category))
        )

        slug, version_text, header_date, word_count = _read_rest(match["rest"])
        # 'BC-Iowa-Flooding-Correction': a version word on the slug's tail belongs to the
        # version, and the id must stay the story's own so that its versions chain.
        stem, _, tail = slug.rpartition("-")
        if stem and _SLUG_TAIL.fullmatch(tail):
            slug, version_text = stem, f"{tail} {version_text}".strip()
        item.slugline = slug
        if cycle := _CYCLE.match(slug):
            item.keywords = [w for w in slug[cycle.end() :].split("-") if w]
        else:
            item.keywords = [w for w in slug.split("-") if w]
        if word_count is not None:
            notes.append(f"word count: {word_count}")
        words = read_version_words(version_text)
        item.version, item.signals, item.status = words.version, words.signals, words.status
        if words.urgency and (item.urgency is None or words.urgency < item.urgency):
            item.urgency = words.urgency
        if words.advisory:
            notes.append("advisory: for editors, not for publication")
        if version_text:
            notes.append(f"version words: {version_text}")

        day, stamp = parse_anpa_trailer(trailer)
        item.date_hint, item.version_created = day, stamp
        _read_text(text, item, slug)
        if item.version_created is None and item.date_hint is None:
            # Some feeds leave the trailer empty and sign off in the text instead.
            for note in item.notes:
                if note.startswith("sign-off: "):
                    item.date_hint, item.version_created = parse_anpa_trailer(note)
        if header_date and item.date_hint:
            month, day_of_month = header_date
            item.item_id = f"{slug}/{item.date_hint.year:04d}-{month:02d}-{day_of_month:02d}"
        else:
            item.item_id = slug
        if words.embargoed and item.embargoed_until is None:
            _mark_embargoed(item, version_text)
        return item


def _read_rest(rest: str) -> tuple[str, str, tuple[int, int] | None, int | None]:
    """'BC-Syria-Victory 1stLd-Writethru,a0511 11-10 0814' -> slug, version words, (month,
    day), word count."""
    tokens = rest.replace(",", " ").split()
    slug = tokens.pop(0)
    word_count = None
    if tokens and re.fullmatch(r"\d{3,5}", tokens[-1]):
        word_count = int(tokens.pop())
    header_date = None
    if tokens and (m := _HEADER_DATE.match(tokens[-1])):
        header_date = (int(m[1]), int(m[2]))
        tokens.pop()
    version = " ".join(t for t in tokens if not _REFERENCE.match(t))
    return slug, version, header_date, word_count


def _read_text(text: str, item: ParsedItem, slug: str) -> None:
    """Fill headline, byline, notes and body from the text between STX and ETX."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    top = True
    paragraphs: list[list[str]] = []
    for line in lines:
        bare = _LINE_END.sub("", line).rstrip()
        if not bare.strip():
            if paragraphs and paragraphs[-1]:
                paragraphs.append([])
            continue
        stripped = bare.strip()
        if stripped.startswith("^"):
            content = stripped.lstrip("^").strip()
            if top:
                _read_top_line(content, item, slug)
            elif content:
                # A '^' line inside the text is a subhead: a paragraph of its own.
                paragraphs.extend([[content], []])
            continue
        if _END_LINE.match(stripped):
            item.notes.append(f"sign-off: {stripped}")
            continue
        top = False
        starts_paragraph = line[:1] == "\t" or line.startswith("  ")
        if starts_paragraph or not paragraphs:
            paragraphs.append([stripped])
        else:
            paragraphs[-1].append(stripped)
    body = [" ".join(p) for p in paragraphs if p]
    while body and _COPYRIGHT.match(body[-1]):
        item.notes.append(body.pop())
    item.body = body
    # AP names itself in bylines ('By The Associated Press') and in kill and correction notes.
    if item.agency is None:
        seen = " ".join([item.byline or "", *item.notes, *body[:2]])
        if re.search(r"\bAssociated Press\b", seen):
            item.agency = "AP"


def _read_top_line(content: str, item: ParsedItem, slug: str) -> None:
    if not content:
        return
    if content.lower().startswith(slug.lower()):
        return  # the slug echoed above the headline
    if _NOTE.match(content):
        item.notes.append(content)
        _note_embargo(content, item)
    elif re.match(r"^by\s", content, re.IGNORECASE):
        item.byline = content
    elif _AFFILIATION.search(content) and (item.byline or item.headline):
        item.agency = "AP"
        item.byline = f"{item.byline}, {content}" if item.byline else content
    elif item.headline is None:
        item.headline = content
    else:
        item.notes.append(f"deck: {content}")


def _note_embargo(note: str, item: ParsedItem) -> None:
    if re.search(r"\bembargo", note, re.IGNORECASE):
        _mark_embargoed(item, note)


def _mark_embargoed(item: ParsedItem, text: str) -> None:
    """An embargo stated in words. Held even when its time cannot be read: publishing early
    breaks the agency's terms, holding late only costs minutes until an editor looks."""
    if item.status is PubStatus.canceled:
        return
    item.status = PubStatus.embargoed
    year = item.date_hint.year if item.date_hint else None
    item.embargoed_until = parse_embargo(text, default_year=year) or item.embargoed_until
    if item.embargoed_until is None:
        item.notes.append("embargo time not understood; held for an editor")
