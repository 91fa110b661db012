"""IPTC NewsML 1.2, the envelope-and-components XML that AFP, ANA-MPE, ANP, EFE, APA, Belga,
SDA-ATS, Kyodo, TASS and press-release services still send alongside (or instead of) NewsML-G2.

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

The agencies' own variants, all read the same general way:

* AFP: NITF or bare ``<p>`` text, ``AdvisoryLine``/``ProductLine`` NewsLines, the desk's initials
  ('ab/cd/ef') closing the text. EFE: a NITF whose byline field holds those initials and whose
  key-list keyword is the slug. ANP: an empty ``<ByLine/>``/``<DateLine/>``, a letter-spaced
  editor's note opening the text ('N i e u w bericht, vervangt: ...'). SDA-ATS: a 'CatchWord'
  NewsLine as the slug, a DateLine with the canton ('Chur GR'). Kyodo: the envelope's Priority
  and no Urgency, '==Kyodo' closing the text. TASS: no NewsItemId (the component's Duid names
  the item), ``<Urgency>2</Urgency>`` as text.
* Belga: a story split into 'Title', 'Lead' and 'Body' components (per language), the priority
  as a 'Priority' Property, a PublicIdentifier naming only the provider; audio bulletins whose
  'Body' is the broadcast script with '***' separators and ``NewsComponentRef`` placeholders
  where the clips go, beside 'Quote' components with a sound file and an empty body; video
  items whose text is the shot list; headline-only tips; 'No Headline !' where there is none.
* Press-release services (nordicir/NTB): a namespaced NewsML whose HTML repeats the headline
  and a 'date | issuer | category' line before the text; the issuer is the Source.

What is read, and from where:

* item_id: the PublicIdentifier (``urn:newsml:afp.com:20240710:ID:3``) without its revision
  part, else ``urn:newsml:ProviderId:DateId:NewsItemId`` built the same way, so every revision
  of an item shares one id and one story chain. version = RevisionId.
* ``Status`` -> status (Canceled also signals a kill); ``StatusWillChange`` to Usable carries the
  embargo time, and an embargo already past is no embargo. ``Instruction`` words (Update,
  Correction, Rectification, Kill, ...), an AdvisoryLine opening with 'UPDATES'/'CORRECTS' and an
  editor's note's words -> signals; ``PreviousRevision`` > 0 or ``Update="A"/"U"`` says this
  revision replaces an earlier one: an update, when nothing says more.
* urgency from ``Urgency``, else the envelope ``Priority``, else a component's 'Priority'
  Property or the inline NITF's ed-urg.
* agency from the credit (``CreditLine``, ``Source``), then ``Provider``, the copyright line and
  the ProviderId domain; a credit in another script (ANA-MPE credits itself in Greek) gives way
  to the provider's Latin name, which is the same on all of an agency's language services.
* The story's text is the first text ContentItem that holds any (a component with Role
  "Main"/"Body" first), after the 'Lead' components beside a 'Body': inline NITF (read by the
  NITF reader), XHTML or bare ``<p>`` elements, HTML inside CDATA (ANA-MPE), or plain text.
  Title, photo and caption components are not the story. The headline, lines and metadata come
  from the components enclosing that text, outermost first, an empty or placeholder line giving
  way to the next; no HeadLine: a 'Title' component's text, the NITF hedline, else none.
* What opens or closes a text without being story goes to notes: copyright, sign-offs, header
  lines, editor's notes. An item of sound, pictures or clips with no text at all is refused
  with what it is (``EmptyStoryError``), never passed on as an empty story.
* ``DateLine`` -> dateline (the city before the first comma, without a region code or a date
  after it; a date-only DateLine has no place); ``SubjectCode`` -> IPTC subject codes (scheme
  ``subj``), named from TopicSets where given.

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
from workers.errors import DecodeError, EmptyStoryError, ParseError
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

__all__ = ["NewsML12", "read_news_item"]

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
    r"actuali|mise\s*à\s*jour|aktualis|vervang|ersetz|erstatt",
    re.I,
)
# An AdvisoryLine that opens with the agency's revision word ('UPDATES with ...', 'CORRECTS
# spelling ...', AFP and others) is an explicit editorial signal; 'REPEATS' is a resend.
_ADVISORY_CORRECTION = re.compile(r"^\W*(?:corrects?|corrected|correction|rectifi)", re.I)
_ADVISORY_UPDATE = re.compile(
    r"^\W*(?:updates?|updated|adds?|recasts?|refiles?|writethru|new\s+lead|replaces?)\b", re.I
)
_ADVISORY_TYPES = re.compile(r"advisory|editor|note", re.I)
# NewsLine types that carry the desk's slug: SDA-ATS 'CatchWord', others 'Slug', 'Stichwort'.
_SLUG_LINE_TYPES = re.compile(r"catch\s*word|slug|stichwort|schlagwort", re.I)
# What an exporter writes in a HeadLine it had nothing for ('No Headline !', 'Untitled',
# 'Sans titre', 'Geen titel'): not a headline.
_PLACEHOLDER_HEADLINE = re.compile(
    r"^\W*(?:(?:no|without|sans|geen|kein|keine|sin|senza|sem|ingen|ei|bez)\s+"
    r"(?:headline|title|titre|titel|t[ií]tulo|titolo|kop|overskrift|rubrik|otsikko|naslov)"
    r"|untitled|n/?a|tbd|tba|none|null)\W*$",
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
# Block markup: text with only inline markup (an escaped <b>) keeps its own paragraph breaks.
_BLOCK_MARKUP = re.compile(
    r"<\s*/?\s*(?:p|div|br|h[1-6]|li|ul|ol|table|tr|blockquote|section|article|body)\b", re.I
)
_LINE_BREAKS = re.compile(r"\r\n?")
# Where a broadcast script (Belga's audio bulletins) holds a sound clip: a reference element,
# escaped or as a bare word on its line. It marks a clip, it is not text.
_COMPONENT_REF = re.compile(
    r"<(?:NewsComponentRef|NewsItemRef|ContentItemRef)\b[^<>]*/?>"
    r"|^[ \t]*(?:NewsComponentRef|NewsItemRef|ContentItemRef)[ \t]*$",
    re.M,
)
# '***' or '---' opening a line: a script's separator between stories, a paragraph break.
_SEPARATOR = re.compile(r"^[ \t]*(?:\*{3,}|-{3,}|#{3,}|={3,})[ \t]*", re.M)
_BLANK_LINE = re.compile(r"\n[ \t\r\u00a0]*\n")
_INDENTED_LINE = re.compile(r"\n(?=[ \t]{2,}\S|\t\S)")
# '(AFP)', '(ANA-MPE)' in a DateLine.
_DATELINE_AGENCY = re.compile(r"\(\s*([A-Za-z][A-Za-z .&/-]{0,24}?)\s*\)")
# What ends a DateLine before the story would follow it: ' -', '.-' (EFE), ':'.
_DATELINE_END = " -–—_:,;"
_RIGHTS = re.compile(r"^\s*(?:©|\(c\)\s|copyright\b)", re.I)
# Desk sign-offs closing a text: staff initials ('ab/de/dl', AFP, EFE), '==Kyodo'.
_STAFF_INITIALS = re.compile(r"^[a-z]{1,5}(?:\s?/\s?[a-z]{1,5}){1,7}$")
_SIGN_OFF = re.compile(r"^(?:[a-z]{1,5}(?:\s?/\s?[a-z]{1,5}){1,7}|={1,3}\s*[A-Z][\w .&-]{1,24})$")
# A letter-spaced opening ('N i e u w bericht, vervangt: ...', 'L E T  O P'): ANP's way of
# setting an editor's note apart from the story.
_LETTER_SPACED = re.compile(r"^\W*(?:\w ){3,}\w\b")
_SPACED_RUN = re.compile(r"\b(?:\w ){2,}\w\b")
# 'Landquart GR', 'Zürich (ZH)': a city with its canton or state code after it.
_REGION_CODE = re.compile(r"^(?P<city>.*[a-zà-ÿ].*?)\s+\(?[A-Z]{2}\)?$")
# Where a dateline's place ends and its date begins: 'BRUSSEL 29/01' -> 'BRUSSEL'.
_PLACE_BEFORE_DATE = re.compile(r"^(?P<place>[^\d]*[^\d\s])\s+\S*\d")
# Second-level labels that sit under a country code: aap.com.au, agency.co.uk.
_SECOND_LEVEL = frozenset({"com", "co", "org", "net", "gov", "ac", "or", "ne", "gob", "gouv"})
_DOMAIN_LABEL = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
# Roles of components that hold the story text (photo and caption components do not).
_MAIN_ROLES = frozenset({"main", "text", "body", "story", "article"})
# Components that hold the item's title (Belga's 'Title' beside 'Lead' and 'Body'): a headline,
# never the story; and those holding the lede that goes before a 'Body'.
_TITLE_ROLES = frozenset({"title", "headline", "heading"})
_LEAD_ROLES = frozenset({"lead", "lede", "intro", "introduction", "standfirst"})
# How a ContentItem says it is sound, moving pictures or a still (MediaType, MimeType, Format,
# or only the file name in its Href).
_MEDIA_KINDS = (
    ("audio", re.compile(r"audio|sound|\bmp3\b|mpeg3|\bwav\b|\baac\b|\.mp3$|\.wav$", re.I)),
    ("video", re.compile(r"video|mpeg4|\bmp4\b|\bmov\b|\.mp4$|\.mov$", re.I)),
    ("photo", re.compile(r"photo|image|picture|graphic|jpe?g|\bpng\b|\bgif\b|tiff?", re.I)),
)
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
                f"root element <{name or str(root.tag)}> is neither <NewsML> nor <NewsItem>",
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
    return list(root.iterchildren("{*}NewsItem"))


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

    content = _story_content(item)
    path = _component_path(item, content)
    body, nitf = _story_body(content, notes)
    body, trailer = _split_trailer(body)
    notes += trailer

    language = _language(item, path)
    nitf_head = _nitf_head(nitf)
    headline = _headline(path, language, notes) or _title_component(path) or _nitf_title(nitf)
    if not headline:
        notes.append("the item carries no headline")
    for sub in _lines(path, "SubHeadLine"):
        if text := inline_text(sub):
            notes.append(f"subheadline: {' '.join(text.split())}")
    signals += _news_line_signals(path, notes)
    item_type = _formal(child(management, "NewsItemType"))
    if item_type and item_type.lower() != "news":
        notes.append(f"NewsItemType {item_type!r}")

    version_created = _when(child(management, "ThisRevisionCreated"))
    first_created = _when(child(management, "FirstCreated"))
    created = version_created or first_created
    date_hint = created.date() if created else None
    dateline = _dateline(path, date_hint)
    bylines = [spaced_text(b) for b in _lines(path, "ByLine")]
    if not any(bylines):
        bylines = [spaced_text(b, skip=_BYLINE_TITLE) for b in children(nitf_head, "byline")]
    byline = "; ".join(b for b in bylines if b) or None
    if byline and _STAFF_INITIALS.match(byline):
        # EFE's byline field holds the desk's initials: carried as the agency gives it.
        notes.append(f"byline {byline!r} is staff initials, not a name")

    body, header_signals = _split_header(body, headline, dateline, byline, notes)
    signals += header_signals
    signals += _revision_signals(previous, update_kind, signals, notes)
    if body:
        notes += _media_notes(path, body)
    else:
        _refuse_media_only(item, status, signals)

    return ParsedItem(
        format=FORMAT,
        body=body,
        headline=headline,
        agency=_agency(identifier, path),
        item_id=_item_id(identifier, item),
        version=version,
        status=status,
        signals=list(dict.fromkeys(signals)),
        urgency=_urgency(management, envelope, path, nitf, notes),
        slugline=_slugline(item, path, headline, nitf),
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


def _item_id(identifier: etree._Element | None, item: etree._Element) -> str | None:
    """The item's id without its revision, so all revisions share one story chain. Without a
    NewsItemId, the top component's Duid names the item (TASS); a PublicIdentifier that names
    only the provider ('urn:newsml:www.belga.be', on every Belga item) names no item."""
    public = _text(child(identifier, "PublicIdentifier"))
    if public and public.lower().startswith("urn:newsml:") and _REVISION_TAIL.search(public):
        return _REVISION_TAIL.sub("", public)
    provider = _text(child(identifier, "ProviderId"))
    news_item_id = _text(child(identifier, "NewsItemId"))
    if not news_item_id:
        top = child(item, "NewsComponent")
        duid_text = (top.get("Duid") or "").strip() if top is not None else ""
        news_item_id = duid_text if len(duid_text) >= 4 else None
    if provider and news_item_id:
        return f"urn:newsml:{provider}:{_text(child(identifier, 'DateId')) or ''}:{news_item_id}"
    if public and public.count(":") < 3:
        return news_item_id
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
    management: etree._Element | None,
    envelope: etree._Element | None,
    path: list[etree._Element],
    nitf: etree._Element | None,
    notes: list[str],
) -> int | None:
    """Urgency, else the envelope's Priority (both 1-9, 1 the most urgent), else what the
    components carry: a 'Priority' Property (Belga), the inline NITF's ed-urg."""
    candidates = [
        (child(management, "Urgency"), "Urgency"),
        (child(envelope, "Priority"), "Priority"),
    ]
    for element, label in candidates:
        if element is None:
            continue
        value = _formal(element) or (element.text or "").strip()
        number = parse_int(value, low=1, high=9)
        if number is not None:
            return number
        notes.append(f"{label} {value!r} is not 1-9; ignored")
    for prop in _meta(path, "AdministrativeMetadata", "Property"):
        named = (prop.get("FormalName") or "").lower() in ("priority", "urgency")
        if named and (number := parse_int(prop.get("Value"), low=1, high=9)) is not None:
            return number
    urgency = child(nitf, "head", "docdata", "urgency")
    if urgency is not None:
        return parse_int(urgency.get("ed-urg"), low=1, high=9)
    return None


