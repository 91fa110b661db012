"""IPTC NewsML-G2, as agencies really send it.

Wire copy arrives as a ``newsMessage`` (a ``header`` with ``sent``, ``sender``, ``transmitId``,
then an ``itemSet``) or as a bare item. Only a ``newsItem`` carries story text. The other G2
items are recognised for what they are and never read as text: a ``packageItem`` (Reuters
sends its story packages as one, naming the text and pictures it groups by ``residref``), an
``eventItem`` or ``planningItem`` (EventsML-G2 diaries and coverage plans), a ``conceptItem`` or
``knowledgeItem`` (controlled vocabulary). A document holding none of them is no story: ``split``
gives no items and ``parse`` says which kind of item it was (``EmptyStoryError``).

``split`` cuts a newsMessage into one newsMessage per newsItem, each with the message's header
(so ``sent`` and the sender travel with every item) and the item alone in its itemSet;
namespaces and ``xml:lang`` declared on the message are carried over. ``parse`` reads one item:

* ``@guid`` -> item_id, ``@version`` -> version. Agencies skip numbers and Reuters sends opaque
  ten-digit ones, so the number is taken as given (dedupe orders by ``versionCreated``). With no
  ``@version``, a versioned id (Reuters ``rtr:versionedId``, a header ``transmitId``: the guid,
  a separator, the number) or a guid ending ``_version_N`` / ``-vN`` gives it. The version
  words are the label: Reuters lists them in the slug's tail ('USA-WEATHER/ (UPDATE 1, PIX,
  CORRECTED)' -> 'UPDATE 1, CORRECTED', media words left out) and flags them ahead of the
  headline ('REFILE-UPDATE 2-...'), AP after the slug's last comma ('..., 1st Ld-Writethru').
  The headline and slug keep them as carried. (dpa's genre words, such as 'EXTRA', are a
  genre, not a version.)
* ``itemMeta``: ``pubStatus`` (canceled is a kill), ``signal`` (IPTC ``sig:update`` /
  ``correction`` / ``kill`` / ``replace``; Reuters ``edStat:C`` correction and ``edStat:D``
  withdrawal; Reuters' ``edStat:U`` and ``N`` only say 'not new' / 'new' and signal nothing),
  ``embargoed`` (an embargo only while it is in the future), ``versionCreated`` (the header's
  ``sent`` stands in), ``firstCreated``, ``provider``, ``edNote`` (editors' notes), and ``link``
  to the previous version (a ``rel`` such as ``irel:previousVersion``, or STT's bare
  ``<link guidref=... version=.../>``): its guid goes in ``replaces`` so dedupe can join the
  chain when the agency forms the guid differently from one version to the next.
* ``contentMeta``: ``urgency``, ``headline`` (a sub-headline role is not the headline; an
  ``itemMeta/title`` or the body's own title stands in), ``slugline``, ``by``, ``dateline``,
  ``subject@qcode``, ``keyword``, ``language@tag``, ``creditline``. ``located`` is never the
  dateline: Reuters puts its editing desk there, far from where the story was filed, and AP
  the seat of the company reported on; normalise finds the dateline in the copy.
* The agency is the credit: a known agency named by the creditline, provider, copyright holder,
  info source, the sender, the guid's domain (``tag:ap.org,...``) or the header's origin, in
  that order; else the first name given. A provider code (AP's ``approviderid:z0NNNN``,
  BusinessDesk's 'CL') is never a name. Hand-built messages write ``<Header>``/``<Sent>``:
  header fields are read whatever their case.
* ``contentSet``: ``inlineXML`` with XHTML (the shared reader leaves out page furniture such
  as dpa's ``<header>`` slug list), a NITF body (read by the NITF reader), bare ``<p>``s, or
  an agency's own upper-case XML: TT's ttnitf (``BODY > TEXT > RUBRIK`` headline, ``DAT`` with
  ``ORT`` and ``SOURCE`` 'Bryssel, TT:s korrespondent' as the dateline, ``INGRESS`` and
  ``BRODTEXT`` paragraphs, ``CITAT`` quotes, ``MELLIS`` sub-heads, ``BYLINE``, ``BILD``
  pictures left out, a second ``TEXT`` fact box kept after the story); else ``inlineData``,
  which ANSA fills with HTML inside CDATA. Reuters and ANSA hard-wrap preformatted text and
  start each paragraph with an indent; such text is cut at the indents, and a results table
  set in columns (Reuters sports results and standings) is cut a row a paragraph. TT names
  the item it replaces by number (``altId`` refuno beside the item's own uno, the guid's
  tail): the replaced guid goes in ``replaces``.
* What is no story text becomes notes: a leading all-parenthesised paragraph ('(Adds analyst
  comment)', '(In May 2 story, corrects ...)'), a notice between asterisks (STT's '***
  DISCLAIMER: THIS IS AN AUTOMATED TRANSLATION ... ***') and such a flag after the headline
  ('*** TRANSLATED ***'), a first paragraph that repeats the headline, a closing sign-off
  that is the agency's name alone ('(BusinessDesk)'). A dateline set as a paragraph of its
  own ('STOCKHOLM (TT)') is the dateline. Text escaped once too often ('&amp;quot;', STT's
  '&lt;endash&gt;') is put right. A text far shorter than the item's declared word count was
  cut on the way and is marked truncated.
* A picture, video or sound item with no text is refused with what it is and its files
  (``EmptyStoryError``), as the NewsML 1.2 reader refuses one; a withdrawal passes.
  A correction is also read from a 'CORRECTED-' headline prefix, a '(..., CORRECTED)' slug tail,
  an edNote that opens with a correction notice, or such a parenthesised note that says it
  corrects; never on a kill, which repeats the killed version's headline.

Broken or hostile XML raises ParseError / HostileInputError from ``xmlsafe``. A newsMessage
handed to ``parse`` with several items raises ParseError: reading only the first would drop
stories without a trace.
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from schemas import Dateline, PubStatus, Signal, Subject
from workers.dateline import AGENCIES, canonical_agency, parse_date_words
from workers.errors import EmptyStoryError, ParseError
from workers.formats.base import ParsedItem, WireFormat
from workers.formats.htmltext import html_paragraphs
from workers.formats.nitf import dateline_place, is_id_like, read_nitf_body
from workers.formats.versionwords import read_version_words
from workers.formats.xmlread import (
    XML_LANG,
    child,
    children,
    code_tail,
    inline_text,
    known_agency,
    language_code,
    local,
    parse_int,
    parse_wire_datetime,
    pick_agency,
    read_paragraphs,
    spaced_text,
    title_place,
)
from workers.formats.xmlsafe import parse_xml, peek_root

__all__ = ["NAR_NAMESPACE", "NewsMLG2", "read_news_item"]

NAME = "newsml_g2"
NAR_NAMESPACE = "http://iptc.org/std/nar/2006-10-01/"

# G2 items that are never story text, and what each one is, for the reason given.
_NOT_STORIES = {
    "packageItem": "a package",
    "eventItem": "an event (EventsML-G2)",
    "planningItem": "coverage planning",
    "conceptItem": "a concept (controlled vocabulary)",
    "knowledgeItem": "concepts (controlled vocabulary)",
    "catalogItem": "a catalog",
}
_ROOTS = frozenset({"newsMessage", "newsItem", *_NOT_STORIES})

_STATUSES = {
    "usable": PubStatus.usable,
    "embargoed": PubStatus.embargoed,
    "withheld": PubStatus.withheld,
    "canceled": PubStatus.canceled,
    "cancelled": PubStatus.canceled,
}
# The last part of a signal qcode (sig:update, any agency's own scheme alike).
_SIGNALS = {
    "update": Signal.update,
    "replace": Signal.update,
    "correction": Signal.correction,
    "correct": Signal.correction,
    "kill": Signal.kill,
    "withdraw": Signal.kill,
    "withdrawn": Signal.kill,
    "withdrawal": Signal.kill,
}
# Reuters' editorial status letters. U ('updated') and N ('new') say nothing to act on.
_REUTERS_ED_STAT = {"c": Signal.correction, "d": Signal.kill}
# Scheme aliases written out as URIs instead of qcodes.
_SCHEME_URIS = {
    "cv.iptc.org/newscodes/mediatopic/": "medtop",
    "cv.iptc.org/newscodes/subjectcode/": "subj",
}
# Link relations that name the version this item replaces (the tail of the rel qcode).
_PREVIOUS_RELS = frozenset(
    {"previousversion", "previous", "prevversion", "replaces", "supersedes", "updates"}
)
# Past every real version number and still exact in the Lua (double) side of dedupe.
_MAX_VERSION = 2**53 - 1
# A guid that carries its version: '..._version_5', '...-v2', '...:v3'.
_GUID_VERSION = re.compile(r"[_:.-]v(?:ersion)?[_:.-]?(\d{1,16})$", re.IGNORECASE)
# A domain in an id or sender: 'tag:ap.org,2011:...', 'urn:newsml:dpa.com:...', 'reuters.com'.
_DOMAIN = re.compile(
    r"([A-Za-z][A-Za-z0-9-]*)\.(?:com|org|net|info|biz|[a-z]{2})(?=$|[^A-Za-z0-9.-])"
)
_CREDIT_JOIN = re.compile(r"\s*[–—/]\s*|\s+-\s+")
_TRAILING_PUNCT = re.compile(r"[\s\-–—:;,/.]+$")
# Reuters headline flags: 'CORRECTED-', 'REFILE-CORRECTED-', 'UPDATE 1-CORRECTED-'.
_CORRECTED_HEADLINE = re.compile(
    r"^(?:[A-Z0-9][A-Z0-9 /&.]{0,30}-)*?(?:CORRECTED|CORRECTION|CORRECTS)\s*[-:–—]"
)
_SLUG_TAIL = re.compile(r"\(([^()]*)\)\s*$")
_CORRECTED_WORD = re.compile(r"\bCORRECT(?:ED|ION)\b", re.IGNORECASE)
# A correction notice in the agencies' languages, read where notices stand (an edNote, a
# parenthesised note leading the copy), never in the story's own prose.
_CORRECTION_NOTICE = re.compile(
    r"\b(?:correct(?:s|ed|ion)|corrig(?:e|é|ée|iert|ido|ida)|rectifi(?:e|é|catif|ca)"
    r"|berichtig(?:t|ung)|korrektur|korjattu|korjaus|rettifica|corregge|corrección"
    r"|rättelse|rättad|korrigering|rettelse)\b",
    re.IGNORECASE,
)
_NOTE_PREFIX = re.compile(r"^(?:[\w .]{0,20}:\s*)?")
_LEADING_NOTE = re.compile(r"^\((?:[^()]|\([^()]*\))*\)$", re.DOTALL)
_NOTE_MAX = 400
# A dateline element that may open with the agency: '(ANSA) - ROMA, 1 LUG -'.
_FIRST_SEGMENT = re.compile(r"^(.{1,30}?)\s+[-–—]\s+(?=\S)")
_BLANK_LINE = re.compile(r"\n[ \t\r\u00a0]*\n")
_HTML_TAG = re.compile(r"<(?:p|br|div|h[1-6]|li|span|b|i|em|strong|a)\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_SUB_HEADLINE = re.compile(r"sub|kicker|overline|strap", re.IGNORECASE)
_MEDIA_CLASSES = frozenset({"picture", "photo", "video", "audio", "graphic", "animation"})
# What remote content is, by the top of its MIME type, when it is no text.
_REMOTE_KINDS = {"image": "picture", "video": "video", "audio": "audio"}
# A declared word count this large at least, and the text under a third of it, was cut.
_CUT_MIN_WORDS = 50

# Version words: Reuters' slug tail and headline flags, AP's slug tail after the last comma.
_SLUG_COMMA_TAIL = re.compile(r",\s*([^,()]{2,40})$")
_HEADLINE_FLAGS = re.compile(r"^((?:[A-Z][A-Z0-9 ]{0,20}-)+)")
# Reuters repeats a story as 'RPT-' / 'REPEAT-': a version word the shared reader leaves alone.
_REPEAT_WORDS = frozenset({"RPT", "REPEAT"})

# Columns: two spaces or more between words, not after a sentence's end ('said.  He').
_COLUMN_GAP = re.compile(r"[^\s.!?;,\"”’)] {2,}\S")
_RULE_LINE = re.compile(r"^[-=_*+|. ]{3,}$")
# Escaped once too often: an entity with its semicolon, STT's typographic pseudo-tags.
_LEAKED_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});")
_PSEUDO_TAGS = {"endash": "–", "emdash": "—", "ndash": "–", "mdash": "—", "nbsp": "\u00a0"}
_PSEUDO_TAG = re.compile(r"<(endash|emdash|ndash|mdash|nbsp)>[^<]{0,3}</\1>", re.IGNORECASE)
# A service notice between asterisks, and the same set after a headline.
_NOTICE = re.compile(r"^\*{3,}.*\*{3,}$")
_HEADLINE_FLAG = re.compile(r"\s*\*{3,}\s*([^*]{2,60}?)\s*\*{3,}\s*$")
# A closing '(BusinessDesk)' or '(dpa/lni)': the agency's name alone.
_SIGN_OFF = re.compile(r"^\(([A-Za-z][\w .&/-]{0,30})\)$")
_WORDS = re.compile(r"[^\w]+")
# A dateline alone on its line: 'STOCKHOLM (TT)', 'Bryssel, TT:s korrespondent', 'Kiel (dpa) -'.
_DATELINE_LINE = re.compile(
    r"^(?P<city>[A-ZÀ-Ý][\w.'’-]*(?:[ -][A-ZÀ-Ý][\w.'’-]*){0,2})\s*"
    r"(?:\((?P<paren>[^()]{2,24})\)|,\s*(?P<comma>[^,()]{2,30}))\s*[-–—]?$"
)
# The credit of such a line: the agency's name, perhaps 'TT:s korrespondent' (Swedish 'TT's').
_AGENCY_CREDIT = re.compile(r"^[A-Za-z][\w/-]{1,15}(?::s\s+\w+)?$")

# An agency's own XML in inlineXML, by lower-cased element name (TT's ttnitf and the like).
_DIALECT_HEADLINES = frozenset({"rubrik", "rubrikk", "otsikko", "headline", "hedline", "title"})
_DIALECT_DATELINES = frozenset({"dat", "dateline"})
_DIALECT_BYLINES = frozenset({"byline"})
_DIALECT_PLACES = ("ort", "sted", "paikka", "place", "city", "location")
_DIALECT_SOURCES = ("source", "kalla", "källa", "credit")
# Pictures and their captions, notes and scripts: no story text.
_DIALECT_SKIPPED = frozenset(
    {
        "bild",
        "bilder",
        "bildtext",
        "bildfil",
        "bildskapare",
        "foto",
        "photo",
        "picture",
        "image",
        "img",
        "media",
        "video",
        "caption",
        "note",
        "script",
        "style",
        "head",
        "meta",
    }
)
_INLINE = frozenset(
    {"b", "i", "u", "em", "strong", "a", "span", "br", "sup", "sub", "small", "q", "abbr"}
)


def _now() -> datetime:
    """Now, for embargo checks; a function so tests can fix the clock."""
    return datetime.now(UTC)


class NewsMLG2(WireFormat):
    name = NAME

    def sniff(self, raw: bytes) -> float:
        peek = peek_root(raw)
        if peek is None or peek.local not in _ROOTS:
            return 0.0
        return 0.95 if peek.namespace == NAR_NAMESPACE else 0.7

    def split(self, raw: bytes) -> list[bytes]:
        """One newsMessage per newsItem, header included; none for a document holding no
        newsItem (a package, event or plan carries no story). Copy that will not parse is
        passed on whole, so ``parse`` reports what is wrong with it against its own receipt."""
        try:
            root = parse_xml(raw, format=self.name).root
        except ParseError:
            return [raw]
        name = local(root)
        if name in _NOT_STORIES:
            return []
        if name != "newsMessage":
            return [raw]
        return [_one_item_message(root, item) for item in _news_items(root)]

    def parse(self, raw: bytes) -> ParsedItem:
        doc = parse_xml(raw, format=self.name)
        root = doc.root
        name = local(root)
        header = None
        if name == "newsMessage":
            header = _header(root)
            items = _news_items(root)
            if len(items) > 1:
                raise ParseError(
                    f"newsMessage holds {len(items)} newsItems; split() it into one "
                    "document per item first",
                    format=self.name,
                    position=f"line {root.sourceline}",
                )
            if not items:
                raise EmptyStoryError(f"{self.name}: {_no_news_item(root)}")
            root = items[0]
        elif name in _NOT_STORIES:
            raise EmptyStoryError(f"{self.name}: {_describe(root)}")
        elif name != "newsItem":
            raise ParseError(
                f"root element <{name or str(root.tag)}> is neither <newsMessage> nor <newsItem>",
                format=self.name,
                position=f"line {root.sourceline}",
            )
        item = read_news_item(root, header=header)
        item.notes[:0] = doc.notes
        return item


# ---- messages and the items in them ---------------------------------------------------------


def _news_items(message: etree._Element) -> list[etree._Element]:
    """Every newsItem in the message, in order. lxml's tag filter walks the tree in C ('{*}'
    matches with or without a namespace): a Python test of every element costs more than the
    parse."""
    return list(message.iter("{*}newsItem"))


def _one_item_message(message: etree._Element, item: etree._Element) -> bytes:
    """The message with its header and this one item: a document of its own, so every item
    gets its own receipt and still knows when and by whom it was sent."""
    shell = etree.Element(message.tag, attrib=dict(message.attrib), nsmap=message.nsmap)
    header = _header(message)
    if header is not None:
        shell.append(copy.deepcopy(header))
    holder = item.getparent()
    set_tag = holder.tag if holder is not None and local(holder) == "itemSet" else None
    namespace = etree.QName(message).namespace
    item_set = etree.SubElement(
        shell, set_tag or (f"{{{namespace}}}itemSet" if namespace else "itemSet")
    )
    copied = copy.deepcopy(item)
    if copied.get(XML_LANG) is None:
        # The message's own xml:lang is on the shell; one set between them would be lost.
        for ancestor in item.iterancestors():
            if ancestor is message:
                break
            if lang := ancestor.get(XML_LANG):
                copied.set(XML_LANG, lang)
                break
    item_set.append(copied)
    return etree.tostring(shell, xml_declaration=True, encoding="UTF-8")


def _header(message: etree._Element) -> etree._Element | None:
    """The message header; BusinessDesk's hand-built messages spell it ``<Header>``."""
    return next((e for e in message if local(e).lower() == "header"), None)


