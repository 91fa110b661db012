"""NITF 3.x (News Industry Text Format), the XML wire format most agencies still send.

What is read, and from where:

* ``docdata/doc-id@id-string`` -> item_id, ``@regsrc`` and ``doc.copyright@holder`` -> agency.
  Some systems append the version to the id-string (``…-v2``, ``…:2``); that suffix is dropped
  when it equals the version, so every version of a story keeps one item_id and one story_id.
* version from ``du-key@version``, else ``du-key@generation``, else a number in ``ed-msg``,
  else one more than the ``revision-history`` entries.
* ``docdata@management-status`` -> status; canceled also carries the kill signal.
  ``date.release`` later than ``date.issue`` makes an embargo.
* ``docdata/correction`` and ``ed-msg`` wording -> correction / update / kill signals; a
  version above 1 that says nothing else is an update.
* ``hedline/hl1`` headline, ``byline``, ``dateline`` (location, story.date),
  ``body.content`` paragraphs, ``key-list/keyword``, ``tobject.subject`` subject codes.

``read_paragraphs`` (from ``xmlread``) reads NITF bodies wherever they turn up, including
NITF carried inside NewsML-G2. Broken or hostile XML raises ParseError / HostileInputError
from ``xmlsafe``; a well-formed document whose root is not ``<nitf>`` raises ParseError.
"""

from __future__ import annotations

import re
from datetime import datetime

from lxml import etree

from schemas import Dateline, PubStatus, Signal, Subject
from workers.dateline import parse_date_words
from workers.errors import ParseError
from workers.formats.base import ParsedItem, WireFormat
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

__all__ = ["Nitf", "read_nitf_body"]

_STATUSES = {
    "usable": PubStatus.usable,
    "embargoed": PubStatus.embargoed,
    "withheld": PubStatus.withheld,
    "canceled": PubStatus.canceled,
    "cancelled": PubStatus.canceled,
}
_VERSION_WORD = re.compile(r"\b(?:version|ver|v|rev(?:ision)?)\s*[.:#]?\s*(\d{1,4})\b", re.I)
_CORRECTION_WORDS = re.compile(r"\bcorrect(?:ion|ed|s)?\b|\bcorrective\b|\berrat", re.I)
_KILL_WORDS = re.compile(r"\bkill(?:ed)?\b|\bwithdraw(?:n|s|al)?\b", re.I)
_UPDATE_WORDS = re.compile(r"\bupdat(?:e[ds]?|ing)\b|\bwrite-?thru\b|\brefiled?\b|\badds?\b", re.I)
_SLUG_META = frozenset({"slug", "slugline", "keyword-slug"})


def read_nitf_body(element: etree._Element | None) -> list[str]:
    """Paragraphs of a NITF ``body`` or ``body.content`` (namespaced or not)."""
    if element is None:
        return []
    content = element if local(element) == "body.content" else child(element, "body.content")
    return read_paragraphs(content)


class Nitf(WireFormat):
    name = "nitf"

    def sniff(self, raw: bytes) -> float:
        peek = peek_root(raw)
        if peek is None or peek.local != "nitf":
            return 0.0
        return 0.95

    def parse(self, raw: bytes) -> ParsedItem:
        doc = parse_xml(raw, format=self.name)
        root = doc.root
        if local(root) != "nitf":
            raise ParseError(
                f"root element <{local(root) or root.tag}> is not <nitf>",
                format=self.name,
                position=f"line {root.sourceline}",
            )
        item = read_nitf(root)
        item.notes[:0] = doc.notes
        return item


def read_nitf(root: etree._Element) -> ParsedItem:
    """Everything a ``<nitf>`` element says about its story."""
    head = child(root, "head")
    docdata = child(head, "docdata")
    body = child(root, "body")
    body_head = child(body, "body.head")
    notes: list[str] = []

    doc_id = child(docdata, "doc-id")
    du_key = child(docdata, "du-key")
    ed_msgs = list(children(docdata, "ed-msg"))
    ed_text = " ".join(
        filter(None, [m.get("info") for m in ed_msgs] + [m.get("msg-type") for m in ed_msgs])
    )

    version = _version(du_key, ed_text, head)
    item_id = _item_id(doc_id, du_key, version)

    issued = _norm_date(child(docdata, "date.issue"))
    released = _norm_date(child(docdata, "date.release"))
    status, signals, embargoed_until = _status(docdata, issued, released, notes)
    signals += _signals(docdata, ed_text, version, signals)

    copyright_ = child(docdata, "doc.copyright")
    agency = pick_agency(
        doc_id.get("regsrc") if doc_id is not None else None,
        copyright_.get("holder") if copyright_ is not None else None,
    )

    hedline = child(body_head, "hedline")
    headline = inline_text(child(hedline, "hl1")) or inline_text(child(head, "title"))
    for hl2 in children(hedline, "hl2"):
        if text := inline_text(hl2):
            notes.append(f"subheadline: {' '.join(text.split())}")

    byline = "; ".join(filter(None, map(_byline, children(body_head, "byline")))) or None

    urgency_el = child(docdata, "urgency")
    urgency = None
    if urgency_el is not None:
        urgency = parse_int(urgency_el.get("ed-urg"), low=1, high=9)
        if urgency is None:
            notes.append(f"urgency {urgency_el.get('ed-urg')!r} is not 1-9; ignored")

    date_hint = issued.date() if issued else None
    return ParsedItem(
        format="nitf",
        body=read_nitf_body(body),
        headline=headline,
        agency=agency,
        item_id=item_id,
        version=version,
        status=status,
        signals=signals,
        urgency=urgency,
        slugline=_slugline(head, du_key),
        byline=byline,
        dateline=_dateline(child(body_head, "dateline"), date_hint),
        date_hint=date_hint,
        subjects=_subjects(head),
        keywords=[
            k.get("key", "").strip()
            for k in children(child(docdata, "key-list"), "keyword")
            if k.get("key", "").strip()
        ],
        language=_language(root, head, body),
        embargoed_until=embargoed_until,
        first_created=issued if version == 1 else None,
        version_created=issued,
        notes=notes,
    )