# ---- components --------------------------------------------------------------------------


def _story_content(item: etree._Element) -> etree._Element | None:
    """The ContentItem holding the story text: text in a 'Main' (or 'Body') component first,
    then text in a component without a role, then any other text (never a photo or a video,
    never a 'Title' component, never an empty one: Belga sends empty 'Body' components beside
    each audio clip)."""
    best: tuple[int, etree._Element] | None = None
    for element in item.iter("{*}ContentItem"):
        if not _is_text(element) or not _has_data(child(element, "DataContent")):
            continue
        role = _role(element, item)
        if role in _TITLE_ROLES:
            continue
        rank = 0 if role in _MAIN_ROLES else 1 if role is None else 2
        if best is None or rank < best[0]:
            best = (rank, element)
            if rank == 0:
                break
    return best[1] if best else None


def _has_data(data: etree._Element | None) -> bool:
    """A DataContent with text or markup in it (an empty one holds no story)."""
    if data is None:
        return False
    if data.text and data.text.strip():
        return True
    return any(isinstance(c.tag, str) for c in data)


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
        # No text: the lines are on the way down through the components that have NewsLines.
        path = []
        component = child(item, "NewsComponent")
        while component is not None:
            path.append(component)
            component = next(
                (
                    c
                    for c in children(component, "NewsComponent")
                    if child(c, "NewsLines") is not None
                ),
                None,
            )
        return path
    path = []
    for ancestor in content.iterancestors():
        if ancestor is item:
            break
        if local(ancestor) == "NewsComponent":
            path.append(ancestor)
    return path[::-1]