def _no_news_item(message: etree._Element) -> str:
    """Why a message without a newsItem is no story: what it holds instead."""
    others = [e for e in message.iter() if local(e) in _NOT_STORIES]
    if not others:
        return "the newsMessage holds no item"
    reasons = list(dict.fromkeys(_describe(e) for e in others[:3]))
    more = f" and {len(others) - 3} more items" if len(others) > 3 else ""
    return "; ".join(reasons) + more


def _describe(item: etree._Element) -> str:
    """'packageItem only: a package of 5 items, carries no text'."""
    name = local(item)
    what = _NOT_STORIES.get(name, "no news item")
    if name == "packageItem":
        refs = sum(1 for e in item.iter() if local(e) == "itemRef")
        what = f"references {refs} item{'s' if refs != 1 else ''}"
    return f"{name} only: {what}, carries no text"


# ---- one newsItem ---------------------------------------------------------------------------


def read_news_item(item: etree._Element, *, header: etree._Element | None = None) -> ParsedItem:
    """Everything a ``<newsItem>`` says about its story; the message header fills gaps."""
    meta = child(item, "itemMeta")
    m = _Index(meta)
    c = _Index(child(item, "contentMeta"))
    # Header fields by lower-cased name: hand-built messages write <Sent>, <Header>.
    h = _Index(header, fold=True)
    notes: list[str] = []

    guid = (item.get("guid") or "").strip() or None
    version, item_id = _version(item, guid, meta, h, notes)

    status_code = _code(m.first("pubStatus"))
    status = _STATUSES.get(status_code or "usable", PubStatus.usable)
    if status_code and status_code not in _STATUSES:
        notes.append(f"pubStatus {status_code!r} unknown; read as usable")
    signals = [Signal.kill] if status is PubStatus.canceled else []
    signals += _signals(m)

    version_created = _when(m.first("versionCreated"))
    if version_created is None and (sent := _when(h.first("sent"))) is not None:
        version_created = sent
        notes.append("no versionCreated; the message's sent time stands in")
    first_created = _when(m.first("firstCreated")) or _when(c.first("contentCreated"))
    embargoed_until = _when(m.first("embargoed"))
    if status is PubStatus.usable and _embargo_holds(embargoed_until, version_created):
        status = PubStatus.embargoed

    urgency_el = c.first("urgency")
    urgency_text = (urgency_el.text or "").strip() if urgency_el is not None else ""
    urgency = parse_int(urgency_text, low=1, high=9) if urgency_text else None
    if urgency_text and urgency is None:
        notes.append(f"urgency {urgency_text!r} is not 1-9; ignored")

    content = _body(child(item, "contentSet"), notes)
    body, leading = _leading_notes(content.body)
    notes.extend(leading)
    headline = _headline(c, m, content.nitf, content.html) or content.headline
    headline = _headline_flags(headline, notes)
    body = _without_repeated_headline(body, headline, notes)
    body = _without_sign_off(body, notes)
    dateline = _dateline(c) or content.dateline
    if dateline is None and (found := _dateline_paragraph(body)):
        dateline, body = found, body[1:]
    slugline = inline_text(c.first("slugline"))
    ed_notes = _ed_notes(m)
    notes.extend(ed_notes)
    if Signal.kill not in signals:
        # A kill repeats the killed version's headline ('CORRECTED-...'): it kills, that is all.
        signals += _flagged_corrections(headline, slugline)
        if any(_is_correction_notice(n) for n in ed_notes) or any(
            _CORRECTION_NOTICE.search(n) for n in leading
        ):
            signals.append(Signal.correction)
    bylines = [b for b in (spaced_text(e) for e in c.all("by")) if b]
    if not bylines:
        bylines = content.bylines

    item_class = _code(m.first("itemClass"))
    if not body:
        _refuse_media_only(item_class, content, signals)
        if not (headline and headline.strip()):
            raise EmptyStoryError(f"{NAME}: {_empty_reason(m)}")
        notes.append("no body text: the item carries its headline only")
    elif item_class in _MEDIA_CLASSES:
        notes.append(f"{item_class} item: its text is the caption")
    truncated = _cut_short(body, content.wordcount, notes)

    date_hint = version_created.date() if version_created else None
    return ParsedItem(
        format=NAME,
        body=body,
        headline=headline,
        agency=_agency(item, m, c, h),
        item_id=item_id,
        version=version,
        version_label=_version_label(headline, slugline),
        status=status,
        signals=list(dict.fromkeys(signals)),
        urgency=urgency,
        slugline=slugline,
        byline="; ".join(b for b in bylines if b) or None,
        dateline=dateline,
        date_hint=date_hint,
        subjects=_subjects(c),
        keywords=[k for k in (inline_text(e) for e in c.all("keyword")) if k],
        replaces=[*_previous_versions(m, c, guid, version), *_referenced_items(c, guid)],
        language=_language(item, c),
        embargoed_until=embargoed_until,
        first_created=first_created,
        version_created=version_created,
        truncated=truncated,
        notes=notes,
    )


