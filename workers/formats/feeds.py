"""RSS and Atom feeds, every dialect agencies still send: each ``<item>`` / ``<entry>`` is a story.

What arrives, and how it is read:

* RSS 2.0 and 0.91-0.94 (``<rss><channel><item>``), RSS 1.0 and 0.90 (``<rdf:RDF>`` with the
  items beside the channel, dates in ``dc:date``), Atom 1.0 and Atom 0.3 (``issued`` /
  ``modified``, ``mode="escaped"`` or base64 content), and bare Atom ``<entry>`` documents.
* Agencies that syndicate through feeds often keep the real copy in their own namespace: the
  standard ``<content>`` holds a teaser or placeholder while ``<ns:first_line>`` and
  ``<ns:body>`` (or ``story``, ``text``, ``content``) carry the story. Such extension elements
  are read wherever they sit in the entry, and win when the standard content is missing or
  much shorter.
* Dates come with RFC 822 names for European and Asian zones (``CET``, ``MESZ``, ``JST``);
  they are read with their real offset rather than taken for UTC.

The bytes first pass ``xmlsafe`` like every other XML format (no entity declarations, no DTD,
bounded depth), and only the tree that passed, serialised again as UTF-8, is handed to
``feedparser``, the well-kept library for the feed dialects, their content modes and their date
formats. Nothing a feed names (links, enclosures, ``content@src``) is ever fetched: feedparser
gets a byte stream, never a URL, and resolves no relative URIs. Where feedparser's model loses
what an editor needs (it mangles ``name@host (Name)`` authors, reads unknown zone names as UTC,
drops agency namespaces into flat keys), the already parsed tree is read instead.

``split`` gives one standalone feed document per item, keeping the channel's or feed's own
elements (title, language, rights, default author) because they fill in what items leave out,
and dropping what changes on every fetch (build dates, the RSS 1.0 item list), so an unchanged
item keeps the same bytes. ``parse`` reads one item:

* guid / id (or link) -> item_id; published (RSS ``pubDate``, Atom 0.3 ``issued``) or created ->
  first_created, updated (``dc:date``, ``modified``) -> version_created. RSS has one date per
  item, so its ``dc:date`` is the first_created too.
* author / ``dc:creator`` -> byline (bare e-mail addresses are left out; an Atom feed's author
  stands in for entries without one), categories -> keywords (IPTC codes -> subjects),
  title -> headline, content before description / summary -> body, HTML read into paragraphs
  by ``htmltext`` (nothing executed, scripts dropped).
* agency: an agency we know named in the item's source, the feed's title, rights, publisher or
  author; else the item's RSS ``<source>``; else a credit the feed gives (``dc:publisher``, a
  copyright holder, an author desk such as 'WENN Newsdesk' writing from its organisation's own
  domain, the owner of the namespace the copy came in when the feed names it) unless the
  copy's dateline names another agency.
* language from the item, its content, then the channel or feed; an agency ``<ns:slugline>``
  -> slugline.

Feeds carry no urgency, status or version semantics: every item is usable, version 1.
Broken or hostile XML raises ParseError / HostileInputError; a feed with several items handed
to ``parse`` raises ParseError rather than silently reading only the first.
"""

from __future__ import annotations

import copy
import html
import io
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import feedparser
import feedparser.api
from feedparser.mixin import _FeedParserMixin
from lxml import etree

from schemas import Subject
from workers.dateline import split_dateline
from workers.errors import ParseError
from workers.formats.base import ParsedItem, WireFormat
from workers.formats.htmltext import html_paragraphs
from workers.formats.wiretime import ZONES
from workers.formats.xmlread import (
    child,
    children,
    inline_text,
    known_agency,
    language_code,
    local,
    named_zone_to_offset,
    parse_wire_datetime,
    pick_agency,
    read_paragraphs,
)
from workers.formats.xmlsafe import XmlDocument, parse_xml, peek_root

__all__ = ["ATOM_03_NAMESPACE", "ATOM_NAMESPACE", "RSS_10_NAMESPACE", "Atom", "Rss"]

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
ATOM_03_NAMESPACE = "http://purl.org/atom/ns#"
RSS_10_NAMESPACE = "http://purl.org/rss/1.0/"
RSS_090_NAMESPACE = "http://my.netscape.com/rdf/simple/0.9/"
RDF_NAMESPACE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RSS_RDF_NAMESPACES = (RSS_10_NAMESPACE, RSS_090_NAMESPACE)
_ATOM_NAMESPACES = (ATOM_NAMESPACE, ATOM_03_NAMESPACE)