def _lines(path: list[etree._Element], name: str) -> list[etree._Element]:
    """The non-empty NewsLines of this name from the outermost component that has any, in the
    spellings exporters use (Belga's audio exporter writes 'Headline')."""
    for component in path:
        # An empty <HeadLine/> or <DateLine/> (Belga, AFP) gives way to the next component's.
        if found := [line for line in _own_lines(component, name) if inline_text(line)]:
            return found
    return []


def _own_lines(component: etree._Element, name: str) -> list[etree._Element]:
    lines = child(component, "NewsLines")
    if lines is None:
        return []
    tags = _SPELLINGS.get(name) or _SPELLINGS.setdefault(
        name,
        tuple("{*}" + n for n in dict.fromkeys((name, name.lower(), name[:1] + name[1:].lower()))),
    )
    # One pass in lxml's C filter, in document order, whichever spelling each line uses.
    return list(lines.iterchildren(*tags))


# Each NewsLine name's spellings seen on the wire ('HeadLine', 'Headline', 'headline'), as
# lxml tag filters in any namespace or none.
_SPELLINGS: dict[str, tuple[str, ...]] = {}


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


def _story_body(
    content: etree._Element | None, notes: list[str]
) -> tuple[list[str], etree._Element | None]:
    """The story's paragraphs: its text, after the lede components that go before a 'Body'
    (Belga splits a story into Title, Lead and Body components)."""
    body, nitf = _body(content, notes)
    lead: list[str] = []
    for element in _lead_contents(content):
        lead += _body(element, notes)[0]
    if lead and body and " ".join(body[0].split()) == " ".join(lead[-1].split()):
        lead.pop()  # a lede repeated as the body's first paragraph is said once
    return lead + body, nitf