def _refuse_media_only(item_class: str | None, content: _Content, signals: list[Signal]) -> None:
    """A picture, video or sound item with no text is no story: refused with what it is, as
    the NewsML 1.2 reader refuses one, rather than passed on as a caption without a story.
    A withdrawal passes: it must reach the desk whatever it withdraws."""
    if Signal.kill in signals:
        return
    kind = item_class if item_class in _MEDIA_CLASSES else content.media_kind
    if kind is None:
        return
    article = "an" if kind[:1] in "aeiou" else "a"
    files = f" ({', '.join(content.media_files)})" if content.media_files else ""
    raise EmptyStoryError(
        f"{NAME}: {article} {kind} item with no text story; its media{files} are not read"
    )


def _cut_short(body: list[str], declared: int | None, notes: list[str]) -> bool:
    """Whether the text is far shorter than the word count the agency declares for it: the
    copy was cut on its way here (a relay's size limit, a broken export)."""
    if not declared or declared < _CUT_MIN_WORDS:
        return False
    words = sum(len(p.split()) for p in body)
    if words * 3 >= declared:
        return False
    notes.append(f"the text has {words} words where the item declares {declared}: it was cut")
    return True


class _Index(dict[str, list[etree._Element]]):
    """An element's children by local name, read in one pass: an item's metadata is looked up
    field by field, and scanning the children for each field costs more than the parse."""

    def __init__(self, element: etree._Element | None, *, fold: bool = False) -> None:
        super().__init__()
        if element is not None:
            for sub in element:
                if isinstance(sub.tag, str):
                    name = sub.tag.rpartition("}")[2]
                    self.setdefault(name.lower() if fold else name, []).append(sub)

    def first(self, name: str) -> etree._Element | None:
        found = self.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[etree._Element]:
        return self.get(name, [])


