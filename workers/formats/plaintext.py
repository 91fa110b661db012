"""Plain-text wire copy: whatever reaches the desk as text no structured format claims.

Plain text is the fallback format, so ``sniff`` answers low but never zero for any text, except
XML: markup is never published as text, so XML no other format claims is refused by the
registry instead (``looks_like_xml`` says what counts).

What real agencies and their partners send as plain text, and how it is read:

- Agency copy: an optional headline line, a blank line, the dateline paragraph, paragraphs
  (blank-line separated, hard-wrapped near 70-80 columns, or one paragraph a line), perhaps a
  'By' line under the headline ('By JANE DOE' and a job-title line, which goes to notes). At
  the end, credits ('(Reporting by ...; Editing by ...)'), desk sign-offs ('AAP', 'dpa ab yy',
  '==Kyodo', '(ANSA).', initials 'ab/cd', AFP's 'burs-jm/lth') and end marks ('END', '-30-',
  '###'): notes, not story text; a sign-off naming an agency credits it when the dateline does
  not. A '[…]' trailer that is left last is normalise's to read. Version words flagged ahead
  of the headline ('REFILE-UPDATE 2-...') are the version label; 'CORRECTED-' is a correction.
- Press releases relayed by a distributor (PR Newswire's AsiaNet and the like): labelled header
  lines ('Source: <issuer>'), a release line ('MEDIA RELEASE PR67276', whose number is the
  item id), the headline (often wrapped over two lines), then the dateline alone on its line:
  'AUSTIN, Texas, Feb. 1, 2017 /PRNewswire-AsiaNet/ --'. Header lines go to notes; the lone
  dateline is joined to the paragraph it opens (a repeat of the headline between them is
  dropped) so normalise reads it. The agency is the distributor credited in the dateline, with
  the relay network taken off ('Kyodo JBN-AsiaNet' -> 'Kyodo JBN'): the issuer wrote the text
  but is no agency, and the distributor is whose wire carried it. Photo and logo link lines
  and the closing 'SOURCE <issuer>' (with any contact lines after it) are notes.
- Bulletins and warnings (weather services and the like): an id line ('IDN38100'), the issuer,
  a title. The block an id line opens is header, so notes; a headline is read only where the
  copy clearly has one, a short block of its own at the top with the text after it.
- Headline lists and tickers ('A ** B ** C'): one paragraph an item. Tables (columns split by
  '|', tabs or runs of spaces) keep one paragraph a row; section headings in capitals above
  mixed-case text are paragraphs of their own; CSV exports (calendars) become one paragraph a
  row, each cell named by its column.
- E-mail (a raw RFC 822 message, as mail pollers deliver it): the Subject is the headline
  unless the text gives its own; the text part is the body (charset as declared, mojibake
  repaired; HTML only when there is no text part); headers, signatures and attachments are
  never story text (the sender and attachment names go to notes), nor are the header lines
  of a forwarded message quoted in the text. A body that is a web form's JSON ('Headline',
  'Body', 'Slugline' ...) is read by its field names.
- Labelled header lines at the top of any plain copy ('Headline:', 'Slugline:', 'Priority:',
  'Source: dpa') fill their fields, by known keys only ('Brexit: May faces vote' is a
  headline, not a header); the others are notes.

A headline is never invented: a first block is one only when it is short, is no sentence, and
either the dateline paragraph follows it or it clearly stands alone above the text.
"""

from __future__ import annotations

import binascii
import csv
import email
import json
import re
from datetime import datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any

from schemas import Dateline, Signal
from workers.dateline import AGENCIES, canonical_agency, split_date_header, split_dateline
from workers.encoding import decode_text, repair_mojibake
from workers.errors import DecodeError, ParseError, UnknownFormatError
from workers.formats.base import ParsedItem, WireFormat

__all__ = ["PlainText", "looks_like_xml", "read_text"]

# The start of an XML document: a declaration, DOCTYPE or comment, or a start tag (complete or
# cut off). A UTF-16 document shows '<' with a zero byte beside it.
_XML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?[ \t\r\n]*<(?:\?xml\b|!DOCTYPE\b|!--|[A-Za-z_][\w.:-]*(?:[\s/>]|$))"
)
_UTF16_START = (b"\xff\xfe<\x00", b"\xfe\xff\x00<", b"<\x00", b"\x00<")

# --- layout -----------------------------------------------------------------------------------
# Teleprinter and release copy is hard-wrapped short of 80 columns; a longer line was never
# wrapped, so the line end after it ends a paragraph (one paragraph a line, no blank line).
_WRAP_WIDTH = 90
_BULLET_LINE = re.compile(r"^(?:[*•·▪–-]|--)\s+\S")
_COLUMNS = re.compile(r"\||\t|\S {3,}\S")
# Headline lists: 'A ** B ** C', dpa's '+++ A +++ B +++', bullets between items.
_TICKER_MARKS = ("**", "+++", "•", "■", "◆")
# Spaces before the mark are matched from the first of them only ('(?<!\s)'), which finds the
# same marks; from every one of them, a long run of spaces costs a quadratic scan.
_TICKER_SEP = re.compile(r"(?:^|(?<!\s)\s+)(?:\*{2,3}|\+{3}|•|■|◆)(?:\s+|$)")