# Vocabularies feedparser already reads, or that hold no story copy (Media RSS's <media:text> is
# a caption or transcript): their elements are never taken for an agency's own body.
_STANDARD_NAMESPACES = frozenset(
    {
        ATOM_NAMESPACE,
        ATOM_03_NAMESPACE,
        RSS_10_NAMESPACE,
        RSS_090_NAMESPACE,
        RDF_NAMESPACE,
        "http://www.w3.org/1999/xhtml",
        "http://purl.org/rss/1.0/modules/content/",
        "http://purl.org/dc/elements/1.1/",
        "http://purl.org/dc/terms/",
        "http://search.yahoo.com/mrss/",
        "http://www.itunes.com/dtds/podcast-1.0.dtd",
        "http://wellformedweb.org/CommentAPI/",
    }
)
# Local names (lower case, '_' and '-' dropped) of agency elements that carry the copy, and of
# those that carry its first paragraph apart from the rest (WENN's first_line, a lede).
_BODY_NAMES = frozenset(
    {"body", "content", "text", "story", "fulltext", "bodytext", "storytext", "articlebody",
     "articletext", "maintext"}
)  # fmt: skip
_LEDE_NAMES = frozenset({"firstline", "lede", "lead", "leadtext", "intro", "standfirst"})
# feedparser's own knob for the SAX driver it tries first: the libxml2 bindings' driver, which
# is not installed here, so every parse searched sys.path for it again (a third of a parse's
# time) before settling on expat. expat is what it uses, so ask for nothing else.
feedparser.api.PREFERRED_XML_PARSERS = []

# Namespaces feedparser understands; elements in any other are an agency's own.
_FEEDPARSER_NAMESPACES = frozenset(
    ns.lower() for ns in getattr(_FeedParserMixin, "namespaces", ())
) | frozenset(ns.lower() for ns in _STANDARD_NAMESPACES)
# The feed- or channel-level elements an item is read with (the rest is feed furniture).
_FEED_FIELDS_READ = frozenset(
    {"title", "language", "rights", "copyright", "publisher", "generator", "author", "creator"}
)
# An agency body replaces the standard content when that is this many times shorter.
_MUCH_SHORTER = 2

_LOOKS_LIKE_HTML = re.compile(r"<(?:[A-Za-z][\w-]*|/[A-Za-z]|!--)")
_BLANK_LINE = re.compile(r"\n[ \t\r\u00a0]*\n")
_EMAIL_WITH_NAME = re.compile(r"^\s*\S+@\S+\s*\((?P<name>[^)]+)\)\s*$")
_NAME_WITH_EMAIL = re.compile(r"^\s*(?P<name>[^<>@]+?)\s*[<(]\s*\S+@\S+\s*[>)]\s*$")
_EMAIL = re.compile(r"^\s*\S+@\S+\.\S+\s*$")
_UNIFY_NAME = re.compile(r"[_-]")
# 'WENN Newsdesk', 'Foo Newsroom', 'Redaktion Bar': a desk of the organisation whose copy it is.
_DESK = re.compile(
    r"^(?:(?P<name>[^\s,;@][^,;@]{0,40}?)\s+(?:news\s?desk|news\s?room|desk|redaktion|"
    r"nachrichtenredaktion)|(?:redaktion|newsroom|desk)\s+(?P<after>[^\s,;@][^,;@]{0,40}?))\s*$",
    re.IGNORECASE,
)
_COPYRIGHT_MARK = re.compile(r"©|\(c\)|\bcopyright\b|\bcopr\.", re.IGNORECASE)

# IPTC schemes a feed category may carry its code in, by the alias Story.subjects uses.
_IPTC_SCHEMES = (("mediatopic", "medtop"), ("subjectcode", "subj"))
_IPTC_CODE = re.compile(r"^(?:(?P<alias>medtop|subj):)?(?P<code>\d{8})$")


