"""ninjs (IPTC News in JSON) 1.x, 2.x and 3.x, and the agencies' own JSON that resembles it.

The three ninjs series name the same things differently: 1.x ``headline``/``body_html``/
``byline``, 2.x ``headlines[]``/``bodies[]``/``by``, 3.x camelCase (``pubStatus``,
``versionCreated``). Superdesk's ninjs exports add ``source`` (the credited agency, which may
differ from ``copyrightholder``, the distributor), ``priority`` and ``located`` (a desk-entered
place, not the copy's dateline). Agencies' own dialects are recognised by their own markers
and read into the same fields:

* AP Media API: ``{"api_version", "data": {"item": {...}}}`` for one item, ``data.items[]
  .item`` for a feed page. The stable id is ``altids.itemid`` (the ``uri`` carries per-request
  tokens), the slug is an ANPA keyword line ('BC-Slug,1st Ld-Writethru') whose take words are
  the version label, ``editorialpriority`` an ANPA priority letter, ``bylines[]`` carry job
  titles apart, ``datelinelocation`` the dateline city. The text is often only a NITF rendition
  link, so a metadata-only item keeps its headline and an empty body.
* dpa digitalwires (``"format": "digitalwires@…"``, ``entry_id``, ``urn``): ``article_html``
  body, ``dateline`` text, ``signal`` ('sig:update'), ``creditline``, ``ednotes[]``,
  ``keyword_names``, ``teaser``; wrapped as ``{"entries": [...]}`` by its queue API.
* Wrappers: a bare list, ``{"items": [...]}``, BBC's ``{"total", "item": [...]}``, AP's
  ``data``: ``split`` makes one document per item.

Bodies may be HTML (stdlib tokeniser, ``workers.formats.htmltext``: nothing fetched or run),
NITF or XHTML carried as a string (read through the safe XML parser and the NITF body reader),
or plain text. Signals come only from what the item says (``signals``, ``signal``, a canceled
status, an editor's note opening with correction, update or kill words, ANPA take words), never
from a version number alone. An embargo time that has passed does not hold the story.

JSON is checked before it is trusted: nesting deeper than 64 levels and numbers longer than
any real field (which can make Python's int parsing slow) raise HostileInputError; malformed
JSON raises ParseError with its line and column.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from schemas import Dateline, PubStatus, Signal, Subject
from workers.encoding import decode_text
from workers.errors import HostileInputError, ParseError
from workers.formats.anpa1312 import ANPA_PRIORITIES
from workers.formats.base import ParsedItem, WireFormat
from workers.formats.htmltext import html_paragraphs
from workers.formats.nitf import dateline_place, read_nitf_body
from workers.formats.versionwords import read_version_words
from workers.formats.wiretime import parse_iso
from workers.formats.xmlread import known_agency, local, pick_agency, read_paragraphs, title_place
from workers.formats.xmlsafe import parse_xml

__all__ = ["MAX_DEPTH", "MAX_NUMBER_CHARS", "Ninjs", "load_json"]

MAX_DEPTH = 64
MAX_NUMBER_CHARS = 40

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
# Schemes by the vocabulary URIs they come from; anything else keeps its own alias.
_SCHEME_URIS = {
    "cv.iptc.org/newscodes/mediatopic": "medtop",
    "cv.iptc.org/newscodes/subjectcode": "subj",
    "cv.iptc.org/newscodes/genre": "genre",
}
_STATUSES = {
    "usable": PubStatus.usable,
    "withheld": PubStatus.withheld,
    "canceled": PubStatus.canceled,
    "cancelled": PubStatus.canceled,
    "embargoed": PubStatus.embargoed,
}
# Keys that make a JSON object a news item rather than a wrapper around items.
_ITEM_KEYS = ("uri", "guid", "urn", "entry_id", "altids", "headline", "headlines", "bodies",
              "body_html", "body_text", "article_html")  # fmt: skip
# Keys under which wrappers hold their items: ninjs lists, BBC's 'item', AP's 'data',
# digitalwires' 'entries'.
_WRAPPER_KEYS = ("items", "item", "entries", "data", "results")
# Editors' notes open with what the version does, often after 'Eds:' (AP) or 'Note:'.
_NOTE_LEAD = r"^\W*(?:(?:eds?|editors?|note(?: to editors)?|ednote|ed note)\s*[.:]\s*)?"
_CORRECTION_NOTE = re.compile(
    _NOTE_LEAD + r"(?:correct(?:ion|ed|s|ing)?|correctif|rectificaci|berichtigung|korrektur|"
    r"rettifica)",
    re.IGNORECASE,
)
_UPDATE_NOTE = re.compile(
    _NOTE_LEAD + r"(?:updat(?:e|es|ed|ing)\b|adds\b|recasts?\b|write-?thru|refiled?\b|"
    r"new lead|\d+(?:st|nd|rd|th)\s*l(?:ea)?d\b|aktualisier|actualiza)",
    re.IGNORECASE,
)
_KILL_NOTE = re.compile(
    _NOTE_LEAD + r"(?:(?:mandatory )?kill\b|killed\b|withdrawn\b|withdraws?\b|elimination\b)",
    re.IGNORECASE,
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Markup in a field that does not say it is markup: '<p>', '</p>', '<br/>'.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


def _now() -> datetime:
    """Now, for embargo checks; a function so tests can fix the clock."""
    return datetime.now(UTC)


class Ninjs(WireFormat):
    name = "ninjs"

    def sniff(self, raw: bytes) -> float:
        head = raw[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head[:1] not in (b"{", b"["):
            return 0.0
        # A list of ninjs items opens with an object; '[…]' or '[Updated]' is wire prose.
        if head[:1] == b"[" and head[1:].lstrip()[:1] not in (b"{", b"]"):
            return 0.0
        keys = (b'"uri"', b'"guid"', b'"headline', b'"body_', b'"bodies"', b'"versioncreated"',
                b'"versionCreated"', b'"pubstatus"', b'"pubStatus"', b'"items"',
                b'"api_version"', b'"altids"', b'"entry_id"', b'"article_html"',
                b'"digitalwires')  # fmt: skip
        hits = sum(k in head for k in keys)
        return 0.9 if hits >= 2 else 0.5 if hits == 1 else 0.2

    def split(self, raw: bytes) -> list[bytes]:
        """A JSON list of items, or a wrapper holding several, becomes one document per item.

        Copy that does not load, a single item and a wrapper around one item are returned
        whole, so that each gets its own receipt (and parse error) as sent.
        """
        try:
            doc = load_json(raw)
        except ParseError:
            return [raw]
        items = _items(doc)
        if items is None or (len(items) == 1 and not isinstance(doc, list)):
            return [raw]
        return [json.dumps(entry, ensure_ascii=False).encode("utf-8") for entry in items]

    def parse(self, raw: bytes) -> ParsedItem:
        doc = load_json(raw)
        if not isinstance(doc, dict):
            kind = "a list" if isinstance(doc, list) else type(doc).__name__
            raise ParseError(f"a ninjs item is a JSON object, not {kind}", format=self.name,
                             position="line 1, column 1")  # fmt: skip
        items = _items(doc)
        if items is not None:
            if len(items) != 1:
                raise ParseError(f"a wrapper of {len(items)} items: split() it first",
                                 format=self.name, position="line 1, column 1")  # fmt: skip
            return _read(items[0])
        return _read(doc)


def load_json(raw: bytes) -> Any:
    """Decode and load JSON after checking its depth and numbers. Raises ParseError (or
    HostileInputError) with a line and column."""
    text, _ = decode_text(raw)
    if not text.strip():
        raise ParseError("empty document", format="ninjs", position="line 1, column 1")
    _check_depth(text)
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float,
                          parse_constant=_reject_constant)  # fmt: skip
    except json.JSONDecodeError as exc:
        raise ParseError(f"malformed JSON: {exc.msg}", format="ninjs",
                         position=f"line {exc.lineno}, column {exc.colno}") from None  # fmt: skip


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _check_depth(text: str) -> None:
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token[0]
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise HostileInputError(
                    f"JSON nested deeper than {MAX_DEPTH} levels; no news item needs that",
                    format="ninjs",
                    position=_position(text, token.start()),
                )
        elif char in "]}":
            depth -= 1


def _parse_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise HostileInputError(f"a number of {len(text)} digits; no ninjs field holds one",
                                format="ninjs")  # fmt: skip
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if len(text) > MAX_NUMBER_CHARS or value in (float("inf"), float("-inf")):
        raise HostileInputError(f"a number too large to be data: {text[:24]}...", format="ninjs")
    return value


def _reject_constant(name: str) -> float:
    raise ParseError(f"{name} is not JSON", format="ninjs")


def _is_item(doc: Any) -> bool:
    return isinstance(doc, dict) and any(doc.get(k) not in (None, "", []) for k in _ITEM_KEYS)


def _items(doc: Any) -> list[dict] | None:
    """The items a wrapper holds, unwrapped; None when ``doc`` is an item itself (or nothing
    that looks like news)."""
    if isinstance(doc, list):
        return [_entry(e) for e in doc if isinstance(e, dict)]
    if not isinstance(doc, dict) or _is_item(doc):
        return None
    for key in _WRAPPER_KEYS:
        value = doc.get(key)
        if isinstance(value, list) and any(isinstance(e, dict) for e in value):
            return [_entry(e) for e in value if isinstance(e, dict)]
        if isinstance(value, dict):
            if _is_item(value):
                return [value]
            if (inner := _items(value)) is not None:
                return inner
    return None


def _entry(entry: dict) -> dict:
    """AP feed entries are ``{"meta": ..., "item": {...}}``: the item is what counts."""
    inner = entry.get("item")
    if not _is_item(entry) and _is_item(inner):
        return inner
    return entry


def _get(doc: dict, *names: str) -> Any:
    for name in names:
        if doc.get(name) not in (None, "", []):
            return doc[name]
    return None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _read(doc: dict) -> ParsedItem:
    item = ParsedItem(format="ninjs", body=[])
    item.item_id = _item_id(doc)
    item.version = _version(_get(doc, "version"))
    _read_status(doc, item)
    item.urgency = _urgency(doc, item.notes)
    item.headline = _headline(doc)
    item.body = _body(doc, item)
    item.byline = _byline(doc)
    item.slugline = _slugline(doc, item)
    item.subjects = _subjects(_get(doc, "subject", "subjects") or [])
    keywords = _get(doc, "keywords", "keyword_names")
    item.keywords = (
        [k for k in keywords if isinstance(k, str)] if isinstance(keywords, list) else []
    )
    item.dateline = _dateline(doc, item.byline)
    if language := _text(_get(doc, "language")):
        primary = language.split("-")[0].split("_")[0].lower()
        item.language = primary if len(primary) == 2 else None
    item.first_created = parse_iso(_get(doc, "firstcreated", "firstCreated", "first_created"))
    item.version_created = parse_iso(
        _get(doc, "versioncreated", "versionCreated", "version_created")
    )
    item.agency = _agency(doc)
    # Datelines in ninjs copy rarely print a date; the item's own creation date is the one.
    created = item.first_created or item.version_created
    item.date_hint = created.date() if created else None
    _read_notes(doc, item)
    # A correction or a kill is a later version, but 'update' would say less than they do.
    if Signal.correction in item.signals or Signal.kill in item.signals:
        item.signals = [s for s in item.signals if s is not Signal.update]
    item.signals = list(dict.fromkeys(item.signals))
    return item


def _item_id(doc: dict) -> str | None:
    """AP's ``altids.itemid`` first: its ``uri`` carries request tokens that change between
    the feed and the item endpoint. Then the ninjs ids, digitalwires' ``urn`` (the story, where
    ``entry_id`` is one delivery), a plain ``id``."""
    altids = doc.get("altids")
    if isinstance(altids, dict) and (itemid := _text(altids.get("itemid"))):
        return itemid
    if found := _text(_get(doc, "uri", "guid", "urn", "entry_id")):
        return found
    plain = doc.get("id")
    if isinstance(plain, int) and not isinstance(plain, bool):
        return str(plain)
    return _text(plain)


def _version(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return max(value, 0)
    if isinstance(value, str) and (m := re.match(r"\s*(\d{1,9})", value)):
        return int(m[1])
    return 1


def _code_word(value: str) -> str:
    """'stat:usable', '.../pubstatusg2/usable' -> 'usable'."""
    return re.split(r"[:/]", value.strip().rstrip("/"))[-1].lower()


def _signal_words(doc: dict) -> list[str]:
    """Signal codes wherever the dialects put them: ninjs ``signals`` (strings or objects),
    digitalwires' ``signal`` string and its ``dnltype:signal`` categories."""
    words: list[str] = []
    raw = doc.get("signals")
    for signal in raw if isinstance(raw, list) else [raw] if raw else []:
        word = signal if isinstance(signal, str) else (signal or {}).get("code") or ""
        words.append(str(word))
    if isinstance(doc.get("signal"), str):
        words.append(doc["signal"])
    for category in doc.get("categories") or []:
        if isinstance(category, dict) and str(category.get("type", "")).endswith("signal"):
            words.append(str(category.get("qcode") or category.get("name") or ""))
    return [_code_word(w) for w in words if w]


