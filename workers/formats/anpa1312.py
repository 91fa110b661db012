"""ANPA-1312, the US/Canadian newspaper wire framing AP, CP and their members still send.

A message as the agencies send it::

    SYN SYN SOH W2870 US asian LF       service letter + story number, then US (0x1F) and the
                                        selector codes ('asian', '-----'); older and relayed
                                        feeds put it all on one line ('a0412 r a BC-...') or
                                        leave the US and the selectors out
    f l DC3 DC1 BC-LT--Mirrors-Cancer   priority letter, category letter, format identifier
        1stLd-Writethru a0412 11-13 1049    (DC3 body / DC4 agate, then DC1 text / DC2
                                        tabular), the keyword (24 characters at most, spaces
                                        squeezed out; AP prefixes its cycle 'BC-'/'AM-'/'PM-'
                                        and its desk 'LT--'), version words, a reference to
                                        the earlier take, the filing date (MM-DD; CP sends
                                        DD-MM) and the word count. Any of these may be absent.
    STX ^BC-LT--Mirrors-Cancer Look, 1st Ld-Writethru,466<
                                        the keyword again in full, with its version words
                                        and word count
        ^Headline<                      '^' lines: headline, editor's notes ('Eds:', 'EDITOR'S
        ^AP Photo XYZ101<               NOTE _', '(Eds: ...)'), photo references, a summary,
        ^Eds: With AP Photos.<          byline, and the credit or job-title line under it.
        ^By JANE DOE=                   Lines end in '<' or '=' (CP: '@<'); a line without
        ^AP Science Writer=             one may wrap onto the next line (CP 'HL:' headlines)
            CITY, State (AP) _ Text     paragraphs open with a tab or an indent; agate rows
        ^Subhead<                       open with TLI (0x08) and use 0x10 space bands and
        END                             0x1E/0x1F column marks; '^' lines after the byline
    ETX AP-WF-11-13-13 1509GMT<         are subheads. The time trailer follows ETX (CP puts
        FF EOT                          the clock first: '16:35ET 31-10-14').

The framing is cut on the raw bytes (workers.formats.framing), so error positions are byte
offsets. Copy cut in transmission (no SOH, no STX, no ETX) raises ParseError: it must not reach
editors as if it were whole. Anything else is read as far as it goes: a header or a '^' block
of a shape not seen before never loses a readable story; what could not be read is noted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from schemas import PubStatus, Signal, Subject
from workers.dateline import canonical_agency
from workers.encoding import decode_text
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

_NAME = "anpa1312"
_DC2, _DC4 = "\x12", "\x14"  # tabular; agate (DC1 text and DC3 body are the others)

# --- header ---------------------------------------------------------------------------------
# 'W2870' / 'a0412' / '1488': service level letter and story number, then an optional UPI
# string before US.
_NUMBER = re.compile(r"^\s*(?P<service>[A-Za-z])?\s?(?P<number>\d{3,5})(?!\d)")
_SELECTOR = re.compile(r"^(?P<selector>[^\s\x1f]{0,12})")
_PRIORITY = re.compile(r"^\s*(?P<priority>[A-Za-z]) (?P<category>[A-Za-z])(?=[\s\x11-\x14]|$)")
_FORMAT_ID = re.compile(r"^[\x11-\x14]{1,2}")
_HEADER_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_WORD_COUNT = re.compile(r"^\d{1,5}$")
# A reference to the take this one follows: AP 'a0412', CP 'TB06'.
_REFERENCE = re.compile(r"^[A-Za-z]{1,2}\d{2,4}$")
_KEYWORD = re.compile(r"^[\w&%$#@*'./-]{1,40}$")
# Header for sniff: the one-line form ('a0412 r a BC-...'), the selector form (US, then
# priority and category on the next line), or priority and category before the format
# identifier (DC3/DC4 then DC1/DC2), which no other format sends.
_SNIFF_ONE_LINE = re.compile(r"^\s*[A-Za-z]?\s?\d{3,5}\s+[A-Za-z]\s[A-Za-z]\s+\S")
_SNIFF_SELECTOR = re.compile(
    r"^\s*[A-Za-z]?\d{3,5}[^\x1f\n]{0,16}\x1f[^\n]{0,12}\r?\n[A-Za-z] [A-Za-z]"
)
_SNIFF_FORMAT_ID = re.compile(r"(?:^|\n)\s*[A-Za-z] [A-Za-z][\x13\x14][\x11\x12]")

# --- keyword --------------------------------------------------------------------------------
# AP's cycle ('BC-' both cycles, 'AM-', 'PM-') and desk ('US--', 'BKN--') prefixes: not part
# of the slug an editor reads.
_CYCLE_DESK = re.compile(r"^(?:(?P<cycle>AM|PM|BC)-)?(?:(?P<desk>[A-Za-z]{1,6})--)?", re.I)
# Version words glued to the keyword's tail ('BC-Iowa-Flooding-Correction').
_SLUG_TAIL = re.compile(r"correction|corrected|kill|elimination|advisory|writethru", re.I)
_SQUEEZE = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"[ \t]{2,}")

# --- text -----------------------------------------------------------------------------------
# Line terminators: '<' (end of paragraph), '=' (AP header lines), '@<' (CP), '>'.
_LINE_END = re.compile(r"\s*@?[<=>]+\s*$")
_TERMINATORS = ("<", "=", ">")
# Two '^' lines sent on one physical line: '^*9006< ^AP-Top-...,0176<'.
_JOINED = re.compile(r"([<=])[ \t]+(?=\^)")
# Typesetting controls in the text: TLI starts an agate row, space bands and column marks
# separate words and cells. They are not text, but dropping them would glue cells together.
_TYPESETTING = str.maketrans({"\x08": "\t", "\x10": " ", "\x1e": " ", "\x1f": " ", "\x0c": ""})
_NOTE = re.compile(
    r"^\(?\s*(?:eds?|editors?|editor'?s note|ed note|note to editors|advisory)\s*(?:[:._]|--|—)",
    re.IGNORECASE,
)
_MEDIA = re.compile(r"^(?:AP\s+|With\s+)?(?:Photos?|Video|Graphics?|Audio|Interactive)\b", re.I)
_MEDIA_CODES = re.compile(r"^[\sA-Za-z]*(?:[A-Z]{2,}\d{2,}[,;\s]*)+$")
_CODE_LINE = re.compile(r"^[*#]\S{0,15}$|^\d{1,6}$")
_URGENCY_LINE = re.compile(
    r"^(?:BULLETIN|URGENT|FLASH|AP\s*News\s*Alert|News\s*Alert|APNewsNow)\W*$", re.I
)
# 'HL: ...' and similar keyed header lines (CP). Only these keys: 'AP Exclusive: ...' is a
# headline, not a key.
_KEYED = re.compile(
    r"^(?P<key>HL|HED|HEAD|HEADLINE|TITLE|UPDATE|INDEX|SYMBOL|SYMBOLS|CODE|KEYWORDS?|SUBJECT|"
    r"TAGS|CATEGORY|DESK|PHOTO|PHOTOS|VIDEO|GRAPHIC|GRAPHICS|SOURCE|CREDIT|DATELINE)\s*:\s*"
    r"(?P<value>.*)$",
    re.IGNORECASE,
)
_HEADLINE_KEYS = {"hl", "hed", "head", "headline", "title"}
_BYLINE = re.compile(r"^(?:by|par|por|von|di)\s+(?=[A-ZÀ-Ý\"“'])", re.IGNORECASE)
_CREDITS = re.compile(
    r"\b(?P<name>(?:the\s+)?associated\s+press|(?:the\s+)?canadian\s+press|la\s+presse\s+"
    r"canadienne|united\s+press\s+international|agence\s+france[- ]presse|deutsche\s+"
    r"presse-agentur|reuters|bloomberg(?:\s+news)?|AP|CP|UPI|AFP|dpa)\b",
    re.IGNORECASE,
)
_CREDIT_NAMES = {
    "associated press": "AP",
    "canadian press": "CP",
    "la presse canadienne": "CP",
    "united press international": "UPI",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "deutsche presse-agentur": "dpa",
    "bloomberg news": "Bloomberg",
}
_TITLE_WORD = re.compile(
    r"\b(?:writers?|correspondents?|editors?|columnists?|critics?|reporters?|photographers?|"
    r"staff|contributors?|analysts?|producers?|journalists?)\b",
    re.IGNORECASE,
)
_DATELINE_CREDIT = re.compile(r"^[^()\n]{1,80}?\((?P<credit>[A-Za-z][A-Za-z .&/-]{0,24})\)\s*")
_END_LINE = re.compile(
    r"^(?:[A-Z]{2,5}-[A-Z]{1,4}-\d{1,2}-\d{1,2}-\d{2,4}\s+\d{4}\s*[A-Z]{1,4}|-?30-|\(?END\)?|"
    r"-0-|ENDIT|MORE)$"
)
_EDS_CORRECTION = re.compile(r"\bcorrect(?:s|ed|ing|ion)\b", re.IGNORECASE)
_COPYRIGHT = re.compile(r"^\(?\s*copyright\b", re.IGNORECASE)
_MENTION = re.compile(r"\bAssociated Press\b|\bCanadian Press\b")
# The sign-off's service stamp: 'AP-WF-11-13-13 1509GMT'.
_STAMP = re.compile(r"^\s*(?P<agency>[A-Z]{2,5})-[A-Z]{1,4}-\d{1,2}-\d{1,2}-\d{2,4}\b")
# CP's trailer puts the clock before the date: '16:35ET 31-10-14'.
_CLOCK_FIRST = re.compile(
    r"(?P<hh>\d{1,2}):?(?P<mm>\d{2})\s*(?P<tz>[A-Z]{1,4})?\s+(?P<a>\d{1,2})-(?P<b>\d{1,2})-"
    r"(?P<y>\d{2}|\d{4})\b"
)
_BARE_NUMBER = re.compile(r"^(?:v(?:ersion)?\.?\s*)?(?P<n>\d{1,3})$", re.IGNORECASE)


@dataclass
class _Header:
    """What the SOH header carried; every field may be missing."""

    service: str | None = None
    number: str | None = None
    selector: str | None = None
    priority: str | None = None
    category: str | None = None
    agate: bool = False
    tabular: bool = False
    keyword: str | None = None
    version: str = ""
    references: list[str] = field(default_factory=list)
    filed: tuple[int, int] | None = None
    word_count: int | None = None
    missing: list[str] = field(default_factory=list)
    upi: str | None = None
    unread: str | None = None


@dataclass
class _Echo:
    """The keyword line at the top of the text: the keyword in full, version, word count."""

    keyword: str
    version: str = ""
    word_count: int | None = None


@dataclass
class _TextState:
    """What the text reader has found so far. ``top`` is true while in the '^' header block;
    ``credited`` once the byline (or its credit line) has been read under a headline."""

    header_keyword: str | None
    echo: _Echo | None = None
    top: bool = True
    credited: bool = False
    decks: list[str] = field(default_factory=list)
    paragraphs: list[list[str]] = field(default_factory=list)
    open_paragraph: bool = False


class Anpa1312(WireFormat):
    name = _NAME

    def sniff(self, raw: bytes) -> float:
        head = raw[:256].lstrip(b"\r\n ")
        start = head.find(SOH)
        if start < 0 or start > 4:
            return 0.0
        header = head[start + 1 : start + 120].decode("latin-1")
        syn = head.startswith(SYN + SYN + SOH)
        if _SNIFF_ONE_LINE.match(header.split("\n")[0]):
            return 0.95
        if _SNIFF_SELECTOR.match(header) or _SNIFF_FORMAT_ID.search(header):
            # Some agencies (Kyodo) send this header in IPTC 7901 framing and text: without
            # ANPA's SYN SYN or its '^' text lines, 7901 reads such copy better.
            stx = raw.find(b"\x02", start, start + 200)
            if syn or (stx >= 0 and b"^" in raw[stx : stx + 200]):
                return 0.95
            return 0.35
        # SYN SYN SOH is ANPA's own; a bare SOH may as well be IPTC 7901.
        return 0.6 if syn else 0.3

    def split(self, raw: bytes) -> list[bytes]:
        """One item per SYN SYN SOH; a message without that marker is one item."""
        starts = [m.start() for m in re.finditer(re.escape(SYN + SYN + SOH), raw)]
        if len(starts) < 2:
            return [raw]
        return [raw[a:b] for a, b in zip(starts, [*starts[1:], len(raw)], strict=True)]

    def parse(self, raw: bytes) -> ParsedItem:
        header_bytes, text_bytes, trailer_bytes = cut_frame(
            raw, format=_NAME, header="ANPA-1312 header"
        )
        header_text, _ = decode_text(header_bytes)
        text, _ = decode_text(text_bytes)
        trailer, _ = decode_text(trailer_bytes.split(EOT)[0])

        header = _read_header(header_text)
        item = ParsedItem(format=_NAME, body=[])
        _apply_header(header, item)
        item.date_hint, item.version_created = _read_trailer(trailer)

        state = _TextState(header_keyword=header.keyword)
        _read_text(text, item, state, preformatted=header.agate or header.tabular)
        _apply_keyword(header, state.echo, item)
        _find_agency(item, trailer)
        if item.version_created is None and item.date_hint is None:
            # Some feeds leave the trailer empty and sign off in the text instead.
            for note in item.notes:
                if note.startswith("sign-off: "):
                    item.date_hint, item.version_created = _read_trailer(note)
        item.item_id = _item_id(item.item_id, header.filed, item.date_hint)
        return item


# --- header ---------------------------------------------------------------------------------
def _read_header(text: str) -> _Header:
    """Read the header field by field, each optional, in the order the standard gives them."""
    found = _Header()
    rest = text.replace("\r", "").lstrip("\x16 \n")
    if "\x1f" in rest[:40]:
        number_part, _, rest = rest.partition("\x1f")
        if m := _NUMBER.match(number_part):
            found.service, found.number = m["service"], m["number"]
            found.upi = number_part[m.end() :].strip() or None
        selector = _SELECTOR.match(rest)
        found.selector = selector["selector"] if selector else None
        rest = rest[selector.end() :] if selector else rest
    elif m := _NUMBER.match(rest):
        found.service, found.number = m["service"], m["number"]
        rest = rest[m.end() :]
    if m := _PRIORITY.match(rest):
        found.priority, found.category = m["priority"].lower(), m["category"].lower()
        rest = rest[m.end() :]
    if m := _FORMAT_ID.match(rest):
        flags = m[0]
        found.agate, found.tabular = flags[0] == _DC4, flags[-1] == _DC2
        rest = rest[m.end() :]
    _read_keyword_line(rest, found)
    for part, value in (
        ("story number", found.number),
        ("priority and category letters", found.priority),
        ("keyword", found.keyword),
    ):
        if value is None:
            found.missing.append(part)
    if found.keyword is None and found.number is None and found.priority is None:
        found.unread = text.strip()[:80]
    return found


def _read_keyword_line(rest: str, found: _Header) -> None:
    """'BC-Syria-Victory 1stLd-Writethru,a0511 11-10 0814': keyword, version words,
    reference, filing date, word count. Empty fields leave runs of spaces."""
    tokens = rest.replace(",", " ").split()
    if not tokens:
        return
    date_at = next(
        (i for i in range(len(tokens) - 1, 0, -1) if _HEADER_DATE.match(tokens[i])), None
    )
    if date_at is not None:
        day, month = tokens[date_at].split("-")  # the token matched _HEADER_DATE
        found.filed = (int(day), int(month))
        after, tokens = tokens[date_at + 1 :], tokens[:date_at]
        if after and _WORD_COUNT.match(after[0]):
            found.word_count = int(after[0])
    elif len(tokens) > 1 and _WORD_COUNT.match(tokens[-1]):
        found.word_count = int(tokens.pop())
    keyword = tokens[0]
    # A keyword without the rest of a header around it is only believed when it looks like one:
    # free text after SOH is not a slug.
    sure = found.priority is not None or date_at is not None or found.word_count is not None
    if not _KEYWORD.match(keyword) or not (sure or "-" in keyword):
        return
    found.keyword = keyword
    words = [t for t in tokens[1:] if not _REFERENCE.match(t)]
    found.references = [t for t in tokens[1:] if _REFERENCE.match(t)]
    found.version = " ".join(words)


def _apply_header(header: _Header, item: ParsedItem) -> None:
    notes = item.notes
    if header.number:
        notes.append(f"selector: {header.service or ''}{header.number}")
    if header.upi:
        notes.append(f"UPI: {header.upi}")
    if header.selector:
        notes.append(f"selector codes: {header.selector}")
    if header.priority:
        item.urgency = ANPA_PRIORITIES.get(header.priority)
        if item.urgency is None:
            notes.append(f"unknown priority letter {header.priority!r}")
    if header.category:
        item.subjects.append(
            Subject(
                scheme="anpa-category",
                code=header.category,
                name=ANPA_CATEGORIES.get(header.category),
            )
        )
    if header.agate or header.tabular:
        notes.append("format: agate/tabular copy")
    if header.word_count is not None:
        notes.append(f"word count: {header.word_count}")
    if header.unread == "":
        notes.append("header empty")
    elif header.unread is not None:
        notes.append(f"header not understood: {header.unread!r}")
    elif header.missing:
        notes.append(f"header without {', '.join(header.missing)}")


# --- keyword, version -----------------------------------------------------------------------
def _apply_keyword(header: _Header, echo: _Echo | None, item: ParsedItem) -> None:
    """Slug, keywords, id and version from the header keyword and its full echo in the text.

    The header keyword is cut to 24 characters with its spaces squeezed out; the echo carries
    it in full, so the slug comes from the echo when it is the same keyword."""
    raw_keyword = header.keyword or (echo.keyword if echo else None)
    version_text = header.version or (echo.version if echo else "")
    full = echo.keyword if echo else header.keyword
    if raw_keyword:
        stem, tail = _split_tail(raw_keyword)
        if tail:
            raw_keyword, version_text = stem, f"{tail} {version_text}".strip()
    if full:
        full = _split_tail(full)[0]
    if echo is not None and echo.word_count is not None and header.word_count is None:
        item.notes.append(f"word count: {echo.word_count}")
    if full:
        prefix = _cycle_desk(full)
        slug = full[prefix.end() :] or full
        if prefix["desk"]:
            item.notes.append(f"desk: {prefix['desk']}")
        item.slugline = slug
        item.keywords = [w for w in slug.split("-") if w.strip()]
    item.item_id = raw_keyword
    if header.references:
        item.notes.append(f"follows: {', '.join(header.references)}")
    _apply_version(version_text, item)


def _split_tail(keyword: str) -> tuple[str, str]:
    """'BC-Iowa-Flooding-Correction' -> ('BC-Iowa-Flooding', 'Correction')."""
    stem, _, tail = keyword.rpartition("-")
    if stem and _SLUG_TAIL.fullmatch(tail.strip()):
        return stem, tail.strip()
    return keyword, ""


def _apply_version(text: str, item: ParsedItem) -> None:
    """Version words as carried go to version_label; the number and signals follow from them.
    A bare number is a version number, not an editorial signal."""
    text = text.strip()
    if not text:
        return
    item.notes.append(f"version words: {text}")
    if bare := _BARE_NUMBER.match(text):
        item.version = max(int(bare["n"]), 1)
        return
    item.version_label = text
    words = read_version_words(text)
    item.version = max(item.version, words.version)
    item.signals = list(dict.fromkeys([*item.signals, *words.signals]))
    if words.status is PubStatus.canceled:
        item.status = PubStatus.canceled
    if words.urgency and (item.urgency is None or words.urgency < item.urgency):
        item.urgency = words.urgency
    if words.advisory:
        item.notes.append("advisory: for editors, not for publication")
    if words.embargoed and item.embargoed_until is None:
        _mark_embargoed(item, text)


def _item_id(keyword: str | None, filed: tuple[int, int] | None, day: date | None) -> str | None:
    """The keyword and filing date: the same for every take of a story on one day."""
    if not keyword:
        return None
    if not (filed and day):
        return keyword
    when = _filing_date(filed, day)
    return f"{keyword}/{when:%Y-%m-%d}" if when else keyword


def _filing_date(filed: tuple[int, int], sent: date) -> date | None:
    """The header's 'MM-DD' (AP) or 'DD-MM' (CP), read as whichever is a date nearest the day
    the trailer says the copy was sent."""
    candidates = []  # (distance in days, month-day first, the date)
    for order, (month, day) in enumerate((filed, filed[::-1])):
        for year in (sent.year, sent.year - 1):
            try:
                when = date(year, month, day)
            except ValueError:
                continue
            candidates.append((abs((sent - when).days), order, when))
    return min(candidates)[2] if candidates else None


def _read_trailer(trailer: str) -> tuple[date | None, datetime | None]:
    """'AP-WF-11-13-13 1509GMT' (date first) or CP's '16:35ET 31-10-14' (clock first)."""
    day, stamp = parse_anpa_trailer(trailer)
    if day is not None:
        return day, stamp
    if m := _CLOCK_FIRST.search(trailer):
        a, b = int(m["a"]), int(m["b"])
        # Clock-first trailers come from day-month countries; a month above 12 says otherwise.
        month, day_of_month = (a, b) if b > 12 else (b, a)
        return parse_anpa_trailer(
            f"{month}-{day_of_month}-{m['y']} {int(m['hh']):02d}{m['mm']}{m['tz'] or ''}"
        )
    return None, None


