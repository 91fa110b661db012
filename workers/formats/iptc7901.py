"""IPTC 7901, the text wire framing of dpa, AFP, APA, SDA and many European agencies.

A message as the agencies send it::

    SOH eca0003 3 i 380  dpa 0045            heading: service code + number, priority (1-6),
                                             category, word count, then optional information
                                             (dpa: the credited agency and its own number)
        Switzerland/migration/UN/            keyword (catch) line, ended by '/' at dpa; AFP
                                             puts selectors ('/AFP-VQ45') and the keyword,
                                             version words after a comma ('...,2nd lead')
    STX REFILE                               version, flash and genre lines ('1ST LEAD',
        1ST LEAD                             'EXTRA', German '(Eil )' with BEL bytes,
                                             '(KORR-Bericht)'), service lines (KILL,
                                             CORRECTION, EMBARGO, editor's notes) and
                                             correction notices, sometimes over several lines
        Headline, hard-wrapped               the headline
        By Jane Doe, dpa =                   byline lines; ' =' ends the headline block
                                             (German copy may end it on a '(Foto ...)' note)
        City (dpa) - Paragraphs...           the story; German copy puts a teaser first
        # Notebook / # Notizblock            non-public section: notes to editors, links,
        * * * * The following information    contacts; never body text
          is not for publication ...
        dpa al rmo                           desk sign-off
    ETX 212322 GMT Nov 18                    time line (the zone is sometimes left out)
        DEL DEL EOT                          padding

The heading's first field is often a service code ('eca', 'bdt', 'ecp'), not the agency:
the credited agency is the name in the optional information ('dpa', 'dpa-tns' -> dpa), else
the source when it is an agency name, else the dateline credit. Copy relayed through other
systems arrives with its control characters lost (no SOH, STX or ETX: the heading is the
first line, the text starts after the keyword line, the time line ends it) or padded (NUL
fill, SYN, DEL, blank lines); both are read. Copy cut in transmission (STX but no ETX, no
time line and no EOT) is rejected: a cut story must not go out as if whole.

Other agencies' variants of the framing are read the same way: SDA/ATS put a short kicker
('Economie' / 'Suisse:') above the headline and print the credit without a dash ('Genève
(ats) Le ...'), signing off '(ATS/lm)'; dpa opens its keyword path with a slash
('/politics/EU/') and numbers web versions ('3RD NET'); Kyodo sends an ANPA-style heading
(priority and category letters, 'BC-' keyword, date, word count) and ends the headline
with '+', the text with '==Kyodo'; results systems put unit-separated fields in the heading
('NEWS: VENUE<US>race<US>flags<US>state<US>day') and no STX or ETX.

The telex envelope, ZCZC ... NNNN, is the 5-unit teleprinter form of start and end of
message, which 7901 keeps and which agency systems still wrap copy in. A 7901 heading
inside it is read as above. Otherwise the lines after ZCZC are the sending system's own
(AAP's, in the real copy we know), in one of three shapes:

    ZCZC AAP              ZCZC FMG000                      zczc
    %A                    YY TDR                           AN#40017752
    #Ferry strike_BC2     :POTTED :Riverbend MARKET DAY    KN#Market Wire
    $Ferry crews walk...      GEELONG, Mar 14 AAP - ...    TI#Miner lifts guidance
    :(HOBART)             ...                              TX#
    *04000000             AAP BETTING                      text ...
    @TAS                  NNNN
    text ...
    AAP RTV
    NNNN

marker lines (one character says what the line holds; its meaning depends on the system,
so the value's shape decides), a routing line then title lines, or two-letter tagged
fields. The text after them may open with 'CITY, Mon DD AAP -', which is read as the
dateline, and ends on a sign-off naming the agency. NNNN is often left off.

The framing is found on the raw bytes so error positions are byte offsets.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from schemas import Dateline, PubStatus, Signal, Subject
from workers.dateline import AGENCIES, canonical_agency, parse_date_words, split_dateline
from workers.encoding import decode_text
from workers.errors import ParseError
from workers.formats.anpa1312 import ANPA_CATEGORIES, ANPA_PRIORITIES
from workers.formats.base import ParsedItem, WireFormat
from workers.formats.framing import EOT, ETX, SOH, STX
from workers.formats.versionwords import read_version_words
from workers.formats.wiretime import parse_embargo, parse_iptc7901_trailer

__all__ = ["Iptc7901"]

_NAME = "iptc7901"

# --- heading --------------------------------------------------------------------------------
# A replaced or dropped SOH can leave a junk byte or two ('?', U+FFFD) before the source.
_HEADER = re.compile(
    r"^[^A-Za-z0-9]{0,4}(?P<source>[A-Za-z]{2,6})\s?(?P<number>\d{2,5})\s+(?P<priority>[1-9])\s+"
    r"(?P<category>[A-Za-z]{1,3})\s+(?P<words>\d{1,5})\b\s*(?P<rest>.*)$"
)
# The agency and its own message number in the optional information: 'dpa 061', 'dpa-tns 0908'.
_AGENCY_NUMBER = re.compile(r"(?:^|\s)(?P<agency>[A-Za-z][A-Za-z-]{1,24})\s+(?P<number>\d{2,6})\b")
# Bytes a line may carry that are framing or fill, never text.
_FILL = b"\x00\x16\x7f"
_STRAY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The ETX time line, when ETX itself was lost: '212322 GMT Nov 18', '241205 Sep 24'.
_TIME_LINE = re.compile(rb"^\s*\d{6}\s*(?:[A-Z]{1,4}\s+)?[A-Za-z]{3}\.?\s+\d{2,4}\s*$")

# A heading in the ANPA style some agencies send inside 7901 framing (Kyodo): priority letter,
# category letter, keyword, month-day date and word count ('u s BC-Soccer-Final 09-12 0344').
_ANPA_KEYWORD = re.compile(
    r"^(?P<priority>[a-z])\s+(?P<category>[a-z])\s+(?P<keyword>\S(?:.*\S)?)\s+"
    r"(?P<date>\d{2}-\d{2})\s+(?P<words>\d{2,5})$"
)
# The cycle designator ('BC-') and category ('US--') before an ANPA keyword.
_CYCLE = re.compile(r"^[A-Z]{1,2}-(?:[A-Za-z]{1,3}--)?")
# 'SHDRACE: CANTERBURY', 'NEWS: DOOMBEN': a service label, then the title.
_SERVICE_LABEL = re.compile(r"^(?P<label>[A-Z]{2,12}):\s*(?P<title>\S.*)$")

# --- telex envelope ---------------------------------------------------------------------------
# ZCZC and NNNN open and close a message in 5-unit telex; IPTC 7901 keeps them for teleprinter
# lines, and agency systems still wrap their copy in them.
_TELEX_START = re.compile(rb"^[\s\x00\x16\x7f]*ZCZC(?=[ \t\r\n]|$)", re.IGNORECASE)
_TELEX_LINE_START = re.compile(rb"(?m)^[ \t\x00\x16\x7f]*ZCZC(?=[ \t\r\n]|$)", re.IGNORECASE)
_TELEX_END = re.compile(rb"(?m)^[ \t]*NNNN[ \t\r]*$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# AAP's header lines: a marker character, then the value ('#slug', '$headline', '*07000000').
_MARKER_LINE = re.compile(r"^(?P<marker>[%#$:=^*&+@~])(?P<value>.*)$")
# The markers whose values are only noted.
_MARKER_NAMES = {"%": "selectors", "&": "service level", "@": "place code", "~": "genre"}
_MAX_HEADER_VALUE = 200
# '*X' (text), '*T' (tabular) or '*07000000' (an IPTC subject code).
_FORMAT_OR_SUBJECT = re.compile(r"[A-Z]|\d{8}")
_DATE_ONLY = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$")
# Tagged fields: 'TI#Headline', 'KN#Provider'.
_TAGGED_LINE = re.compile(r"^(?P<tag>[A-Z]{2})#(?P<value>.*)$")
_TAGS_READ = {"TI", "BY", "KN", "KY", "AN"}
# A routing line: a doubled indicator letter, then destination codes ('YY TDR', 'HH TDCom').
_ROUTING_LINE = re.compile(r"^([A-Z])\1\s+\S")
_LABELLED_TITLE = re.compile(
    r"^(?::[A-Z]{3,}(?:\s[A-Z]{2,})*\s*(?::|\s-\s)|[A-Z]{3,}\s+:)\s*(?P<value>\S.*)$"
)
_MAX_TITLE_LINES = 3
# Typesetting codes left on a title line: 'EAGLE FARM<!', '... )=!'.
_TYPESET_CODE = re.compile(r"\s*[<=]!\s*$")

# --- text: service lines ---------------------------------------------------------------------
# Service lines open with an upper-case marker (prose saying 'correction' does not).
_KILL_LINE = re.compile(
    r"^\**\s*(?:MANDATORY\s+)?(?:KILL|ELIMINATION|ANNULATION|ANULACI[OÓ]N|ELIMINAR|"
    r"АННУЛИРОВАНИЕ)\b"
)
_CORRECTION_LINE = re.compile(r"^(?:CORRECTION|CORRECTIF|CORRECTED|RECTIFICATIF|BERICHTIGUNG)\b")
_EMBARGO_LINE = re.compile(r"^(?:EMBARGO(?:ED)?|SPERRFRIST)\b")
_NOTE_LINE = re.compile(
    r"^(?:EDITOR'?S\s+NOTE|EDITORS?\s*:|EDS?\s*:|NOTE\s+TO\s+EDITORS|ATTENTION\s+EDITORS|"
    r"NOTE\s+AUX\s+R[EÉ]DACTIONS|ATTENTION\s+R[EÉ]DACTIONS|HINWEIS\s+F[UÜ]R\s+REDAKTIONEN|"
    r"ATENCI[OÓ]N\s+REDACCIONES|Editor'?s\s+note\s*:|Note\s+to\s+editors\s*:)"
)

# --- text: the headline block ----------------------------------------------------------------
# Version, flash and genre words the agencies put on lines of their own before the headline.
_NUMBERED = (
    r"(?:\d{1,2}(?:st|nd|rd|th|e|er|re|ème|ª|º|\.)?\s*)?"
    r"(?:lead|lede|ld|add|writethru|write-thru|insert|sub|new\s+lead|net|zusammenfassung|"
    r"ampliaci[oó]n|papier(?:\s+g[eé]n[eé]ral)?)"
)
_WORD = (
    rf"(?:{_NUMBERED}|refile|repeat|resend|rpt|correct(?:ion|ed)|update[sd]?(?:\s+\d{{1,2}})?|"
    r"extra|urgent|flash|bulletin|alert|breaking(?:\s+news)?|advisory|round-?up|wrap-?up|"
    r"recast|summary|feature|analysis|background|interview|profile|fact\s?box|preview|"
    r"review|commentary|obituary|obit|exclusive|sidebar|newsmaker|focus|explainer|q\s?&\s?a|"
    r"eil(?:meldung)?|blitz|vorrang|berichtigung|korrektur|wiederholung|aktualisierung|"
    r"neufassung|[uü]berblick|achtung|vorab|erg[aä]nzung|korr-bericht|hintergrund|vorschau|"
    r"alerte|rectificatif|correctif|remettre|mettre\s+[àa]\s+jour|"
    r"urgente|avance|actualizaci[oó]n|versi[oó]n\s+corregida|correcci[oó]n|rectificaci[oó]n|"
    r"rettifica|aggiornamento|correzione|"
    r"rettelse|r[äa]ttelse|korrigering|oppdatering|opdatering|uppdatering)"
)
_VERSION_LINE = re.compile(
    rf"^(?P<words>{_WORD}(?:[\s/,]+{_WORD})*)\s*:?\s*(?:[-–—:]\s*(?P<note>\S.*))?$", re.IGNORECASE
)
# A flash word printed on the headline line itself: 'URGENT: ...', 'FLASH: ...'.
_FLASH_PREFIX = re.compile(
    r"^(?P<word>URGENT|FLASH|BULLETIN|ALERTE|URGENTE|EIL|Eil|Blitz|BREAKING)\s*:\s+(?=\S)"
)
# Words in a version line that say the copy corrects what went before, or is a later version
# of it, in the languages versionwords does not read.
_MORE_CORRECTION = re.compile(
    r"correcci[oó]n|versi[oó]n\s+corregida|correzione|rettelse|r[äa]ttelse|korrigering",
    re.IGNORECASE,
)
_MORE_UPDATE = re.compile(
    r"aktualisierung|neufassung|zusammenfassung|actualizaci[oó]n|ampliaci[oó]n|"
    r"mettre\s+[àa]\s+jour|aggiornamento|oppdatering|opdatering|uppdatering",
    re.IGNORECASE,
)
# Re-sent copy: the same version again, not an update.
_REPEAT = re.compile(r"\b(?:refile|repeat|resend|rpt|wiederholung|remettre)\b", re.IGNORECASE)
_KILL_WORDS = re.compile(
    r"zur[üu]ckgezogen|storniert|annulliert|nicht\s+(?:mehr\s+)?verwenden|do\s+not\s+use",
    re.IGNORECASE,
)
_LEADING_MARKER = re.compile(r"^\((?P<word>[^()]{2,40})\)\s*(?P<rest>\S.*)$")
_EMBARGO_WORD = re.compile(r"\b(?:sperrfrist|embargo(?:ed)?)\b", re.IGNORECASE)
# Verbs a correction notice continues with on its next line.
_NOTICE_VERB = re.compile(
    r"^\(?\s*(?:corrects?|correcting|corrected|clarif(?:ies|ying)|adds?|changes?|fix(?:es)?|"
    r"updates?|berichtigt|korrigiert|erg[aä]nzt|pr[aä]zisiert|corrige|rectifica|eds?\b)",
    re.IGNORECASE,
)
# 'By Jane Doe, dpa', 'Von Anna Beispiel', 'by Jean DUPONT' (AFP), 'By dpa correspondents'.
_BYLINE = re.compile(
    r"^(?:By|BY|by|Von|VON|Par|PAR|par|Por|POR|por|Di|DI|Af|AF|Av|AV|Door|Przez|От)\s+"
    r"(?P<first>\S+)"
)
_MAX_HEAD_LINES = 16
_MAX_KICKER = 30
# Kyodo ends its headline line with '+'.
_PLUS_END = re.compile(r"[^\s+]\+$")

# --- text: body and notebook -----------------------------------------------------------------
# Where the non-public part begins: a markdown-style notebook heading, or the sentence that
# says what follows is not for publication.
_NOTEBOOK = re.compile(
    r"^#{1,3}\s*(?:dpa[\s-]*)?(?:notebook|notizblock|bloc-?notes|notas?|notes?)\b", re.IGNORECASE
)
# The sentence opens the part after '* * * *' ('The following information is not for
# publication'); prose that mentions publication elsewhere in a line is not it.
_NOT_FOR_PUBLICATION = re.compile(
    r"not\s+(?:intended\s+)?for\s+publication|nicht\s+zur\s+ver[öo]ffentlichung|"
    r"pas\s+destin[ée]e?s?\s+[àa]\s+(?:la\s+)?publication|no\s+(?:es|son|est[aá]n?)\s+"
    r"(?:destinad[ao]s?\s+)?para\s+(?:su\s+)?publicaci[oó]n",
    re.IGNORECASE,
)
_FOLLOWING = re.compile(
    r"^(?:the\s+following|die\s+folgenden|les\s+informations|la\s+siguiente|las\s+siguientes|"
    r"la\s+informaci[oó]n|le\s+seguenti|f[oø]lgende|f[oö]ljande)\b",
    re.IGNORECASE,
)
_NOTEBOOK_CORRECTION = re.compile(
    r"^#{1,3}\s*(?:correction|berichtigung|korrektur|rectificatif|correcci[oó]n)\b", re.IGNORECASE
)
_MARKUP = re.compile(r"^(?:#{1,3}|[-*+])\s*")
_SEPARATOR = re.compile(r"^[*\s]+$")
# Desk initials an agency signs off with ('pab/jmc'), and end marks.
_SIGN_OFF = re.compile(r"^(?:[a-z]{2,5}(?:[-/][a-z]{2,5})+|\(?END\)?|-30-|FIN|ENDE|=+)$")
# dpa's 'dpa wsz jln npr', 'dpa koe yyno n1 sck': the agency, then desk and editor codes.
_DESK_SIGN_OFF = re.compile(
    r"^(?P<agency>[a-z]{2,6})(?:-[a-z]{2,5})?(?:\s+[a-zäöüß0-9/]{1,8}){1,8}$"
)
# Sign-offs that name the agency: '==Kyodo', '(SDA\\/sj)' (a JSON-escaped slash kept), 'AAP',
# 'AAP RESULTS'.
_AGENCY_SIGN_OFF = re.compile(
    r"^(?:=+\s*(?P<a1>[A-Za-z]{2,12})|\((?P<a2>[A-Za-z]{2,12})(?:\s*[\\/]+\s*[a-z]{1,6})+\)|"
    r"(?P<a3>[A-Z]{2,12})(?:\s+[A-Z]{2,12})?)$"
)
_WRAP_WIDTH = 90
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=[\t ]{2,}\S|\t\S)")
_CREDIT = re.compile(r"\((?P<credit>[A-Za-z][\w/ .-]{0,30})\)\s*[-–—_]")

# --- German embargo times: 'Sperrfrist 9. Oktober 14.20 Uhr' (Berlin time) ------------------
_GERMAN_EMBARGO = re.compile(
    r"(?P<d>\d{1,2})\.\s*(?P<mon>[A-Za-zÄäÖöÜü]{3,9})\.?\s*(?P<y>\d{4})?\s+"
    r"(?P<hh>\d{1,2})[.:](?P<mm>\d{2})\s*Uhr",
)
_BERLIN = ZoneInfo("Europe/Berlin")
_HELD = "embargo time not understood; held for an editor"


class Iptc7901(WireFormat):
    name = _NAME

    def sniff(self, raw: bytes) -> float:
        if _TELEX_START.match(raw[:256]):
            return 0.8
        head = raw[:512].replace(b"\x00", b"").lstrip(b"\r\n\t \x16\x7f\x04")
        if head.startswith(SOH):
            header = head[1:160].lstrip(b"\r\n \x16").split(b"\n")[0].decode("latin-1")
            return 0.95 if _HEADER.match(header) else 0.4
        # Control characters lost in transit: the heading is the first line, and a keyword
        # line ('.../'), an STX or a ' =' headline end follows it.
        lines = head.split(b"\n")
        if _HEADER.match(lines[0].decode("latin-1").strip()) and (
            STX in head or any(ln.rstrip().endswith((b"/", b"=")) for ln in lines[1:8])
        ):
            return 0.7
        return 0.0

    def split(self, raw: bytes) -> list[bytes]:
        """One item per SOH at a line start, or per ZCZC in telex copy; a message with one
        start is one item."""
        if _TELEX_START.match(raw[:256]):
            starts = [m.start() for m in _TELEX_LINE_START.finditer(raw)]
        else:
            starts = [m.start() + (1 if m[0][:1] in b"\r\n\x04\x00\x16" else 0)
                      for m in re.finditer(rb"(?:^|[\r\n\x04\x00\x16])\x01", raw)]  # fmt: skip
        if len(starts) < 2:
            return [raw]
        return [raw[a:b] for a, b in zip(starts, [*starts[1:], len(raw)], strict=True)]

    def parse(self, raw: bytes) -> ParsedItem:
        raw = _unpad(raw)
        if _TELEX_START.match(raw[:256]):
            return _parse_telex(raw)
        return _parse_message(raw, [])


def _parse_message(raw: bytes, notes: list[str]) -> ParsedItem:
    """One 7901 message: heading, text, trailer."""
    header_bytes, text_bytes, trailer_bytes = _cut(raw, notes)
    header, _ = decode_text(header_bytes)
    text, _ = decode_text(text_bytes)
    trailer, _ = decode_text(trailer_bytes.split(EOT)[0])
    # A unit separator parts fields in the headings of results systems: keep them apart.
    header = _STRAY_CONTROLS.sub("", header.replace("\x1f", "\t"))
    header_lines = [ln.strip() for ln in header.replace("\r", "\n").split("\n")]
    header_lines = [ln for ln in header_lines if ln]
    item = ParsedItem(format=_NAME, body=[])
    match = _HEADER.match(header_lines[0]) if header_lines else None
    named = keyword = None
    if match:
        named = _read_heading(match, header_lines[1:], item)
    else:
        # A readable text is never thrown away for a heading we cannot read.
        keyword = _read_other_heading(header_lines, item)
    item.notes += notes
    item.date_hint, item.version_created = parse_iptc7901_trailer(trailer)
    _read_text(_drop_keyword_repeat(_STRAY_CONTROLS.sub("", text), keyword), item)
    if not item.agency:
        # An agency we do not know: the dateline credit if it names one we do, or the
        # sign-off, else the heading's own name for it, else the source field as carried.
        item.agency = (
            _credit_agency(item)
            or _sign_off_agency(item)
            or canonical_agency(named or (match["source"] if match else None))
        )
    _finish(item)
    return item


def _finish(item: ParsedItem, *, undated_id: bool = True) -> None:
    """The item id (slug and day) and the status. Telex copy seldom carries a date, and its
    slugs come back every week ('Riverbend MARKET DAY'): without a day it gets no id, so
    next week's item is not taken for a version of this one."""
    if item.slugline and not item.item_id and (item.date_hint or undated_id):
        day = item.date_hint
        item.item_id = f"{item.slugline}/{day.isoformat()}" if day else item.slugline
    _settle_status(item)


