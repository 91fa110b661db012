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
bounded depth). RSS 2.0 and Atom 1.0, nearly all the feeds agencies send, are then read from
that tree into the very values ``feedparser`` would give (its rules for stripping, type
guessing, first titles, last dates, merged categories, XHTML content), four times faster than
feedparser's own pass. Everything else (RSS 0.9x and 1.0, Atom 0.3, content modes, xml:base,
dates only feedparser's readers know, vocabularies whose feedparser handlers are not mirrored)
goes, as the tree that passed serialised again as UTF-8, to ``feedparser``, the well-kept
library for the feed dialects, their content modes and their date formats: an item reads the
same either way. Nothing a feed names (links, enclosures, ``content@src``) is ever fetched:
feedparser gets a byte stream, never a URL, and resolves no relative URIs. Where feedparser's
model loses what an editor needs (it mangles ``name@host (Name)`` authors, reads unknown zone
names as UTC, drops agency namespaces into flat keys), the already parsed tree is read instead.

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

import contextlib
import copy
import functools
import html
import io
import re
from datetime import UTC, datetime
from typing import Any, NotRequired, TypeAlias, TypedDict
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

import feedparser
import feedparser.api
from feedparser.html import _cp1252 as _FP_CP1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin as _fp_urljoin
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

# feedparser's feed and entry dictionaries (FeedParserDict, or the plain dicts the direct reading
# builds to match them): string keys, values of whatever type feedparser gives.
_FeedDict: TypeAlias = dict[str, Any]

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
ATOM_03_NAMESPACE = "http://purl.org/atom/ns#"
RSS_10_NAMESPACE = "http://purl.org/rss/1.0/"
RSS_090_NAMESPACE = "http://my.netscape.com/rdf/simple/0.9/"
RDF_NAMESPACE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
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
# The name ends in a non-blank and the blanks around it are possessive (``*+``, ``++``: blanks
# alone are no name): the name may hold blanks too, and an author of a few thousand blanks
# could otherwise be cut three ways for minutes. It matches what the plain pattern matched.
_NAME_WITH_EMAIL = re.compile(
    r"^(?:\s*+(?P<name>[^<>@]*?[^<>@\s])|\s++)\s*+[<(]\s*\S+@\S+\s*[>)]\s*$"
)
_EMAIL = re.compile(r"^\s*\S+@\S+\.\S+\s*$")
# The longest author text the three patterns above are tried on.
_PERSON_MAX = 256
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
        feed, entry, notes = _feed_and_entry(raw, doc, channel, item)
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
        feed, entry, notes = _feed_and_entry(raw, doc, feed_element, entry_element)
        tree = _Tree(feed=feed_element, entry=entry_element)
        parsed = _read_entry("atom", feed, entry, tree, notes)
        parsed.notes[:0] = doc.notes
        return parsed


class _Tree:
    """The lxml elements of the feed (channel) and the one entry, for what feedparser loses."""

    __slots__ = ("entry", "feed")

    def __init__(self, *, feed: etree._Element | None, entry: etree._Element) -> None:
        self.feed = feed
        self.entry = entry


# --- documents -------------------------------------------------------------------------------


def _is_rss(root: etree._Element) -> bool:
    if local(root) == "rss":
        return True
    return local(root) == "RDF" and any(
        etree.QName(c).namespace in _RSS_RDF_NAMESPACES
        for c in root
        if isinstance(c.tag, str) and local(c) in ("channel", "item")
    )


def _rss_parts(root: etree._Element) -> tuple[etree._Element | None, list[etree._Element]]:
    """The channel and the items: inside the channel in RSS 0.9x/2.0, beside it in RSS 1.0."""
    if local(root) == "rss":
        channel = child(root, "channel")
        return channel, list(children(channel, "item"))
    if _is_rss(root):
        return child(root, "channel"), list(children(root, "item"))
    return None, []


def _wrong_root(root: etree._Element, wanted: str, format: str) -> ParseError:
    return ParseError(
        f"root element <{local(root) or str(root.tag)}> is not {wanted}",
        format=format,
        position=f"line {root.sourceline}",
    )


def _only(
    items: list[etree._Element], what: str, root: etree._Element, format: str
) -> etree._Element:
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


def _standalone(
    root: etree._Element, channel: etree._Element | None, tag: str, item: etree._Element
) -> bytes:
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


def _stable_copy(element: etree._Element) -> etree._Element:
    kept = copy.deepcopy(element)
    for sub in list(kept):
        if isinstance(sub.tag, str) and local(sub) in _VOLATILE:
            kept.remove(sub)
    return kept


def _feed_and_entry(
    raw: bytes, doc: XmlDocument, feed_element: etree._Element | None, entry_element: etree._Element
) -> tuple[_FeedDict, _FeedDict, list[str]]:
    """feedparser's (feed, entry, notes) for the one entry: read straight from the tree for
    RSS 2.0 and Atom 1.0, by feedparser itself for every other dialect and whatever the direct
    reading does not mirror."""
    direct = _read_directly(raw, doc.root, feed_element, entry_element)
    if direct is not None:
        return direct[0], direct[1], []
    return _feedparse(doc)


def _feedparse(doc: XmlDocument) -> tuple[_FeedDict, _FeedDict, list[str]]:
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


def _for_feedparser(root: etree._Element) -> etree._Element:
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


def _copy_read_children(
    source: etree._Element, target: etree._Element, foreign: str | None
) -> None:
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