# --- text -----------------------------------------------------------------------------------
def _read_text(text: str, item: ParsedItem, state: _TextState, *, preformatted: bool) -> None:
    """Fill headline, byline, notes and body from the text between STX and ETX."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TYPESETTING)
    pending: list[str] = []  # a '^' header line that may wrap onto the next line
    for line in _JOINED.sub(r"\1\n", text).split("\n"):
        stripped = line.strip()
        terminated = stripped.endswith(_TERMINATORS)
        bare = _LINE_END.sub("", stripped).strip() if terminated else stripped
        if "  " in bare or "\t" in bare:
            # Runs of spaces mean nothing once space bands are spaces (normalise folds them).
            bare = _SPACES.sub(" ", bare)
        indented = line[:1] == "\t" or line.startswith("  ")
        wraps = state.top and pending and bare and not indented and not bare.startswith("^")
        if wraps and _wraps(pending, bare):
            pending.append(bare)  # the header line wraps
            if terminated:
                _flush(pending, item, state)
            continue
        if pending:
            _flush(pending, item, state)
        if not bare:
            state.open_paragraph = False
            continue
        if state.top and not indented:
            if bare.startswith("^"):
                content = bare.lstrip("^").strip()
                if not _ends_top(content, item, state):
                    if content:
                        pending.append(content)
                        if terminated:
                            _flush(pending, item, state)
                    continue
                bare = content
                state.top = False
                _subhead(bare, item, state)
                continue
            if _KEYED.match(bare) or _CODE_LINE.match(bare):
                # A keyed line without its '^' ('code:2' between CP's header lines).
                pending.append(bare)
                if terminated:
                    _flush(pending, item, state)
                continue
        state.top = False
        _body_line(bare, item, state, indented=indented, terminated=terminated,
                   preformatted=preformatted)  # fmt: skip
    if pending:
        _flush(pending, item, state)
    _finish_body(item, state)


def _wraps(pending: list[str], line: str) -> bool:
    """Whether a flush-left line continues an unterminated '^' line (CP wraps 'HL:' lines)
    rather than being a byline, a keyed line or the start of flush-left text."""
    if _BYLINE.match(line) or _KEYED.match(line) or _credit_line(line):
        return False
    if _DATELINE_CREDIT.match(line) and "(" in line[:60]:
        return False
    return sum(map(len, pending)) + len(line) < 250


def _ends_top(content: str, item: ParsedItem, state: _TextState) -> bool:
    """A '^' line after the byline and its credit is a subhead of the text (an agate table's
    'AMERICAN LEAGUE'), unless it is another credit or title line."""
    if not (state.credited and item.headline):
        return False
    return not (_credit_line(content) or _NOTE.match(content) or _END_LINE.match(content))


def _flush(pending: list[str], item: ParsedItem, state: _TextState) -> None:
    content = " ".join(pending).strip()
    pending.clear()
    if content:
        _read_top_line(content, item, state)


def _read_top_line(content: str, item: ParsedItem, state: _TextState) -> None:
    """Sort one '^' line of the header block."""
    echo, own = _echo(content, state.header_keyword)
    if echo and own and state.echo is None:
        state.echo = echo
        return
    if echo:
        # Another story's keyword line, or this one's sent again: never a headline.
        item.notes.append(f"keyword line: {content}")
        return
    if _END_LINE.match(content):
        item.notes.append(f"sign-off: {content}")
    elif keyed := _KEYED.match(content):
        key, value = keyed["key"].lower(), keyed["value"].strip()
        if key in _HEADLINE_KEYS and item.headline is None and value:
            item.headline = value
        else:
            item.notes.append(content)
            if key == "update" and value:
                item.signals = list(dict.fromkeys([*item.signals, Signal.update]))
    elif _NOTE.match(content):
        _editors_note(content, item)
    elif _CODE_LINE.match(content) or _URGENCY_LINE.match(content) or _is_media(content, item):
        item.notes.append(content)
    elif _BYLINE.match(content) and len(content.split()) <= 16:
        _byline(content, item, state)
    elif (item.byline or item.headline) and _credit_line(content):
        _credit(content, item, state)
    elif item.headline is None:
        item.headline = content
    else:
        state.decks.append(content)


def _echo(content: str, header_keyword: str | None) -> tuple[_Echo | None, bool]:
    """Read a '^' line as the keyword line ('BC-US--Prairie-Lost Grass, 1st Ld-Writethru,1140').
    Returns the echo and whether it is the header's own keyword (squeezed and cut to 24
    characters there); without a header keyword, a line shaped like a keyword line is it."""
    parts = [p.strip() for p in content.split(",")]
    keyword = parts[0]
    if not keyword or len(keyword) > 60:
        return None, False
    word_count = None
    if len(parts) > 1 and (parts[-1] == "" or _WORD_COUNT.match(parts[-1])):
        word_count = int(parts[-1]) if parts[-1] else None
        parts = parts[:-1]
    echo = _Echo(
        keyword=keyword, version=", ".join(p for p in parts[1:] if p), word_count=word_count
    )
    if header_keyword:
        a, b = _squeezed(keyword), _squeezed(header_keyword)
        # The header cuts keywords to 24 characters: a long one need only begin the echo.
        if a and b and (a == b or (len(header_keyword) >= 20 and a.startswith(b))):
            return echo, True
    prefix = _cycle_desk(keyword)
    counted = word_count is not None or content.rstrip().endswith(",")
    shaped = (
        bool(prefix["cycle"])
        or (bool(prefix["desk"]) and counted)
        or (counted and "-" in keyword and len(keyword.split()) <= 4)
    )
    return (echo if shaped else None), header_keyword is None and shaped


def _cycle_desk(keyword: str) -> re.Match[str]:
    """``_CYCLE_DESK`` against a keyword: every part of the pattern is optional, so it matches
    any text (at worst empty, both groups None)."""
    prefix = _CYCLE_DESK.match(keyword)
    assert prefix is not None
    return prefix


def _squeezed(keyword: str) -> str:
    """The keyword as the header squeezes it, without a version tail, for comparing."""
    return _SQUEEZE.sub("", _split_tail(keyword)[0].lower())


def _is_media(content: str, item: ParsedItem) -> bool:
    """'AP Photo XNP101, XNP102', 'With AP Video': references to other media, not text."""
    if not _MEDIA.match(content):
        return False
    return item.headline is not None or bool(_MEDIA_CODES.match(content))


def _editors_note(content: str, item: ParsedItem) -> None:
    item.notes.append(content)
    if re.search(r"\bembargo", content, re.IGNORECASE):
        _mark_embargoed(item, content)
    # 'Eds: CORRECTS spelling of ...' is the agency saying this take corrects the last one.
    if _EDS_CORRECTION.search(content):
        item.signals = list(dict.fromkeys([*item.signals, Signal.correction]))
        item.version = max(item.version, 2)


def _byline(content: str, item: ParsedItem, state: _TextState) -> None:
    """'By JANE DOE, AP Science Writer' -> byline 'By JANE DOE'; the title is noted and the
    agency in it credited. 'By The Associated Press' is both byline and credit."""
    if item.byline is not None:
        item.notes.append(content)
        return
    head, sep, tail = content.rpartition(",")
    if sep and head.strip() and _credit_line(tail.strip()):
        content = head.strip()
        _credit(tail.strip(), item, state)
    item.byline = content
    if (agency := _agency_in(content)) and item.agency is None:
        item.agency = agency
        state.credited = True
    state.credited = state.credited or bool(item.headline)


def _credit(content: str, item: ParsedItem, state: _TextState) -> None:
    """'Associated Press', 'AP Sports Writer', 'THE CANADIAN PRESS': under the byline."""
    item.notes.append(f"credit: {content}")
    if (agency := _agency_in(content)) and item.agency is None:
        item.agency = agency
    state.credited = True


def _credit_line(text: str) -> bool:
    """A short line naming an agency or a job title, and nothing that reads as a sentence."""
    words = text.split()
    if not words or len(words) > 7 or text.endswith((".", "!", "?")):
        return False
    name = _CREDITS.search(text)
    if name and _only_credit(text, name):
        return True
    return bool(_TITLE_WORD.search(words[-1])) and all(w[:1].isupper() for w in words)


def _only_credit(text: str, name: re.Match[str]) -> bool:
    """The agency name, maybe with 'Special to', 'The' and a job title around it."""
    rest = (text[: name.start()] + " " + text[name.end() :]).strip()
    rest = re.sub(r"(?i)^(?:special\s+to|for|of)\b", "", rest).strip()
    return not rest or (bool(_TITLE_WORD.search(rest)) and len(rest.split()) <= 4)


def _agency_in(text: str) -> str | None:
    if not (m := _CREDITS.search(text)):
        return None
    name = re.sub(r"\s+", " ", m["name"].lower()).removeprefix("the ").strip()
    return _CREDIT_NAMES.get(name) or canonical_agency(name)


def _subhead(content: str, item: ParsedItem, state: _TextState) -> None:
    if _END_LINE.match(content):
        item.notes.append(f"sign-off: {content}")
    elif content:
        state.paragraphs.append([content])
        state.open_paragraph = False


def _body_line(
    bare: str, item: ParsedItem, state: _TextState, *, indented: bool, terminated: bool,
    preformatted: bool,
) -> None:  # fmt: skip
    """One line of text after the header block. Agate and tabular copy keeps every line as a
    row of its own; text joins wrapped lines into paragraphs."""
    if bare.startswith("^"):
        content = bare.lstrip("^").strip()
        if indented:
            # An agate header row ('TLI ^;W;L;Pct'): a row of the table.
            state.paragraphs.append([content])
            state.open_paragraph = False
        else:
            _subhead(content, item, state)
        return
    if _END_LINE.match(bare):
        item.notes.append(f"sign-off: {bare}")
        return
    if preformatted or indented or not state.open_paragraph:
        state.paragraphs.append([bare])
    else:
        state.paragraphs[-1].append(bare)
    # '<' ends a paragraph (quad left); so does every row of a table.
    state.open_paragraph = not (terminated or preformatted)


def _finish_body(item: ParsedItem, state: _TextState) -> None:
    body = [" ".join(p) for p in state.paragraphs if p]
    while body and _COPYRIGHT.match(body[-1]):
        item.notes.append(body.pop())
    body = _byline_paragraphs(body, item, state)
    if not body and state.decks:
        # A '^'-line digest (a list of headlines) has no other text: its lines are the copy.
        body, state.decks = state.decks, []
    item.notes.extend(f"deck: {d}" for d in state.decks)
    item.body = body


def _byline_paragraphs(body: list[str], item: ParsedItem, state: _TextState) -> list[str]:
    """Copy that puts the byline and credit in the text, before the dateline: 'By JANE DOE',
    'Associated Press'. They are the byline, not the lede."""
    for _ in range(3):
        if not body or len(body[0]) > 120:
            break
        first = body[0].strip()
        if _BYLINE.match(first) and item.byline is None and not first.endswith((".", "?", "!")):
            _byline(first, item, state)
        elif _credit_line(first) and len(first.split()) <= 5:
            _credit(first, item, state)
        else:
            break
        body = body[1:]
    return body


def _find_agency(item: ParsedItem, trailer: str) -> None:
    """The credited agency: the byline or credit line (read above), the dateline's
    '(AP)', an agency naming itself in editor's and kill notes, or the sign-off stamp."""
    if item.agency:
        return
    credit = _DATELINE_CREDIT.match(item.body[0]) if item.body else None
    if credit and (agency := _agency_in(credit["credit"])):
        item.agency = agency
        return
    seen = " ".join([*item.notes, *item.body[:2]])
    if m := _MENTION.search(seen):
        item.agency = _agency_in(m[0])
        return
    if m := _STAMP.match(trailer):
        item.agency = _agency_in(m["agency"])


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