class Rss(WireFormat):
    name = "rss"

    def sniff(self, raw: bytes) -> float:
        peek = peek_root(raw)
        if peek is None:
            return 0.0
        if peek.local == "rss":
            return 0.95
        # RSS 1.0 and 0.90 are RDF documents that declare the RSS vocabulary.
        if peek.local == "RDF" and any(ns in peek.attributes for ns in _RSS_RDF_NAMESPACES):
            return 0.95
        return 0.0

    def split(self, raw: bytes) -> list[bytes]:
        """One feed document per item, of the same dialect; broken copy passes whole."""
        try:
            root = parse_xml(raw, format=self.name).root
        except ParseError:
            return [raw]
        channel, items = _rss_parts(root)
        if len(items) <= 1:
            return [raw]
        if local(root) == "rss":
            return [_standalone(root, channel, "item", item) for item in items]
        return [_standalone(root, None, "item", item) for item in items]

    def parse(self, raw: bytes) -> ParsedItem:
        doc = parse_xml(raw, format=self.name)
        root = doc.root
        if not _is_rss(root):
            raise _wrong_root(root, "<rss> or an RSS 1.0 <rdf:RDF>", self.name)
        channel, items = _rss_parts(root)
        item = _only(items, "item", root, self.name)
        feed, entry, notes = _feedparse(doc)
        parsed = _read_entry("rss", feed, entry, _Tree(feed=channel, entry=item), notes)
        parsed.notes[:0] = doc.notes
        return parsed


class Atom(WireFormat):
    name = "atom"

    def sniff(self, raw: bytes) -> float:
        peek = peek_root(raw)
        if peek is None or peek.local not in ("feed", "entry"):
            return 0.0
        if peek.namespace in _ATOM_NAMESPACES:
            return 0.95
        # A <feed> without the Atom namespace is an old or sloppy Atom feed, most likely.
        return 0.4 if peek.local == "feed" else 0.0

    def split(self, raw: bytes) -> list[bytes]:
        """One ``<feed>…<entry/></feed>`` per entry; broken copy passes whole."""
        try:
            root = parse_xml(raw, format=self.name).root
        except ParseError:
            return [raw]
        entries = list(children(root, "entry"))
        if local(root) != "feed" or len(entries) <= 1:
            return [raw]
        return [_standalone(root, None, "entry", entry) for entry in entries]

    def parse(self, raw: bytes) -> ParsedItem:
        doc = parse_xml(raw, format=self.name)
        root = doc.root
        if local(root) == "entry":
            feed_element, entry_element = None, root
        elif local(root) == "feed":
            feed_element = root
            entry_element = _only(list(children(root, "entry")), "entry", root, self.name)
        else:
            raise _wrong_root(root, "<feed> or <entry>", self.name)
        feed, entry, notes = _feedparse(doc)
        tree = _Tree(feed=feed_element, entry=entry_element)
        parsed = _read_entry("atom", feed, entry, tree, notes)
        parsed.notes[:0] = doc.notes
        return parsed


class _Tree:
    """The lxml elements of the feed (channel) and the one entry, for what feedparser loses."""

    __slots__ = ("entry", "feed")

    def __init__(self, *, feed, entry) -> None:
        self.feed = feed
        self.entry = entry


# --- documents -------------------------------------------------------------------------------


def _is_rss(root) -> bool:
    if local(root) == "rss":
        return True
    return local(root) == "RDF" and any(
        etree.QName(c).namespace in _RSS_RDF_NAMESPACES
        for c in root
        if isinstance(c.tag, str) and local(c) in ("channel", "item")
    )


def _rss_parts(root) -> tuple:
    """The channel and the items: inside the channel in RSS 0.9x/2.0, beside it in RSS 1.0."""
    if local(root) == "rss":
        channel = child(root, "channel")
        return channel, list(children(channel, "item"))
    if _is_rss(root):
        return child(root, "channel"), list(children(root, "item"))
    return None, []


def _wrong_root(root, wanted: str, format: str) -> ParseError:
    return ParseError(
        f"root element <{local(root) or root.tag}> is not {wanted}",
        format=format,
        position=f"line {root.sourceline}",
    )


def _only(items: list, what: str, root, format: str):
    if len(items) == 1:
        return items[0]
    plural = "entries" if what == "entry" else f"{what}s"
    message = (
        f"feed holds {len(items)} {plural}; split() it into one document per {what} first"
        if items
        else f"feed holds no {what}"
    )
    raise ParseError(message, format=format, position=f"line {root.sourceline}")