def _lead_contents(content: etree._Element | None) -> list[etree._Element]:
    """Text ContentItems of the Lead components before the story's Body component."""
    component = content.getparent() if content is not None else None
    if component is None or local(component) != "NewsComponent":
        return []
    if (_formal(child(component, "Role")) or "").lower() != "body":
        return []
    parent = component.getparent()
    found = []
    for sibling in children(parent, "NewsComponent"):
        if sibling is component:
            break
        if (_formal(child(sibling, "Role")) or "").lower() not in _LEAD_ROLES:
            continue
        for element in children(sibling, "ContentItem"):
            if _is_text(element) and _has_data(child(element, "DataContent")):
                found.append(element)
    return found


def _body(
    content: etree._Element | None, notes: list[str]
) -> tuple[list[str], etree._Element | None]:
    """Paragraphs of one text ContentItem, and the inline NITF document when the text is one."""
    if content is None:
        notes.append("no text ContentItem holds any text; the item has no body")
        return [], None
    if (encoding := _formal(child(content, "Encoding"))) and "base64" in encoding.lower():
        notes.append("text is base64-encoded in the ContentItem; not read")
        return [], None
    data = child(content, "DataContent")
    # Only ContentItems whose DataContent holds something come here (see _has_data).
    assert data is not None
    elements = [e for e in data if isinstance(e.tag, str)]
    if elements:
        if local(elements[0]) == "nitf":
            nitf = elements[0]
            # A NITF without the body wrapper is still read through its containers.
            return read_nitf_body(child(nitf, "body")) or read_paragraphs(nitf), nitf
        # XHTML (html/body) or bare <p> elements, as newer AFP copy sends.
        return read_paragraphs(data), None
    text = _LINE_BREAKS.sub("\n", data.text or "")
    if "Ref" in text:
        text = _COMPONENT_REF.sub("\n", text)
    text = _SEPARATOR.sub("\n\n", text)
    if not _MARKUP.search(text):
        return _plain_paragraphs(text), None
    if _BLOCK_MARKUP.search(text):
        # HTML carried in CDATA (ANA-MPE) or escaped: read it as HTML, never as XML.
        return html_paragraphs(text), None
    # Plain text with inline markup only (an escaped <b>): its own breaks make the paragraphs.
    return [p for chunk in _plain_paragraphs(text) for p in html_paragraphs(chunk)], None