def _feedparser_reads(element: etree._Element, foreign: str | None) -> bool:
    if not isinstance(element.tag, str):
        return False
    namespace = etree.QName(element).namespace
    return namespace is None or namespace == foreign or namespace.lower() in _FEEDPARSER_NAMESPACES


# --- RSS 2.0 and Atom 1.0 read from the tree -------------------------------------------------
#
# feedparser costs some 50 µs an element (a SAX pass in Python, with a handler call, a stack and
# a string pipeline for every element), four times what the rest of a parse costs. RSS 2.0 and
# Atom 1.0, nearly every feed an agency sends, are therefore read here, from the tree the safety
# check already built, into the same two dictionaries feedparser gives: the keys _read_entry
# reads, with feedparser's values. That means feedparser's rules, kept to the letter, because an
# item must read the same whichever way it went: text stripped, its latin-1/UTF-8 mix-up undone
# and C1 controls read as CP1252; an RSS text construct typed text/plain but holding HTML typed
# text/html; the first non-empty title kept; the last date, language, rights kept; a second
# description or summary, with no content before it, read as the content; links and ids
# resolved and their '&amp;' undone; categories merged as feedparser merges them; XHTML content
# rebuilt as the markup feedparser rebuilds, its one wrapping <div> dropped.
#
# Whatever that reading does not mirror sends the whole document to feedparser: another dialect
# (RSS 0.9x, RSS 1.0, Atom 0.3), content modes (escaped, base64), xml:base, a date only
# feedparser's own readers know, markup in a text construct that is not Atom XHTML or in an id,
# link, date or category, an element whose feedparser handler is not mirrored here (iTunes
# keywords, GeoRSS 'where' and GML, images, text inputs, an Atom source holding content), and
# namespace declarations that would make feedparser name elements otherwise. Media RSS titles,
# descriptions, categories and keywords are mirrored wherever they sit, as feedparser reads them
# (a caption description after the item's own becomes its content, as in feedparser).


class _NotDirect(Exception):
    """The document holds something the direct reading does not mirror; feedparser reads it."""


class _Detail(TypedDict):
    """A text construct as feedparser's detail dictionary (``title_detail``, a ``content``)."""

    type: str
    language: str | None
    value: str
    src: NotRequired[str]  # Atom content that only links to its text