# Feed-level elements that change on every publication of the feed. Copied into each item
# they would give an unchanged item new bytes, and so a new receipt, on every fetch. RSS 1.0's
# channel <items> lists every item of this fetch.
_VOLATILE = frozenset(
    {"lastBuildDate", "pubDate", "updated", "modified", "date", "generator", "ttl", "skipHours",
     "skipDays", "cloud", "image", "logo", "icon", "items"}
)  # fmt: skip


def _standalone(root, channel, tag: str, item) -> bytes:
    """The feed with only this item: the root and channel keep their namespaces and the
    metadata the item is read with (title, language, rights), but not what changes per fetch."""
    new_root = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=root.nsmap)
    holder = new_root
    if channel is not None:
        holder = etree.SubElement(new_root, channel.tag, attrib=dict(channel.attrib))
    for sub in channel if channel is not None else root:
        if not isinstance(sub.tag, str) or local(sub) == tag or local(sub) in _VOLATILE:
            continue
        if local(sub) == "channel":  # RSS 1.0: the channel beside the items, without its list
            holder.append(_stable_copy(sub))
        else:
            holder.append(copy.deepcopy(sub))
    kept = copy.deepcopy(item)
    kept.tail = None  # the whitespace after an item depends on where it sat in this fetch
    holder.append(kept)
    return etree.tostring(new_root, xml_declaration=True, encoding="UTF-8")


def _stable_copy(element):
    kept = copy.deepcopy(element)
    for sub in list(kept):
        if isinstance(sub.tag, str) and local(sub) in _VOLATILE:
            kept.remove(sub)
    return kept


def _feedparse(doc: XmlDocument) -> tuple[dict, dict, list[str]]:
    """feedparser's reading of the document that passed the safety check.

    It gets the checked tree re-serialised as UTF-8 (entities already resolved, no DOCTYPE),
    as a stream so it never takes the bytes for a file name or URL."""
    data = etree.tostring(_for_feedparser(doc.root), encoding="UTF-8", xml_declaration=True)
    result = feedparser.parse(
        io.BytesIO(data),
        sanitize_html=False,  # htmltext reads the HTML to text; nothing is rendered
        resolve_relative_uris=False,
        response_headers={"content-type": "application/xml; charset=utf-8"},
    )
    notes: list[str] = []
    if dict.get(result, "bozo"):
        notes.append(f"feed reader: {dict.get(result, 'bozo_exception')}")
    entries = dict.get(result, "entries") or [{}]
    return dict.get(result, "feed") or {}, entries[0], notes


def _for_feedparser(root):
    """The document as feedparser reads it best, and without what would only slow it down.

    Left out: the feed-level elements no item is read with, and agency-namespace blocks (read
    from the tree instead); feedparser costs some 50 µs an element, and WENN-style metadata
    blocks double an entry's elements. A feed whose own vocabulary sits in a namespace
    feedparser does not know (RSS 2.0 under the old UserLand namespace) is handed over without
    it, as the plain RSS it is."""
    home = etree.QName(root).namespace
    foreign = home if home and home.lower() not in _FEEDPARSER_NAMESPACES else None
    new_root = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=root.nsmap)
    if local(root) == "entry":  # a bare Atom entry document
        new_root.extend(copy.deepcopy(e) for e in root if _feedparser_reads(e, foreign))
    else:
        _copy_read_children(root, new_root, foreign)
    if foreign:
        prefix = f"{{{foreign}}}"
        for element in new_root.iter():
            if isinstance(element.tag, str) and element.tag.startswith(prefix):
                element.tag = element.tag[len(prefix) :]
        etree.cleanup_namespaces(new_root)
    return new_root


def _copy_read_children(source, target, foreign: str | None) -> None:
    for sub in source:
        if not _feedparser_reads(sub, foreign):
            continue
        name = local(sub)
        if name == "channel":
            holder = etree.SubElement(target, sub.tag, attrib=dict(sub.attrib))
            _copy_read_children(sub, holder, foreign)
        elif name in ("item", "entry"):
            holder = etree.SubElement(target, sub.tag, attrib=dict(sub.attrib))
            holder.text = sub.text
            holder.extend(copy.deepcopy(e) for e in sub if _feedparser_reads(e, foreign))
        elif name in _FEED_FIELDS_READ:
            target.append(copy.deepcopy(sub))