def _nitf_head(nitf: etree._Element | None) -> etree._Element | None:
    """The NITF body.head, whose hedline and byline stand in when the NewsLines lack them."""
    return child(nitf, "body", "body.head") if nitf is not None else None


def _plain_paragraphs(text: str) -> list[str]:
    """Plain text: paragraphs at blank lines, or at indented lines when there are none."""
    chunks = [c.strip() for c in _BLANK_LINE.split(text) if c.strip()]
    if len(chunks) == 1 and _INDENTED_LINE.search(chunks[0]):
        chunks = [c.strip() for c in _INDENTED_LINE.split(chunks[0]) if c.strip()]
    return chunks


def _split_trailer(body: list[str]) -> tuple[list[str], list[str]]:
    """What closes a text without being story: a copyright notice (rights), the desk's
    sign-off ('ab/de/dl/hmw', '==Kyodo'). Returned as notes."""
    end = len(body)
    notes: list[str] = []
    while end > 0:
        last = " ".join(body[end - 1].split())
        if _RIGHTS.match(last):
            notes.append(f"rights: {last}")
        elif _SIGN_OFF.match(last):
            notes.append(f"sign-off: {last}")
        else:
            break
        end -= 1
    if end == 0:
        return body, []  # nothing but a notice: leave it where it is, it is all there is
    return body[:end], notes[::-1]