# --- framing --------------------------------------------------------------------------------
def _unpad(raw: bytes) -> bytes:
    """Undo NUL padding: copy sent as UTF-16 without a BOM, or NUL fill bytes from a
    teletype line. Both would otherwise read as binary."""
    if b"\x00" not in raw[:4096] or raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw
    half = max(len(raw) // 2, 1)
    even, odd = raw[0::2].count(0), raw[1::2].count(0)
    for zeros, others, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros > 0.4 * half and others < 0.05 * half:
            try:
                return raw.decode(codec).replace("\x00", "").encode("utf-8")
            except UnicodeDecodeError:
                break
    return raw.replace(b"\x00", b"")


def _cut(raw: bytes, notes: list[str]) -> tuple[bytes, bytes, bytes]:
    """(heading, text, trailer) of one message; framing bytes that were lost are looked for
    by what stands where they belong, and ``notes`` says so."""
    if not raw.strip(b"\r\n\t " + _FILL + SOH + STX + ETX + EOT):
        raise ParseError("empty message", format=_NAME, position="byte 0")
    soh = raw.find(SOH)
    if soh >= 0:
        start = soh + 1
    else:
        start = len(raw) - len(raw.lstrip(b"\r\n\t " + _FILL))
        first = raw[start:].split(b"\n", 1)[0].decode("latin-1").strip()
        if not _HEADER.match(first):
            raise ParseError(
                "no SOH: the message has no IPTC 7901 heading", format=_NAME, position="byte 0"
            )
        notes.append("framing: no SOH; the heading is the first line")
    stx = raw.find(STX, start)
    if stx >= 0:
        header_end, text_start = stx, stx + 1
    else:
        header_end = text_start = _text_start(raw, start)
        if not raw[text_start:].split(ETX)[0].split(EOT)[0].strip(b"\r\n\t " + _FILL):
            raise ParseError(
                f"the heading opened at byte {start - 1} never reaches STX: the copy was cut "
                "before its text",
                format=_NAME,
                position=f"byte {len(raw)}",
            )
        notes.append("framing: no STX; the text starts after the keyword line")
    etx = raw.find(ETX, text_start)
    if etx >= 0:
        return raw[start:header_end], raw[text_start:etx], raw[etx + 1 :]
    eot = raw.find(EOT, text_start)
    region = raw[text_start : eot if eot >= 0 else len(raw)]
    lines = region.rstrip(b"\r\n\t " + _FILL).split(b"\n")
    if lines and _TIME_LINE.match(lines[-1].strip(_FILL)):
        notes.append("framing: no ETX; the text ends at the time line")
        cut = len(b"\n".join(lines[:-1]))
        return raw[start:header_end], region[:cut], region[cut:]
    if eot >= 0 or soh < 0 or stx < 0:
        notes.append("framing: no ETX; the text runs to the end of the message")
        return raw[start:header_end], region, b""
    raise ParseError(
        f"the text opened at byte {stx} has no ETX: the copy was truncated in transmission",
        format=_NAME,
        position=f"byte {len(raw)}",
    )


def _text_start(raw: bytes, start: int) -> int:
    """Where the text begins when STX was lost: after the heading line and the keyword
    line(s) that follow it."""
    pos = raw.find(b"\n", start)
    if pos < 0:
        return len(raw)
    pos += 1
    keywords = 0
    while pos < len(raw) and keywords < 2:
        end = raw.find(b"\n", pos)
        end = len(raw) if end < 0 else end + 1
        line = raw[pos:end].strip(b"\r\n\t " + _FILL).decode("latin-1")
        if line and not (_looks_like_keyword_line(line) or _lone_keyword(raw, end, line)):
            break
        keywords += bool(line)
        pos = end
    return pos


def _lone_keyword(raw: bytes, end: int, line: str) -> bool:
    """SDA's one-word keyword line ('Suisse'), set off by a blank line before the text."""
    following = raw[end : raw.find(b"\n", end) + 1 or len(raw)].strip(b"\r\n\t " + _FILL)
    return " " not in line and not line.endswith("=") and not following


def _looks_like_keyword_line(line: str) -> bool:
    """dpa's 'Germany-politics/', AFP's '/AFP-VQ45 Portugal-transport', a bare 'Slug-word'."""
    if line.endswith("/") or line.startswith("/"):
        return True
    if " " in line or line.endswith("=") or _VERSION_LINE.match(line):
        return False
    return any(c in line for c in "-/") or line[:1].islower()


# --- telex envelope: ZCZC ... NNNN ----------------------------------------------------------
def _parse_telex(raw: bytes) -> ParsedItem:
    """Copy in the telex envelope: ZCZC and what follows it on its line (a channel number,
    'FMG000', or the source, 'AAP'), header lines, the text, NNNN. A 7901 message inside
    the envelope is read as one; otherwise the header lines are the agency system's own."""
    notes = ["framing: ZCZC ... NNNN telex envelope"]
    start = _TELEX_START.match(raw)
    assert start is not None  # parse() sends only copy that opens with ZCZC
    inner = raw[start.end() :]
    end = _TELEX_END.search(inner)
    if end:
        inner = inner[: end.start()]
    else:
        notes.append("framing: no NNNN; the text runs to the end of the message")
    opening, _, rest = inner.partition(b"\n")
    first = rest.lstrip(b"\r\n\t " + _FILL).split(b"\n", 1)[0]
    if SOH in inner or _HEADER.match(opening.decode("latin-1").strip()):
        return _parse_message(inner, notes)
    if _HEADER.match(first.decode("latin-1").strip()):
        return _parse_message(rest, notes)
    text, _ = decode_text(inner)
    lines = _LINE_BREAK.split(_STRAY_CONTROLS.sub("", text))
    item = ParsedItem(format=_NAME, body=[], notes=notes)
    source = lines[0].strip()
    if source:
        item.agency = _known_agency(source)
        item.notes.append(f"envelope: {source}")
    lines = lines[1:]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not any(ln.strip() for ln in lines):
        raise ParseError("the telex envelope carries no text", format=_NAME, position="byte 0")
    first_line = lines[0].strip()
    if _TAGGED_LINE.match(first_line):
        _read_body(_read_tagged_header(lines, item), item)
    elif _MARKER_LINE.match(first_line):
        _read_body(_read_marker_header(lines, item), item)
    elif _ROUTING_LINE.match(first_line):
        _read_body(_read_routing_header(lines, item), item)
    else:
        _read_text("\n".join(lines), item)
    item.agency = item.agency or _credit_agency(item) or _sign_off_agency(item)
    _finish(item, undated_id=False)
    return item


def _read_marker_header(lines: list[str], item: ParsedItem) -> list[str]:
    """AAP's header lines, each opened by a character saying what it holds. Its systems give
    the characters different fields ('$' is the category letter in sports copy and the
    headline in news copy; ':' the keyword in one, the take key or headline in others), so
    the value's shape decides: one letter is a category, eight digits an IPTC subject code,
    a date a take key; with a '#' keyword line, ':' is the headline unless '$' gave one.
    Returns the lines of the text."""
    fields: list[tuple[str, str]] = []
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if not line and index + 1 < len(lines) and _is_marker_line(lines[index + 1].strip()):
            index += 1  # a blank line inside the header: a value sent with its own line end
            continue
        if not _is_marker_line(line):
            break
        fields.append((line[0], line[1:].strip()))
        index += 1
    headline = slug = None
    colons: list[str] = []
    takes = [value for marker, value in fields if marker == "=" and value]
    for marker, value in fields:
        if not value or marker == "=":
            continue
        if marker in "$%" and len(value) <= 2 and value.isalpha():
            # The agency's own category letters: ANPA's names would mislabel them.
            item.subjects.append(Subject(scheme="telex-category", code=value.upper()))
        elif marker in "$^":
            headline = headline or value
        elif marker == "#":
            slug = slug or value
        elif marker == ":":
            colons.append(value)
        elif marker in "*+" and value.isdigit():
            item.subjects.append(Subject(scheme="subj", code=value))
        elif marker == "*":
            item.notes.append("format: tabular" if value == "T" else "format: text")
        else:
            item.notes.append(f"{_MARKER_NAMES[marker]}: {value}")
    keyed = any(marker == "#" for marker, _ in fields)
    for value in colons:
        if keyed and headline is None and not _DATE_ONLY.match(value):
            headline = value
        elif not keyed and slug is None:
            slug = value
        else:
            takes.append(value)
    item.headline, item.slugline = headline, slug
    _read_take_keys(takes, item)
    return lines[index:]


def _is_marker_line(line: str) -> bool:
    match = _MARKER_LINE.match(line)
    return match is not None and _fits_marker(match["marker"], match["value"].strip())


def _fits_marker(marker: str, value: str) -> bool:
    """Is this a header line and not the text's first line (a '* ' list item)?"""
    if marker == "*":
        return bool(_FORMAT_OR_SUBJECT.fullmatch(value))
    if marker == "+":
        return value.isdigit() or not value
    return len(value) <= _MAX_HEADER_VALUE


def _read_take_keys(takes: list[str], item: ParsedItem) -> None:
    """Take keys say which part of a story this is ('Round 23', '(BRISBANE)'); version words
    among them are the version label."""
    for take in takes:
        if _VERSION_LINE.match(take):
            item.version_label = take
            _apply_version_words(take, item)
        item.notes.append(f"take key: {take}")


def _read_tagged_header(lines: list[str], item: ParsedItem) -> list[str]:
    """Two-letter tagged fields ('TI#headline', 'BY#', 'KY#keywords'); 'TX#' opens the text.
    Returns the lines of the text."""
    for index, line in enumerate(lines):
        match = _TAGGED_LINE.match(line.strip())
        if not match:
            return lines[index:]
        tag, value = match["tag"], match["value"].strip()
        if tag == "TX":
            return [value, *lines[index + 1 :]] if value else lines[index + 1 :]
        if not value:
            continue
        if tag == "TI":
            item.headline = value
        elif tag == "BY":
            item.byline = value
        elif tag == "KN":
            item.agency = canonical_agency(value)  # the provider that wrote it
        elif tag == "KY":
            item.keywords = value.split()
        elif tag == "AN":
            item.item_id = value
        elif tag == "PD":
            item.date_hint = parse_date_words(" ".join(value.split()[:3]))
        if tag not in _TAGS_READ:
            item.notes.append(f"{tag}: {value}")
    return []


def _read_routing_header(lines: list[str], item: ParsedItem) -> list[str]:
    """A routing line ('YY TDR': indicator and destination codes), then title lines: labelled
    (':POTTED :Eagle Farm MARKET DAY', 'RACING : Caulfield FIELDS', ':SPORT - ...'), bare
    after a colon (':Premierships ...'), or one plain line. The first title is the slug; a
    later labelled one is the headline, else the first is both. Returns the text's lines."""
    item.notes.append(f"routing: {lines[0].strip()}")
    titles: list[tuple[bool, str]] = []
    index = 1
    while index < len(lines) and len(titles) < _MAX_TITLE_LINES:
        line = _TYPESET_CODE.sub("", lines[index].strip())
        if match := _LABELLED_TITLE.match(line):
            titles.append((True, match["value"].strip()))
        elif line.startswith(":") and line[1:].strip():
            titles.append((False, line[1:].strip()))
        elif index == 1 and line and not lines[index][:1].isspace():
            titles.append((False, line))
            index += 1
            break
        else:
            break
        index += 1
    if titles:
        item.slugline = titles[0][1]
        later = [value for labelled, value in titles[1:] if labelled]
        item.headline = later[0] if later else titles[0][1]
        _read_take_keys([value for labelled, value in titles[1:] if not labelled], item)
    return lines[index:]


# --- heading --------------------------------------------------------------------------------
def _read_heading(match: re.Match[str], keyword_lines: list[str], item: ParsedItem) -> str | None:
    """Source, priority, category and word count; the credited agency from the optional
    information; the keyword line's slug, selectors and version words. Returns the agency
    name the optional information carries, known or not."""
    item.urgency = int(match["priority"])
    item.subjects.append(Subject(scheme="iptc7901-category", code=match["category"].upper()))
    item.notes += [f"message: {match['source']}{match['number']}",
                   f"word count: {int(match['words'])}"]  # fmt: skip
    rest = match["rest"].strip()
    credited = _AGENCY_NUMBER.search(rest)
    named = credited["agency"] if credited else None
    if credited:
        item.agency = _known_agency(credited["agency"])
        item.notes.append(f"agency message: {credited['agency']} {credited['number']}")
        left = (rest[: credited.start()] + " " + rest[credited.end() :]).split()
        rest = " ".join(left)
    if item.agency is None:
        item.agency = _known_agency(match["source"])
    if keyword_lines and rest:
        item.notes.append(f"heading: {rest}")
        rest = ""
    slug_line = " ".join([rest, *keyword_lines]).strip()
    selectors = [t for t in slug_line.split() if _is_selector(t)]
    keyword = " ".join(t for t in slug_line.split() if not _is_selector(t)).strip("/")
    if selectors:
        item.notes.append("selectors: " + " ".join(selectors))
    stem, _, version_text = keyword.partition(",")
    stem = stem.strip().rstrip("/").strip()
    item.slugline = stem or None
    parts = stem.split("/") if "/" in stem else stem.split("-")
    item.keywords = [w.strip() for w in parts if w.strip()]
    version_text = version_text.strip()
    if version_text:
        item.version_label = version_text
        _apply_version_words(version_text, item)
    return named


def _read_other_heading(lines: list[str], item: ParsedItem) -> str | None:
    """A heading that is not 7901's own, in 7901 framing: Kyodo's ANPA-style heading
    ('a0105KYODO', then 'u s BC-Soccer-Final   09-12 0344': priority, category, keyword,
    date, word count) or a results system's unit-separated fields ('CANTERBURY', race, flags,
    state, day). Read what is there and note the rest; the keyword as carried is returned, as
    the text repeats it on its first line."""
    first = lines[0] if lines else ""
    item.notes.append(f"heading {first[:60]!r} is not 'SOURCE+number priority category wordcount'")
    item.agency = _heading_agency(first)
    for line in lines[:3]:
        if anpa := _ANPA_KEYWORD.match(line):
            item.urgency = ANPA_PRIORITIES.get(anpa["priority"])
            category = anpa["category"]
            item.subjects.append(
                Subject(scheme="anpa-category", code=category, name=ANPA_CATEGORIES.get(category))
            )
            item.notes += [f"heading date: {anpa['date']}", f"word count: {int(anpa['words'])}"]
            keyword = anpa["keyword"]
            item.slugline = _CYCLE.sub("", keyword).strip() or None
            item.keywords = [w for w in (item.slugline or "").split("-") if w]
            return keyword
    fields = [f.strip() for f in first.split("\t")]
    if len(fields) > 2 and fields[0]:
        labelled = _SERVICE_LABEL.match(fields[0])
        if labelled:
            item.notes.append(f"service: {labelled['label']}")
        item.slugline = labelled["title"] if labelled else fields[0]
        item.notes.append("heading fields: " + " ".join(f for f in fields[1:] if f))
    return None


def _heading_agency(line: str) -> str | None:
    """A known agency's name among the words of a heading: Kyodo's 'a0105KYODO'."""
    for word in re.findall(r"[A-Za-z]{2,}", line):
        if word.lower() in AGENCIES:
            return canonical_agency(word)
    return None


def _drop_keyword_repeat(text: str, keyword: str | None) -> str:
    """ANPA-style copy repeats the heading's keyword as the text's first line: not text."""
    if not keyword:
        return text
    head, _, rest = text.lstrip("\r\n").partition("\n")
    return rest if head.strip() == keyword else text


def _is_selector(token: str) -> bool:
    """AFP's '/AFP-VQ45', '/EUR': one leading slash. A keyword path opened by a slash, dpa's
    '/politics/Britain/EU/', is the keyword, not a selector."""
    return token.startswith("/") and "/" not in token[1:].rstrip("/")


def _known_agency(name: str) -> str | None:
    """'dpa' -> 'dpa'; a service of an agency, 'dpa-tns', -> 'dpa'; else None."""
    lowered = name.lower()
    if lowered in AGENCIES:
        return canonical_agency(lowered)
    stem = lowered.split("-")[0]
    return canonical_agency(stem) if stem in AGENCIES else None


def _credit_agency(item: ParsedItem) -> str | None:
    """The first known agency in the dateline credit: '(tca/dpa)' -> dpa, '(dpa/lni)' -> dpa."""
    credits = [item.dateline.agency] if item.dateline and item.dateline.agency else []
    for paragraph in item.body[:2]:
        if m := _CREDIT.search(paragraph[:120]):
            credits.append(m["credit"])
    for credit in credits:
        for part in re.split(r"[/,\s]+", credit):
            if part and (known := _known_agency(part)):
                return known
    return None


def _apply_version_words(text: str, item: ParsedItem) -> None:
    """Version number, signals and status from version words. A repeat (REFILE) is the same
    version sent again, so its words are left out of the count.

    Words such as '1ST LEAD' or '3RD NET' number the version but are no update signal: 7901
    carries no structural update marker, and a lead may be the first take a desk sees.
    Corrections and kills are the agency's explicit word and keep their signals."""
    words = read_version_words(_REPEAT.sub(" ", text))
    item.version = max(item.version, words.version)
    item.signals += [s for s in words.signals if s is not Signal.update]
    if words.status is PubStatus.canceled:
        item.status = PubStatus.canceled
    if words.advisory:
        item.notes.append("advisory: for editors, not for publication")
    if words.embargoed and item.status is PubStatus.usable:
        item.status = PubStatus.embargoed
    if _MORE_CORRECTION.search(text):
        item.signals.append(Signal.correction)
        item.version = max(item.version, 2)
    if _MORE_UPDATE.search(text):
        number = re.search(r"(\d{1,2})\s*(?:\.|ª|º)?\s*(?:zusammenfassung|ampliaci)", text, re.I)
        item.version = max(item.version, int(number[1]) + 1 if number else 2)
    item.signals[:] = list(dict.fromkeys(item.signals))


def _settle_status(item: ParsedItem) -> None:
    if Signal.kill in item.signals:
        item.status = PubStatus.canceled
    if item.status is PubStatus.embargoed and not item.embargoed_until and _HELD not in item.notes:
        item.notes.append(_HELD)


# --- text -----------------------------------------------------------------------------------
def _read_text(text: str, item: ParsedItem) -> None:
    """The headline block up to ' =', then paragraphs, then the non-public notebook."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    end = _headline_end(lines)
    labels: list[str] = []
    if end is not None:
        head = [ln.strip() for ln in lines[: end + 1] if ln.strip()]
        head[-1] = head[-1].rstrip()[:-1].rstrip()
        _read_head_block([ln for ln in head if ln], item, labels)
        lines = lines[end + 1 :]
    if labels:
        label = " ".join(labels)
        item.version_label = f"{label} {item.version_label}" if item.version_label else label
    _read_body(lines, item)


def _read_body(lines: list[str], item: ParsedItem) -> None:
    """Paragraphs, service lines, sign-offs and the notebook of the text after the headline."""
    kept = [ln for ln in lines if not _service_line(ln.strip(), item)]
    body_lines, notebook = _split_notebook(kept)
    _pop_sign_off_lines(body_lines, item)
    blocks = [b for b in _PARAGRAPH_BREAK.split("\n".join(body_lines).strip("\n")) if b.strip()]
    body = [paragraph for block in blocks for paragraph in _paragraphs(block)]
    while body and (
        _SIGN_OFF.match(body[-1]) or _is_desk_sign_off(body[-1]) or _agency_sign_off(body[-1])
    ):
        item.notes.append(f"sign-off: {body.pop()}")
    _read_notebook(notebook, item)
    if body and not item.byline and _is_body_byline(body[0]):
        item.byline = body.pop(0)
    item.body = body
    _teaser_dateline(item)


def _paragraphs(block: str) -> list[str]:
    """The lines of a block joined into paragraphs. Teleprinter copy is hard-wrapped short of
    70 characters (some racing forms run to 80); a longer line was never wrapped, so a line
    end after it ends a paragraph (systems that send one paragraph a line, no blank line)."""
    lines = [line.strip() for line in block.strip().split("\n")]
    if len(lines) == 1 or max(map(len, lines[:-1])) <= _WRAP_WIDTH:
        return [" ".join(lines)]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        current.append(line)
        if len(line) > _WRAP_WIDTH:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return [p for p in paragraphs if p]


def _pop_sign_off_lines(lines: list[str], item: ParsedItem) -> None:
    """A sign-off naming the agency on the text's last line, with no blank line before it
    ('==Kyodo', AAP's 'AAP RESULTS' under a table): off the body, into the notes."""
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and _agency_sign_off(lines[-1].strip()):
        item.notes.append(f"sign-off: {lines.pop().strip()}")


def _headline_end(lines: list[str]) -> int | None:
    """Index of the line that ends the headline block with '=' (within its first lines), or
    with Kyodo's '+' (on the headline line itself, first or second of the text)."""
    seen = 0
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        seen += 1
        if seen > _MAX_HEAD_LINES:
            return None
        if stripped.endswith("=") and stripped.strip("= "):
            return index
        if seen <= 2 and _PLUS_END.search(stripped):
            return index
    return None


def _read_head_block(head: list[str], item: ParsedItem, labels: list[str]) -> None:
    """Sort the lines before ' =' into version lines, notices, headline and byline."""
    headline: list[str] = []
    byline: list[str] = []
    entries = _group_entries(head)
    for number, entry in enumerate(entries):
        last = number == len(entries) - 1
        if last and not headline and labels and _is_byline(entry):
            # 'INTERVIEW' then 'By ... =': the label-like line was the headline.
            headline.append(labels.pop())
        if byline or (headline and _is_byline(entry)):
            if _is_parenthesised(entry):
                item.notes.append(entry)  # '(Foto Produktion)': a note to the picture desk
            else:
                byline.append(entry)
        elif headline:
            if last and _is_parenthesised(entry) and len(entries) > 1:
                item.notes.append(entry)
            else:
                headline.append(entry)
        elif last or not _pre_headline_line(entry, item, labels):
            headline.append(entry)
    if len(headline) > 1:
        _split_kicker(headline, item)
    if headline:
        if flash := _FLASH_PREFIX.match(headline[0]):
            labels.append(flash["word"])
            headline[0] = headline[0][flash.end() :]
        item.headline = " ".join(headline).strip() or None
    elif labels:
        # Only label-like lines: the last of them was the headline after all.
        item.headline = labels.pop()
    if byline:
        item.byline = " ".join(byline)


def _split_kicker(headline: list[str], item: ParsedItem) -> None:
    """SDA/ATS put a short topic line ending in ':' above the headline ('Economy' / 'France:'):
    a kicker, not the start of the headline. Only short lines count, so a headline
    hard-wrapped after a colon stays whole."""
    for index in range(len(headline) - 2, -1, -1):
        if headline[index].endswith(":"):
            if all(len(line) <= _MAX_KICKER for line in headline[: index + 1]):
                item.notes.append("kicker: " + " ".join(headline[: index + 1]))
                del headline[: index + 1]
            return


def _group_entries(head: list[str]) -> list[str]:
    """Join the lines of one entry: a parenthesis open over several lines, or a correction
    notice hard-wrapped onto the next (never onto the last line, which is the headline's)."""
    entries: list[str] = []
    index = 0
    while index < len(head):
        group = [head[index]]
        depth = head[index].count("(") - head[index].count(")")
        notice = _is_notice_start(head[index])
        while index + 1 < len(head):
            following = head[index + 1]
            open_paren = depth > 0
            wrapped = notice and index + 1 < len(head) - 1 and _continues(group[-1], following)
            if not (open_paren or wrapped):
                break
            depth += following.count("(") - following.count(")")
            group.append(following)
            index += 1
        entries.append(" ".join(group))
        index += 1
    return entries


def _is_notice_start(line: str) -> bool:
    inner = line.lstrip("(* ")
    return bool(
        _CORRECTION_LINE.match(inner)
        or _KILL_LINE.match(inner)
        or _NOTE_LINE.match(inner)
        or ((m := _VERSION_LINE.match(inner.rstrip(")"))) and _is_correction(m["words"]))
    )


def _continues(previous: str, following: str) -> bool:
    """Does a notice go on onto the next line? Yes when that line starts lower case or with a
    notice verb, or the notice broke off at a comma or dash."""
    return (
        following[:1].islower()
        or following[:1].isdigit()
        or bool(_NOTICE_VERB.match(following))
        or previous.rstrip().endswith((",", ";", "-", "–", ":", "("))
    )


def _pre_headline_line(entry: str, item: ParsedItem, labels: list[str]) -> bool:
    """Act on a line before the headline: service line, version line, German parenthesised
    line. Say whether it was one (else the headline starts here)."""
    plain = _STRAY_CONTROLS.sub("", entry).strip()
    parenthesised = _is_parenthesised(plain)
    inner = plain[1:-1].strip() if parenthesised else plain
    if _EMBARGO_WORD.match(inner):
        _embargo(inner, item)
        return True
    version = _VERSION_LINE.match(inner)
    if version and _is_correction(version["words"]):
        labels.append(_words(version["words"]))
        _apply_version_words(version["words"], item)
        item.notes.append(inner)
        return True
    if _service_line(inner, item):
        if _CORRECTION_LINE.match(inner):
            labels.append(inner.split()[0].rstrip(":-"))
        return True
    if version and version["note"] and not parenthesised and not _REPEAT.search(inner):
        return False  # 'Interview: Minister says ...' is a headline with a genre prefix
    if version:
        labels.append(_words(version["words"]))
        _apply_version_words(version["words"], item)
        if version["note"]:
            item.notes.append(inner)
        return True
    if parenthesised and inner:
        return _parenthesised_line(inner, item, labels)
    marker = _LEADING_MARKER.match(plain)
    if marker and _VERSION_LINE.match(marker["word"]):
        # '(Achtung) Die Meldung wird zurückgezogen.': a marker, then the notice it opens.
        _parenthesised_line(marker["word"], item, labels)
        item.notes.append(plain)
        if _KILL_WORDS.search(marker["rest"]):
            item.signals.append(Signal.kill)
            item.status = PubStatus.canceled
        return True
    return False


def _parenthesised_line(inner: str, item: ParsedItem, labels: list[str]) -> bool:
    """'(Berichtigung: ...)', '(KORR-Bericht)', '(Achtung) ...', '(Vorschau Sperrfrist ...)'."""
    word = inner.partition(":")[0]
    if _is_correction(word):
        labels.append(word.strip())
        _apply_version_words(word, item)
        item.notes.append(inner)
        return True
    embargo = _EMBARGO_WORD.search(inner)
    genre = inner[: embargo.start()].strip(" -") if embargo else inner
    if embargo:
        _embargo(inner[embargo.start() :], item)
    if genre:
        labels.append(genre)
        _apply_version_words(genre, item)
    if _KILL_WORDS.search(inner):
        item.signals.append(Signal.kill)
        item.status = PubStatus.canceled
        item.notes.append(inner)
    return True


def _is_correction(words: str) -> bool:
    found = read_version_words(words)
    return Signal.correction in found.signals or bool(_MORE_CORRECTION.search(words))


def _words(words: str) -> str:
    return " ".join(words.replace(",", " ").split())


def _is_parenthesised(line: str) -> bool:
    return line.startswith("(") and line.rstrip().endswith(")")


def _is_byline(line: str) -> bool:
    """A short 'By' line naming someone: a capitalised name or an agency ('By dpa staff')."""
    match = _BYLINE.match(line)
    if not match or len(line) > 120 or len(line.split()) > 16:
        return False
    first = match["first"]
    return first[:1].isupper() or first.lower().rstrip(",") in AGENCIES


def _is_body_byline(paragraph: str) -> bool:
    """A first paragraph that is only a byline: 'by Jean DUPONT' (AFP), no sentence."""
    return _is_byline(paragraph) and not paragraph.endswith((".", "!", "?", ":"))


def _embargo(line: str, item: ParsedItem) -> None:
    if item.status is not PubStatus.canceled:
        item.status = PubStatus.embargoed
    year = item.date_hint.year if item.date_hint else None
    item.embargoed_until = parse_embargo(line, default_year=year) or _german_embargo(line, year)
    item.notes.append(line)
    if item.embargoed_until is None:
        item.notes.append(_HELD)


def _german_embargo(line: str, year: int | None) -> datetime | None:
    """'Sperrfrist 9. Oktober 14.20 Uhr': dpa prints German embargo times in Berlin time."""
    match = _GERMAN_EMBARGO.search(line)
    if not match:
        return None
    day = parse_date_words(f"{match['d']} {match['mon']} {match['y'] or year or ''}".strip())
    if day is None or not (int(match["hh"]) < 24 and int(match["mm"]) < 60):
        return None
    local = datetime(day.year, day.month, day.day, int(match["hh"]), int(match["mm"]))
    return local.replace(tzinfo=_BERLIN).astimezone(ZoneInfo("UTC"))


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
        _embargo(line, item)
        return True
    elif not _NOTE_LINE.match(line):
        return False
    item.notes.append(line)
    item.signals[:] = list(dict.fromkeys(item.signals))
    return True


def _split_notebook(lines: list[str]) -> tuple[list[str], list[str]]:
    """Cut the text where the non-public notebook begins."""
    text = "\n".join(lines)
    folded = text.lower()
    if "#" not in text and "publica" not in folded and "ffentlichung" not in folded:
        return lines, []  # one scan of the text spares a look at every line
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if _NOTEBOOK.match(stripped) or _not_for_publication(lines, index):
            start = index
            # A '* * * *' rule just above the sentence belongs to the notebook too.
            while start > 0 and (not lines[start - 1].strip() or
                                 _SEPARATOR.match(lines[start - 1].strip())):  # fmt: skip
                start -= 1
            return lines[:start], lines[start:]
    return lines, []


def _not_for_publication(lines: list[str], index: int) -> bool:
    """The 'not for publication' sentence, opening its line after a '* * * *' rule or
    itself saying 'The following ...'."""
    stripped = lines[index].strip()
    if not _NOT_FOR_PUBLICATION.search(stripped[:100]):
        return False
    if _FOLLOWING.match(stripped):
        return True
    above = next((ln.strip() for ln in reversed(lines[:index]) if ln.strip()), "")
    return bool(above) and bool(_SEPARATOR.match(above))


def _read_notebook(lines: list[str], item: ParsedItem) -> None:
    """Notebook lines to notes, one per entry (wrapped list items joined)."""
    entries: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped or _SEPARATOR.match(stripped):
            continue
        if _NOTEBOOK_CORRECTION.match(stripped):
            item.signals.append(Signal.correction)
        if line.startswith((" ", "\t")) and entries and not stripped.startswith(("-", "#")):
            entries[-1] += " " + stripped
            continue
        entries.append(_MARKUP.sub("", stripped))
    for entry in entries:
        if _is_desk_sign_off(entry):
            item.notes.append(f"sign-off: {entry}")
        elif entry:
            item.notes.append(entry)
    item.signals[:] = list(dict.fromkeys(item.signals))


def _is_desk_sign_off(line: str) -> bool:
    match = _DESK_SIGN_OFF.match(line.strip())
    return match is not None and match["agency"] in AGENCIES


def _agency_sign_off(line: str) -> str | None:
    """The agency a sign-off names: Kyodo's '==Kyodo', SDA's '(SDA/sj)', AAP's 'AAP',
    'AAP RESULTS' (the agency and the desk). None when the line is no such sign-off."""
    match = _AGENCY_SIGN_OFF.match(line.strip())
    if not match:
        return None
    name = match["a1"] or match["a2"] or match["a3"]
    return canonical_agency(name) if name.lower() in AGENCIES else None


def _sign_off_agency(item: ParsedItem) -> str | None:
    for note in item.notes:
        if note.startswith("sign-off: ") and (agency := _agency_sign_off(note[10:])):
            return agency
    return None


def _teaser_dateline(item: ParsedItem) -> None:
    """German dpa copy opens with a teaser paragraph; the dateline starts the paragraph after
    it. Normalise looks in the first paragraph only, so the dateline is read here."""
    if len(item.body) < 2 or item.dateline or _CREDIT.search(item.body[0][:120]):
        return
    found, rest = split_dateline(item.body[1], default_date=item.date_hint)
    if found and found.agency:
        item.dateline = Dateline(
            text=found.text, place=found.place, date=found.date or item.date_hint,
            agency=found.agency,
        )  # fmt: skip
        item.body[1] = rest.strip()