# feedparser's prefix for each namespace it knows ('' for the feed vocabularies themselves).
_FP_PREFIX = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
_FP_STANDARD_PREFIXES = frozenset(p for p in _FP_PREFIX.values() if p)
_FP_USERLAND = "http://backend.userland.com/rss"
# The element names (prefix_local) feedparser has a handler for; any other element it keeps
# under its own name, which is harmless unless that name is one _read_entry reads.
_FP_HANDLERS = frozenset(
    name.split("_", 2)[2] for name in dir(_FeedParserMixin) if name.startswith(("_start_", "_end_"))
)
_FP_END_HANDLERS = frozenset(n[5:] for n in dir(_FeedParserMixin) if n.startswith("_end_"))
# Unhandled names feedparser would store under a key _read_entry reads (FeedParserDict maps
# 'date' to 'updated', 'description_detail' to 'summary_detail').
_FP_COLLIDING = frozenset(
    {"summary_detail", "title_detail", "published_parsed", "updated_parsed", "created_parsed",
     "date", "date_parsed", "description_detail", "modified_parsed", "issued_parsed",
     "publisher"}
)  # fmt: skip
# Handled elements whose handlers touch nothing _read_entry reads: enclosures and media
# attachments, people, feed furniture. Their subtrees are still checked element by element.
_FP_PERSONS = frozenset(
    {"author", "dc_author", "dc_creator", "itunes_author", "managingeditor", "contributor",
     "dc_contributor"}
)  # fmt: skip
_FP_OPAQUE_TEXT = frozenset(
    {"subtitle", "tagline", "itunes_subtitle", "info", "feedburner_browserfriendly"}
)
_FP_ATTACHMENTS = frozenset(
    {"enclosure", "media_content", "media_group", "media_thumbnail", "media_credit",
     "media_rating", "media_restriction", "media_license", "media_player", "name", "email",
     "url", "uri", "homepage", "width", "height", "cloud", "expirationdate", "generator",
     "georss_point", "georss_line", "georss_polygon", "georss_box"}
)  # fmt: skip
_FP_HARMLESS = _FP_ATTACHMENTS | _FP_PERSONS | _FP_OPAQUE_TEXT
_FP_TITLE = frozenset({"title", "dc_title"})
_FP_LANGUAGE = frozenset({"language", "dc_language"})
_FP_RIGHTS = frozenset({"rights", "copyright", "dc_rights"})
_FP_PUBLISHER = frozenset({"publisher", "dc_publisher"})
_XHTML = "application/xhtml+xml"
_ATOM_TYPE = "application/atom+xml"
_FP_HTML_TYPES = frozenset({"text/html", _XHTML})
_FP_SUMMARY_TYPES = frozenset({"text/plain", "text/html", _XHTML})
_MRSS_CATEGORY_SCHEME = "http://search.yahoo.com/mrss/category_schema"
_FP_ENTITY_IN_LINK = re.compile("&([A-Za-z0-9_]+);")
_XMLNS_DECLARATION = re.compile(rb"xmlns(?::([^\s=/>]+))?\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_BASE_ATTRIBUTE = etree.XPath("boolean(//@*[translate(local-name(), 'BASE', 'base') = 'base'])")
# The RSS versions read directly: 2.0 and the feeds that name none.
_DIRECT_RSS_VERSION = re.compile(r"^(?:2(?:\.\d+)*)?$")


def _read_directly(
    raw: bytes,
    root: etree._Element,
    feed_element: etree._Element | None,
    entry_element: etree._Element,
) -> tuple[_FeedDict, _FeedDict] | None:
    """feedparser's (feed, entry) for an RSS 2.0 or Atom 1.0 document, read from the tree;
    None when feedparser must read it."""
    if root.tag == "rss":
        atom = False
        if not _DIRECT_RSS_VERSION.match((root.get("version") or "").strip()):
            return None  # RSS 0.9x: feedparser's dialect
        if feed_element is None or feed_element.tag != "channel" or entry_element.tag != "item":
            return None
    elif root.tag in (f"{{{ATOM_NAMESPACE}}}feed", f"{{{ATOM_NAMESPACE}}}entry"):
        atom = True
        if entry_element.tag != f"{{{ATOM_NAMESPACE}}}entry":
            return None  # an <entry> in another namespace: feedparser never sees it
    else:
        return None  # RSS 1.0 / 0.90, Atom 0.3, RSS under a namespace: feedparser's dialects
    try:
        prefixes = _declared_prefixes(raw, atom)
        if _BASE_ATTRIBUTE(root):
            raise _NotDirect("xml:base")
        return _DirectReader(atom, prefixes).read(root, feed_element, entry_element)
    except _NotDirect:
        return None


def _declared_prefixes(raw: bytes, atom: bool) -> dict[str, str]:
    """The prefix feedparser names each unknown namespace's elements by (its first declared
    prefix), after checking that no declaration makes feedparser name elements otherwise: a
    prefix bound twice, a standard prefix ('dc', 'media') bound to another known namespace, or,
    in Atom, an RSS 1.0 namespace that would make feedparser take the feed for RSS 1.0."""
    if b"\x00" in raw[:4]:
        raise _NotDirect("not an ASCII-compatible encoding")  # UTF-16/32: declarations unread
    bound: dict[str, str] = {}
    unknown: dict[str, str] = {}
    unknown_default: set[str] = set()
    known_given: list[tuple[str, str]] = []
    for match in _XMLNS_DECLARATION.finditer(raw):
        prefix = (match[1] or b"").decode("latin-1")
        uri = (match[2] if match[2] is not None else match[3]).decode("latin-1")
        lowered = uri.lower()
        if "&" in uri or not uri.isascii():
            raise _NotDirect("namespace URI with a reference or in another encoding")
        if _FP_USERLAND in lowered:
            lowered = _FP_USERLAND
        if atom and (lowered == RSS_10_NAMESPACE or (not prefix and lowered == RSS_090_NAMESPACE)):
            raise _NotDirect("RSS 1.0 namespace in Atom")
        if lowered == "http://www.w3.org/1999/xlink":
            raise _NotDirect("xlink declaration")  # feedparser adds it to attributes
        if not prefix:
            if lowered not in _FP_PREFIX:
                unknown_default.add(uri)
            continue
        if bound.setdefault(prefix.lower(), lowered) != lowered:
            raise _NotDirect(f"prefix {prefix} bound twice")
        if lowered in _FP_PREFIX:
            known_given.append((prefix, _FP_PREFIX[lowered]))
        elif unknown.setdefault(uri, prefix) != prefix:
            raise _NotDirect(f"namespace {uri} under two prefixes")
    if unknown_default & unknown.keys():
        # feedparser names such elements by the prefix only once it has seen it declared
        raise _NotDirect("namespace declared both as default and under a prefix")
    lookups = _FP_STANDARD_PREFIXES | {p.lower() for p in unknown.values()}
    for given, standard in known_given:
        if given != standard and given in lookups:
            raise _NotDirect(f"prefix {given} renamed by feedparser")
    return unknown


def _fp_key(element: etree._Element, prefixes: dict[str, str]) -> str:
    """The name feedparser gives an element: its handler's name, 'dc_creator', 'media_content',
    or the bare local name for the feed vocabularies; lower case, as feedparser folds it."""
    tag = element.tag
    if not isinstance(tag, str):
        raise _NotDirect("not an element")
    if tag[0] != "{":
        return tag.lower()
    namespace, _, name = tag[1:].partition("}")
    lowered = namespace.lower()
    if _FP_USERLAND in lowered:
        lowered = _FP_USERLAND
    prefix = _FP_PREFIX.get(lowered)
    if prefix is None:
        prefix = prefixes.get(namespace, "")
    return f"{prefix}_{name}".lower() if prefix else name.lower()


def _fp_attributes(element: etree._Element) -> dict[str, str]:
    """An element's attributes as feedparser's handlers see them: names folded to lower case
    (namespaced ones under feedparser's prefix), rel and type values folded too."""
    attributes: dict[str, str] = {}
    for name, value in element.attrib.items():
        if name[0] == "{":
            namespace, _, name = name[1:].partition("}")
            prefix = _FP_PREFIX.get(namespace.lower(), "")
            name = f"{prefix}:{name}" if prefix else name
        name = name.lower()
        attributes[name] = value.lower() if name in ("rel", "type") else value
    return attributes


def _fp_language(element: etree._Element, inherited: str | None) -> str | None:
    """The language feedparser tracks at an element: its own xml:lang (or lang), an empty one
    clearing it, else the parent's."""
    if not element.attrib:
        return inherited
    attributes = _fp_attributes(element)
    language = attributes.get("xml:lang", attributes.get("lang"))
    if language is None:
        return inherited
    return language or None


def _fp_clean(text: str) -> str:
    """feedparser's last steps for every text value: stripped, UTF-8 that was read as Latin-1
    read again, C1 controls taken for the CP1252 characters they stand for."""
    text = text.strip()
    if text.isascii():
        return text
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_FP_CP1252)


def _fp_text(element: etree._Element) -> str:
    """The text of an element that holds only text (feedparser would read markup otherwise)."""
    if len(element):
        raise _NotDirect(f"markup inside <{element.tag!s}>")
    return _fp_clean(element.text or "")


class _DirectReader:
    """One document read into feedparser's feed and entry dictionaries, in document order,
    with the state feedparser's order rules depend on."""

    def __init__(self, atom: bool, prefixes: dict[str, str]) -> None:
        self.atom = atom
        self.prefixes = prefixes
        self.feed: _FeedDict = {}
        self.entry: _FeedDict = {}
        # feedparser's element depth, and the depth of the last non-empty title: a title at that
        # depth or deeper is not stored, so the first one stays (reset at <item> and <source>).
        self.depth = 1
        self.title_depth = -1
        self.has_summary = False
        self.has_content = False
        self.link: str | None = None

    def read(
        self,
        root: etree._Element,
        feed_element: etree._Element | None,
        entry_element: etree._Element,
    ) -> tuple[_FeedDict, _FeedDict]:
        language = _fp_language(root, None)
        if root.tag != f"{{{ATOM_NAMESPACE}}}entry" and language:
            self.feed["language"] = language.replace("_", "-")  # xml:lang on <rss> or <feed>
        if feed_element is None:  # a bare Atom entry
            self._read_entry(entry_element, language, depth=1)
        else:
            depth = 2  # <feed>'s children, <channel>'s in RSS
            if feed_element is not root:
                kept = [s for s in root if _fp_reads(s) and _kept_by_feed(s)]
                if kept != [feed_element]:
                    raise _NotDirect("RSS elements outside the channel")
                language = _fp_language(feed_element, language)
                depth = 3
            self._read_feed(feed_element, entry_element, language, depth)
        self._check_dates()
        if self.link is not None:
            self.entry["link"] = self.link
        return self.feed, self.entry

    # feed (channel) level: only the fields _for_feedparser hands on

    def _read_feed(
        self,
        feed_element: etree._Element,
        entry_element: etree._Element,
        language: str | None,
        depth: int,
    ) -> None:
        for sub in feed_element:
            if not _fp_reads(sub) or not _kept_by_feed(sub):
                continue
            self.depth = depth
            if sub is entry_element:
                self._read_entry(sub, language, depth)
            elif local(sub) in ("item", "entry", "channel"):
                raise _NotDirect("another item")
            else:
                self._read_feed_field(sub, _fp_key(sub, self.prefixes), language)

    def _read_feed_field(self, element: etree._Element, key: str, language: str | None) -> None:
        if key in _FP_TITLE or key == "media_title":
            stored, detail = self._title_detail(element, key, language, markup=False)
            if stored:
                self.feed["title"] = detail["value"]
        elif key in _FP_LANGUAGE:
            self.feed["language"] = _fp_text(element)
        elif key in _FP_RIGHTS:
            self.feed["rights"] = self._plain_value(element, language)
        elif key in _FP_PUBLISHER:
            self.feed["publisher"] = self._publisher(element, key)
        elif key == "generator":
            self.feed["generator"] = _fp_text(element)
        else:
            self._check_harmless(element, key)

    # the entry

    def _read_entry(self, entry_element: etree._Element, language: str | None, depth: int) -> None:
        attributes = _fp_attributes(entry_element) if entry_element.attrib else {}
        if {"lastmod", "href", "rdf:about"} & attributes.keys():
            raise _NotDirect("CDF or RDF attributes on the item")
        language = _fp_language(entry_element, language)
        self.title_depth = -1  # feedparser starts every item afresh
        for sub in entry_element:
            if not _fp_reads(sub):
                continue  # agency namespaces: _for_feedparser drops them too
            self.depth = depth + 1
            key = _fp_key(sub, self.prefixes)
            reader = _ENTRY_READERS.get(key)
            if reader is None:
                self._harmless_in_entry(sub, key, language)
            else:
                reader(self, sub, key, _fp_language(sub, language))

    def _harmless_in_entry(self, element: etree._Element, key: str, language: str | None) -> None:
        """An element that reads nothing itself; Media RSS titles, descriptions and categories
        inside it (a <media:content>, a <media:group>) are read where they sit, as feedparser
        does."""
        self._refuse_handled(element, key, _FP_HARMLESS)
        depth = self.depth
        language = _fp_language(element, language)
        for sub in element:
            self.depth = depth + 1
            sub_key = _fp_key(sub, self.prefixes)
            if reader := _NESTED_READERS.get(sub_key):
                reader(self, sub, sub_key, _fp_language(sub, language))
            else:
                self._harmless_in_entry(sub, sub_key, language)
        self.depth = depth

    def _title(self, element: etree._Element, key: str, language: str | None) -> None:
        stored, detail = self._title_detail(element, key, language)
        if stored:
            self.entry["title_detail"] = detail

    def _title_detail(
        self, element: etree._Element, key: str, language: str | None, *, markup: bool = True
    ) -> tuple[bool, _Detail]:
        """A title and whether feedparser stores it: not when a non-empty title was read at
        this depth or above. Media RSS titles leave the title depth as they found it."""
        detail = self._detail(element, "text/plain", language, markup=markup)
        stored = not (-1 < self.title_depth <= self.depth)
        if detail["value"] and key != "media_title":
            self.title_depth = self.depth
        return stored, detail

    def _description(self, element: etree._Element, key: str, language: str | None) -> None:
        """RSS description: the summary, or the content when a summary came first."""
        if self.has_summary and not self.has_content:
            self._content(element, "content", language)
        else:
            self._summary_detail(element, "text/html", language)

    def _summary(self, element: etree._Element, key: str, language: str | None) -> None:
        if self.has_summary and not self.has_content:
            self._content(element, "content", language)
        else:
            self._summary_detail(element, "text/plain", language)

    def _summary_detail(self, element: etree._Element, default: str, language: str | None) -> None:
        self.entry["summary_detail"] = self._detail(element, default, language)
        self.has_summary = True

    def _content(self, element: etree._Element, key: str, language: str | None) -> None:
        default = "text/plain" if key == "content" else "text/html"
        detail = self._detail(element, default, language)
        if key == "content" and (src := _fp_attributes(element).get("src")):
            detail["src"] = src
        self.entry.setdefault("content", []).append(detail)
        self.has_content = True
        if detail["type"] in _FP_SUMMARY_TYPES:
            self.has_summary = True  # feedparser copies it to the summary

    def _date(self, element: etree._Element, key: str, language: str | None) -> None:
        self.entry[_FP_DATE_KEYS[key]] = _fp_text(element)

    def _check_dates(self) -> None:
        for key in ("published", "updated", "created"):
            value = self.entry.get(key)
            if value and _parse_written(named_zone_to_offset(value)[0]) is None:
                raise _NotDirect(f"date {value!r}")  # feedparser's date readers know more

    def _id(self, element: etree._Element, key: str, language: str | None) -> None:
        attributes = _fp_attributes(element) if element.attrib else {}
        permalink = attributes.get("ispermalink", "true") == "true"
        if len(element):
            raise _NotDirect("markup in an id")
        value = (element.text or "").strip()
        if value and permalink:
            value = _fp_urljoin("", value)
        value = _fp_clean(value)
        self.entry["id"] = value
        if permalink and self.link is None:
            self.link = value  # a permalink guid stands in for the link

    def _link(self, element: etree._Element, key: str, language: str | None) -> None:
        if len(element):
            raise _NotDirect("markup in a link")
        attributes = _fp_attributes(element) if element.attrib else {}
        rel = attributes.setdefault("rel", "alternate")
        kind = attributes.setdefault("type", "text/html" if rel != "self" else _ATOM_TYPE)
        href = attributes.get("url", attributes.get("uri", attributes.get("href")))
        if href:
            attributes["href"] = href
        if "href" in attributes:
            if rel == "alternate" and _FeedParserMixin.map_content_type(kind) in _FP_HTML_TYPES:
                self.link = _fp_urljoin("", attributes["href"])
            return
        value = (element.text or "").strip()
        if value:
            value = _fp_urljoin("", value)
        value = _fp_clean(value).replace("&amp;", "&")
        self.link = _FP_ENTITY_IN_LINK.sub(r"&\g<1>", value)

    def _category(self, element: etree._Element, key: str, language: str | None) -> None:
        attributes = _fp_attributes(element) if element.attrib else {}
        if key == "media_category":
            attributes.setdefault("scheme", _MRSS_CATEGORY_SCHEME)
        tags = self.entry.setdefault("tags", [])
        scheme = attributes.get("scheme", attributes.get("domain"))
        _fp_add_tag(tags, attributes.get("term"), scheme, attributes.get("label"))
        value = _fp_text(element)
        if not value:
            return
        if tags and not tags[-1]["term"]:
            tags[-1]["term"] = value  # the text is the term of the category just opened
        else:
            _fp_add_tag(tags, value, None, None)

    def _source(self, element: etree._Element, key: str, language: str | None) -> None:
        self.title_depth = -1  # feedparser resets its title depth at <source>
        attributes = _fp_attributes(element) if element.attrib else {}
        source: dict[str, str] = {}
        if "url" in attributes:
            source["href"] = attributes["url"]
        if len(element):
            source.update(self._atom_source(element, language))
        elif value := _fp_clean(element.text or ""):
            source["title"] = value
        self.entry["source"] = source

    def _atom_source(self, element: etree._Element, language: str | None) -> dict[str, str]:
        """An Atom <source>: only its title is read; what else it holds must stay inside it."""
        if (element.text or "").strip() or any((s.tail or "").strip() for s in element):
            raise _NotDirect("text loose in <source>")
        source: dict[str, str] = {}
        depth = self.depth
        for sub in element:
            self.depth = depth + 1
            key = _fp_key(sub, self.prefixes)
            if key in _FP_TITLE:
                stored, detail = self._title_detail(
                    sub, key, _fp_language(sub, language), markup=False
                )
                if stored:
                    source["title"] = detail["value"]
            elif key not in _FP_SOURCE_FIELDS:
                raise _NotDirect(f"<{key}> in <source>")
            elif key in ("link", "icon", "logo") and sub.attrib and (sub.text or "").strip():
                # feedparser keeps no text of a link with href (or of an unhandled element with
                # attributes): it would run into the source's own text, its title.
                raise _NotDirect(f"text in <{key}> in <source>")
            else:
                self._check_harmless(sub, key, allowed=_FP_SOURCE_FIELDS)
        self.depth = depth
        return source

    def _language(self, element: etree._Element, key: str, language: str | None) -> None:
        self.entry["language"] = _fp_text(element)

    def _rights(self, element: etree._Element, key: str, language: str | None) -> None:
        self.entry["rights"] = self._plain_value(element, language)

    def _publisher_field(self, element: etree._Element, key: str, language: str | None) -> None:
        self.entry["publisher"] = self._publisher(element, key)

    @staticmethod
    def _publisher(element: etree._Element, key: str) -> str:
        if key == "publisher" and element.attrib:
            raise _NotDirect("<publisher> with attributes")  # feedparser keeps the attributes
        return _fp_text(element)

    def _media_keywords(self, element: etree._Element, key: str, language: str | None) -> None:
        """Comma-separated keywords, each a tag; feedparser reads none when it has attributes."""
        if element.attrib:
            return  # feedparser files the attributes and fails on the missing text
        tags = self.entry.setdefault("tags", [])
        for term in _fp_text(element).split(","):
            if term.strip():
                _fp_add_tag(tags, term.strip(), None, None)

    # text constructs

    def _detail(
        self, element: etree._Element, default: str, language: str | None, *, markup: bool = True
    ) -> _Detail:
        """A title, summary, content or rights element as feedparser's detail dictionary."""
        attributes = _fp_attributes(element) if element.attrib else {}
        if "mode" in attributes:
            raise _NotDirect("content mode")  # Atom 0.3 escaped / base64 content
        kind = _FeedParserMixin.map_content_type(attributes.get("type", default))
        if not kind.startswith("text/") and not kind.endswith(("+xml", "/xml")):
            raise _NotDirect(f"content type {kind}")  # feedparser decodes it as base64
        if len(element):
            if kind != _XHTML or not self.atom or not markup:
                raise _NotDirect(f"markup inside <{element.tag!s}>")
            value = _fp_xhtml(element, self.prefixes)
        else:
            value = element.text or ""
            if kind == _XHTML:
                value = xml_escape(value)
        value = value.strip()
        if not self.atom and kind == "text/plain" and _FeedParserMixin.looks_like_html(value):
            kind = "text/html"  # feedparser guesses for RSS
        if language:
            language = language.replace("_", "-")
        return {"type": kind, "language": language, "value": _fp_clean(value)}

    def _plain_value(self, element: etree._Element, language: str | None) -> str:
        """The value of a text construct read only as a string (rights), never as markup."""
        return self._detail(element, "text/plain", language, markup=False)["value"]

    # everything else

    def _check_harmless(
        self, element: etree._Element, key: str, allowed: frozenset[str] = _FP_HARMLESS
    ) -> None:
        """An element _read_entry reads nothing from must also change nothing feedparser
        reads: no handler beyond the harmless ones, no name it would store a read key under,
        nothing of that kind inside it."""
        self._refuse_handled(element, key, allowed)
        for sub in element:
            self._check_harmless(sub, _fp_key(sub, self.prefixes), allowed)

    @staticmethod
    def _refuse_handled(element: etree._Element, key: str, allowed: frozenset[str]) -> None:
        if key in _FP_COLLIDING or (key in _FP_HANDLERS and key not in allowed):
            raise _NotDirect(f"<{key}>")
        if key in _FP_OPAQUE_TEXT and len(element):
            raise _NotDirect(f"markup inside <{key}>")


_FP_DATE_KEYS = {
    **dict.fromkeys(("published", "issued", "pubdate", "dcterms_issued"), "published"),
    **dict.fromkeys(("updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified"), "updated"),
    **dict.fromkeys(("created", "dcterms_created"), "created"),
}  # fmt: skip
# What an Atom <source> may hold: feedparser files all of it under the source.
_FP_SOURCE_FIELDS = frozenset(
    {"id", "updated", "published", "category", "rights", "subtitle", "generator", "icon", "logo",
     "link", "author", "contributor", "name", "email", "uri"}
)  # fmt: skip
_NESTED_READERS = {
    "media_title": _DirectReader._title,
    "media_description": _DirectReader._description,
    "media_category": _DirectReader._category,
    "media_keywords": _DirectReader._media_keywords,
}
_ENTRY_READERS = {
    **_NESTED_READERS,
    **dict.fromkeys(_FP_TITLE, _DirectReader._title),
    **dict.fromkeys(("description", "dc_description"), _DirectReader._description),
    **dict.fromkeys(("summary", "itunes_summary"), _DirectReader._summary),
    **dict.fromkeys(("content", "content_encoded", "fullitem"), _DirectReader._content),
    **dict.fromkeys(_FP_DATE_KEYS, _DirectReader._date),
    **dict.fromkeys(("guid", "id"), _DirectReader._id),
    "link": _DirectReader._link,
    **dict.fromkeys(("category", "keywords", "dc_subject"), _DirectReader._category),
    "source": _DirectReader._source,
    **dict.fromkeys(_FP_LANGUAGE, _DirectReader._language),
    **dict.fromkeys(_FP_RIGHTS, _DirectReader._rights),
    **dict.fromkeys((*_FP_PUBLISHER, "webmaster"), _DirectReader._publisher_field),
}  # fmt: skip


def _fp_reads(element: etree._Element) -> bool:
    """_feedparser_reads (no foreign home namespace) from the tag string alone: elements in
    no namespace or in one feedparser knows."""
    tag = element.tag
    if not isinstance(tag, str):
        return False
    return tag[0] != "{" or tag[1 : tag.find("}")].lower() in _FEEDPARSER_NAMESPACES


def _kept_by_feed(element: etree._Element) -> bool:
    """The feed- or channel-level elements _for_feedparser hands on."""
    name = local(element)
    return name in ("channel", "item", "entry") or name in _FEED_FIELDS_READ


def _fp_add_tag(
    tags: list[dict[str, str | None]], term: str | None, scheme: str | None, label: str | None
) -> None:
    if not term and not scheme and not label:
        return
    tag = {"term": term, "scheme": scheme, "label": label}
    if tag not in tags:
        tags.append(tag)


def _fp_xhtml(element: etree._Element, prefixes: dict[str, str]) -> str:
    """Atom XHTML content as the markup feedparser rebuilds from it: names and attribute names
    in lower case, text escaped, and one <div> that wraps everything dropped."""
    pieces = [xml_escape(element.text)] if element.text else []
    for sub in element:
        _fp_xhtml_element(sub, pieces, prefixes)
    while len(pieces) > 1 and not pieces[-1].strip():
        del pieces[-1]
    while len(pieces) > 1 and not pieces[0].strip():
        del pieces[0]
    if pieces and pieces[0].startswith(("<div>", "<div ")) and pieces[-1] == "</div>":
        depth = 0
        for piece in pieces[:-1]:
            if piece.startswith("</"):
                depth -= 1
                if depth == 0:
                    break  # the first <div> closes before the end: it wraps only a part
            elif piece.startswith("<") and not piece.endswith("/>"):
                depth += 1
        else:
            pieces = pieces[1:-1]
    return "".join(pieces)


def _fp_xhtml_element(element: etree._Element, pieces: list[str], prefixes: dict[str, str]) -> None:
    name = local(element).lower()
    # feedparser calls end-tag handlers even inside content, and treats SVG and MathML apart.
    if name in ("svg", "math") or _fp_key(element, prefixes) in _FP_END_HANDLERS:
        raise _NotDirect(f"<{name}> inside XHTML content")
    attributes = []
    for key, value in element.attrib.items():
        if key[0] == "{":
            namespace, _, key = key[1:].partition("}")
            if namespace != XML_NAMESPACE:
                raise _NotDirect("namespaced attribute inside XHTML content")
            key = f"xml:{key}"
        key = key.lower()
        attributes.append((key, value.lower() if key in ("rel", "type") else value))
    if len({key for key, _ in attributes}) != len(attributes):
        raise _NotDirect("attributes differing only in case")
    marked = "".join(f' {k}="{xml_escape(v, {chr(34): "&quot;"})}"' for k, v in attributes)
    pieces.append(f"<{name}{marked}>")
    if element.text:
        pieces.append(xml_escape(element.text))
    for sub in element:
        _fp_xhtml_element(sub, pieces, prefixes)
    pieces.append(f"</{name}>")
    if element.tail:
        pieces.append(xml_escape(element.tail))


# --- one entry -------------------------------------------------------------------------------


def _get(mapping: _FeedDict | None, key: str) -> Any:
    """A FeedParserDict value without its legacy key aliases (and their warnings)."""
    return dict.get(mapping, key) if mapping else None


def _read_entry(
    format: str, feed: _FeedDict, entry: _FeedDict, tree: _Tree, notes: list[str]
) -> ParsedItem:
    body, content_language = _standard_body(entry, notes)
    extensions = _extension_elements(tree.entry)
    body = _agency_body(extensions, body, notes)
    published = _when(entry, "published", notes) or _when(entry, "created", notes)
    updated = _when(entry, "updated", notes)
    if format == "rss" and published is None:
        published = updated  # RSS 1.0's dc:date is the item's one date
    dated = published or updated
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
        slugline=_extension_text(extensions, "slugline"),
        date_hint=dated.date() if dated else None,
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


def _standard_body(entry: _FeedDict, notes: list[str]) -> tuple[_Body, str | None]:
    """content (content:encoded, Atom content) before description / summary."""
    for content in _get(entry, "content") or []:
        if _get(content, "src"):
            notes.append("content is only a link (content@src); it is never fetched")
            continue
        if paragraphs := _construct(content):
            return _Body(paragraphs), language_code(_get(content, "language"))
    detail = _get(entry, "summary_detail")
    return _Body(_construct(detail)), language_code(_get(detail, "language"))


def _construct(detail: _FeedDict | None) -> list[str]:
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


def _headline(detail: _FeedDict | None) -> str | None:
    return " ".join(_construct(detail)) or None


def _agency_body(
    extensions: list[tuple[str, etree._Element]], standard: _Body, notes: list[str]
) -> _Body:
    """The copy an agency carries in its own namespace, when the standard content falls short.

    Only elements outside the feed vocabularies count, wherever they sit in the entry
    (WENN nests them in a metadata block); the first body-like one is the body, and a separate
    first-line element, when there is one, is its first paragraph."""
    body = lede = None
    for name, element in extensions:
        if body is None and name in _BODY_NAMES and _has_text(element):
            body = element
        elif lede is None and name in _LEDE_NAMES and _has_text(element):
            lede = element
    source = body if body is not None else lede
    if source is None:
        return standard
    first = _element_paragraphs(lede) if lede is not None else []
    rest = _element_paragraphs(body) if body is not None else []
    if first and rest and rest[0].startswith(first[0][:80]):
        first = []  # the body repeats its first line
    paragraphs = first + rest
    found = sum(len(p) for p in paragraphs)
    if found <= _MUCH_SHORTER * sum(len(p) for p in standard.paragraphs):
        return standard
    notes.append(f"body read from the agency's own <{etree.QName(source).localname}> element")
    return _Body(paragraphs, etree.QName(source).namespace)


def _has_text(element: etree._Element) -> bool:
    text = inline_text(element)
    return bool(text and len(text.split()) >= 3)


def _element_paragraphs(element: etree._Element) -> list[str]:
    """An agency element's copy: its own markup, or (escaped or CDATA) HTML, or plain text."""
    if len(element):
        return read_paragraphs(element)
    text = element.text or ""
    if _LOOKS_LIKE_HTML.search(text):
        return html_paragraphs(text)
    return [p.strip() for p in _BLANK_LINE.split(text) if p.strip()]


def _extension_elements(entry: etree._Element | None) -> list[tuple[str, etree._Element]]:
    """(unified local name, element) for the entry's elements in agencies' own namespaces
    (neither a feed vocabulary nor the namespace the entry itself is in), in document order."""
    if entry is None:
        return []
    home = etree.QName(entry).namespace
    found = []
    for element in entry.iter():
        tag = element.tag
        if isinstance(tag, str) and tag[:1] == "{":
            namespace, _, name = tag[1:].partition("}")
            if namespace not in _STANDARD_NAMESPACES and namespace != home:
                found.append((_UNIFY_NAME.sub("", name).lower(), element))
    return found


def _extension_text(extensions: list[tuple[str, etree._Element]], name: str) -> str | None:
    """The text of an agency element with this local name (its slugline), if any."""
    for found, element in extensions:
        if found == name:
            text = inline_text(element)
            return " ".join(text.split()) if text else None
    return None


# --- dates -----------------------------------------------------------------------------------


def _when(entry: _FeedDict, key: str, notes: list[str]) -> datetime | None:
    """A date as the feed wrote it, with its own offset; feedparser's reading for the dialects
    Python's readers do not know (Korean, Greek, asctime, W3DTF fragments)."""
    written = _get(entry, key)
    # feedparser can give the element's attributes (a dict) instead of its text: '<dc:date
    # a="x">' with the prefix bound to the RSS 0.9 namespace. No date to read there.
    if isinstance(written, str) and written.strip():
        found = _written_time(written.strip(), notes)
        if found is not None:
            return found
    parsed = _get(entry, f"{key}_parsed")
    if parsed:
        # a time.struct_time in UTC, as feedparser's date readers give it
        year, month, day, hour, minute, second = parsed[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return None


def _written_time(value: str, notes: list[str]) -> datetime | None:
    """A written date, its zone name ('CET', 'MESZ') turned into the offset it stands for."""
    value, unknown = named_zone_to_offset(value)
    if unknown and unknown.upper() not in ZONES:
        notes.append(f"time zone {unknown!r} of {value!r} is unknown; read as UTC")
    return _parse_written(value)


@functools.lru_cache(maxsize=1024)
def _parse_written(value: str) -> datetime | None:
    """parse_wire_datetime, remembered: the direct reading checks each date it hands on, and
    _when reads the same text again (datetimes are immutable, so sharing them is safe)."""
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


def _person_element(element: etree._Element | None) -> str | None:
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
    if len(text) > _PERSON_MAX:
        # No name and address is this long, and the address patterns backtrack for minutes
        # over a long hostile one ('@.@.@.…'): read as text.
        return " ".join(text.split())
    if match := _EMAIL_WITH_NAME.match(text) or _NAME_WITH_EMAIL.match(text):
        return " ".join((match["name"] or "").split())
    if _EMAIL.match(text):
        notes.append("author given only as an e-mail address; no byline")
        return None
    return " ".join(text.split())


def _categories(tags: list[_FeedDict]) -> tuple[list[Subject], list[str]]:
    """IPTC subject and Media Topic codes become subjects; every other category a keyword."""
    subjects: list[Subject] = []
    keywords: list[str] = []
    for tag in tags:
        term = (_get(tag, "term") or "").strip()
        label = (_get(tag, "label") or "").strip() or None
        scheme = (_get(tag, "scheme") or "").lower()
        code = _IPTC_CODE.match(term)
        alias = next((a for part, a in _IPTC_SCHEMES if part in scheme), None)
        iptc_scheme = (code["alias"] or alias) if code else None
        if code and iptc_scheme:
            subjects.append(Subject(scheme=iptc_scheme, code=code["code"], name=label))
        elif label or term:
            keywords.append(label or term)
    return list(dict.fromkeys(subjects)), list(dict.fromkeys(keywords))


def _agency(
    format: str,
    feed: _FeedDict,
    entry: _FeedDict,
    tree: _Tree,
    body: _Body,
    notes: list[str],
) -> str | None:
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


def _owner_labels(authors: list[etree._Element], feed: etree._Element | None) -> set[str]:
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