def _split_header(
    body: list[str],
    headline: str | None,
    dateline: Dateline | None,
    byline: str | None,
    notes: list[str],
) -> tuple[list[str], list[Signal]]:
    """Lines opening a text that are not story: the headline again (a press release's <h1>),
    a 'date | issuer | category' line made of the item's own DateLine or ByLine, and a
    letter-spaced editor's note (ANP's 'N i e u w bericht, vervangt: ...'), whose words may
    signal an update or a correction."""
    signals: list[Signal] = []
    # A paragraph that is only the dateline stays: normalise reads datelines from the copy.
    repeated = {_fold(x) for x in (headline, byline) if x}
    fields = repeated | ({_fold(dateline.text)} if dateline and dateline.text else set())
    start = 0
    while start < min(len(body), 3):
        paragraph = " ".join(body[start].split())
        if _fold(paragraph) in repeated:
            notes.append(f"opening line repeats the item's lines: {paragraph}")
        elif " | " in paragraph and fields & {_fold(p) for p in paragraph.split(" | ")}:
            notes.append(f"header line: {paragraph}")
        elif _LETTER_SPACED.match(paragraph):
            words = _SPACED_RUN.sub(lambda m: m[0].replace(" ", ""), paragraph)
            notes.append(f"editor's note: {words}")
            if _KILL_WORDS.search(words):
                signals.append(Signal.kill)
            elif _CORRECTION_WORDS.search(words):
                signals.append(Signal.correction)
            elif _UPDATE_WORDS.search(words):
                signals.append(Signal.update)
        else:
            break
        start += 1
    if start == len(body):
        return body, signals  # never leave an item without the only text it has
    return body[start:], signals


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(" .:-–—")


def _media_notes(path: list[etree._Element], body: list[str]) -> list[str]:
    """Text inside an 'Audio' or 'Video' component is the clip's script or shot list, not a
    written story: say so."""
    roles = " ".join(_formal(child(c, "Role")) or "" for c in path) if body else ""
    kind = next((k for k, pattern in _MEDIA_KINDS[:2] if pattern.search(roles)), None)
    return [f"the text belongs to {kind}: a script or shot list"] if kind else []


def _refuse_media_only(item: etree._Element, status: PubStatus, signals: list[Signal]) -> None:
    """An item of sound, pictures or clips with no text at all is no story: refused with what
    it is, rather than passed on as an empty story. (A withdrawal passes: it must reach the
    desk whatever it withdraws.)"""
    if status is PubStatus.canceled or Signal.kill in signals:
        return
    kinds: list[str] = []
    files: list[str] = []
    for element in item.iter("{*}ContentItem"):
        href = (element.get("Href") or "").strip()
        if _is_text(element) and not href:
            continue
        names = (_formal(child(element, n)) for n in ("MediaType", "MimeType", "Format"))
        described = " ".join([*filter(None, names), href])
        kind = next((k for k, pattern in _MEDIA_KINDS if pattern.search(described)), None)
        if kind is None:
            continue
        if kind not in kinds:
            kinds.append(kind)
        if href and len(files) < 3:
            files.append(href.rsplit("/", 1)[-1])
    if not kinds:
        return
    kind = " and ".join(kinds)
    article = "an" if kind[0] in "aeiou" else "a"
    media = f" ({', '.join(files)})" if files else ""
    raise EmptyStoryError(
        f"{FORMAT}: {article} {kind} item with no text story; its media{media} are not read"
    )


# ---- lines and metadata ------------------------------------------------------------------


def _headline(path: list[etree._Element], language: str | None, notes: list[str]) -> str | None:
    """The HeadLine in the item's language when there are several, else the first, from the
    outermost component that has a real one: an exporter's 'No Headline !' is passed over for
    the headline of the component inside it."""
    for component in path:
        headlines = []
        for element in _own_lines(component, "HeadLine"):
            if not (text := _text(element)):
                continue
            if _PLACEHOLDER_HEADLINE.match(text):
                notes.append(f"headline {text!r} is a placeholder, not a headline")
                continue
            headlines.append((element, text))
        for element, text in headlines:
            if language and language_code(element.get(XML_LANG)) == language:
                return text
        if headlines:
            return headlines[0][1]
    return None