def _feedparser_reads(element, foreign: str | None) -> bool:
    if not isinstance(element.tag, str):
        return False
    namespace = etree.QName(element).namespace
    return namespace is None or namespace == foreign or namespace.lower() in _FEEDPARSER_NAMESPACES


# --- one entry -------------------------------------------------------------------------------


def _get(mapping, key: str):
    """A FeedParserDict value without its legacy key aliases (and their warnings)."""
    return dict.get(mapping, key) if mapping else None


def _read_entry(format: str, feed: dict, entry: dict, tree: _Tree, notes: list[str]) -> ParsedItem:
    body, content_language = _standard_body(entry, notes)
    body = _agency_body(tree.entry, body, notes)
    published = _when(entry, "published", notes) or _when(entry, "created", notes)
    updated = _when(entry, "updated", notes)
    if format == "rss" and published is None:
        published = updated  # RSS 1.0's dc:date is the item's one date
    bylines = _bylines(format, tree, notes)
    headline = _headline(_get(entry, "title_detail"))
    subjects, keywords = _categories(_get(entry, "tags") or [])
    item_id = _get(entry, "id") or _get(entry, "link")
    language = (
        language_code(_get(entry, "language"))
        or content_language
        or language_code(_get(_get(entry, "title_detail"), "language"))
        or language_code(_get(feed, "language"))
    )
    return ParsedItem(
        format=format,
        body=body.paragraphs,
        headline=headline,
        agency=_agency(format, feed, entry, tree, body, notes),
        item_id=item_id.strip() if item_id and item_id.strip() else None,
        byline=", ".join(dict.fromkeys(b for b in bylines if b)) or None,
        slugline=_extension_text(tree.entry, "slugline"),
        date_hint=(published or updated).date() if (published or updated) else None,
        subjects=subjects,
        keywords=keywords,
        language=language,
        first_created=published,
        version_created=updated or published,
        notes=notes,
    )


class _Body:
    """The paragraphs an entry is read with, and the namespace an agency body came in."""

    __slots__ = ("namespace", "paragraphs")

    def __init__(self, paragraphs: list[str], namespace: str | None = None) -> None:
        self.paragraphs = paragraphs
        self.namespace = namespace


def _standard_body(entry: dict, notes: list[str]) -> tuple[_Body, str | None]:
    """content (content:encoded, Atom content) before description / summary."""
    for content in _get(entry, "content") or []:
        if _get(content, "src"):
            notes.append("content is only a link (content@src); it is never fetched")
            continue
        if paragraphs := _construct(content):
            return _Body(paragraphs), language_code(_get(content, "language"))
    detail = _get(entry, "summary_detail")
    return _Body(_construct(detail)), language_code(_get(detail, "language"))


def _construct(detail) -> list[str]:
    """A feed text construct (title, summary, content) as paragraphs, by its type."""
    value = _get(detail, "value") or ""
    if not value.strip():
        return []
    kind = (_get(detail, "type") or "text/plain").lower()
    if kind != "text/plain" and _LOOKS_LIKE_HTML.search(value):
        return html_paragraphs(value)
    if kind != "text/plain":
        value = html.unescape(value)
    return [p.strip() for p in _BLANK_LINE.split(value) if p.strip()]


def _headline(detail) -> str | None:
    return " ".join(_construct(detail)) or None


def _agency_body(entry, standard: _Body, notes: list[str]) -> _Body:
    """The copy an agency carries in its own namespace, when the standard content falls short.

    Only elements outside the feed vocabularies count, wherever they sit in the entry
    (WENN nests them in a metadata block); the first body-like one is the body, and a separate
    first-line element, when there is one, is its first paragraph."""
    if entry is None:
        return standard
    body = lede = None
    for name, element in _extension_elements(entry):
        if body is None and name in _BODY_NAMES and _has_text(element):
            body = element
        elif lede is None and name in _LEDE_NAMES and _has_text(element):
            lede = element
    if body is None and lede is None:
        return standard
    first = _element_paragraphs(lede) if lede is not None else []
    rest = _element_paragraphs(body) if body is not None else []
    if first and rest and rest[0].startswith(first[0][:80]):
        first = []  # the body repeats its first line
    paragraphs = first + rest
    found = sum(len(p) for p in paragraphs)
    if found <= _MUCH_SHORTER * sum(len(p) for p in standard.paragraphs):
        return standard
    source = body if body is not None else lede
    notes.append(f"body read from the agency's own <{etree.QName(source).localname}> element")
    return _Body(paragraphs, etree.QName(source).namespace)


