"""IPTC NewsML 1.2, the envelope-and-components XML that AFP, ANA-MPE, ANP, EFE, APA and Belga
still send alongside (or instead of) NewsML-G2.

As the agencies send it::

    <NewsML Version="1.2">                     (or a bare <NewsItem> as the root)
      <Catalog/> <TopicSet/>                   catalogues; TopicSets name subject codes
      <NewsEnvelope> DateAndTime NewsService NewsProduct Priority </NewsEnvelope>
      <NewsItem xml:lang="en">                 one or many
        <Identification><NewsIdentifier>
          ProviderId DateId NewsItemId RevisionId@PreviousRevision@Update PublicIdentifier
        </NewsIdentifier> NameLabel </Identification>
        <NewsManagement> NewsItemType FirstCreated ThisRevisionCreated Status
          StatusWillChange Urgency Instruction </NewsManagement>
        <NewsComponent>                        nested components: text, photos, captions
          NewsLines (HeadLine SubHeadLine ByLine DateLine CreditLine CopyrightLine SlugLine
            KeywordLine NewsLine) AdministrativeMetadata (Provider Source) DescriptiveMetadata
            (Language SubjectCode DateLineDate Property) NewsComponent* ContentItem*
        </NewsComponent>
      </NewsItem>
    </NewsML>

What is read, and from where:

* item_id: the PublicIdentifier (``urn:newsml:afp.com:20240710:ID:3``) without its revision
  part, else ``urn:newsml:ProviderId:DateId:NewsItemId`` built the same way, so every revision
  of an item shares one id and one story chain. version = RevisionId.
* ``Status`` -> status (Canceled also signals a kill); ``StatusWillChange`` to Usable carries the
  embargo time, and an embargo already past is no embargo. ``Instruction`` words (Update,
  Correction, Rectification, Kill, ...) -> signals; ``PreviousRevision`` > 0 or
  ``Update="A"/"U"`` says this revision replaces an earlier one: an update, when nothing says
  more.
* urgency from ``Urgency``, else the envelope ``Priority``.
* agency from the credit (``CreditLine``, ``Source``), then ``Provider``, the copyright line and
  the ProviderId domain; a credit in another script (ANA-MPE credits itself in Greek) gives way
  to the provider's Latin name, which is the same on all of an agency's language services.
* The story's text is the first text ContentItem (a component with Role "Main" first): inline
  NITF (read by the NITF reader), XHTML or bare ``<p>`` elements, HTML inside CDATA (ANA-MPE), or
  plain text. Photo and caption components are not the story. The headline, lines and
  metadata come from the components enclosing that text, outermost first.
* ``DateLine`` -> dateline (the city before the first comma; a date-only DateLine has no place);
  ``SubjectCode`` -> IPTC subject codes (scheme ``subj``), named from TopicSets where given.

A NewsML document with several NewsItems is split at the door into one NewsML document per item,
each keeping the envelope (its Priority stands in for a missing Urgency) and the catalogues.
Broken or hostile XML raises ParseError / HostileInputError from ``xmlsafe``.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from datetime import UTC, date, datetime

from lxml import etree

from schemas import Dateline, PubStatus, Signal, Subject
from workers.dateline import canonical_agency, parse_date_words
from workers.encoding import decode_text
from workers.errors import DecodeError, ParseError
from workers.formats.base import ParsedItem, WireFormat
from workers.formats.htmltext import html_paragraphs
from workers.formats.nitf import read_nitf_body
from workers.formats.xmlread import (
    XML_LANG,
    child,
    children,
    inline_text,
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

__all__ = ["NewsML12"]

FORMAT = "newsml_1_2"

_STATUSES = {
    "usable": PubStatus.usable,
    "embargoed": PubStatus.embargoed,
    "withheld": PubStatus.withheld,
    "canceled": PubStatus.canceled,
    "cancelled": PubStatus.canceled,
}
# Instruction vocabularies differ by agency and language; the words say what is meant.
_KILL_WORDS = re.compile(
    r"kill|delet|withdraw|cancel|annul|elimin|retir|spike|purge|supprim|retrait", re.I
)
_CORRECTION_WORDS = re.compile(
    r"correct|rectif|corrig|errat|berichtig|korrig|rettific|diorth", re.I
)
_UPDATE_WORDS = re.compile(
    r"updat|replac|refile|substitut|supersed|new\s*lead|write\s*-?\s*thru|revis|amend|"
    r"actuali|mise\s*à\s*jour|aktualis",
    re.I,
)
# The revision part of a PublicIdentifier: ':3', or ':3U' for an update-only revision.
_REVISION_TAIL = re.compile(r":\d+[A-Za-z]?$")
_NEWS_ITEM_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?NewsItem[\s>/]")
# A declared single-byte charset: such copy may really be UTF-8 (see _utf8_relabelled).
_SINGLE_BYTE_DECLARED = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']"
    rb"((?:iso[-_]?8859[-_]?1|latin[-_]?1|l1|us-ascii|ascii|windows-1252|cp1252))[\"']",
    re.I,
)
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_MARKUP = re.compile(r"</?[A-Za-z][\w.:-]*(?:\s[^<>]*)?/?>")
_BLANK_LINE = re.compile(r"\n[ \t\r\u00a0]*\n")
_INDENTED_LINE = re.compile(r"\n(?=[ \t]{2,}\S|\t\S)")
# '(AFP)', '(ANA-MPE)' in a DateLine.
_DATELINE_AGENCY = re.compile(r"\(\s*([A-Za-z][A-Za-z .&/-]{0,24}?)\s*\)")
# What ends a DateLine before the story would follow it: ' -', '.-' (EFE), ':'.
_DATELINE_END = " -–—_:,;"
_RIGHTS = re.compile(r"^\s*(?:©|\(c\)\s|copyright\b)", re.I)
# Second-level labels that sit under a country code: aap.com.au, agency.co.uk.
_SECOND_LEVEL = frozenset({"com", "co", "org", "net", "gov", "ac", "or", "ne", "gob", "gouv"})
_DOMAIN_LABEL = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
# Roles of components that hold the story text (photo and caption components do not).
_MAIN_ROLES = frozenset({"main", "text", "body", "story", "article"})
_TEXT_MEDIA = frozenset({"text", "complexdata"})
_BYLINE_TITLE = frozenset({"byttl"})


class NewsML12(WireFormat):
    name = FORMAT

    def sniff(self, raw: bytes) -> float:
        peek = peek_root(raw)
        if peek is None:
            return 0.0
        # NewsML 1.x roots are capitalised; G2's newsItem is not, so the two never collide.
        if peek.local == "NewsML":
            return 0.95
        if peek.local == "NewsItem":
            return 0.9
        return 0.0

    def split(self, raw: bytes) -> list[bytes]:
        """One NewsML document per top-level NewsItem, each keeping the envelope and catalogues.
        A document with one item (or copy that will not parse) passes whole, untouched."""
        tags = _NEWS_ITEM_TAG.finditer(raw)
        if next(tags, None) is None or next(tags, None) is None:
            return [raw]  # one item at most: nothing to cut, and no parse spent finding out
        try:
            root = parse_xml(_utf8_relabelled(raw)[0], format=self.name).root
        except ParseError:
            return [raw]
        items = _news_items(root)
        if local(root) != "NewsML" or len(items) <= 1:
            return [raw]
        return [_standalone(root, item) for item in items]

    def parse(self, raw: bytes) -> ParsedItem:
        data, charset_note = _utf8_relabelled(raw)
        doc = parse_xml(data, format=self.name)
        root = doc.root
        name = local(root)
        envelope = None
        if name == "NewsML":
            items = _news_items(root)
            if len(items) != 1:
                raise ParseError(
                    f"NewsML holds {len(items)} NewsItems; split() it into one document per "
                    "item first"
                    if items
                    else "NewsML holds no NewsItem",
                    format=self.name,
                    position=f"line {root.sourceline}",
                )
            envelope = child(root, "NewsEnvelope")
            item_el = items[0]
        elif name == "NewsItem":
            item_el = root
        else:
            raise ParseError(
                f"root element <{name or root.tag}> is neither <NewsML> nor <NewsItem>",
                format=self.name,
                position=f"line {root.sourceline}",
            )
        item = read_news_item(item_el, envelope=envelope, document=root)
        item.notes[:0] = [*([charset_note] if charset_note else []), *doc.notes]
        return item


# ---- the document ------------------------------------------------------------------------


def _utf8_relabelled(raw: bytes) -> tuple[bytes, str | None]:
    """Copy declared Latin-1/CP1252 that is really UTF-8, relabelled as UTF-8.

    Agency exports stamp 'iso-8859-1' on UTF-8 files. ``xmlsafe`` reads a declared Latin-1 that
    holds bytes 0x80-0x9f as CP1252 before asking whether the bytes are UTF-8, and UTF-8
    continuation bytes ('É' C3 89, '’' E2 80 99) are exactly such bytes: 'Ã‰', 'â€™'. The
    shared decoder (``workers.encoding.decode_text``) makes the call; only its answer is used.
    """
    match = _SINGLE_BYTE_DECLARED.match(raw[:300])
    if not match or not _C1_BYTES.search(raw):
        return raw, None
    declared = match[1].decode("ascii")
    try:
        _, encoding = decode_text(raw, declared=declared)
    except DecodeError:
        return raw, None
    if encoding != "utf-8":
        return raw, None
    relabelled = raw[: match.start(1)] + b"utf-8" + raw[match.end(1) :]
    return relabelled, f"declared {declared} but the bytes are UTF-8; read as UTF-8"


def _news_items(root: etree._Element) -> list[etree._Element]:
    """Top-level NewsItems only: one nested in a component belongs to its parent item."""
    return [c for c in root if local(c) == "NewsItem"]


def _standalone(root: etree._Element, item: etree._Element) -> bytes:
    """The NewsML root with its envelope, catalogues and TopicSets, holding this item alone."""
    out = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=root.nsmap)
    for sub in root:
        if not isinstance(sub.tag, str) or (local(sub) == "NewsItem" and sub is not item):
            continue
        out.append(copy.deepcopy(sub))
    return etree.tostring(out, xml_declaration=True, encoding="UTF-8")


def _topic_sets(document: etree._Element) -> list[etree._Element]:
    """TopicSets that may name subject codes, the document's own first, then each component's.
    (lxml's tag filter walks the tree in C; '{*}' matches with or without a namespace.)"""
    found = list(document.iter("{*}TopicSet"))
    return sorted(found, key=lambda e: e.getparent() is not document)


# ---- one item ----------------------------------------------------------------------------


def read_news_item(
    item: etree._Element,
    *,
    envelope: etree._Element | None = None,
    document: etree._Element | None = None,
) -> ParsedItem:
    """Everything a ``<NewsItem>`` (and its envelope) says about its story."""
    notes: list[str] = []
    identifier = child(item, "Identification", "NewsIdentifier")
    management = child(item, "NewsManagement")

    version, previous, update_kind = _revision(child(identifier, "RevisionId"), notes)
    status, signals, embargoed_until = _status(management, notes)
    signals += _revision_signals(previous, update_kind, signals, notes)

    content = _story_content(item)
    path = _component_path(item, content)
    body, nitf = _body(content, notes)
    body, rights = _split_rights(body)
    notes += [f"rights: {r}" for r in rights]

    language = _language(item, path)
    nitf_head = _nitf_head(nitf)
    headline = _headline(path, language) or _text(child(nitf_head, "hedline", "hl1"))
    for sub in _lines(path, "SubHeadLine"):
        if text := inline_text(sub):
            notes.append(f"subheadline: {' '.join(text.split())}")
    for line in _lines(path, "NewsLine"):
        kind = _formal(child(line, "NewsLineType")) or "news line"
        if text := inline_text(child(line, "NewsLineText")):
            notes.append(f"{kind}: {' '.join(text.split())}")
    item_type = _formal(child(management, "NewsItemType"))
    if item_type and item_type.lower() != "news":
        notes.append(f"NewsItemType {item_type!r}")

    version_created = _when(child(management, "ThisRevisionCreated"))
    first_created = _when(child(management, "FirstCreated"))
    created = version_created or first_created
    date_hint = created.date() if created else None
    dateline = _dateline(path, date_hint)
    bylines = [spaced_text(b) for b in _lines(path, "ByLine")]
    if not bylines:
        bylines = [spaced_text(b, skip=_BYLINE_TITLE) for b in children(nitf_head, "byline")]
    byline = "; ".join(b for b in bylines if b) or None

    return ParsedItem(
        format=FORMAT,
        body=body,
        headline=headline,
        agency=_agency(identifier, path),
        item_id=_item_id(identifier),
        version=version,
        status=status,
        signals=list(dict.fromkeys(signals)),
        urgency=_urgency(management, envelope, notes),
        slugline=_slugline(item, path, headline),
        byline=byline,
        dateline=dateline,
        date_hint=date_hint,
        subjects=_subjects(path, item if document is None else document, language),
        keywords=_keywords(path),
        language=language,
        embargoed_until=embargoed_until,
        first_created=first_created,
        version_created=version_created,
        notes=notes,
    )


def _formal(element: etree._Element | None) -> str | None:
    """An element's FormalName (the NewsML 1 way of carrying a controlled value)."""
    if element is None:
        return None
    value = (element.get("FormalName") or "").strip()
    return value or None


def _when(element: etree._Element | None) -> datetime | None:
    return parse_wire_datetime(element.text) if element is not None else None


def _text(element: etree._Element | None) -> str | None:
    text = inline_text(element)
    return " ".join(text.split()) if text else None


# ---- identity and revisions --------------------------------------------------------------


def _item_id(identifier: etree._Element | None) -> str | None:
    """The item's id without its revision, so all revisions share one story chain."""
    public = _text(child(identifier, "PublicIdentifier"))
    if public and public.lower().startswith("urn:newsml:") and _REVISION_TAIL.search(public):
        return _REVISION_TAIL.sub("", public)
    provider = _text(child(identifier, "ProviderId"))
    news_item_id = _text(child(identifier, "NewsItemId"))
    if provider and news_item_id:
        return f"urn:newsml:{provider}:{_text(child(identifier, 'DateId')) or ''}:{news_item_id}"
    return public or news_item_id


def _revision(revision: etree._Element | None, notes: list[str]) -> tuple[int, int, str]:
    """(RevisionId, PreviousRevision, Update) with NewsML's defaults: 1, 0 and 'N'."""
    if revision is None:
        return 1, 0, "N"
    version = parse_int(revision.text, low=0, high=10**9)
    if version is None:
        notes.append(f"RevisionId {(revision.text or '').strip()!r} is not a number; read as 1")
        version = 1
    previous = parse_int(revision.get("PreviousRevision"), low=0, high=10**9) or 0
    update = (revision.get("Update") or "N").strip().upper()[:1] or "N"
    return version, previous, update


def _revision_signals(
    previous: int, update: str, already: list[Signal], notes: list[str]
) -> list[Signal]:
    """A revision that names the one it replaces is an update, unless it says more."""
    if update == "U":
        notes.append("revision made of Update elements: it changes parts of the previous one")
    elif update == "A":
        notes.append("revision changes the previous one's NewsManagement only")
    if (previous > 0 or update in ("U", "A")) and not already:
        return [Signal.update]
    return []


# ---- status, embargo, instructions, urgency ----------------------------------------------


def _status(
    management: etree._Element | None, notes: list[str]
) -> tuple[PubStatus, list[Signal], datetime | None]:
    raw_status = (_formal(child(management, "Status")) or "").lower()
    status = _STATUSES.get(raw_status or "usable", PubStatus.usable)
    if raw_status and raw_status not in _STATUSES:
        notes.append(f"Status {raw_status!r} unknown; read as usable")
    signals = [Signal.kill] if status is PubStatus.canceled else []

    embargoed_until = _embargo_end(management, status)
    if status is PubStatus.embargoed and embargoed_until and embargoed_until <= datetime.now(UTC):
        # An embargo already past holds nothing back; its time is still carried.
        notes.append(f"embargo lifted at {embargoed_until.isoformat()}")
        status = PubStatus.usable

    for instruction in children(management, "Instruction"):
        words = _formal(instruction) or _text(instruction)
        if not words:
            continue
        notes.append(f"instruction: {words}")
        if _KILL_WORDS.search(words):
            signals.append(Signal.kill)
            if status is PubStatus.usable:
                status = PubStatus.canceled
        elif _CORRECTION_WORDS.search(words):
            signals.append(Signal.correction)
        elif _UPDATE_WORDS.search(words):
            signals.append(Signal.update)
    return status, signals, embargoed_until


def _embargo_end(management: etree._Element | None, status: PubStatus) -> datetime | None:
    """When a held item becomes usable: StatusWillChange's time, when its future is Usable."""
    if status not in (PubStatus.embargoed, PubStatus.withheld):
        return None
    change = child(management, "StatusWillChange")
    future = (_formal(child(change, "FutureStatus")) or "").lower()
    when = _when(child(change, "DateAndTime"))
    if when is None or future != "usable":
        return None
    return when


def _urgency(
    management: etree._Element | None, envelope: etree._Element | None, notes: list[str]
) -> int | None:
    """Urgency, else the envelope's Priority (both 1-9, 1 the most urgent)."""
    for element, label in ((child(management, "Urgency"), "Urgency"),
                           (child(envelope, "Priority"), "Priority")):  # fmt: skip
        if element is None:
            continue
        value = _formal(element) or (element.text or "").strip()
        number = parse_int(value, low=1, high=9)
        if number is not None:
            return number
        notes.append(f"{label} {value!r} is not 1-9; ignored")
    return None


# ---- components --------------------------------------------------------------------------


def _story_content(item: etree._Element) -> etree._Element | None:
    """The ContentItem holding the story text: text in a 'Main' component first, then text
    in a component without a role, then any other text (never a photo or a video)."""
    best: tuple[int, etree._Element] | None = None
    for element in item.iter("{*}ContentItem"):
        if not _is_text(element):
            continue
        if child(element, "DataContent") is None:
            continue
        role = _role(element, item)
        rank = 0 if role in _MAIN_ROLES else 1 if role is None else 2
        if best is None or rank < best[0]:
            best = (rank, element)
            if rank == 0:
                break
    return best[1] if best else None


def _is_text(content: etree._Element) -> bool:
    media = (_formal(child(content, "MediaType")) or "").lower()
    if media:
        return media in _TEXT_MEDIA
    mime = (_formal(child(content, "MimeType")) or "").lower()
    return not mime or mime.startswith("text/") or "xml" in mime or "html" in mime


def _role(content: etree._Element, item: etree._Element) -> str | None:
    for ancestor in content.iterancestors():
        if ancestor is item:
            break
        if local(ancestor) == "NewsComponent" and (role := _formal(child(ancestor, "Role"))):
            return role.lower()
    return None


def _component_path(item: etree._Element, content: etree._Element | None) -> list[etree._Element]:
    """The NewsComponents from the item down to the story text, outermost first: the story's
    lines and metadata sit on the way to its text, a photo's on a branch beside it."""
    if content is None:
        top = child(item, "NewsComponent")
        return [top] if top is not None else []
    path = []
    for ancestor in content.iterancestors():
        if ancestor is item:
            break
        if local(ancestor) == "NewsComponent":
            path.append(ancestor)
    return path[::-1]


def _lines(path: list[etree._Element], name: str) -> list[etree._Element]:
    """The NewsLines of this name from the outermost component that has any."""
    for component in path:
        found = list(children(child(component, "NewsLines"), name))
        if found:
            return found
    return []


def _meta(path: list[etree._Element], group: str, name: str) -> list[etree._Element]:
    """Every ``group/name`` element along the path (AdministrativeMetadata/Provider, ...)."""
    return [e for component in path for e in children(child(component, group), name)]


def _party(path: list[etree._Element], role: str) -> str | None:
    for element in _meta(path, "AdministrativeMetadata", role):
        for party in children(element, "Party"):
            if name := _formal(party) or _text(party):
                return name
    return None


# ---- body --------------------------------------------------------------------------------


def _body(
    content: etree._Element | None, notes: list[str]
) -> tuple[list[str], etree._Element | None]:
    """Paragraphs of the story text, and the inline NITF document when the text is one."""
    if content is None:
        notes.append("no text ContentItem with DataContent; the item has no body")
        return [], None
    if (encoding := _formal(child(content, "Encoding"))) and "base64" in encoding.lower():
        notes.append("text is base64-encoded in the ContentItem; not read")
        return [], None
    data = child(content, "DataContent")
    elements = [e for e in data if isinstance(e.tag, str)]
    if elements:
        if local(elements[0]) == "nitf":
            nitf = elements[0]
            # A NITF without the body wrapper is still read through its containers.
            return read_nitf_body(child(nitf, "body")) or read_paragraphs(nitf), nitf
        # XHTML (html/body) or bare <p> elements, as newer AFP copy sends.
        return read_paragraphs(data), None
    text = (data.text or "").replace("\r\n", "\n")
    if _MARKUP.search(text):
        # HTML carried in CDATA (ANA-MPE) or escaped: read it as HTML, never as XML.
        return html_paragraphs(text), None
    return _plain_paragraphs(text), None


def _nitf_head(nitf: etree._Element | None) -> etree._Element | None:
    """The NITF body.head, whose hedline and byline stand in when the NewsLines lack them."""
    return child(nitf, "body", "body.head") if nitf is not None else None


def _plain_paragraphs(text: str) -> list[str]:
    """Plain text: paragraphs at blank lines, or at indented lines when there are none."""
    chunks = [c.strip() for c in _BLANK_LINE.split(text) if c.strip()]
    if len(chunks) == 1 and _INDENTED_LINE.search(chunks[0]):
        chunks = [c.strip() for c in _INDENTED_LINE.split(chunks[0]) if c.strip()]
    return chunks


def _split_rights(body: list[str]) -> tuple[list[str], list[str]]:
    """A copyright notice closing the text is rights information, not story."""
    end = len(body)
    while end > 0 and _RIGHTS.match(body[end - 1]):
        end -= 1
    if end == 0:
        return body, []
    return body[:end], [" ".join(p.split()) for p in body[end:]]


# ---- lines and metadata ------------------------------------------------------------------


def _headline(path: list[etree._Element], language: str | None) -> str | None:
    """The HeadLine in the item's language when there are several, else the first."""
    headlines = [(h, _text(h)) for h in _lines(path, "HeadLine")]
    headlines = [(h, t) for h, t in headlines if t]
    for element, text in headlines:
        if language and language_code(element.get(XML_LANG)) == language:
            return text
    return headlines[0][1] if headlines else None


def _slugline(item: etree._Element, path: list[etree._Element], headline: str | None):
    """SlugLine; else the NameLabel, the label agencies give the item for desks, when it is
    slug-like (short, and not the headline again)."""
    for slug in _lines(path, "SlugLine"):
        if text := _text(slug):
            return text
    label = _text(child(item, "Identification", "NameLabel"))
    if label and label != headline and len(label) <= 80 and len(label.split()) <= 6:
        return label
    return None


def _dateline(path: list[etree._Element], date_hint: date | None) -> Dateline | None:
    """'STOCKHOLM, Aug 29, 2014 (AFP) -' -> place STOCKHOLM, that date, agency AFP. A DateLine
    that is only a date ('4/4/2018') gives no place."""
    text = next((t for t in map(_text, _lines(path, "DateLine")) if t), None)
    if not text:
        return None
    text = text.rstrip(_DATELINE_END)
    if text.endswith(")."):
        text = text[:-1]
    agency_match = _DATELINE_AGENCY.search(text)
    head = text[: agency_match.start()] if agency_match else text
    parts = [p.strip() for p in head.split(",") if p.strip()]
    place = None
    if parts and not _is_date(parts[0]) and len(parts[0].split()) <= 5:
        place = title_place(parts[0])
    when = _dateline_date(path, parts[1:] if place else parts, date_hint)
    if not (place or when or text):
        return None
    return Dateline(
        text=text,
        place=place,
        date=when,
        agency=canonical_agency(agency_match[1]) if agency_match else None,
    )


def _is_date(text: str) -> bool:
    return any(c.isdigit() for c in text) or parse_date_words(text, default_year=2000) is not None


def _dateline_date(
    path: list[etree._Element], parts: list[str], date_hint: date | None
) -> date | None:
    for element in _meta(path, "DescriptiveMetadata", "DateLineDate"):
        if when := _when(element):
            return when.date()
    year = date_hint.year if date_hint else None
    joined = " ".join(parts)
    for candidate in (*parts, joined):
        if found := parse_date_words(candidate, default_year=year):
            return found
    return None


def _language(item: etree._Element, path: list[etree._Element]) -> str | None:
    for element in _meta(path, "DescriptiveMetadata", "Language"):
        if code := language_code(_formal(element) or _text(element)):
            return code
    for element in (item, *item.iterancestors(), *path):
        if code := language_code(element.get(XML_LANG)):
            return code
    return None


def _subjects(
    path: list[etree._Element], document: etree._Element, language: str | None
) -> list[Subject]:
    """IPTC subject codes (Subject, SubjectMatter, SubjectDetail), named from the TopicSets
    that describe them; an agency's own scheme keeps its name."""
    found: dict[tuple[str, str], Subject] = {}
    names: dict[str, str] | None = None
    for group in _meta(path, "DescriptiveMetadata", "SubjectCode"):
        for code_el in group:
            if local(code_el) not in ("Subject", "SubjectMatter", "SubjectDetail"):
                continue
            code = _formal(code_el)
            scheme = _scheme(code, code_el.get("Scheme"))
            if not (code and scheme) or (scheme, code) in found:
                continue
            if names is None:
                names = _topic_names(_topic_sets(document), language)
            found[(scheme, code)] = Subject(scheme=scheme, code=code, name=names.get(code))
    return list(found.values())


def _scheme(code: str | None, scheme: str | None) -> str | None:
    if not code:
        return None
    if code.isdigit() and len(code) == 8 and (not scheme or "iptc" in scheme.lower()):
        return "subj"
    return scheme.strip().lower() if scheme and scheme.strip() else None


def _topic_names(topic_sets: list[etree._Element], language: str | None) -> dict[str, str]:
    """Subject code -> name, from TopicSet Topics' Name descriptions, in the item's language,
    else English, else the first given."""
    names: dict[str, str] = {}
    for topic_set in topic_sets:
        for topic in children(topic_set, "Topic"):
            code = _text(child(topic, "FormalName"))
            if not code or code in names:
                continue
            described = [
                (language_code(d.get(XML_LANG)), _text(d))
                for d in children(topic, "Description")
                if (d.get("Variant") or "Name").lower() == "name" and _text(d)
            ]
            for wanted in (language, "en", None):
                name = next((t for lang, t in described if wanted is None or lang == wanted), None)
                if name:
                    names[code] = name
                    break
    return names


def _keywords(path: list[etree._Element]) -> list[str]:
    found = [t for t in map(_text, _lines(path, "KeywordLine")) if t]
    for prop in _meta(path, "DescriptiveMetadata", "Property"):
        if (prop.get("FormalName") or "").lower() == "keyword" and (
            prop.get("Value") or ""
        ).strip():
            found.append(prop.get("Value").strip())
    return list(dict.fromkeys(found))


# ---- agency ------------------------------------------------------------------------------


def _agency(identifier: etree._Element | None, path: list[etree._Element]) -> str | None:
    """The credited agency: credit and source before the provider (a relay provides what
    others wrote), then the copyright line and the ProviderId domain."""
    provider = _party(path, "Provider")
    domain = _domain_name(_text(child(identifier, "ProviderId")))
    agency = pick_agency(
        _text(next(iter(_lines(path, "CreditLine")), None)),
        _party(path, "Source"),
        provider,
        _text(next(iter(_lines(path, "CopyrightLine")), None)),
        domain,
    )
    if agency and not _latin(agency):
        # A credit in the service's own script (ANA-MPE's Greek 'ΑΠΕ-ΜΠΕ'): the provider's
        # Latin name is the one every language service of the agency shares.
        latin = next((n for n in (provider, domain) if n and _latin(n)), None)
        if latin:
            return canonical_agency(latin)
    return agency


def _domain_name(provider_id: str | None) -> str | None:
    """'afp.com' -> 'AFP', 'ana-mpe.gr' -> 'ANA-MPE', 'aap.com.au' -> 'AAP'; not a domain: None."""
    if not provider_id:
        return None
    host = provider_id.strip().lower().removeprefix("http://").removeprefix("https://")
    labels = [label for label in host.split("/")[0].split(".") if label and label != "www"]
    if len(labels) < 2:
        return None
    label = labels[-3] if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL else labels[-2]
    if not _DOMAIN_LABEL.match(label):
        return None
    known = canonical_agency(label)
    return known if known != label else label.upper()


def _latin(text: str) -> bool:
    """Every letter is in the Latin script."""
    return all(
        unicodedata.name(c, "").startswith("LATIN") for c in text if c.isalpha() and ord(c) > 127
    )