def _read_status(doc: dict, item: ParsedItem) -> None:
    raw = _get(doc, "pubstatus", "pubStatus")
    if isinstance(raw, str):
        status = _STATUSES.get(_code_word(raw))
        if status is None:
            # An unknown status is held rather than published on a guess.
            item.notes.append(f"unknown pubstatus {raw!r}; withheld for an editor")
            status = PubStatus.withheld
        item.status = status
    if item.status is PubStatus.canceled:
        item.signals.append(Signal.kill)
    for word in _signal_words(doc):
        for candidate in Signal:
            if word.startswith(candidate.value[:5]):
                item.signals.append(candidate)
    embargo = _get(doc, "embargoed", "embargo")
    if embargo is not None:
        until = parse_iso(embargo)
        if until is None:
            item.notes.append(f"embargo {embargo!r} not understood; held for an editor")
        # Only an embargo still to come holds the story; a passed one is kept for the record.
        if item.status is PubStatus.usable and (until is None or until > _now()):
            item.status = PubStatus.embargoed
        item.embargoed_until = until


def _urgency(doc: dict, notes: list[str]) -> int | None:
    """``urgency``, else Superdesk's ``priority``, else AP's ANPA ``editorialpriority``."""
    for key in ("urgency", "priority"):
        value = _get(doc, key)
        if value is None:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value <= 9:
            return int(value)
        notes.append(f"{key} {value!r} is outside 1-9 and was dropped")
        return None
    letter = _text(_get(doc, "editorialpriority"))
    if letter and letter.lower() in ANPA_PRIORITIES:
        return ANPA_PRIORITIES[letter.lower()]
    return None