# --- top matter -------------------------------------------------------------------------------
_TOP_BLOCKS = 8
# 'Key: value' header lines, by the keys plain-text feeds and release wires use. Only known
# keys: 'Brexit: May faces vote' is a headline, not a header.
_LABEL = re.compile(r"^(?P<key>[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ .'’/-]{0,30}?)\s*:\s*(?P<value>\S.*)$")
_HEADLINE_KEYS = {
    "headline", "title", "hed", "titel", "titre", "titular", "titolo", "überschrift",
    "schlagzeile",
}  # fmt: skip
_SLUG_KEYS = {"slug", "slugline", "catchline", "stichwort", "keyword"}
_BYLINE_KEYS = {"by", "byline", "by-line", "author", "autor", "auteur", "autore", "writer"}
_URGENCY_KEYS = {"urgency", "priority", "dringlichkeit", "priorität", "priorité", "priorita"}
_NOTE_KEYS = {
    "source", "quelle", "fuente", "fonte", "contact", "contacts", "media contact", "kontakt",
    "date", "datum", "fecha", "embargo", "embargoed", "embargoed until", "sperrfrist", "release",
    "release date", "ref", "reference", "id", "category", "categories", "kategorie", "ressort",
    "desk", "genre", "abstract", "summary", "teaser", "issuer", "issued", "issued by",
    "language", "sprache", "location", "country", "region", "note", "notes", "editor's note",
    "editors note", "note to editors", "attention", "attn", "eds", "keywords", "tags",
    "from", "to", "cc", "sent", "subject", "betreff", "objet", "asunto", "dateline",
}  # fmt: skip
_SUBJECT_KEYS = {"subject", "betreff", "objet", "asunto"}
_SOURCE_KEYS = {"source", "quelle", "fuente", "fonte"}
# 'MEDIA RELEASE PR67276', 'PRESS RELEASE', 'FOR IMMEDIATE RELEASE', in the usual languages;
# a number after it is the release's id.
_RELEASE = re.compile(
    r"^(?:(?:media|press|news)\s+release|media\s+advisory|for\s+immediate\s+release|"
    r"communiqu[ée](?:\s+de\s+presse)?|pressemitteilung|presseinformation|medienmitteilung|"
    r"comunicado(?:\s+de\s+prensa)?|comunicato\s+stampa|persbericht|pressmeddelande)\b"
    r"[\s:#.-]*(?P<id>[A-Z]{0,4}\d[\w-]{2,30})?[^\n]{0,40}$",
    re.IGNORECASE,
)
# An id or code line opening a bulletin: one token, no lower case, a digit in it or short
# ('IDN38100', '40:2:1:04:55S075E35100:11:00', a category code such as 'SDA').
_CODE = re.compile(r"^(?=\S*\d|\S{2,5}$)[A-Z0-9][A-Z0-9:._/#+-]{1,39}$")
_FORWARDED = re.compile(
    r"^(?:-{2,}\s*(?:forwarded|original)\s+message\s*-{2,}|begin\s+forwarded\s+message:?)$",
    re.IGNORECASE,
)
# Version words flagged ahead of a headline: 'UPDATE 2-', 'REFILE-CORRECTED-', 'RPT-'.
_HEADLINE_FLAGS = re.compile(
    r"^((?:(?:REFILE|RPT|REPEAT|CORRECTED|CORRECTION|UPDATE \d{1,2}|WRAPUP \d{1,2})-)+)(?=\S)"
)
_NO_SPACES_SCRIPT = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_SALUTATION = re.compile(
    r"^(?:dear|hi|hello|hallo|bonjour|liebe|lieber|sehr\s+geehrte|estimad[oa]s?|cari?)\b", re.I
)
# 'By JANE DOE', 'By Helen Maguire, dpa', 'Von Anna Beispiel', 'Par Jean Dupont': capitalised
# names (with their connectors), then perhaps the agency or a capitalised affiliation.
_NAME = r"[A-ZÀ-Ý][\w.'’-]*"
_CONNECTOR = r"(?:and|und|et|y|e|og|och|en|de|van|von|der|da|di|del|la|le)"
_BYLINE = re.compile(
    rf"^(?:By|BY|Von|VON|Par|PAR|Por|POR|Di|DI|Af|AF|Av|AV|Door|DOOR)\s+{_NAME}"
    rf"(?:(?:\s+|\s*,\s*)(?:{_CONNECTOR}|{_NAME}))*(?:\s*,\s*(?P<affiliation>[\w.'’ -]{{1,40}}))?$"
)
# The job title some agencies put on the line under the byline ('Associated Press Writer').
_JOB_TITLE = re.compile(
    r"^(?:[A-Z][\w.&-]*\s+){0,4}(?:writer|correspondent|reporter|editor|columnist|journalist|"
    r"contributor|korrespondent(?:in)?|redakteur(?:in)?|envoy[ée] sp[ée]cial)s?$",
    re.IGNORECASE,
)

