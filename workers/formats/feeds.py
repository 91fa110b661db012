"""RSS 2.0 and Atom 1.0 feeds: each ``<item>`` / ``<entry>`` is a story.

Feeds are parsed with ``xmlsafe`` like every other XML format rather than with a feed library:
a second XML parser would be a second place for entity bombs and external entities to get in.
Nothing a feed names (links, enclosures, ``content@src``) is ever fetched.

``split`` gives one standalone feed document per item, keeping the channel's or feed's own
elements (title, language, rights, default author) because they fill in what items leave out.
``parse`` reads one item:

* guid / id -> item_id; RSS ``pubDate`` (or ``dc:date``) and Atom ``published`` ->
  first_created; Atom ``updated`` / ``dcterms:modified`` -> version_created.
* author / ``dc:creator`` -> byline (bare e-mail addresses are left out), category -> keywords,
  title -> headline, ``content:encoded`` / ``content`` before description / summary -> body.
  HTML is read into paragraphs by ``htmltext`` (nothing executed, scripts dropped).
* ``source`` or the feed's title -> agency, only when it names an agency we know.
* language from the item, then the channel or feed.

Feeds carry no urgency, status or version semantics: every item is usable, version 1.
Broken or hostile XML raises ParseError / HostileInputError; a feed with several items handed
to ``parse`` raises ParseError rather than silently reading only the first.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from workers.errors import ParseError
from workers.formats.base import ParsedItem, WireFormat
from workers.formats.htmltext import html_paragraphs
from workers.formats.xmlread import (
    XML_LANG,
    child,
    children,
    inline_text,
    known_agency,
    language_code,
    local,
    parse_wire_datetime,
    read_paragraphs,
)
from workers.formats.xmlsafe import parse_xml, peek_root

__all__ = ["ATOM_NAMESPACE", "Atom", "Rss"]

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"

_LOOKS_LIKE_HTML = re.compile(r"<(?:[A-Za-z][\w-]*|/[A-Za-z]|!--)")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_EMAIL_WITH_NAME = re.compile(r"^\s*\S+@\S+\s*\((?P<name>[^)]+)\)\s*$")
_EMAIL = re.compile(r"^\s*\S+@\S+\.\S+\s*$")


class Rss(WireFormat):
    name = "rss"

    def sniff(self, raw: bytes) -> float:
        peek = peek_root(raw)
        return 0.95 if peek is not None and peek.local == "rss" else 0.0

    def split(self, raw: bytes) -> list[bytes]:
        """One ``<rss><channel>…<item/></channel></rss>`` per item; broken copy passes whole."""
        try:
            root = parse_xml(raw, format=self.name).root
        except ParseError:
            return [raw]
        channel = child(root, "channel")
        items = list(children(channel, "item"))
        if local(root) != "rss" or len(items) <= 1:
            return [raw]
        return [_standalone(root, channel, "item", item) for item in items]

    def parse(self, raw: bytes) -> ParsedItem:
        doc = parse_xml(raw, format=self.name)
        root = doc.root
        if local(root) != "rss":
            raise _wrong_root(root, "<rss>", self.name)
        channel = child(root, "channel")
        item = _only(list(children(channel, "item")), "item", root, self.name)
        parsed = _read_rss_item(channel, item)
        parsed.notes[:0] = doc.notes
        return parsed


class Atom(WireFormat):
    name = "atom"

    def sniff(self, raw: bytes) -> float:
        peek = peek_root(raw)
        if peek is None or peek.local not in ("feed", "entry"):
            return 0.0
        if peek.namespace == ATOM_NAMESPACE:
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
            feed, entry = None, root
        elif local(root) == "feed":
            feed, entry = root, _only(list(children(root, "entry")), "entry", root, self.name)
        else:
            raise _wrong_root(root, "<feed> or <entry>", self.name)
        parsed = _read_atom_entry(feed, entry)
        parsed.notes[:0] = doc.notes
        return parsed


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
# they would give an unchanged item new bytes, and so a new receipt, on every fetch.
_VOLATILE = frozenset(
    {"lastBuildDate", "pubDate", "updated", "date", "generator", "ttl", "skipHours", "skipDays",
     "cloud", "image", "logo", "icon"}
)  # fmt: skip


def _standalone(root, channel, tag: str, item) -> bytes:
    """The feed with only this item: the root and channel keep their namespaces and the
    metadata the item is read with (title, language, rights), but not what changes per fetch."""
    new_root = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=root.nsmap)
    holder = new_root
    if channel is not None:
        holder = etree.SubElement(new_root, channel.tag, attrib=dict(channel.attrib))
    for sub in channel if channel is not None else root:
        if isinstance(sub.tag, str) and local(sub) != tag and local(sub) not in _VOLATILE:
            holder.append(copy.deepcopy(sub))
    holder.append(copy.deepcopy(item))
    return etree.tostring(new_root, xml_declaration=True, encoding="UTF-8")


def _read_rss_item(channel, item) -> ParsedItem:
    notes: list[str] = []
    published = _when(item, "pubDate") or _when(item, "date")
    modified = _when(item, "modified") or _when(item, "updated")
    # lxml elements without children are falsy, so no 'or' between elements.
    body = _html_body(child(item, "encoded")) or _html_body(child(item, "description"))
    source = inline_text(child(item, "source"))
    bylines = [_person(inline_text(e), notes) for e in children(item, "author")]
    bylines += [_person(inline_text(e), notes) for e in children(item, "creator")]
    guid = inline_text(child(item, "guid")) or inline_text(child(item, "link"))
    language = language_code(_text(item, "language")) or language_code(_text(channel, "language"))
    return ParsedItem(
        format="rss",
        body=body,
        headline=_plain(inline_text(child(item, "title"))),
        agency=known_agency(
            source, _text(channel, "title"), _text(channel, "copyright"), _text(item, "publisher")
        )
        or (source.strip() if source else None),
        item_id=guid.strip() if guid else None,
        byline=", ".join(dict.fromkeys(b for b in bylines if b)) or None,
        date_hint=published.date() if published else None,
        keywords=_unique(inline_text(c) for c in children(item, "category")),
        language=language,
        first_created=published,
        version_created=modified or published,
        notes=notes,
    )


def _read_atom_entry(feed, entry) -> ParsedItem:
    notes: list[str] = []
    published = _when(entry, "published")
    updated = _when(entry, "updated")
    content = child(entry, "content")
    if content is not None and content.get("src"):
        notes.append("content is only a link (content@src); it is never fetched")
        content = None
    body = _atom_text(content) if content is not None else []
    if not body:
        body = _atom_text(child(entry, "summary"))
    authors = list(children(entry, "author")) or list(children(feed, "author"))
    bylines = [_person(_text(a, "name") or _text(a, "email"), notes) for a in authors]
    source_title = _text(child(entry, "source"), "title")
    headline_parts = _atom_text(child(entry, "title"))
    return ParsedItem(
        format="atom",
        body=body,
        headline=" ".join(headline_parts) or None,
        agency=known_agency(
            source_title, _text(feed, "title"), _text(feed, "rights"), _text(entry, "rights")
        ),
        item_id=_text(entry, "id"),
        byline=", ".join(dict.fromkeys(b for b in bylines if b)) or None,
        date_hint=(published or updated).date() if (published or updated) else None,
        keywords=_unique(c.get("label") or c.get("term") for c in children(entry, "category")),
        language=_atom_language(entry, content, feed),
        first_created=published,
        version_created=updated or published,
        notes=notes,
    )


def _text(element, name: str) -> str | None:
    text = inline_text(child(element, name)) if element is not None else None
    return text.strip() if text else None


def _when(element, name: str):
    return parse_wire_datetime(_text(element, name))


def _plain(text: str | None) -> str | None:
    """A title that may hold HTML ('Storm &lt;b&gt;warning&lt;/b&gt;') as plain text."""
    if not text:
        return None
    if _LOOKS_LIKE_HTML.search(text):
        return " ".join(html_paragraphs(text)) or None
    return text


def _html_body(element) -> list[str]:
    """RSS description or content:encoded: escaped HTML, CDATA HTML or plain text."""
    text = element.text if element is not None else None
    if not text or not text.strip():
        return []
    if _LOOKS_LIKE_HTML.search(text):
        return html_paragraphs(text)
    return [p.strip() for p in _BLANK_LINE.split(text) if p.strip()]


def _atom_text(element) -> list[str]:
    """An Atom text construct (title, summary, content) as paragraphs, by its type."""
    if element is None:
        return []
    kind = (element.get("type") or "text").strip().lower()
    if kind == "xhtml":
        div = child(element, "div")
        return read_paragraphs(div if div is not None else element)
    if kind in ("html", "text/html"):
        return html_paragraphs(element.text or "")
    return [p.strip() for p in _BLANK_LINE.split(element.text or "") if p.strip()]


def _atom_language(*elements) -> str | None:
    for element in elements:
        if element is not None and (code := language_code(element.get(XML_LANG))):
            return code
    return None


def _person(text: str | None, notes: list[str]) -> str | None:
    """'desk@example.com (Jane Doe)' -> 'Jane Doe'; a bare address is no byline."""
    if not text or not text.strip():
        return None
    if match := _EMAIL_WITH_NAME.match(text):
        return match["name"].strip()
    if _EMAIL.match(text):
        notes.append("author given only as an e-mail address; no byline")
        return None
    return " ".join(text.split())


def _unique(values) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