def _pick(entries: Any) -> list[dict]:
    """Headline or body entries, the main one first, those without a role next."""
    if not isinstance(entries, list):
        return []
    entries = [e for e in entries if isinstance(e, dict) and isinstance(e.get("value"), str)]
    return sorted(entries, key=lambda e: {"main": 0, None: 1}.get(e.get("role"), 2))


def _headline(doc: dict) -> str | None:
    if headline := _text(_get(doc, "headline")):
        return headline
    for entry in _pick(_get(doc, "headlines")):
        if text := _text(entry["value"]):
            return " ".join(html_paragraphs(text)) if "<" in text else text
    return _text(_get(doc, "title"))


def _plain_paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    pattern = r"\n\s*\n" if re.search(r"\n\s*\n", text) else r"\n"
    return [" ".join(p.split()) for p in re.split(pattern, text) if p.strip()]


def _xml_paragraphs(text: str) -> list[str]:
    """A NITF document or XHTML fragment carried as a JSON string, read through the safe
    parser; markup that does not parse is read as HTML, never refused."""
    try:
        root = parse_xml(_XML_DECLARATION.sub("", text).encode("utf-8"), format="ninjs").root
    except (ParseError, HostileInputError):
        return html_paragraphs(text)
    if local(root) == "nitf":
        return read_nitf_body(next((c for c in root if local(c) == "body"), None))
    body = next((c for c in root.iter() if isinstance(c.tag, str) and local(c) == "body"), None)
    return read_paragraphs(body if body is not None else root)