# --- what closes the copy ---------------------------------------------------------------------
# Only after a sentence's end, so a parenthesis in prose ('(PA)') is not taken for one.
_SENTENCE_SIGN_OFF = re.compile(r"(?:^|[.!?\"»”]\s*)(?P<tag>\((?P<agency>[A-Za-z]{2,12})\)\.?)\s*$")
# Desk initials ('ab/cd', AFP's 'burs-jm/lth') and end marks.
_INITIALS = re.compile(r"^(?:[a-z]{2,5}|[A-Z]{2,5})(?:[-/](?:[a-z]{2,5}|[A-Z]{2,5}))+$")
_END_MARK = re.compile(
    r"^(?:END|ENDS|ENDE|FIN|FINE|SLUT|LOPPU|-30-|-0-|#{3,}|\((?:END|ENDS|end|ends)\)|"
    r"Enditem|ENDITEM|\[ENDS?\]|[=+]{3,})$"
)
# A sign-off naming the agency: 'AAP', 'AAP ab/cd', 'AAP RESULTS', 'dpa ab yy', '==Kyodo',
# '(SDA/sj)', '-- dpa'. The name must be an agency we know.
_AGENCY_SIGN_OFF = re.compile(
    r"^(?:[=—–-]+\s*)?(?:\((?P<p>[A-Za-z]{2,12})(?:\s*[\\/,]\s*[A-Za-z]{1,8})*\)\.?|"
    r"(?P<a>[A-Za-z][A-Za-z-]{1,14})(?:\s+(?:[a-z0-9]{1,8}(?:[/-][a-z0-9]{0,8})*|[A-Z]{2,12})){0,8})$"
)
_CREDIT = re.compile(
    r"^[(\[]?\s*(?:-+\s*)?(?:(?:additional|further)\s+)?(?:reporting|writing|written|editing|"
    r"edited|compiled|translated|produced|research|graphics?|text|bearbeitet|redigiert)\s+"
    r"(?:by|von|par)\b",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"^(?:\(c\)|©|copyright\b)\s*[^\n]{0,80}$", re.IGNORECASE)
_CONTACT_PARENS = re.compile(r"^\(\(.*\)\)$")
_STANDARDS = re.compile(r"^Our Standards:", re.IGNORECASE)
# PR Newswire's closing issuer line, and what comes after it (contacts).
_PR_SOURCE = re.compile(r"^(?:SOURCE\b:?|Source:)\s*\S[^\n]{0,150}$")
_MEDIA_LINK = re.compile(
    r"^\(?\s*(?:photos?|logos?|videos?|images?|multimedia|audio|infographic)\s*\d{0,2}\s*"
    r"(?:caption)?\s*[-–:]\s*(?:\[\s*)?https?://\S+?\s*\]?\s*\)?$",
    re.IGNORECASE,
)
# The contact block that closes a release: 'Media contact:', 'Contact', 'Investor relations
# contact: Jane Roe', 'For more information, please contact:'.
_CONTACT_HEAD = re.compile(
    r"^(?:[\w,' ]{0,40}\s)?contacts?(?:\s+(?:information|details|info|us))?"
    r"(?:\s*[:-]\s*\S.*|\s*:?\s*)$",
    re.IGNORECASE,
)
_TAIL_CHARS = 600
# The distributor in a release dateline ('/PRNewswire-AsiaNet/'), and the relay networks
# that pass other distributors' releases on.
_SLASHED_CREDIT = re.compile(r"/\s*(?P<credit>[A-Za-z][A-Za-z .&-]{1,40}?)\s*/")
_RELAY = re.compile(r"\s*-\s*(?:AsiaNet|Asia\s?Net|FirstCall|PRNewswire)\s*$", re.IGNORECASE)

