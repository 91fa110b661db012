"""IPTC 7901, the text wire framing of AFP, dpa, ANSA and many European agencies.

A message is ``SOH``, a header line (source id and message number, priority 1-6, category,
word count), an optional selector and keyword line, ``STX``, the text (a headline ended by
``=``, then paragraphs), ``ETX`` and a time line such as ``101530 GMT NOV 24``. Service lines
in the text (KILL, CORRECTION, EMBARGO, editor's notes) are for editors: they set the item's
signals and status and go to ``notes``, never into the body.

The framing is read on the raw bytes so error positions are byte offsets; missing framing
raises ParseError naming the byte, because such copy was cut in transmission.
"""

from __future__ import annotations

import re

from schemas import PubStatus, Signal, Subject
from workers.dateline import canonical_agency
from workers.encoding import decode_text
from workers.errors import ParseError
from workers.formats.base import ParsedItem, WireFormat
from workers.formats.framing import EOT, SOH, cut_frame
from workers.formats.versionwords import read_version_words
from workers.formats.wiretime import parse_embargo, parse_iptc7901_trailer

__all__ = ["Iptc7901"]


_HEADER = re.compile(
    r"^\s*(?P<source>[A-Za-z]{2,6})\s?(?P<number>\d{2,5})\s+(?P<priority>[1-6])\s+"
    r"(?P<category>[A-Za-z]{1,3})\s+(?P<words>\d{1,5})\b\s*(?P<rest>.*)$"
)
# Service lines open with an upper-case marker (prose saying 'correction' does not).
_KILL_LINE = re.compile(r"^(?:MANDATORY\s+)?(?:KILL|ELIMINATION|ANNULATION|ANULACI[OÓ]N)\b")
_CORRECTION_LINE = re.compile(r"^(?:CORRECTION|CORRECTIF|CORRECTED|RECTIFICATIF|BERICHTIGUNG)\b")
_EMBARGO_LINE = re.compile(r"^(?:EMBARGO(?:ED)?|SPERRFRIST)\b")
_NOTE_LINE = re.compile(
    r"^(?:EDITOR'?S\s+NOTE|EDITORS?\s*:|EDS?\s*:|NOTE\s+TO\s+EDITORS|ATTENTION\s+EDITORS|"
    r"NOTE\s+AUX\s+R[EÉ]DACTIONS|ATTENTION\s+R[EÉ]DACTIONS|HINWEIS\s+F[UÜ]R\s+REDAKTIONEN|"
    r"Editor'?s\s+note\s*:|Note\s+to\s+editors\s*:)"
)
# Desk initials an agency signs off with ('pab/jmc'), and end marks.
_SIGN_OFF = re.compile(r"^(?:[a-z]{2,5}(?:[-/][a-z]{2,5})+|\(?END\)?|-30-|FIN|ENDE|=+)$")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=[\t ]{2,}\S|\t\S)")