def _code(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return code_tail(element.get("qcode") or element.get("uri") or element.get("literal"))


def _when(element: etree._Element | None) -> datetime | None:
    return parse_wire_datetime(element.text) if element is not None else None


def _embargo_holds(until: datetime | None, version_created: datetime | None) -> bool:
    """An embargo still to lift. One already past, or lifted before this version was made,
    holds nothing back (the time is still carried)."""
    if until is None or until <= _now():
        return False
    return version_created is None or until > version_created


# ---- version and ids ------------------------------------------------------------------------


def _version(
    item: etree._Element,
    guid: str | None,
    meta: etree._Element | None,
    header: _Index,
    notes: list[str],
) -> tuple[int, str | None]:
    """The version number, and the item id (the guid, less a version it carries)."""
    given = item.get("version")
    number = parse_int(given, low=0, high=_MAX_VERSION)
    if number is not None:
        return number, guid
    if given is not None:
        notes.append(f"version {given!r} is not a number")
    for value in _versioned_ids(meta, header):
        if (found := _number_after(guid, value)) is not None:
            notes.append(f"version {found} read from the versioned id {value!r}")
            return found, guid
    if guid and (match := _GUID_VERSION.search(guid)):
        found = parse_int(match[1], low=0, high=_MAX_VERSION)
        if found is not None:
            # The id without its version, or every version would be a story of its own.
            notes.append(f"version {found} read from the guid {guid!r}")
            return found, guid[: match.start()] or guid
    if given is not None:
        notes.append("version read as 1")
    return 1, guid


def _versioned_ids(meta: etree._Element | None, header: _Index) -> list[str]:
    """Ids naming one version: Reuters' ``rtr:versionedId``, the header's ``transmitId``."""
    iterated = meta.iter("{*}versionedId") if meta is not None else ()
    found = [e.get("guid") or "" for e in iterated]
    transmit = header.first("transmitid")
    if transmit is not None:
        found.append(transmit.text or "")
    return [v.strip() for v in found if v.strip()]


def _number_after(guid: str | None, versioned: str) -> int | None:
    """'tag:x,0000:newsml_ABC:4012345678' after guid 'tag:x,0000:newsml_ABC' -> 4012345678."""
    if not guid or versioned == guid or not versioned.startswith(guid):
        return None
    rest = versioned[len(guid) :]
    if rest[:1] not in (":", "_", "-", ".") or not rest[1:].isdigit():
        return None
    return parse_int(rest[1:], low=0, high=_MAX_VERSION)


def _previous_versions(m: _Index, c: _Index, guid: str | None, version: int) -> list[str]:
    """Guids of the versions this item says it replaces, from its ``link``s: a previous-version
    relation, or (STT) a link with no relation to an item with an earlier version number."""
    found: list[str] = []
    for links in (m.all("link"), c.all("link")):
        for link in links:
            target = (link.get("guidref") or link.get("residref") or "").strip()
            if not target or target == guid:
                continue
            rel = code_tail(link.get("rel"))
            earlier = parse_int(link.get("version"), low=0, high=_MAX_VERSION)
            if rel in _PREVIOUS_RELS or (rel is None and earlier is not None and earlier < version):
                found.append(target)
    return list(dict.fromkeys(found))


def _referenced_items(c: _Index, guid: str | None) -> list[str]:
    """The item a replacement names by its own number: TT gives each version a number of its
    own ('tt:uno' 20171220:TT:585167:0, the guid's tail) and the one it replaces as 'refuno'.
    The replaced item's guid is this guid with that number in place of its own."""
    ids = {
        (alt.get("type") or "").rpartition(":")[2].lower(): (alt.text or "").strip()
        for alt in c.all("altId")
    }
    own, ref = ids.get("uno"), ids.get("refuno")
    if not (guid and own and ref) or ref == own or not guid.endswith(own):
        return []
    return [guid[: len(guid) - len(own)] + ref]


# ---- signals --------------------------------------------------------------------------------


def _signals(m: _Index) -> list[Signal]:
    found: list[Signal] = []
    for signal in m.all("signal"):
        qcode = (signal.get("qcode") or "").strip()
        scheme, _, value = qcode.partition(":")
        if scheme.lower() == "edstat":
            hit = _REUTERS_ED_STAT.get(value.strip().lower())
        else:
            hit = _SIGNALS.get(_code(signal) or "")
        if hit is not None:
            found.append(hit)
    return found


def _flagged_corrections(headline: str | None, slugline: str | None) -> list[Signal]:
    """Reuters flags a correction in the headline ('CORRECTED-') and the slug tail
    ('NORWAY-FERRY/ (UPDATE 1, CORRECTED)')."""
    if headline and _CORRECTED_HEADLINE.match(headline.strip()):
        return [Signal.correction]
    tail = _SLUG_TAIL.search(slugline or "")
    if tail and _CORRECTED_WORD.search(tail[1]):
        return [Signal.correction]
    return []


def _version_label(headline: str | None, slugline: str | None) -> str | None:
    """The agency's version words as carried. Reuters lists them in the slug's parenthesised
    tail ('USA-WEATHER/ (UPDATE 1, PIX, CORRECTED)' -> 'UPDATE 1, CORRECTED': the media words
    are no version) and flags them ahead of the headline ('REFILE-UPDATE 2-...'); AP puts them
    after the slug's last comma ('BC-US--Earns-Acme, 1st Ld-Writethru'). The number stays the
    item's @version."""
    if slugline:
        if tail := _SLUG_TAIL.search(slugline):
            words = [w.strip() for w in tail[1].split(",") if _is_version_word(w)]
            if words:
                return ", ".join(words)
        elif (tail := _SLUG_COMMA_TAIL.search(slugline)) and _is_version_word(tail[1]):
            return tail[1].strip()
    if headline and (flags := _HEADLINE_FLAGS.match(headline)):
        words = []
        for part in flags[1].split("-")[:-1]:
            if not _is_version_word(part):
                break
            words.append(part.strip())
        if words:
            return "-".join(words)
    return None


def _is_version_word(text: str) -> bool:
    text = text.strip()
    if not text or len(text.split()) > 3:
        return False
    return text.upper() in _REPEAT_WORDS or read_version_words(text).says_version


def _is_correction_notice(note: str) -> bool:
    """A note that opens by saying it corrects ('Corrects spelling', 'Eds: Corrects ...',
    'Korjattu: ...')."""
    start = _NOTE_PREFIX.sub("", note, count=1)
    return bool(_CORRECTION_NOTICE.match(start))


def _ed_notes(m: _Index) -> list[str]:
    """Editors' notes in their own words. A note built of markup (dpa's notepad) repeats the
    plain ones that follow it, so only plain notes are taken."""
    found = []
    for note in m.all("edNote"):
        if any(isinstance(sub.tag, str) for sub in note):
            continue
        text = " ".join((note.text or "").split())
        if text:
            found.append(text)
    return list(dict.fromkeys(found))


def _empty_reason(m: _Index) -> str:
    item_class = _code(m.first("itemClass"))
    if item_class and item_class != "text":
        article = "an" if item_class[:1] in "aeiou" else "a"
        return f"{article} {item_class} item with no headline and no text"
    return "the item carries no headline and no body text"


# ---- agency ---------------------------------------------------------------------------------


def _agency(item: etree._Element, m: _Index, c: _Index, header: _Index) -> str | None:
    """The credited agency: a known agency wherever the item names one (credit first, then
    provider, copyright holder, info source, the sender, the domains of the guid and of the
    parties' URIs, the header's origin), else the first name it gives. Codes are never names;
    nor is an origin, which is often the sending system ('ines')."""
    parties = [
        m.first("provider"),
        child(item, "rightsInfo", "copyrightHolder"),
        *c.all("infoSource"),
    ]
    names: list[str | None] = [inline_text(c.first("creditline"))]
    for party in parties:
        names.extend(_party_names(party))
    names.append(inline_text(header.first("sender")))
    cleaned = [n for n in (_clean_name(n) for n in names) if n]
    plain = [n for n in cleaned if not _DOMAIN.search(n)]
    addresses = [item.get("guid"), *(p.get("uri") for p in parties if p is not None)]
    domains = [_domain_label(v) for v in [*addresses, *cleaned] if v]
    origin = _clean_name(inline_text(header.first("origin")))
    for candidate in [*plain, *(d for d in domains if d), origin]:
        if known := known_agency(candidate):
            return known
    # 'STT–Example Media': a joint credit names its agency first.
    return pick_agency(_CREDIT_JOIN.split(plain[0], maxsplit=1)[0]) if plain else None


def _party_names(party: etree._Element | None) -> list[str | None]:
    """A provider's or copyright holder's name, literal, and qcode when it is a name."""
    if party is None:
        return []
    code = (party.get("qcode") or "").strip().rpartition(":")[2]
    return [
        inline_text(child(party, "name")),
        party.get("literal"),
        code if code and not is_id_like(code) else None,
    ]


def _clean_name(value: str | None) -> str | None:
    """'STT–' -> 'STT'; blank -> None."""
    if not value:
        return None
    text = _TRAILING_PUNCT.sub("", " ".join(value.split()))
    return text or None


def _domain_label(value: str) -> str | None:
    """'tag:ap.org,2011:...' -> 'ap'; 'http://www.afp.com' -> 'afp'."""
    match = _DOMAIN.search(value)
    return match[1] if match and match[1].lower() != "www" else None


# ---- text -----------------------------------------------------------------------------------


def _headline(
    c: _Index, m: _Index, nitf: etree._Element | None, html: etree._Element | None
) -> str | None:
    """The main headline; a sub-headline only when nothing else is there."""
    heads = c.all("headline")
    main = [h for h in heads if not _SUB_HEADLINE.search(h.get("role") or "")]
    for element in [*main, *heads]:
        if text := inline_text(element):
            return text
    for other in (
        child(nitf, "body", "body.head", "hedline", "hl1"),
        m.first("title"),
        child(nitf, "head", "title"),
        child(html, "head", "title"),
    ):
        if text := inline_text(other):
            return text
    return None


@dataclass
class _Content:
    """The item's text as its contentSet carries it, and what that markup says besides: an
    agency's own XML can hold the headline, dateline and byline inside the text."""

    body: list[str] = field(default_factory=list)
    nitf: etree._Element | None = None
    html: etree._Element | None = None
    headline: str | None = None
    dateline: Dateline | None = None
    bylines: list[str] = field(default_factory=list)
    # The word count the agency declares for the text (inlineXML@wordcount).
    wordcount: int | None = None
    # What the remote content is when it is no text ('picture', 'video'), and its files.
    media_kind: str | None = None
    media_files: list[str] = field(default_factory=list)


def _body(content_set: etree._Element | None, notes: list[str]) -> _Content:
    """Paragraphs of the item's text, and the NITF, XHTML or in-house document it came in."""
    found = _Content()
    for inline in children(content_set, "inlineXML"):
        found.wordcount = parse_int(inline.get("wordcount"), low=1, high=10**7)
        # Comments ('Inline XML must contain ...') are no document.
        roots = [e for e in inline if isinstance(e.tag, str)]
        name = local(roots[0]) if len(roots) == 1 else ""
        if name == "nitf":
            found.nitf = roots[0]
            found.body = read_nitf_body(child(roots[0], "body"))
        elif name == "html":
            found.html = roots[0]
            found.body = _preformatted(read_paragraphs(child(roots[0], "body")))
        elif name and name != name.lower():
            # XHTML and NITF are lower case; upper-case names are an agency's own XML.
            _read_dialect(roots[0], found)
        else:
            found.body = _preformatted(read_paragraphs(inline))
        found.body = [_repair(p) for p in found.body]
        return found
    for data in children(content_set, "inlineData"):
        found.body = [_repair(p) for p in _text_paragraphs(data.text or "")]
        return found
    remote = list(children(content_set, "remoteContent"))
    if remote:
        notes.append("text is remoteContent only; it is never fetched")
        found.media_kind = _media_kind(remote)
        hrefs = (r.get("href") or r.get("residref") or "" for r in remote)
        files = [h.split("?")[0].rstrip("/").rsplit("/", 1)[-1] for h in hrefs if h.strip()]
        found.media_files = files[:3]
    return found


def _media_kind(remote: list[etree._Element]) -> str | None:
    """'picture', 'video' or 'audio' when the remote content is that rather than text."""
    for element in remote:
        kind = (element.get("contenttype") or "").strip().lower().partition("/")[0]
        if kind in _REMOTE_KINDS:
            return _REMOTE_KINDS[kind]
    return None


def _repair(paragraph: str) -> str:
    """Text whose markup was escaped once too often: '&amp;quot;' arrives as '&quot;', STT's
    '&lt;endash&gt;-&lt;/endash&gt;' as '<endash>-</endash>'. Entities with their semicolon
    and the typographic pseudo-tags are put back as the characters they stand for."""
    if "&" in paragraph:
        paragraph = _LEAKED_ENTITY.sub(lambda m: html.unescape(m[0]), paragraph)
    if "<" in paragraph:
        paragraph = _PSEUDO_TAG.sub(lambda m: _PSEUDO_TAGS[m[1].lower()], paragraph)
    return paragraph


# ---- an agency's own XML inside inlineXML -----------------------------------------------------


def _read_dialect(root: etree._Element, found: _Content) -> None:
    """Read an in-house XML body (TT's ttnitf: BODY > TEXT > RUBRIK, DAT, INGRESS, BRODTEXT
    with P, CITAT and MELLIS, BYLINE, BILD) by what its elements are: the first headline
    element is the headline (a later one titles a fact box, which stays as text), the dateline
    and byline elements are those fields, pictures and captions are no text, and every element
    holding only text and inline markup is a paragraph."""

    def walk(element: etree._Element) -> None:
        for sub in element:
            name = local(sub).lower()
            if not name or name in _DIALECT_SKIPPED:
                continue
            if name in _DIALECT_HEADLINES:
                text = _flat(sub)
                if found.headline is None and not found.body:
                    found.headline = text
                elif text:
                    found.body.append(text)
            elif name in _DIALECT_DATELINES:
                found.dateline = found.dateline or _dialect_dateline(sub)
            elif name in _DIALECT_BYLINES:
                if text := _flat(sub):
                    found.bylines.append(text)
            elif any(local(e).lower() not in _INLINE for e in sub if isinstance(e.tag, str)):
                if sub.text and sub.text.strip():
                    found.body.append(sub.text.strip())
                walk(sub)
            elif text := _flat(sub):
                found.body.append(text)

    walk(root)


def _flat(element: etree._Element) -> str | None:
    text = inline_text(element)
    return text.strip() if text else None


def _dialect_dateline(element: etree._Element) -> Dateline | None:
    """TT's ``<DAT><ORT>EU</ORT><SOURCE>Bryssel, TT:s korrespondent</SOURCE></DAT>``: the
    city the credit names ('Bryssel, TT ...') is the dateline place, else the place field
    ('<ORT>Stockholm</ORT><SOURCE>TT</SOURCE>' -> 'Stockholm (TT)')."""
    fields = {local(e).lower(): spaced_text(e) for e in element if isinstance(e.tag, str)}
    if not fields:
        return _dateline_from_text(spaced_text(element))
    place = next((fields[k] for k in _DIALECT_PLACES if fields.get(k)), None)
    source = next((fields[k] for k in _DIALECT_SOURCES if fields.get(k)), None)
    agency = _agency_word(source)
    city, comma, rest = (source or "").partition(",")
    if source and comma and city.strip() and _agency_word(rest):
        text, place = source, city.strip()
    elif source and not agency and not place:
        return _dateline_from_text(source)
    else:
        text = " ".join(p for p in (place, f"({source})" if source else None) if p)
    found = dateline_place(place)
    if not found or _is_date(found):
        return None
    return Dateline(text=text, place=title_place(found), agency=agency)


def _agency_word(text: str | None) -> str | None:
    """The agency a credit names, two-letter names included ('TT:s korrespondent' -> 'TT')."""
    for word in _WORDS.split((text or "").lower()):
        if word in AGENCIES:
            return canonical_agency(word)
    return None


def _text_paragraphs(text: str) -> list[str]:
    """Plain text, or HTML sent as text (ANSA's CDATA), cut into paragraphs at blank lines and,
    in indented hard-wrapped copy, at each indent; a results table a row a paragraph."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = _indented_chunks(text)
    if _HTML_TAG.search(text):
        return [p for chunk in chunks for p in html_paragraphs(chunk)]
    return [row for chunk in chunks for row in _rows(chunk)]


def _preformatted(paragraphs: list[str]) -> list[str]:
    """Paragraphs holding indented hard-wrapped copy (Reuters' preformatted <p>) cut at the
    indents and blank lines, and a table set in columns a row a paragraph; every other
    paragraph as it is."""
    out: list[str] = []
    for paragraph in paragraphs:
        if paragraph.count("\n") < 2:
            out.append(paragraph)
            continue
        paragraph = paragraph.replace("\r\n", "\n").replace("\r", "\n")
        if _indents_mark_paragraphs(paragraph.split("\n")):
            chunks = _indented_chunks(paragraph)
        else:
            chunks = [paragraph]
        out.extend(row for chunk in chunks for row in _rows(chunk))
    return out


def _rows(chunk: str) -> list[str]:
    """A chunk of preformatted text that is a table (results, standings, prices: most lines
    set in columns) a line a paragraph, rule lines dropped, a wrapped line that goes on in
    lower case kept with the line before; any other chunk as one paragraph."""
    lines = [line.strip() for line in chunk.split("\n")]
    worded = [line for line in lines if line]
    tabular = sum(1 for line in worded if _RULE_LINE.match(line) or _COLUMN_GAP.search(line))
    if tabular < 3 or tabular * 2 < len(worded):
        return [chunk.strip()] if chunk.strip() else []
    rows: list[str] = []
    for line in worded:
        if _RULE_LINE.match(line):
            continue
        if rows and line[:1].islower() and not _COLUMN_GAP.search(rows[-1]):
            rows[-1] = f"{rows[-1]}\n{line}"
        else:
            rows.append(line)
    return rows


def _indents_mark_paragraphs(lines: list[str]) -> bool:
    """Some lines with words indented, the wrapped lines after them flush. Pretty-printed
    markup, where every line is indented, is not that."""
    worded = [line for line in lines if _TAGS.sub("", line).strip()]
    indented = sum(1 for line in worded if line[:1] in (" ", "\t"))
    return indented >= 2 and len(worded) - indented >= 2


def _indented_chunks(text: str) -> list[str]:
    """Text cut at blank lines, and at line indents where indents mark paragraphs."""
    lines = text.split("\n")
    if not _indents_mark_paragraphs(lines):
        return [c for c in _BLANK_LINE.split(text) if c.strip()]
    chunks: list[list[str]] = [[]]
    for line in lines:
        starts = not line.strip() or (line[:1] in (" ", "\t") and _TAGS.sub("", line).strip())
        if starts and chunks[-1]:
            chunks.append([])
        chunks[-1].append(line)
    return ["\n".join(c) for c in chunks if "".join(c).strip()]


def _headline_flags(headline: str | None, notes: list[str]) -> str | None:
    """A service flag set after the headline between asterisks (STT's machine translations end
    theirs '*** TRANSLATED ***') is a note, not part of the headline."""
    if not headline or "*" not in headline:
        return headline
    match = _HEADLINE_FLAG.search(headline)
    if not match or not headline[: match.start()].strip():
        return headline
    notes.append(f"headline flag: {match[1].strip()}")
    return headline[: match.start()].rstrip()


def _without_repeated_headline(
    body: list[str], headline: str | None, notes: list[str]
) -> list[str]:
    """The body without a first paragraph that only repeats the headline (TT sets its headline
    again at the top of the text)."""
    if len(body) > 1 and headline and _folded(body[0]) == _folded(headline):
        notes.append("the first paragraph repeats the headline")
        return body[1:]
    return body


def _folded(text: str) -> str:
    return " ".join(text.split()).strip(" .:;–—-").casefold()


def _dateline_paragraph(body: list[str]) -> Dateline | None:
    """A dateline set as a paragraph of its own ahead of the text ('STOCKHOLM (TT)',
    'Bryssel, TT:s korrespondent'), which the dateline reader, looking for the text after it,
    never takes: a place and a credit that is an agency's name and nothing else."""
    if len(body) < 2 or len(body[0]) > 60:
        return None
    line = " ".join(body[0].split())
    match = _DATELINE_LINE.match(line)
    if match is None:
        return None
    credit = (match["paren"] or match["comma"]).strip()
    if not credit or not _AGENCY_CREDIT.match(credit) or not (agency := _agency_word(credit)):
        return None
    if _is_date(match["city"]):
        return None
    return Dateline(text=line.rstrip(" -–—"), place=title_place(match["city"]), agency=agency)


def _without_sign_off(body: list[str], notes: list[str]) -> list[str]:
    """The body without a closing sign-off that is only the agency's name in parentheses
    ('(BusinessDesk)', '(dpa)'): it ends the copy, it is not a paragraph of the story."""
    if len(body) > 1 and (match := _SIGN_OFF.match(body[-1].strip())) and _agency_word(match[1]):
        notes.append(f"sign-off: {body[-1].strip()}")
        return body[:-1]
    return body


def _leading_notes(body: list[str]) -> tuple[list[str], list[str]]:
    """Notes to editors in parentheses ahead of the story ('(Adds analyst comment)'), and
    service notices between asterisks (STT's '*** DISCLAIMER: THIS IS AN AUTOMATED
    TRANSLATION ... ***'): notes, not the lede. Returns the body without them, and them."""
    notes = []
    while len(body) > 1:
        first = " ".join(body[0].split())
        if len(first) > _NOTE_MAX or not (_LEADING_NOTE.match(first) or _NOTICE.match(first)):
            break
        notes.append(first)
        body = body[1:]
    return body, notes


def _dateline(c: _Index) -> Dateline | None:
    """The ``<dateline>`` element, when it names a place. Never ``located``: that is where
    the item was handled, often the editing desk, not where the story was filed."""
    return _dateline_from_text(spaced_text(c.first("dateline")))


def _dateline_from_text(text: str | None) -> Dateline | None:
    """A dateline as a field carries it: 'Kiel (dpa) - ', '(ANSA) - ROMA, 3 APR -', 'Tampere';
    a date alone names no place."""
    if not text:
        return None
    text = text.strip(" -–—:")
    first = _FIRST_SEGMENT.match(text)
    if first and known_agency(first[1].strip("() ")):
        text = text[first.end() :]
    place = dateline_place(text)
    if not place or _is_date(text) or _is_date(f"{place} 1"):
        # 'MARCH 04, 2013' is a date, not a place.
        return None
    return Dateline(text=text, place=title_place(place))


def _is_date(text: str) -> bool:
    return parse_date_words(text.strip(" ,"), default_year=2000) is not None


def _subjects(c: _Index) -> list[Subject]:
    found: dict[tuple[str, str], Subject] = {}
    for subject in c.all("subject"):
        scheme, code = _scheme_and_code(subject.get("qcode"), subject.get("uri"))
        if not (scheme and code) or (scheme, code) in found:
            continue
        found[(scheme, code)] = Subject(
            scheme=scheme, code=code, name=inline_text(child(subject, "name"))
        )
    return list(found.values())


def _scheme_and_code(qcode: str | None, uri: str | None) -> tuple[str | None, str | None]:
    if qcode and ":" in qcode:
        scheme, _, code = qcode.strip().partition(":")
        return scheme.lower(), code
    if uri:
        for prefix, scheme in _SCHEME_URIS.items():
            if prefix in uri:
                return scheme, uri.rstrip("/").rsplit("/", 1)[-1]
    return None, None


def _language(item: etree._Element, c: _Index) -> str | None:
    tag = next((e.get("tag") for e in c.all("language") if e.get("tag")), None)
    if code := language_code(tag):
        return code
    # xml:lang is inherited: the item's own, else the message's.
    for element in (item, *item.iterancestors()):
        if lang := element.get(XML_LANG):
            return language_code(lang)
    return None
