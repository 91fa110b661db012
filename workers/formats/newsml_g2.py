"""IPTC NewsML-G2: a ``newsMessage`` carrying one or many ``newsItem``s, or a bare ``newsItem``.

``split`` cuts a newsMessage into one standalone document per newsItem (namespaces declared on
the message are carried over), so each item gets its own receipt. ``parse`` reads one item:

* ``@guid`` -> item_id (the same for every version), ``@version`` -> version (agencies skip
  numbers, so it is taken as given, never checked for sequence).
* ``itemMeta``: ``pubStatus`` -> status (canceled also signals a kill), ``signal`` -> update /
  correction / kill, ``embargoed`` (an embargo only when later than ``versionCreated``),
  ``firstCreated`` / ``versionCreated``, ``provider``.
* ``contentMeta``: ``urgency``, ``headline``, ``slugline``, ``by``, ``located`` and ``dateline``,
  ``subject@qcode`` (scheme from the qcode's prefix: ``medtop``, ``subj``, an agency's own),
  ``keyword``, ``language@tag``, ``creditline``.
* ``contentSet/inlineXML`` holding XHTML ``<p>``s or a NITF body (read by the NITF reader),
  else ``inlineData`` as plain text.

Broken or hostile XML raises ParseError / HostileInputError from ``xmlsafe``. A newsMessage
handed to ``parse`` with several items raises ParseError: reading only the first would drop
stories without a trace.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime

from lxml import etree

from schemas import Dateline, PubStatus, Signal, Subject
from workers.errors import ParseError
from workers.formats.base import ParsedItem, WireFormat
from workers.formats.nitf import read_nitf_body
from workers.formats.xmlread import (
    XML_LANG,
    child,
    children,
    code_tail,
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

__all__ = ["NAR_NAMESPACE", "NewsMLG2"]

NAR_NAMESPACE = "http://iptc.org/std/nar/2006-10-01/"

_STATUSES = {
    "usable": PubStatus.usable,
    "embargoed": PubStatus.embargoed,
    "withheld": PubStatus.withheld,
    "canceled": PubStatus.canceled,
    "cancelled": PubStatus.canceled,
}
_SIGNALS = {
    "update": Signal.update,
    "correction": Signal.correction,
    "kill": Signal.kill,
    "withdraw": Signal.kill,
    "withdrawn": Signal.kill,
}
# Scheme aliases written out as URIs instead of qcodes.
_SCHEME_URIS = {
    "cv.iptc.org/newscodes/mediatopic/": "medtop",
    "cv.iptc.org/newscodes/subjectcode/": "subj",
}
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")


class NewsMLG2(WireFormat):
    name = "newsml_g2"

    def sniff(self, raw: bytes) -> float:
        peek = peek_root(raw)
        if peek is None or peek.local not in ("newsMessage", "newsItem"):
            return 0.0
        return 0.95 if peek.namespace == NAR_NAMESPACE else 0.7

    def split(self, raw: bytes) -> list[bytes]:
        """One standalone UTF-8 document per newsItem. Copy that will not parse is passed on
        whole, so ``parse`` reports what is wrong with it against its own receipt."""
        try:
            root = parse_xml(raw, format=self.name).root
        except ParseError:
            return [raw]
        if local(root) != "newsMessage":
            return [raw]
        items = _news_items(root)
        if not items:
            return [raw]
        return [_standalone(item) for item in items]

    def parse(self, raw: bytes) -> ParsedItem:
        doc = parse_xml(raw, format=self.name)
        root = doc.root
        name = local(root)
        if name == "newsMessage":
            items = _news_items(root)
            if len(items) != 1:
                raise ParseError(
                    f"newsMessage holds {len(items)} newsItems; split() it into one "
                    "document per item first"
                    if items
                    else "newsMessage holds no newsItem",
                    format=self.name,
                    position=f"line {root.sourceline}",
                )
            root = items[0]
        elif name != "newsItem":
            raise ParseError(
                f"root element <{name or root.tag}> is neither <newsMessage> nor <newsItem>",
                format=self.name,
                position=f"line {root.sourceline}",
            )
        item = read_news_item(root)
        item.notes[:0] = doc.notes
        return item


def _news_items(message: etree._Element) -> list[etree._Element]:
    return [e for e in message.iter() if local(e) == "newsItem"]


def _standalone(item: etree._Element) -> bytes:
    """A newsItem as a document of its own; lxml declares the namespaces it inherited."""
    copied = copy.deepcopy(item)
    if copied.get(XML_LANG) is None:
        for ancestor in item.iterancestors():
            if ancestor.get(XML_LANG):
                copied.set(XML_LANG, ancestor.get(XML_LANG))
                break
    return etree.tostring(copied, xml_declaration=True, encoding="UTF-8")


def read_news_item(item: etree._Element) -> ParsedItem:
    """Everything a ``<newsItem>`` says about its story."""
    meta = child(item, "itemMeta")
    content = child(item, "contentMeta")
    notes: list[str] = []

    version = parse_int(item.get("version"), low=0, high=10**9)
    if item.get("version") is not None and version is None:
        notes.append(f"version {item.get('version')!r} is not a number; read as 1")

    status_code = _code(child(meta, "pubStatus"))
    status = _STATUSES.get(status_code or "usable", PubStatus.usable)
    if status_code and status_code not in _STATUSES:
        notes.append(f"pubStatus {status_code!r} unknown; read as usable")
    signals = [Signal.kill] if status is PubStatus.canceled else []
    for signal in children(meta, "signal"):
        if (found := _SIGNALS.get(_code(signal) or "")) and found not in signals:
            signals.append(found)

    version_created = _when(child(meta, "versionCreated"))
    first_created = _when(child(meta, "firstCreated"))
    embargoed_until = _when(child(meta, "embargoed"))
    # An 'embargo' that lifted before this version was made is no embargo.
    if embargoed_until and version_created and embargoed_until <= version_created:
        embargoed_until = None
    if embargoed_until is not None and status is PubStatus.usable:
        status = PubStatus.embargoed

    provider = child(meta, "provider")
    holder = child(item, "rightsInfo", "copyrightHolder")
    agency = pick_agency(
        _code(provider),
        inline_text(child(content, "creditline")),
        inline_text(child(holder, "name"))
        or (holder.get("literal") if holder is not None else None),
        inline_text(child(provider, "name")),
    )

    urgency_el = child(content, "urgency")
    urgency = parse_int(urgency_el.text if urgency_el is not None else None, low=1, high=9)
    if urgency_el is not None and urgency is None:
        notes.append(f"urgency {urgency_el.text!r} is not 1-9; ignored")

    body, nitf = _body(child(item, "contentSet"), notes)
    headline = inline_text(child(content, "headline"))
    if headline is None and nitf is not None:
        headline = inline_text(child(nitf, "body", "body.head", "hedline", "hl1"))
    bylines = [spaced_text(b) for b in children(content, "by")]

    date_hint = version_created.date() if version_created else None
    return ParsedItem(
        format="newsml_g2",
        body=body,
        headline=headline,
        agency=agency,
        item_id=(item.get("guid") or "").strip() or None,
        version=1 if version is None else version,
        status=status,
        signals=signals,
        urgency=urgency,
        slugline=inline_text(child(content, "slugline")),
        byline="; ".join(b for b in bylines if b) or None,
        dateline=_dateline(content),
        date_hint=date_hint,
        subjects=_subjects(content),
        keywords=[k for k in (inline_text(e) for e in children(content, "keyword")) if k],
        language=_language(item, content),
        embargoed_until=embargoed_until,
        first_created=first_created,
        version_created=version_created,
        notes=notes,
    )


def _code(element) -> str | None:
    if element is None:
        return None
    return code_tail(element.get("qcode") or element.get("uri") or element.get("literal"))


def _when(element) -> datetime | None:
    return parse_wire_datetime(element.text) if element is not None else None


def _body(content_set, notes: list[str]) -> tuple[list[str], etree._Element | None]:
    """Paragraphs of the item's text, and the NITF document when the text is NITF."""
    for inline in children(content_set, "inlineXML"):
        for root in inline:
            name = local(root)
            if name == "nitf":
                return read_nitf_body(child(root, "body")), root
            if name == "html":
                return read_paragraphs(child(root, "body")), None
        return read_paragraphs(inline), None
    for data in children(content_set, "inlineData"):
        text = (data.text or "").replace("\r\n", "\n")
        return [p.strip() for p in _BLANK_LINE.split(text) if p.strip()], None
    if next(children(content_set, "remoteContent"), None) is not None:
        notes.append("text is remoteContent only; it is never fetched")
    return [], None


def _dateline(content) -> Dateline | None:
    located = child(content, "located")
    place = None
    if located is not None:
        place = inline_text(child(located, "name")) or located.get("literal")
    text = spaced_text(child(content, "dateline"))
    if text:
        text = text.strip(" -–—:")
    if not place and text:
        place = text.split(",")[0]
    if not (text or place):
        return None
    return Dateline(text=text or place, place=title_place(place))


def _subjects(content) -> list[Subject]:
    found: dict[tuple[str, str], Subject] = {}
    for subject in children(content, "subject"):
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


def _language(item, content) -> str | None:
    tag = next((e.get("tag") for e in children(content, "language") if e.get("tag")), None)
    return language_code(tag) or language_code(item.get(XML_LANG))