def _title_component(path: list[etree._Element]) -> str | None:
    """The text of a 'Title' component beside the story's (Belga), nearest first."""
    for component in reversed(path):
        for sub in children(component, "NewsComponent"):
            if (_formal(child(sub, "Role")) or "").lower() not in _TITLE_ROLES:
                continue
            for content in children(sub, "ContentItem"):
                text = _text(child(content, "DataContent"))
                if text and not _PLACEHOLDER_HEADLINE.match(text):
                    return text
    return None


def _nitf_title(nitf: etree._Element | None) -> str | None:
    """The inline NITF's hedline, else its head title."""
    if nitf is None:
        return None
    for text in (_text(child(nitf, "body", "body.head", "hedline", "hl1")),
                 _text(child(nitf, "head", "title"))):  # fmt: skip
        if text and not _PLACEHOLDER_HEADLINE.match(text):
            return text
    return None


def _news_line_signals(path: list[etree._Element], notes: list[str]) -> list[Signal]:
    """NewsLines as notes ('AdvisoryLine: UPDATES with ...'); an advisory that opens with the
    agency's revision word is an explicit update or correction."""
    signals: list[Signal] = []
    for line in _lines(path, "NewsLine"):
        kind = _formal(child(line, "NewsLineType")) or "news line"
        if not (text := _text(child(line, "NewsLineText"))):
            continue
        notes.append(f"{kind}: {text}")
        if not _ADVISORY_TYPES.search(kind):
            continue
        if _ADVISORY_CORRECTION.match(text):
            signals.append(Signal.correction)
        elif _ADVISORY_UPDATE.match(text):
            signals.append(Signal.update)
    return signals


def _slugline(
    item: etree._Element,
    path: list[etree._Element],
    headline: str | None,
    nitf: etree._Element | None,
) -> str | None:
    """SlugLine; else a slug-typed NewsLine (SDA-ATS 'CatchWord'); else the NameLabel, the
    label agencies give the item for desks, when it is slug-like (short, and not the headline
    again); else the inline NITF's key-list keyword (EFE)."""
    for slug in _lines(path, "SlugLine"):
        if text := _text(slug):
            return text
    for line in _lines(path, "NewsLine"):
        slug_type = _SLUG_LINE_TYPES.search(_formal(child(line, "NewsLineType")) or "")
        if slug_type and (text := _text(child(line, "NewsLineText"))):
            return text
    label = _text(child(item, "Identification", "NameLabel"))
    if label and label != headline and len(label) <= 80 and len(label.split()) <= 6:
        return label
    keyword = child(nitf, "head", "docdata", "key-list", "keyword")
    if keyword is not None and (text := " ".join((keyword.get("key") or "").split())):
        return text
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
    place = _dateline_place(parts[0]) if parts else None
    when = _dateline_date(path, parts[1:] if place else parts, date_hint)
    if not (place or when or text):
        return None
    return Dateline(
        text=text,
        place=place,
        date=when,
        agency=canonical_agency(agency_match[1]) if agency_match else None,
    )


def _dateline_place(first: str) -> str | None:
    """The city in a DateLine's first part: 'Landquart GR' -> Landquart (the canton code goes),
    'BRUSSEL 29/01' -> Brussel (the date goes); a date alone ('January 21') is no place."""
    if _is_date(first):
        match = _PLACE_BEFORE_DATE.match(first)
        if not match or _is_date(match["place"]) or _is_month(match["place"]):
            return None
        first = match["place"]
    if len(first.split()) > 5:
        return None
    if match := _REGION_CODE.match(first):
        first = match["city"]
    return title_place(first)


def _is_month(text: str) -> bool:
    """'November', 'Jan.': a month's name, which a day number after it makes a date."""
    return parse_date_words(f"{text} 1", default_year=2000) is not None


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
        is_keyword = (prop.get("FormalName") or "").lower() == "keyword"
        if is_keyword and (value := (prop.get("Value") or "").strip()):
            found.append(value)
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