def _markup_paragraphs(value: str, kind: str) -> list[str]:
    kind = kind.lower()
    if "nitf" in kind or (kind.endswith("xml") and "html" not in kind):
        return _xml_paragraphs(value)
    if "html" in kind or _TAG.search(value[:400]):
        return html_paragraphs(value)
    return _plain_paragraphs(value)


def _body(doc: dict, item: ParsedItem) -> list[str]:
    """The story text, richest form first: ``bodies[]``, HTML or XHTML, NITF, plain text;
    a description (a brief, a caption, a teaser) only when there is no body."""
    for entry in _pick(_get(doc, "bodies")):
        kind = str(entry.get("contenttype") or entry.get("contentType") or "text/plain")
        if paragraphs := _markup_paragraphs(entry["value"], kind):
            return paragraphs
    for key, kind in (("body_html", "html"), ("body_xhtml", "html"), ("article_html", "html"),
                      ("body_nitf", "nitf"), ("body_xml", "xml")):  # fmt: skip
        if (text := _text(doc.get(key))) and (paragraphs := _markup_paragraphs(text, kind)):
            return paragraphs
    nitf = doc.get("nitf")
    if isinstance(nitf, dict):
        nitf = _get(nitf, "body_html", "body", "value")
    if (text := _text(nitf)) and (paragraphs := _markup_paragraphs(text, "nitf")):
        return paragraphs
    if text := _text(_get(doc, "body_text", "body")):
        return _plain_paragraphs(text)
    description = _text(
        _get(doc, "description_text", "description_caption", "teaser", "headline_extended")
    )
    if description is None:
        for entry in _pick(_get(doc, "descriptions")):
            description = _text(entry["value"])
            break
    if description:
        item.notes.append("body taken from the description: the item has no body")
        return _markup_paragraphs(description, "text")
    if isinstance(doc.get("renditions"), dict) and "nitf" in doc["renditions"]:
        item.notes.append("metadata only: the text is in the NITF rendition")
    return []