# --- e-mail -----------------------------------------------------------------------------------
_EMAIL_FIRST = re.compile(
    rb"^(?:From \S|(?:delivered-to|received|return-path|from|to|subject|date|message-id|"
    rb"mime-version|content-type|reply-to|sender|x-[\w-]+|dkim-signature|arc-[\w-]+|"
    rb"authentication-results|envelope-to)[ \t]*:)",
    re.IGNORECASE,
)
_EMAIL_NAMES = re.compile(rb"(?m)^([A-Za-z][\w-]{1,40})[ \t]*:")
_EMAIL_HEADERS = {
    b"from", b"to", b"subject", b"date", b"received", b"message-id", b"mime-version",
    b"content-type", b"delivered-to", b"return-path",
}  # fmt: skip
_REPLY_PREFIX = re.compile(r"^(?:(?:re|fw|fwd|aw|wg|tr|sv|vs)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
# The signature delimiter ('-- '), and the rule mail systems put above a legal disclaimer.
_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(rb"(\?=)\s+(=\?)")
_SIGNATURE = re.compile(r"^(?:--\s?|_{10,}|-{10,})$")
_FORM_BODY_KEYS = ("body", "story", "text", "content", "body text")
_FORM_SKIP = {"username", "email", "e-mail", "email address"}


class PlainText(WireFormat):
    name = "plaintext"

    def sniff(self, raw: bytes) -> float:
        head = raw[:512]
        if not head.strip() or looks_like_xml(head):
            return 0.0
        # Framing bytes and markup belong to other formats.
        if head.lstrip()[:1] in (b"<", b"{", b"[") or b"\x01" in head[:8]:
            return 0.01
        return 0.1

    def parse(self, raw: bytes) -> ParsedItem:
        if _looks_like_email(raw):
            return _read_email(raw)
        text, _ = decode_text(raw)
        return read_text(text, ParsedItem(format=self.name, body=[]))


def looks_like_xml(raw: bytes) -> bool:
    """Whether the copy starts as XML does, whole or truncated, in UTF-8, Latin or UTF-16."""
    head = raw[:512]
    return bool(_XML_START.match(head)) or head.startswith(_UTF16_START)


# --- the text reader --------------------------------------------------------------------------


def read_text(text: str, item: ParsedItem, *, subject: str | None = None) -> ParsedItem:
    """Read plain copy into ``item``. ``subject`` is a headline given from outside (an
    e-mail's Subject): the headline when the text has none of its own, else a note. With it,
    a short block standing alone at the top is no headline unless it repeats the subject."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    date_hint, text = split_date_header(text.lstrip())
    item.date_hint = item.date_hint or date_hint
    blocks = _blocks(text)
    if rows := _csv_rows(blocks):
        _read_csv(rows, item)
        item.headline = item.headline or subject
        return item
    start = _read_top(blocks, item, subject=subject)
    lead, body_blocks = _lone_dateline(blocks[start:], item)
    body_blocks = [kept for block in body_blocks if (kept := _drop_media_links(block, item))]
    _read_tail(body_blocks, item)
    paragraphs = [p for block in body_blocks for p in _block_paragraphs(block)]
    if lead:
        paragraphs[:1] = [" ".join([lead, *paragraphs[:1]])]
    item.body = [part for p in paragraphs for part in _ticker_items(p)]
    _credit_agency(item)
    _headline_flags(item)
    if subject and not item.headline:
        item.headline = subject
    elif subject and subject != item.headline:
        item.notes.append(f"Subject: {subject}")
    return item


def _blocks(text: str) -> list[list[str]]:
    """Blank-line separated blocks, as lists of stripped lines. A line indented under an
    unindented one starts a block too (copy that marks paragraphs by indenting them); a line
    indented under an indented one continues it (a hanging indent)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    previous_indent = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            if current:
                blocks.append(current)
            current, previous_indent = [], 0
            continue
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
        if current and indent >= 2 and previous_indent == 0:
            blocks.append(current)
            current = []
        current.append(stripped)
        previous_indent = indent
    if current:
        blocks.append(current)
    return blocks


def _block_paragraphs(lines: list[str]) -> list[str]:
    """The paragraphs of one block: wrapped lines joined. Copy sent one paragraph a line
    (most lines longer than any wrap) and tables keep one line a paragraph; a bullet and a
    capitals heading above mixed-case text start paragraphs of their own."""
    if len(lines) > 1 and sum(len(_COLUMNS.findall(ln)) >= 2 for ln in lines) * 2 >= len(lines):
        return list(lines)
    # Most lines long: one paragraph a line. One long line among wrapped ones (a dateline
    # joined to the line it opens) is no sign of that.
    inner = lines[:-1]
    if inner and sum(len(ln) > _WRAP_WIDTH for ln in inner) * 2 > len(inner):
        return list(lines)
    paragraphs: list[str] = []
    current: list[str] = []
    for index, line in enumerate(lines):
        if current and _BULLET_LINE.match(line):
            paragraphs.append(" ".join(current))
            current = []
        current.append(line)
        after = lines[index + 1] if index + 1 < len(lines) else None
        heading = after is not None and _is_heading(line) and not after.isupper()
        if heading:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _is_heading(line: str) -> bool:
    return line.isupper() and len(line) <= 60 and not line.endswith((",", "-"))


def _ticker_items(paragraph: str) -> list[str]:
    """'A ** B ** C' -> ['A', 'B', 'C'], for headline lists; other paragraphs as they are."""
    if not any(mark in paragraph for mark in _TICKER_MARKS) or (
        len(_TICKER_SEP.findall(paragraph)) < 2
    ):
        return [paragraph]
    return [part.strip() for part in _TICKER_SEP.split(paragraph) if part.strip()]


# --- top matter: header lines, headline, byline -------------------------------------------------


def _read_top(blocks: list[list[str]], item: ParsedItem, *, subject: str | None) -> int:
    """Read the header lines, headline and byline above the text; return the index of the
    first block of the text. Blocks are trimmed of what was read."""
    index = 0
    coded = False  # the copy opened with an id line: a bulletin's header block
    while index < min(len(blocks), _TOP_BLOCKS):
        lines = blocks[index]
        taken = _take_header_lines(lines, item, codes=index == 0)
        if index == 0 and taken and _CODE.match(lines[0]):
            coded = True
        rest = lines[taken:]
        if not rest:
            index += 1
            continue
        blocks[index] = rest
        title_lines, byline = _split_byline(rest, item)
        if byline:
            item.byline = item.byline or byline
            if title_lines and not _take_headline(title_lines, blocks, index, item, subject):
                item.notes.append(" ".join(title_lines))
            index += 1
            continue
        if _take_headline(rest, blocks, index, item, subject, titles=not (taken and coded)):
            index += 1
            continue
        if taken and coded:
            # The issuer and title lines under a bulletin's id: header, not story text.
            item.notes.extend(rest)
            index += 1
            continue
        break
    return index


def _take_header_lines(lines: list[str], item: ParsedItem, *, codes: bool) -> int:
    """How many of the block's leading lines are header lines; read each into the item."""
    taken = 0
    for line in lines:
        if not _header_line(line, item, code=codes):
            break
        taken += 1
    return taken


def _header_line(line: str, item: ParsedItem, *, code: bool) -> bool:
    if (match := _RELEASE.match(line)) and len(line) <= 80:
        item.notes.append(line)
        item.item_id = item.item_id or match["id"]
        return True
    if _FORWARDED.match(line):
        return True
    if code and _CODE.match(line):
        item.notes.append(line)
        return True
    match = _LABEL.match(line)
    if not match or len(line) > 300:
        return False
    key, value = match["key"].strip().lower().replace("’", "'"), match["value"].strip()
    if key in _HEADLINE_KEYS:
        item.headline = item.headline or value
    elif key in _SUBJECT_KEYS and not item.headline:
        item.headline = _REPLY_PREFIX.sub("", value) or None
    elif key in _SLUG_KEYS:
        item.slugline = item.slugline or value
    elif key in _BYLINE_KEYS:
        item.byline = item.byline or value
    elif key in _URGENCY_KEYS and value.isdigit() and 1 <= int(value) <= 9:
        item.urgency = item.urgency or int(value)
    elif key in _NOTE_KEYS or key in _SUBJECT_KEYS or key in _URGENCY_KEYS:
        item.notes.append(f"{match['key'].strip()}: {value}")
        if key in _SOURCE_KEYS and value.lower() in AGENCIES:
            # 'Source: dpa' credits the agency; a release's 'Source:' is its issuer.
            item.agency = item.agency or canonical_agency(value)
    else:
        return False
    return True


def _split_byline(lines: list[str], item: ParsedItem) -> tuple[list[str], str | None]:
    """A byline line at the end of a short top block (a job-title line may follow it, into
    the notes): the lines above it and the byline."""
    if len(lines) > 4:
        return lines, None
    for at in range(len(lines) - 1, max(-1, len(lines) - 3), -1):
        after = lines[at + 1 :]
        if _is_byline(lines[at]) and all(_JOB_TITLE.match(ln) for ln in after):
            item.notes.extend(after)
            return lines[:at], lines[at]
    return lines, None


def _is_byline(line: str) -> bool:
    sentence = line.endswith(".") and not line.endswith(" Jr.")
    if sentence or len(line) > 100 or len(line.split()) > 14:
        return False
    match = _BYLINE.match(line)
    if not match:
        return False
    affiliation = match["affiliation"]
    return not affiliation or affiliation.lower() in AGENCIES or affiliation[0].isupper()


def _take_headline(
    lines: list[str],
    blocks: list[list[str]],
    index: int,
    item: ParsedItem,
    subject: str | None,
    *,
    titles: bool = True,
) -> bool:
    """Read these top lines as the headline when the copy clearly has one: the dateline
    paragraph follows them, or (``titles``, no subject given) they stand alone above longer
    text. A repeat of a headline already read (or of the subject) is taken off too."""
    candidate = " ".join(lines)
    if item.headline or (subject and candidate == subject):
        if candidate in (item.headline, subject):
            item.headline = item.headline or candidate
            return True
        return False
    if not _headline_shape(lines) or _has_dateline(candidate, item):
        return False
    following = _next_text_block(blocks, index + 1)
    if following is None:
        return False
    text = " ".join(following)
    alone = titles and not subject and _stands_alone(candidate, text)
    if alone or _has_dateline(text, item):
        item.headline = candidate
        return True
    return False


def _headline_shape(lines: list[str]) -> bool:
    text = " ".join(lines)
    if len(lines) > 3 or len(text) > 200:
        return False
    # One word is a code or a label, not a headline; scripts without spaces between words
    # (Chinese, Japanese, Thai) count by length.
    if len(text.split()) < 2 and not (_NO_SPACES_SCRIPT.search(text) and len(text) >= 4):
        return False
    if text.endswith((".", ",", ";", ":")) and not text.endswith("..."):
        return False
    return not (_SALUTATION.match(text) or "|" in text)


def _stands_alone(candidate: str, following: str) -> bool:
    """A title above the text, with no dateline to confirm it: short (a line or two), not
    lower case, and what follows is longer prose."""
    return (
        len(candidate) <= 120
        and not candidate[0].islower()
        and len(following) > len(candidate)
        and (
            len(following.split()) >= 6
            or (bool(_NO_SPACES_SCRIPT.search(following)) and len(following) >= 20)
        )
    )


def _next_text_block(blocks: list[list[str]], start: int) -> list[str] | None:
    """The first block from ``start`` that is not a byline alone."""
    for block in blocks[start : start + 3]:
        if not (_is_byline(block[0]) and all(_JOB_TITLE.match(ln) for ln in block[1:3])):
            return block
    return None


def _has_dateline(text: str, item: ParsedItem) -> bool:
    # A dateline alone on its line ('AUSTIN, Texas, Feb. 1, 2017 /PRNewswire/ --') counts: a
    # stand-in word after it lets the finder see it open a paragraph.
    found, _ = split_dateline(f"{text} X", default_date=item.date_hint)
    return found is not None


# --- the text -----------------------------------------------------------------------------------


def _lone_dateline(blocks: list[list[str]], item: ParsedItem) -> tuple[str | None, list[list[str]]]:
    """A dateline alone on its line opens the paragraph after it (release wires put a blank
    line between them): it is returned apart, to be put before that paragraph, and a repeat
    of the headline between the two is dropped."""
    if len(blocks) < 2 or len(blocks[0]) > 2 or len(" ".join(blocks[0])) > 160:
        return None, blocks
    lone = " ".join(blocks[0])
    found, rest = split_dateline(f"{lone} X", default_date=item.date_hint)
    if found is None or rest.strip() != "X":
        return None, blocks
    following = 1
    if item.headline and len(blocks) > 2 and " ".join(blocks[1]) == item.headline:
        following = 2
    return lone, blocks[following:]


def _drop_media_links(block: list[str], item: ParsedItem) -> list[str]:
    """Photo, logo and video link lines of a release: notes, not text."""
    kept = []
    for line in block:
        if _MEDIA_LINK.match(line):
            item.notes.append(line)
        else:
            kept.append(line)
    return kept


def _read_tail(blocks: list[list[str]], item: ParsedItem) -> None:
    """Credits, sign-offs, end marks and a release's closing issuer lines: off the end of the
    text, into the notes (a sign-off naming an agency is kept for the credit)."""
    _release_source(blocks, item)
    _contact_block(blocks, item)
    _signed_off_signature(blocks, item)
    while blocks:
        last = blocks[-1]
        closing, agency = _closing_line(last[-1])
        if closing:
            item.agency = item.agency or agency
            item.notes.append(last.pop())
            if not last:
                blocks.pop()
            continue
        if _credit_lines(last, item):
            if not last:
                blocks.pop()
            continue
        whole = " ".join(last)
        if len(whole) <= 400 and (
            _CREDIT.match(whole) or _CONTACT_PARENS.match(whole) or _STANDARDS.match(whole)
        ):
            item.notes.append(whole.strip("()[] "))
            blocks.pop()
            continue
        break
    if blocks:
        _sentence_sign_off(blocks, item)


def _credit_lines(lines: list[str], item: ParsedItem) -> bool:
    """A parenthesised credit on the block's last lines, with no blank line above it
    ('(Reporting by ...;' wrapped over two lines, ending '... Editing by ...)'): notes."""
    for at in range(len(lines) - 1, max(0, len(lines) - 3), -1):
        credit = " ".join(lines[at:])
        if (
            lines[at].startswith(("(", "["))
            and _CREDIT.match(lines[at])
            and credit.endswith((")", "]", ")."))
        ):
            item.notes.append(credit.strip("()[]. "))
            del lines[at:]
            return True
    return False


def _release_source(blocks: list[list[str]], item: ParsedItem) -> None:
    """PR Newswire's closing 'SOURCE <issuer>' line (in the last few blocks) and the contact
    lines after it."""
    for at in range(len(blocks) - 1, max(-1, len(blocks) - 4), -1):
        block = blocks[at]
        if len(block) == 1 and _PR_SOURCE.match(block[0]):
            tail = [line for b in blocks[at:] for line in b]
            if len(" ".join(tail)) <= _TAIL_CHARS:
                item.notes.extend(tail)
                del blocks[at:]
            return


def _contact_block(blocks: list[list[str]], item: ParsedItem) -> None:
    """The contact details that close a release (in its last few blocks): notes."""
    for at in range(len(blocks) - 1, max(-1, len(blocks) - 6), -1):
        if _CONTACT_HEAD.match(blocks[at][0]) and len(blocks[at][0]) <= 80:
            tail = [line for b in blocks[at:] for line in b]
            if len(" ".join(tail)) <= _TAIL_CHARS and at > 0:
                item.notes.extend(tail)
                del blocks[at:]
            return


def _signed_off_signature(blocks: list[list[str]], item: ParsedItem) -> None:
    """A desk sign-off with the writer's signature under it ('AAP be/', then name, title,
    phone lines) in the text's last block: the sign-off and the signature are notes."""
    if not blocks:
        return
    last = blocks[-1]
    for at in range(len(last) - 2, max(-1, len(last) - 12), -1):
        closing, agency = _closing_line(last[at])
        if closing:
            after = last[at + 1 :]
            if all(len(ln) <= 60 for ln in after) and len(" ".join(after)) <= _TAIL_CHARS:
                item.agency = item.agency or agency
                item.notes.extend(last[at:])
                del last[at:]
                if not last:
                    blocks.pop()
            return


def _closing_line(line: str) -> tuple[bool, str | None]:
    """Whether the line is an end mark, desk initials or a sign-off naming an agency, alone on
    its line; and the agency it names."""
    if len(line) > 60:
        return False, None
    if _END_MARK.match(line) or _INITIALS.match(line) or _COPYRIGHT.match(line):
        return True, None
    match = _AGENCY_SIGN_OFF.match(line)
    if not match:
        return False, None
    name = (match["p"] or match["a"]).lower()
    if name not in AGENCIES:
        return False, None
    return True, canonical_agency(name)


def _sentence_sign_off(blocks: list[list[str]], item: ParsedItem) -> None:
    """ANSA and others sign off with '(ANSA).' after the last sentence, when the dateline does
    not name them. The tag is left in the sentence; alone on its line it goes."""
    last = blocks[-1]
    sign = _SENTENCE_SIGN_OFF.search(last[-1])
    if not (sign and sign["agency"].lower() in AGENCIES):
        return
    item.agency = item.agency or canonical_agency(sign["agency"])
    if not last[-1][: sign.start("tag")].strip():
        item.notes.append(last.pop())
        if not last:
            blocks.pop()


def _credit_agency(item: ParsedItem) -> None:
    """Whose copy it is. The dateline's credit wins over a desk sign-off (a partner's copy
    relayed by a desk that signs off its own way); a release is credited to the distributor
    named in its dateline, not the issuer."""
    found = split_dateline(item.body[0], default_date=item.date_hint)[0] if item.body else None
    if found and found.agency and not _is_release(item):
        item.agency = None  # normalise credits the dateline's agency
        return
    if found and _is_release(item) and (m := _SLASHED_CREDIT.search(found.text)):
        distributor = _RELAY.sub("", m["credit"]).strip()
        item.agency = canonical_agency(distributor) or item.agency


def _is_release(item: ParsedItem) -> bool:
    return any(_RELEASE.match(note) or note.lower().startswith("source") for note in item.notes)


def _headline_flags(item: ParsedItem) -> None:
    """Version words flagged ahead of the headline, Reuters style ('REFILE-UPDATE 2-...'):
    the version label; 'CORRECTED-' is the agency's correction signal. The headline is kept as
    carried."""
    match = _HEADLINE_FLAGS.match(item.headline or "")
    if not match:
        return
    words = [w.strip() for w in match[1].split("-") if w.strip()]
    item.version_label = item.version_label or " ".join(words)
    if any(w.startswith("CORRECT") for w in words):
        item.signals = list(dict.fromkeys([*item.signals, Signal.correction]))


# --- CSV exports --------------------------------------------------------------------------------


def _csv_rows(blocks: list[list[str]]) -> list[list[str]] | None:
    """The rows of copy that is a CSV export (a calendar, a results sheet): one block, a
    header row of short names, every row with as many fields."""
    if len(blocks) != 1 or len(blocks[0]) < 2:
        return None
    lines = blocks[0]
    delimiter = max(",;\t", key=lines[0].count)
    if lines[0].count(delimiter) < 2:
        return None
    rows = list(csv.reader(lines, delimiter=delimiter))
    header = rows[0]
    if any(len(cell) > 40 or not cell.strip() for cell in header):
        return None
    if sum(len(row) == len(header) for row in rows) < 0.8 * len(rows):
        return None
    return rows


def _read_csv(rows: list[list[str]], item: ParsedItem) -> None:
    header = [cell.strip() for cell in rows[0]]
    item.notes.append("columns: " + ", ".join(header))
    for row in rows[1:]:
        named = zip(header, row, strict=False)  # a short row leaves its last columns empty
        cells = [f"{name}: {value.strip()}" for name, value in named if value.strip()]
        if cells:
            item.body.append("; ".join(cells))


# --- e-mail -------------------------------------------------------------------------------------


def _looks_like_email(raw: bytes) -> bool:
    """A raw RFC 822 message: it opens with header lines, and names at least two of the
    headers every mail carries before the first blank line."""
    head = raw[:8192].lstrip()
    if not _EMAIL_FIRST.match(head):
        return False
    end = re.search(rb"\r?\n\r?\n", head)
    names = {n.lower() for n in _EMAIL_NAMES.findall(head[: end.start() if end else None])}
    return len(names & _EMAIL_HEADERS) >= 2


def _read_email(raw: bytes) -> ParsedItem:
    """Subject as headline, the text part as the body; headers are never story text."""
    # The compat32 policy: the default policy's header objects cost more than the whole
    # parse of a story; the few headers read here are decoded by _header.
    msg = email.message_from_bytes(raw.lstrip())
    item = ParsedItem(format=PlainText.name, body=[])
    subject = _REPLY_PREFIX.sub("", _header(msg, "subject")).strip() or None
    sender = _header(msg, "from")
    if sender:
        item.notes.append(f"From: {sender}")
    message_id = _header(msg, "message-id").strip().strip("<>")
    item.item_id = message_id or None
    if sent := _sent(msg):
        item.first_created = sent
        item.date_hint = sent.date()
    text = _email_text(msg, item)
    if text is not None and looks_like_xml(text.lstrip().encode("utf-8", "replace")[:512]):
        return _mailed_markup(text, item, subject)
    if text is None:
        item.notes.append("no text part in the message")
        item.headline = subject
        return item
    text = _strip_signature(text, item)
    form = _form_fields(text)
    if form is not None:
        return _read_form(form, item, subject)
    return read_text(text, item, subject=subject)


def _mailed_markup(text: str, item: ParsedItem, subject: str | None) -> ParsedItem:
    """A structured item mailed as the message text (NITF, NewsML): read by its own format,
    the Subject filling a missing headline. Markup is never published as plain text."""
    from workers.formats.registry import detect  # the registry imports this module

    raw = text.strip().encode("utf-8")
    try:
        fmt = detect(raw)
    except UnknownFormatError as exc:
        raise ParseError(f"the e-mail's text is XML: {exc}", format=PlainText.name) from exc
    parsed = fmt.parse(raw)
    parsed.headline = parsed.headline or subject
    parsed.notes = [*item.notes, *parsed.notes]
    parsed.first_created = parsed.first_created or item.first_created
    return parsed


def _header(msg: Message, name: str) -> str:
    """A header as text: encoded words decoded by hand, on the raw bytes (the standard
    decoder garbles raw 8-bit bytes inside an encoded word, as mail clients send UTF-8 in a
    word labelled 'windows-1252'), other 8-bit bytes read as copy is, mojibake repaired."""
    value = next((v for k, v in msg.raw_items() if k.lower() == name), None)
    if value is None:
        return ""
    raw = str(value).encode("ascii", "surrogateescape")
    raw = _BETWEEN_WORDS.sub(rb"\1\2", raw)  # space between encoded words is no text
    parts: list[str] = []
    position = 0
    for word in _ENCODED_WORD.finditer(raw):
        parts.append(_decode_word(raw[position : word.start()], None))
        parts.append(
            _decode_word(_word_bytes(word[2], word[3]), word[1].decode("ascii", "replace"))
        )
        position = word.end()
    parts.append(_decode_word(raw[position:], None))
    return repair_mojibake(" ".join("".join(parts).split()))


def _word_bytes(encoding: bytes, data: bytes) -> bytes:
    if encoding in b"Qq":
        return binascii.a2b_qp(data.replace(b"_", b" "))
    try:
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except binascii.Error:
        return data


def _decode_word(word: bytes, charset: str | None) -> str:
    """One encoded word's bytes; bytes that do not fit the declared charset are read the way
    copy is (UTF-8, else CP1252)."""
    if not word:
        return ""
    charset = charset.split("*")[0] if charset else None  # RFC 2231 'utf-8*en'
    if charset and charset.lower() not in ("unknown-8bit", "us-ascii", "ascii"):
        try:
            return decode_text(word, declared=charset)[0]
        except (DecodeError, LookupError):
            pass
    try:
        return decode_text(word)[0]
    except DecodeError:
        return word.decode("latin-1")


def _sent(msg: Message) -> datetime | None:
    try:
        sent = parsedate_to_datetime(_header(msg, "date"))
    except (TypeError, ValueError, IndexError, OverflowError):  # a year of 20 digits overflows
        return None
    return sent if sent.tzinfo else None


def _email_text(msg: Message, item: ParsedItem) -> str | None:
    """The message's text: its first inline text/plain part, else its HTML as text, else a
    text attachment. Attachments are named in the notes."""
    plain = html = attached = None
    for part in msg.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        filename = part.get_filename()
        if part.get_content_disposition() == "attachment" or (filename and kind != "text/plain"):
            item.notes.append(f"attachment: {filename or 'unnamed'} ({kind})")
            if kind == "text/plain" and attached is None:
                attached = part
            continue
        if kind == "text/plain" and plain is None:
            plain = part
        elif kind == "text/html" and html is None:
            html = part
    if plain is not None and (text := _part_text(plain)).strip():
        return text
    if html is not None and (text := _html_text(_part_text(html))).strip():
        return text
    return _part_text(attached) if attached is not None else None


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload())
    try:
        text, _ = decode_text(payload, declared=part.get_content_charset())
    except DecodeError:  # a part labelled text that is binary: no text to read
        return ""
    return text