class Iptc7901(WireFormat):
    name = "iptc7901"

    def sniff(self, raw: bytes) -> float:
        head = raw[:256].lstrip(b"\r\n \x16")
        if not head.startswith(SOH):
            return 0.0
        header = head[1:120].lstrip(b"\r\n ").split(b"\n")[0].decode("latin-1")
        if _HEADER.match(header):
            return 0.95
        return 0.4

    def split(self, raw: bytes) -> list[bytes]:
        """One item per SOH at a line start; a message with one SOH is one item."""
        starts = [m.start() + (1 if m[0][:1] in b"\r\n\x04" else 0)
                  for m in re.finditer(rb"(?:^|[\r\n\x04])\x01", raw)]  # fmt: skip
        if len(starts) < 2:
            return [raw]
        return [raw[a:b] for a, b in zip(starts, [*starts[1:], len(raw)], strict=True)]

    def parse(self, raw: bytes) -> ParsedItem:
        header_bytes, text_bytes, trailer_bytes = cut_frame(
            raw, format="iptc7901", header="IPTC 7901 heading"
        )
        header, _ = decode_text(header_bytes)
        text, _ = decode_text(text_bytes)
        trailer, _ = decode_text(trailer_bytes.split(EOT)[0])
        header_lines = [ln.strip() for ln in header.replace("\r", "\n").split("\n") if ln.strip()]
        match = _HEADER.match(header_lines[0]) if header_lines else None
        if not match:
            first = header_lines[0][:60] if header_lines else ""
            raise ParseError(
                f"header {first!r} is not 'SOURCE+number priority(1-6) category wordcount'",
                format=self.name,
                position=f"byte {raw.find(SOH) + 1}",
            )
        item = ParsedItem(format=self.name, body=[])
        item.agency = canonical_agency(match["source"])
        item.urgency = int(match["priority"])
        item.subjects.append(Subject(scheme="iptc7901-category", code=match["category"].upper()))
        item.notes += [f"message: {match['source']}{match['number']}",
                       f"word count: {int(match['words'])}"]  # fmt: skip

        slug_line = " ".join([match["rest"], *header_lines[1:]]).strip()
        selectors = [t for t in slug_line.split() if t.startswith("/")]
        keyword = " ".join(t for t in slug_line.split() if not t.startswith("/"))
        if selectors:
            item.notes.append("selectors: " + " ".join(selectors))
        stem, _, version_text = keyword.partition(",")
        stem = stem.strip()
        item.slugline = stem or None
        item.keywords = [w for w in stem.split("-") if w]
        words = read_version_words(version_text)
        item.version, item.signals, item.status = words.version, words.signals, words.status
        if words.advisory:
            item.notes.append("advisory: for editors, not for publication")
        if words.embargoed:
            item.status = PubStatus.embargoed

        item.date_hint, item.version_created = parse_iptc7901_trailer(trailer)
        _read_text(text, item)
        if stem:
            day = item.date_hint
            item.item_id = f"{stem}/{day.isoformat()}" if day else stem
        if Signal.kill in item.signals:
            item.status = PubStatus.canceled
        held = "embargo time not understood; held for an editor"
        if (
            item.status is PubStatus.embargoed
            and not item.embargoed_until
            and held not in item.notes
        ):
            item.notes.append(held)
        return item


def _read_text(text: str, item: ParsedItem) -> None:
    """Service lines out to notes and signals, then the '='-ended headline, then paragraphs."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if _service_line(stripped, item):
            continue
        kept.append(line)
    text = "\n".join(kept).strip("\n")
    lines = text.split("\n")
    # The headline: the first lines up to one ending in '=' (at most three lines of it).
    for end, line in enumerate(lines[:4]):
        if line.rstrip().endswith("="):
            head = " ".join(ln.strip() for ln in lines[: end + 1]).rstrip("= ").strip()
            item.headline = head or None
            text = "\n".join(lines[end + 1 :])
            break
    blocks = [b for b in _PARAGRAPH_BREAK.split(text) if b.strip()]
    body = [" ".join(ln.strip() for ln in b.strip().split("\n")) for b in blocks]
    while body and _SIGN_OFF.match(body[-1]):
        item.notes.append(f"sign-off: {body.pop()}")
    item.body = body


def _service_line(line: str, item: ParsedItem) -> bool:
    """Act on a service line; say whether it was one."""
    if _KILL_LINE.match(line):
        item.signals.append(Signal.kill)
        item.status = PubStatus.canceled
        item.version = max(item.version, 2)
    elif _CORRECTION_LINE.match(line):
        item.signals.append(Signal.correction)
        item.version = max(item.version, 2)
    elif _EMBARGO_LINE.match(line):
        if item.status is not PubStatus.canceled:
            item.status = PubStatus.embargoed
        year = item.date_hint.year if item.date_hint else None
        item.embargoed_until = parse_embargo(line, default_year=year)
        if item.embargoed_until is None:
            item.notes.append("embargo time not understood; held for an editor")
    elif not _NOTE_LINE.match(line):
        return False
    item.notes.append(line)
    item.signals[:] = list(dict.fromkeys(item.signals))
    return True