def _byline(doc: dict) -> str | None:
    """``byline`` or ``by`` as carried; AP's ``bylines[]`` without their job titles."""
    value = _get(doc, "byline", "by")
    if isinstance(value, str):
        return value.strip() or None
    if value is None:
        value = _get(doc, "bylines")
    if isinstance(value, list):
        names = [v.get("name") or v.get("by") if isinstance(v, dict) else v for v in value]
        names = [n.strip() for n in names if isinstance(n, str) and n.strip()]
        return ", ".join(names) or None
    return None


def _slugline(doc: dict, item: ParsedItem) -> str | None:
    """The slug as carried. An ANPA keyword line ('BC-Slug,1st Ld-Writethru', as AP's API
    sends it) keeps the keyword; its take words become the version label, and correction or
    kill words their signals (a lead or write-through is a version, not a signal)."""
    slug = _text(_get(doc, "slugline", "slug"))
    if slug and "," in slug:
        keyword, _, take = slug.partition(",")
        words = read_version_words(take)
        if keyword.strip() and (words.version > 1 or words.signals):
            # The item's own version field stays the version; the words are its label.
            item.version_label = take.strip()
            item.signals.extend(words.signals)
            if words.status is PubStatus.canceled and item.status is PubStatus.usable:
                item.status = PubStatus.canceled
            return keyword.strip()
    return slug