def _has_text(element) -> bool:
    text = inline_text(element)
    return bool(text and len(text.split()) >= 3)


def _element_paragraphs(element) -> list[str]:
    """An agency element's copy: its own markup, or (escaped or CDATA) HTML, or plain text."""
    if len(element):
        return read_paragraphs(element)
    text = element.text or ""
    if _LOOKS_LIKE_HTML.search(text):
        return html_paragraphs(text)
    return [p.strip() for p in _BLANK_LINE.split(text) if p.strip()]


def _extension_elements(entry):
    """(unified local name, element) for the entry's elements in agencies' own namespaces
    (neither a feed vocabulary nor the namespace the entry itself is in)."""
    home = etree.QName(entry).namespace
    for element in entry.iter():
        tag = element.tag
        if isinstance(tag, str) and tag[:1] == "{":
            namespace, _, name = tag[1:].partition("}")
            if namespace not in _STANDARD_NAMESPACES and namespace != home:
                yield _UNIFY_NAME.sub("", name).lower(), element


def _extension_text(entry, name: str) -> str | None:
    """The text of an agency element with this local name (its slugline), if any."""
    if entry is None:
        return None
    for found, element in _extension_elements(entry):
        if found == name:
            text = inline_text(element)
            return " ".join(text.split()) if text else None
    return None


# --- dates -----------------------------------------------------------------------------------


def _when(entry: dict, key: str, notes: list[str]) -> datetime | None:
    """A date as the feed wrote it, with its own offset; feedparser's reading for the dialects
    Python's readers do not know (Korean, Greek, asctime, W3DTF fragments)."""
    written = _get(entry, key)
    if written and written.strip():
        found = _written_time(written.strip(), notes)
        if found is not None:
            return found
    parsed = _get(entry, f"{key}_parsed")
    if parsed:
        return datetime(*parsed[:6], tzinfo=UTC)
    return None


def _written_time(value: str, notes: list[str]) -> datetime | None:
    """A written date, its zone name ('CET', 'MESZ') turned into the offset it stands for."""
    value, unknown = named_zone_to_offset(value)
    if unknown and unknown.upper() not in ZONES:
        notes.append(f"time zone {unknown!r} of {value!r} is unknown; read as UTC")
    return parse_wire_datetime(value)


# --- people, categories, agency --------------------------------------------------------------


def _bylines(format: str, tree: _Tree, notes: list[str]) -> list[str | None]:
    """Authors as written: feedparser splits 'desk@host.example (Name)' wrongly, so the tree is
    read. An Atom feed's own author stands in for entries without one."""
    item = tree.entry
    if format == "rss":
        texts = [inline_text(e) for e in children(item, "author") if len(e) == 0]
        texts += [inline_text(e) for e in children(item, "creator")]
        texts += [_person_element(e) for e in children(item, "author") if len(e)]
        return [_person(t, notes) for t in texts]
    authors = list(children(item, "author")) or list(children(tree.feed, "author"))
    return [_person(_person_element(a), notes) for a in authors]


def _person_element(element) -> str | None:
    """An Atom person construct: its name, else its e-mail."""
    for name in ("name", "email"):
        text = inline_text(child(element, name))
        if text and text.strip():
            return text.strip()
    return None


def _person(text: str | None, notes: list[str]) -> str | None:
    """'desk@example.com (Jane Doe)' -> 'Jane Doe'; a bare address is no byline."""
    if not text or not text.strip():
        return None
    if match := _EMAIL_WITH_NAME.match(text) or _NAME_WITH_EMAIL.match(text):
        return " ".join(match["name"].split())
    if _EMAIL.match(text):
        notes.append("author given only as an e-mail address; no byline")
        return None
    return " ".join(text.split())


