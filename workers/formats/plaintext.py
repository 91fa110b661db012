"""Plain-text wire copy: an optional headline line, a dateline, paragraphs.

Plain text is the fallback format, so ``sniff`` answers low but never zero for any text, except
XML: markup is never published as text, so XML no other format claims is refused by the
registry instead (``looks_like_xml`` says what counts).
A headline is taken only when the copy clearly has one: a short first line without a final
full stop, followed by a blank line, before the dateline paragraph. It is never invented.
"""

from __future__ import annotations

import re

from workers.dateline import AGENCIES, canonical_agency, split_date_header, split_dateline
from workers.encoding import decode_text
from workers.formats.base import ParsedItem, WireFormat

__all__ = ["PlainText", "looks_like_xml"]

# The start of an XML document: a declaration, DOCTYPE or comment, or a start tag (complete or
# cut off). A UTF-16 document shows '<' with a zero byte beside it.
_XML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?[ \t\r\n]*<(?:\?xml\b|!DOCTYPE\b|!--|[A-Za-z_][\w.:-]*(?:[\s/>]|$))"
)
_UTF16_START = (b"\xff\xfe<\x00", b"\xfe\xff\x00<", b"<\x00", b"\x00<")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=[\t ]{2,}\S)")
# Only after a sentence's end, so a parenthesis in prose ('(PA)') is not taken for one.
_SIGN_OFF = re.compile(r"(?:^|[.!?\"»”]\s*)(?P<tag>\((?P<agency>[A-Za-z]{2,12})\)\.?)\s*$")


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
        text, _ = decode_text(raw)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        date_hint, text = split_date_header(text.lstrip())
        blocks = [b.strip() for b in _PARAGRAPH_BREAK.split(text.strip()) if b.strip()]
        headline = None
        if len(blocks) > 1 and _looks_like_headline(blocks[0], blocks[1], date_hint):
            headline = blocks.pop(0)
        paragraphs = [" ".join(line.strip() for line in block.split("\n")) for block in blocks]
        agency = None
        # ANSA and others sign off with '(ANSA).' when the dateline does not name them.
        sign = _SIGN_OFF.search(paragraphs[-1]) if paragraphs else None
        if sign and sign["agency"].lower() in AGENCIES:
            agency = canonical_agency(sign["agency"])
            if not paragraphs[-1][: sign.start("tag")].strip():
                paragraphs.pop()
        return ParsedItem(
            format=self.name,
            body=paragraphs,
            headline=headline,
            agency=agency,
            date_hint=date_hint,
        )


def looks_like_xml(raw: bytes) -> bool:
    """Whether the copy starts as XML does, whole or truncated, in UTF-8, Latin or UTF-16."""
    head = raw[:512]
    return bool(_XML_START.match(head)) or head.startswith(_UTF16_START)


def _looks_like_headline(first: str, second: str, date_hint) -> bool:
    if "\n" in first or len(first) > 160 or len(first.split()) < 2:
        return False
    if first.rstrip().endswith((".", ",", ";", ":")) and not first.rstrip().endswith("..."):
        return False
    # The first block is a headline only when the story proper (its dateline) follows it.
    first_has_dateline = split_dateline(first, default_date=date_hint)[0] is not None
    second_has_dateline = split_dateline(second, default_date=date_hint)[0] is not None
    return second_has_dateline and not first_has_dateline