def _dateline(doc: dict, byline: str | None) -> Dateline | None:
    """The dateline the item's metadata gives; normalise prefers the one printed at the start
    of the copy and only falls back to this one.

    A dateline field of the dialect (digitalwires ``dateline``, AP ``datelinelocation``) comes
    first. Superdesk exports fill ``located`` from the dateline's city, so it is the fallback;
    but desks also leave other text there (a byline pasted into it), so a ``located`` that
    repeats the byline or is no place is not used.
    """
    raw = doc.get("dateline")
    if isinstance(raw, dict):
        raw = _get(raw, "text", "value")
    if text := _text(raw):
        text = " ".join(text.split()).strip(" -–—:")
        if place := dateline_place(text):
            return Dateline(text=text, place=title_place(place))
    location = doc.get("datelinelocation")
    if isinstance(location, dict) and (city := _text(location.get("city"))):
        return Dateline(text=city, place=title_place(city))
    located = _text(_get(doc, "located"))
    if located is None:
        return None
    located = " ".join(located.split())
    city = located.split(",")[0].strip()
    if byline and city.lower() in byline.lower():
        return None
    if place := dateline_place(located):
        return Dateline(text=located, place=title_place(place))
    return None


def _subjects(entries: Any) -> list[Subject]:
    found: list[Subject] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        code = str(entry.get("code") or entry.get("qcode") or "")
        uri = str(entry.get("uri") or "")
        scheme = str(entry.get("scheme") or "")
        name = _text(entry.get("name"))
        if ":" in code and not code.startswith("http"):
            scheme, code = code.split(":", 1)
        elif uri and not code:
            base, _, code = uri.rstrip("/").rpartition("/")
            scheme = scheme or base
        if not code:
            continue
        for known_uri, alias in _SCHEME_URIS.items():
            if known_uri in scheme:
                scheme = alias
        if scheme.startswith("http"):
            scheme = scheme.rstrip("/").rsplit("/", 1)[-1]
        found.append(Subject(scheme=scheme or "ninjs", code=code, name=name))
    return list(dict.fromkeys(found))


def _names(value: Any) -> list[str]:
    """A name field as a string, an object with a name, or a list of either."""
    values = value if isinstance(value, list) else [value]
    out = []
    for entry in values:
        if isinstance(entry, dict):
            entry = entry.get("name")
        if isinstance(entry, str) and entry.strip():
            out.append(entry.strip())
    return out


def _agency(doc: dict) -> str | None:
    """The credited agency: the story's ``source`` or credit line, then an information source
    that is an agency we know, then the copyright holder and the provider, who may only be
    distributing it (Superdesk exports carry the distributor as copyrightholder)."""
    credits = _names(_get(doc, "source")) + _names(_get(doc, "creditline", "credit"))
    sources = _names(_get(doc, "infosource", "infosources", "infoSources"))
    credits += [n for n in sources if known_agency(n)]
    for category in doc.get("categories") or []:
        if isinstance(category, dict) and str(category.get("type", "")).endswith("provider"):
            credits += _names(category)
    for name in [
        *credits,
        *_names(_get(doc, "copyrightholder", "copyrightHolder")),
        *_names(_get(doc, "provider")),
    ]:
        if agency := pick_agency(name):
            return agency
    return known_agency(_text(_get(doc, "copyrightnotice", "copyrightNotice")))


def _notes(doc: dict) -> list[str]:
    """Editors' notes: ninjs ``ednote``/``edNote``, digitalwires' publishable ``ednotes``."""
    notes = [n for key in ("ednote", "edNote") if (n := _text(doc.get(key)))]
    for entry in doc.get("ednotes") or []:
        publishable = isinstance(entry, dict) and entry.get("is_publishable", True)
        if publishable and (note := _text(entry.get("ednote"))):
            notes.append(note)
    return notes


def _read_notes(doc: dict, item: ParsedItem) -> None:
    for note in _notes(doc):
        item.notes.append(note)
        if _CORRECTION_NOTE.match(note):
            item.signals.append(Signal.correction)
        elif _KILL_NOTE.match(note):
            item.signals.append(Signal.kill)
        elif _UPDATE_NOTE.match(note):
            item.signals.append(Signal.update)