def _version(du_key, ed_text: str, head) -> int:
    if du_key is not None:
        for attribute in ("version", "generation"):
            number = parse_int(du_key.get(attribute), low=0, high=100_000)
            if number is not None:
                return number
    if m := _VERSION_WORD.search(ed_text):
        return int(m[1])
    revisions = len(list(children(head, "revision-history")))
    return revisions + 1 if revisions else 1


def _item_id(doc_id, du_key, version: int) -> str | None:
    id_string = (doc_id.get("id-string") or "").strip() if doc_id is not None else ""
    if id_string:
        # 'RTR-2024-0412-vote-v3' or 'afp:2024:1234:3' when this is version 3: drop the suffix.
        suffix = re.compile(rf"(?:[-_:.]v?|v){version}$", re.I)
        if version > 1 and suffix.search(id_string):
            trimmed = suffix.sub("", id_string)
            if trimmed:
                return trimmed
        return id_string
    if du_key is not None and (du_key.get("key") or "").strip():
        return du_key.get("key").strip()
    return None


def _norm_date(element) -> datetime | None:
    if element is None:
        return None
    return parse_wire_datetime(element.get("norm")) or parse_wire_datetime(element.text)


def _status(docdata, issued, released, notes: list[str]):
    signals: list[Signal] = []
    raw_status = (
        (docdata.get("management-status") or "").strip().lower() if docdata is not None else ""
    )
    status = _STATUSES.get(raw_status, PubStatus.usable)
    if raw_status and raw_status not in _STATUSES:
        notes.append(f"management-status {raw_status!r} unknown; read as usable")
    if status is PubStatus.canceled:
        signals.append(Signal.kill)
    embargoed_until = None
    if released is not None and (issued is None or released > issued):
        embargoed_until = released
        if status is PubStatus.usable:
            status = PubStatus.embargoed
    elif status is PubStatus.embargoed and released is not None:
        embargoed_until = released
    return status, signals, embargoed_until


def _signals(docdata, ed_text: str, version: int, already: list[Signal]) -> list[Signal]:
    found: list[Signal] = []
    if child(docdata, "correction") is not None or _CORRECTION_WORDS.search(ed_text):
        found.append(Signal.correction)
    if Signal.kill not in already and _KILL_WORDS.search(ed_text):
        found.append(Signal.kill)
    if _UPDATE_WORDS.search(ed_text) or (version > 1 and not found and not already):
        found.append(Signal.update)
    return found


def _slugline(head, du_key) -> str | None:
    for meta in children(head, "meta"):
        if (meta.get("name") or "").strip().lower() in _SLUG_META and meta.get("content"):
            return meta.get("content").strip()
    if du_key is not None and (du_key.get("key") or "").strip():
        return du_key.get("key").strip()
    return None


def _byline(element) -> str | None:
    """'By Jane Doe' plus its title, when given, as 'By Jane Doe, Reuters'."""
    name = spaced_text(element, skip=frozenset({"byttl"}))
    title = spaced_text(child(element, "byttl"))
    if name and title:
        return f"{name.rstrip(',')}, {title}"
    return name or title


def _dateline(element, date_hint) -> Dateline | None:
    location = child(element, "location")
    parts = [spaced_text(part) for part in location] if location is not None else []
    text = spaced_text(element, skip=frozenset({"location"}))
    if any(parts):
        # City, state, country as separate elements read 'ROTTERDAM, Netherlands'.
        lead = ", ".join(p for p in parts if p) or spaced_text(location)
        text = f"{lead}{(' ' + text) if text and not text.startswith(',') else (text or '')}"
    elif location is not None:
        text = f"{spaced_text(location) or ''} {text or ''}"
    text = " ".join((text or "").split()).strip(" -–—:")
    if not text:
        return None
    place = None
    if location is not None:
        place = inline_text(child(location, "city")) or inline_text(location)
    if not place:
        place = text.split(",")[0]
    story_date = child(element, "story.date")
    when = None
    if story_date is not None:
        parsed = parse_wire_datetime(story_date.get("norm"))
        when = parsed.date() if parsed else None
        if when is None and story_date.text:
            when = parse_date_words(
                story_date.text, default_year=date_hint.year if date_hint else None
            )
    return Dateline(text=text, place=title_place(place), date=when)


def _subjects(head) -> list[Subject]:
    found: dict[str, Subject] = {}
    for tobject in children(head, "tobject"):
        for subject in children(tobject, "tobject.subject"):
            code = (subject.get("tobject.subject.refnum") or "").strip()
            if not code or code in found:
                continue
            name = (
                subject.get("tobject.subject.detail")
                or subject.get("tobject.subject.matter")
                or subject.get("tobject.subject.type")
            )
            found[code] = Subject(scheme="subj", code=code, name=name.strip() if name else None)
    return list(found.values())


def _language(*elements) -> str | None:
    for element in elements:
        if element is not None and (code := language_code(element.get(XML_LANG))):
            return code
    return None