def _strip_signature(text: str, item: ParsedItem) -> str:
    """The mail signature under a '-- ' line is not story text."""
    lines = text.replace("\r\n", "\n").split("\n")
    for at in range(len(lines) - 1, max(-1, len(lines) - 25), -1):
        if _SIGNATURE.match(lines[at]):
            signature = " ".join(ln.strip() for ln in lines[at + 1 :] if ln.strip())
            if signature:
                item.notes.append(f"signature: {signature}")
            return "\n".join(lines[:at])
    return text


class _HtmlText(HTMLParser):
    """HTML mail to text: block elements break lines, scripts and styles are dropped."""

    _BLOCKS = frozenset(
        ["p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table",
         "ul", "ol", "hr"]
    )  # fmt: skip
    _HIDDEN = frozenset(["script", "style", "head", "title"])

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag in self._BLOCKS:
            self.out.append("\n" if tag == "br" else "\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self._BLOCKS and tag != "br":
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            # Line ends in HTML source are spaces; only elements break lines.
            self.out.append(data.replace("\r", " ").replace("\n", " "))


def _html_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in unescape("".join(parser.out)).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _form_fields(text: str) -> dict[str, Any] | None:
    """A web form's submission mailed as JSON: field name to value (or list of values)."""
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        data = json.loads(stripped, strict=False)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _read_form(form: dict[str, Any], item: ParsedItem, subject: str | None) -> ParsedItem:
    """Read a form's fields by their names: headline, body, slugline, byline, dateline and
    urgency; the rest are notes."""
    fields = {str(k).strip().lower(): _form_value(v) for k, v in form.items()}
    item.headline = fields.get("headline") or fields.get("title") or subject
    if subject and item.headline != subject:
        item.notes.append(f"Subject: {subject}")
    item.slugline = fields.get("slugline") or fields.get("slug")
    item.byline = fields.get("byline") or fields.get("by line") or fields.get("author")
    if place := fields.get("dateline"):
        item.dateline = Dateline(text=place, place=_title_place(place))
    used = {"headline", "title", "slugline", "slug", "byline", "by line", "author", "dateline"}
    used |= set(_FORM_BODY_KEYS)
    for key in ("urgency", "priority"):
        if (value := fields.get(key)) and value.isdigit() and 1 <= int(value) <= 9:
            item.urgency = int(value)
            used.add(key)
            break
    body = next((fields[k] for k in _FORM_BODY_KEYS if fields.get(k)), None)
    for key, value in form.items():
        name = str(key).strip()
        skipped = name.lower() in used or name.lower() in _FORM_SKIP
        if not skipped and (text := _form_value(value)):
            item.notes.append(f"{name}: {text}")
    if body:
        text_item = read_text(body, ParsedItem(format=item.format, body=[]), subject=item.headline)
        item.body = text_item.body
        item.notes.extend(text_item.notes)
        item.agency = item.agency or text_item.agency
    return item


def _form_value(value: object) -> str | None:
    if isinstance(value, list):
        parts = [
            str(v).strip() for v in value if isinstance(v, str | int | float) and str(v).strip()
        ]
        return parts[0] if len(parts) == 1 else ("; ".join(parts) or None)
    if isinstance(value, str | int | float):
        return str(value).strip() or None
    return None


def _title_place(place: str) -> str:
    """'BRISBANE' -> 'Brisbane', as datelines print places; mixed case is kept."""
    return place.title() if place.isupper() else place