def _categories(tags: list) -> tuple[list[Subject], list[str]]:
    """IPTC subject and Media Topic codes become subjects; every other category a keyword."""
    subjects: list[Subject] = []
    keywords: list[str] = []
    for tag in tags:
        term = (_get(tag, "term") or "").strip()
        label = (_get(tag, "label") or "").strip() or None
        scheme = (_get(tag, "scheme") or "").lower()
        code = _IPTC_CODE.match(term)
        alias = next((a for part, a in _IPTC_SCHEMES if part in scheme), None)
        if code and (alias or code["alias"]):
            subjects.append(Subject(scheme=code["alias"] or alias, code=code["code"], name=label))
        elif label or term:
            keywords.append(label or term)
    return list(dict.fromkeys(subjects)), list(dict.fromkeys(keywords))


def _agency(format: str, feed: dict, entry: dict, tree: _Tree, body: _Body, notes) -> str | None:
    """The credited agency: a known name anywhere the feed credits, then the item's own
    <source>, then weaker credits that a dateline naming another agency overrides."""
    source_title = _get(_get(entry, "source"), "title")
    authors = list(children(tree.feed, "author"))
    author_names = [_person_element(a) for a in authors]
    publishers = [_get(entry, "publisher"), _get(feed, "publisher")]
    rights = [_get(entry, "rights"), _get(feed, "rights")]
    named = known_agency(
        source_title, _get(feed, "title"), *rights, *publishers, *author_names,
        _get(feed, "generator"),
    )  # fmt: skip
    if named:
        return named
    if format == "rss" and source_title and source_title.strip():
        return " ".join(source_title.split())
    credit = (
        next((" ".join(p.split()) for p in publishers if p and p.strip()), None)
        or _rights_holder(rights)
        or _owner_credit(author_names, _owner_labels(authors, tree.feed))
        or _namespace_owner(body.namespace, [_get(feed, "title"), *author_names])
    )
    if credit and body.paragraphs:
        dateline, _ = split_dateline(body.paragraphs[0])
        if dateline is not None and dateline.agency:
            return None  # the copy is credited to the dateline's agency; normalise reads it
    return credit


def _rights_holder(rights: list[str | None]) -> str | None:
    """'© 2024 Example Wire Ltd' -> 'Example Wire Ltd'; a licence text is no holder."""
    for text in rights:
        if text and _COPYRIGHT_MARK.search(text):
            holder = pick_agency(text)
            if holder and len(holder.split()) <= 5:
                return holder
    return None


def _owner_credit(names: list[str | None], owners: set[str]) -> str | None:
    """A feed author that is the organisation owning the feed's addresses: 'WENN Newsdesk'
    writing from newsdesk@wenn.com is WENN. Without that match a desk name ('Sports Desk')
    credits nobody."""
    for name in names:
        if not name or "@" in name:
            continue
        desk = _DESK.match(name.strip())
        organisation = (desk["name"] or desk["after"]).strip() if desk else name.strip()
        if len(organisation.split()) <= 4 and _compact(organisation) in owners:
            return organisation
    return None


def _owner_labels(authors: list, feed) -> set[str]:
    """The organisations the feed's own addresses belong to: its authors' e-mail domains and
    the hosts of its links."""
    hosts = []
    for author in authors:
        email = inline_text(child(author, "email")) or ""
        hosts.append(email.rpartition("@")[2])
    for link in children(feed, "link"):
        hosts.append(urlsplit((link.get("href") or link.text or "").strip()).hostname or "")
    return {label for host in hosts if (label := _host_owner(host))}


def _host_owner(host: str) -> str | None:
    """'feed.wenn.com' -> 'wenn', 'news.example.co.uk' -> 'example'."""
    parts = [p for p in host.strip().lower().split(".") if p]
    if len(parts) < 2:
        return None
    if len(parts) > 2 and len(parts[-1]) == 2 and len(parts[-2]) <= 3:
        return parts[-3]  # a country's second level: .co.uk, .com.au
    return parts[-2]


def _compact(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _namespace_owner(namespace: str | None, names: list[str | None]) -> str | None:
    """The organisation whose namespace carried the copy, spelled as the feed spells it:
    'http://feed.wenn.com/xmlns/…' and a feed titled 'WENN Feed' -> 'WENN'."""
    owner = _host_owner(urlsplit(namespace).hostname or "") if namespace else None
    if not owner:
        return None
    for name in names:
        for word in re.split(r"[^\w&-]+", name or ""):
            if word.lower() == owner:
                return word
    return None
