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
* TT: ``body_html5`` (or a ``bodies[]`` entry with role 'html5' beside a plain-text one that
  runs the headline and dat line into the text): an ``<h1>`` repeating the headline, a
  ``<div class="dat">`` line of vignette and source, a byline block and figures, none of them
  copy. The vignette is a place on located stories and a topic label on others: it is the
  dateline only when ``place[]`` names it. ``byline`` 'Name/TT' is kept as carried; its
  credit names the agency when nothing else does. ``replacing[]`` lists earlier versions.
* Reuters Connect API: ``{"data": {"item": {...}}}`` (or ``data.search.items[]``) in
  camelCase, ``headLine``, ``byLine``, ``bodyXhtml``, ``fragment``; no credit field, so the
  ``tag:reuters.com,…`` namespace of the uri names the provider.
* NTB ninjs 2/3: text only in ``descriptions[]``, ``edNote`` in Norwegian ('Noe utvidet.').
* Superdesk installs' own exports: a service or desk name in ``source`` ('politic',
  'NaregsDesk') and the software's default ``copyrightholder`` name no agency; embedded
  figures in ``body_html`` carry captions that are not the story.
* Wrappers: a bare list, ``{"items": [...]}``, BBC's ``{"total", "item": [...]}``, AP's
  ``data``: ``split`` makes one document per item.

Field names are folded before they are read ('headLine', 'head_line' and 'headline' are one
field), so the dialects' spellings need no list of their own.

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
from html.parser import HTMLParser
from typing import Any, TypeGuard

from schemas import Dateline, PubStatus, Signal, Subject
from workers.dateline import AGENCIES
from workers.encoding import decode_text
from workers.errors import HostileInputError, ParseError
from workers.formats.anpa1312 import ANPA_PRIORITIES
from workers.formats.base import ParsedItem, WireFormat
from workers.formats.htmltext import html_paragraphs
from workers.formats.nitf import dateline_place, read_nitf_body, split_headline_marker
from workers.formats.versionwords import read_version_words
from workers.formats.wiretime import parse_iso
from workers.formats.xmlread import known_agency, local, pick_agency, read_paragraphs, title_place
from workers.formats.xmlsafe import parse_xml

__all__ = ["MAX_DEPTH", "MAX_NUMBER_CHARS", "Ninjs", "load_json"]


def _wordset(words: str) -> frozenset[str]:
    """A set of words written as one string, for word lists too long to read as a literal."""
    return frozenset(words.split())


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
# Keys (folded: lower case, no underscores, see ``_fold_key``) that make a JSON object a news
# item rather than a wrapper around items.
_ITEM_KEYS = frozenset(("uri", "guid", "urn", "entryid", "altids", "usn", "versionedguid",
                        "headline", "headlines", "bodies", "bodyhtml", "bodyhtml5", "bodyxhtml",
                        "bodyxhtmlrich", "bodytext", "articlehtml"))  # fmt: skip
# Body fields by folded name and the markup they hold, in order of preference (Reuters'
# 'bodyXhtmlRich' is the same text with media embedded: the plain one first).
_BODY_FIELDS = (("bodyhtml", "html"), ("bodyhtml5", "html"), ("bodyxhtml", "xhtml"),
                ("bodyxhtmlrich", "xhtml"), ("articlehtml", "html"), ("bodynitf", "nitf"),
                ("bodyxml", "xml"))  # fmt: skip
# Keys under which wrappers hold their items: ninjs lists, BBC's 'item', AP's 'data',
# digitalwires' 'entries', Reuters' GraphQL 'data.search.items'.
_WRAPPER_KEYS = ("items", "item", "entries", "data", "results", "search")
# Editors' notes open with what the version does, often after 'Eds:' (AP) or 'Note:'.
# Scandinavian desks qualify the word: NTB's 'Noe utvidet.' ('somewhat expanded').
_NOTE_LEAD = (
    r"^\W*(?:(?:eds?|editors?|note(?: to editors)?|ednote|ed note)\s*[.:]\s*)?"
    r"(?:(?:noe|litt|lidt|något|lite|kraftig|kraftigt)\s+)?"
)
_CORRECTION_NOTE = re.compile(
    _NOTE_LEAD + r"(?:correct(?:ion|ed|s|ing)?|correctif|rectificaci|berichtigung|korrektur|"
    r"rettifica|korrigert|korrigeret|korrigerad|rettet\b|rättad|rettelse|korjattu)",
    re.IGNORECASE,
)
_UPDATE_NOTE = re.compile(
    _NOTE_LEAD + r"(?:updat(?:e|es|ed|ing)\b|adds\b|recasts?\b|write-?thru|refiled?\b|"
    r"new lead|\d+(?:st|nd|rd|th)\s*l(?:ea)?d\b|aktualisier|actualiza|oppdater|opdater|"
    r"uppdater|utvidet|udvidet|utökad|utvidgad|päivitetty|laajennettu)",
    re.IGNORECASE,
)
_KILL_NOTE = re.compile(
    _NOTE_LEAD + r"(?:(?:mandatory )?kill\b|killed\b|withdrawn\b|withdraws?\b|elimination\b|"
    r"trukket|tilbaketrukket|makulert|stoppet|dras tillbaka|indragen)",
    re.IGNORECASE,
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Markup in a field that does not say it is markup: '<p>', '</p>', '<br/>'.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
# Short texts that stand in for a body when there is none: a brief, a caption, a teaser.
_DESCRIPTION_FIELDS = ("descriptiontext", "descriptioncaption", "teaser", "headlineextended",
                       "fragment", "intro", "caption")  # fmt: skip
# HTML bodies: block elements end paragraphs; skipped elements' text is no body text (active
# content, the document head, figures and their captions); void elements have no end tag.
_HTML_BLOCKS = _wordset(
    "p div br h1 h2 h3 h4 h5 h6 li ul ol blockquote pre tr table section article header "
    "footer figure figcaption hr dd dt dl aside main"
)
_HTML_SKIPPED = _wordset(
    "script style template noscript iframe object svg math head title figure figcaption "
    "aside picture video audio"
)
_HTML_VOID = _wordset("br hr img input meta link area base col embed source track wbr")
_HTML_INLINE = _wordset("span b strong em i small")
# Classes by which agencies mark furniture in an HTML body (TT: 'dat' with 'vignette' and
# 'source', 'byline'); their text is kept apart from the copy.
_HTML_MARKS = _wordset("dateline byline source vignette kicker dat credit caption")
# Values Superdesk installs leave in credit fields that name no agency: the software's own
# default copyright holder, and service or desk words.
_NOT_AGENCIES = _wordset(
    "sourcefabric superdesk politics politic sport sports news nyheter nyheder economy "
    "business culture kultur general world domestic foreign national international local "
    "regional innenriks utenriks inrikes utrikes indland udland"
)
# Fields naming the items an item replaces (folded names).
_REPLACES_FIELDS = ("replacing", "replaces", "supersedes", "evolvedfrom")
# Fields whose entries name what the story is about or which service carries it.
_CATEGORY_FIELDS = ("subject", "subjects", "service", "anpacategory", "genre", "product",
                    "products", "categories")  # fmt: skip
_COPYRIGHT_WORDS = re.compile(r"©|\(c\)|copyright|rights reserved|\b\d{4}\b", re.I)
_DESK_WORDS = re.compile(r"desk|service|tjeneste|tjänst|redaksjon|redaktion|newsroom", re.I)
# 'Name/TT', 'Photo/AP/TT', 'Name (AFP)': the credit at a byline's end.
_BYLINE_CREDIT = re.compile(r"(?:/\s*|\(\s*)([A-Za-z][\w-]{1,14})\s*\)?\s*$")
# The domain an id is minted under: 'tag:reuters.com,2023:', 'http://tt.se/', 'urn:newsml:dpa.com:'.
_URI_DOMAIN = re.compile(
    r"^(?:tag:|https?://|urn:(?:newsml:)?)(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})[,/:]",
    re.I,
)
# Agencies by the name their domain spells without spaces: 'businesswire.com', 'tt.se'.
_AGENCY_DOMAINS = {key.replace(" ", "").replace("-", ""): name for key, name in AGENCIES.items()}
_VERSION_SEGMENT = re.compile(r"v?\d+(?:\.\d+)*")


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
        doc = json.loads(text, parse_int=_parse_int, parse_float=_parse_float,
                         parse_constant=_reject_constant)  # fmt: skip
    except json.JSONDecodeError as exc:
        raise ParseError(f"malformed JSON: {exc.msg}", format="ninjs",
                         position=f"line {exc.lineno}, column {exc.colno}") from None  # fmt: skip
    # '\ud800' escaped alone loads as a lone surrogate, which no UTF-8 can carry: the item
    # could be neither split (re-encoded) nor published. Such a half character is replaced.
    return _without_lone_surrogates(doc) if _SURROGATE_ESCAPE.search(text) else doc


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(doc: Any) -> Any:
    if isinstance(doc, str):
        return _LONE_SURROGATE.sub("\ufffd", doc)
    if isinstance(doc, list):
        return [_without_lone_surrogates(v) for v in doc]
    if isinstance(doc, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in doc.items()}
    return doc


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _check_depth(text: str) -> None:
    # Fewer brackets than the limit cannot nest past it (brackets inside strings only add to
    # the count), and that is nearly every item: the scan below is for the rest.
    if text.count("{") + text.count("[") <= MAX_DEPTH:
        return
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


def _fold_key(key: str) -> str:
    """'headLine', 'head_line', 'headline' -> 'headline': the dialects spell one field in
    camelCase (ninjs 3, Reuters' API), snake_case (Superdesk) or flat (ninjs 1). A leading
    underscore (Superdesk's '_id', '_etag') marks an internal field and is kept."""
    return (key[:1] + key[1:].replace("_", "")).lower()


def _fold(doc: dict[str, Any]) -> dict[str, Any]:
    """An item's top-level fields under folded names; the first non-empty spelling wins."""
    folded: dict[str, Any] = {}
    for key, value in doc.items():
        name = _fold_key(key)
        if folded.get(name) in (None, "", []):
            folded[name] = value
    return folded


def _is_item(doc: Any) -> TypeGuard[dict[str, Any]]:
    if not isinstance(doc, dict):
        return False
    return any(value not in (None, "", []) and _fold_key(key) in _ITEM_KEYS
               for key, value in doc.items())  # fmt: skip


def _items(doc: Any) -> list[dict[str, Any]] | None:
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


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    """AP feed entries are ``{"meta": ..., "item": {...}}``: the item is what counts."""
    inner = entry.get("item")
    if not _is_item(entry) and _is_item(inner):
        return inner
    return entry


def _get(doc: dict[str, Any], *names: str) -> Any:
    for name in names:
        if doc.get(name) not in (None, "", []):
            return doc[name]
    return None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _read(raw_doc: dict[str, Any]) -> ParsedItem:
    doc = _fold(raw_doc)
    item = ParsedItem(format="ninjs", body=[])
    item.item_id = _item_id(doc)
    item.version = _version(_get(doc, "version"))
    _read_status(doc, item)
    item.urgency = _urgency(doc, item.notes)
    marker, item.headline = split_headline_marker(_headline(doc))
    if marker:
        item.notes.append(f"headline marker: {marker}")
    marks: dict[str, str] = {}
    item.body = _body(doc, item, marks)
    if item.body and item.headline and item.body[0] == " ".join(item.headline.split()):
        # HTML5 bodies (TT) open with the headline as <h1>: it is not the copy's first paragraph.
        item.body = item.body[1:]
    item.byline = _byline(doc) or marks.get("byline")
    item.slugline = _slugline(doc, item)
    item.subjects = _subjects(_get(doc, "subject", "subjects") or [])
    keywords = _get(doc, "keywords", "keywordnames")
    item.keywords = (
        [k for k in keywords if isinstance(k, str)] if isinstance(keywords, list) else []
    )
    item.dateline = _dateline(doc, item.byline, marks.get("dateline")) or _vignette_dateline(
        doc, marks.get("vignette")
    )
    if language := _text(_get(doc, "language", "lang")):
        primary = language.split("-")[0].split("_")[0].lower()
        item.language = primary if len(primary) == 2 else None
    item.first_created = parse_iso(_get(doc, "firstcreated"))
    item.version_created = parse_iso(_get(doc, "versioncreated"))
    item.agency = _agency(doc, item, marks.get("source"))
    item.replaces = _replaces(doc, item.item_id)
    # Datelines in ninjs copy rarely print a date; the item's own creation date is the one.
    created = item.first_created or item.version_created
    item.date_hint = created.date() if created else None
    _read_notes(doc, item)
    # A correction or a kill is a later version, but 'update' would say less than they do.
    if Signal.correction in item.signals or Signal.kill in item.signals:
        item.signals = [s for s in item.signals if s is not Signal.update]
    item.signals = list(dict.fromkeys(item.signals))
    return item


def _item_id(doc: dict[str, Any]) -> str | None:
    """AP's ``altids.itemid`` first: its ``uri`` carries request tokens that change between
    the feed and the item endpoint. Then the ninjs ids, digitalwires' ``urn`` (the story, where
    ``entry_id`` is one delivery), a plain ``id``."""
    altids = doc.get("altids")
    if isinstance(altids, dict) and (itemid := _text(altids.get("itemid"))):
        return itemid
    if found := _text(_get(doc, "uri", "guid", "urn", "entryid")):
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


def _signal_words(doc: dict[str, Any]) -> list[str]:
    """Signal codes wherever the dialects put them: ninjs ``signals`` (strings or objects),
    digitalwires' ``signal`` string and its ``dnltype:signal`` categories."""
    words: list[str] = []
    raw = doc.get("signals")
    for signal in raw if isinstance(raw, list) else [raw] if raw else []:
        code = signal.get("code") if isinstance(signal, dict) else None
        word = signal if isinstance(signal, str) else code or ""
        words.append(str(word))
    if isinstance(doc.get("signal"), str):
        words.append(doc["signal"])
    categories = doc.get("categories")
    for category in categories if isinstance(categories, list) else []:
        if isinstance(category, dict) and str(category.get("type", "")).endswith("signal"):
            words.append(str(category.get("qcode") or category.get("name") or ""))
    return [_code_word(w) for w in words if w]


def _read_status(doc: dict[str, Any], item: ParsedItem) -> None:
    raw = _get(doc, "pubstatus")
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


def _urgency(doc: dict[str, Any], notes: list[str]) -> int | None:
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


def _pick(entries: Any) -> list[dict[str, Any]]:
    """Headline or body entries, the main one first, those without a role next."""
    if not isinstance(entries, list):
        return []
    entries = [e for e in entries if isinstance(e, dict) and isinstance(e.get("value"), str)]
    return sorted(entries, key=_role_rank)


def _role_rank(entry: dict[str, Any]) -> int:
    """'main' first, no role next, any other role (or a role that is no string) last."""
    role = entry.get("role")
    return {"main": 0, None: 1}.get(role, 2) if role is None or isinstance(role, str) else 2


def _body_rank(entry: dict[str, Any]) -> tuple[int, int]:
    """Body entries: the main one first, then the richest markup (TT sends the same text as
    plain text with the headline and dat line run in, as HTML5 and as its own XML)."""
    role = _role_rank(entry)
    kind = str(entry.get("contenttype") or entry.get("contentType") or "").lower()
    return role, 0 if "html" in kind else 1 if "xml" in kind else 2


def _headline(doc: dict[str, Any]) -> str | None:
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


class _HtmlBody(HTMLParser):
    """Paragraphs of an agency's HTML body without its furniture.

    Like ``htmltext.html_paragraphs`` (stdlib tokeniser, script and embeds dropped), and also:
    figures and their captions are left out (a picture's caption is not the story), and the
    elements agencies mark by class (TT's ``dat`` line with its ``vignette`` and ``source``,
    ``byline`` and ``dateline`` blocks) are taken out of the text and kept in ``marks``. Marked
    inline elements stay in their paragraph, where normalise reads the copy's dateline.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.marks: dict[str, str] = {}
        self._current: list[str] = []
        # Open elements whose text is not body text:
        # [tag, nesting depth, mark class, text, whether the text stays in the paragraph].
        self._frames: list[list[Any]] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.paragraphs.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_VOID:
            if tag in _HTML_BLOCKS and not self._frames:
                self._flush()
            return
        for frame in self._frames:
            if frame[2]:
                frame[3].append(" ")  # 'Försvar' 'TT' in spans of one line stay two words
        classes = (dict(attrs).get("class") or "").lower().split()
        mark = next((c for c in classes if c in _HTML_MARKS), None)
        if mark and tag in _HTML_INLINE:
            # A dateline or credit marked inside a paragraph stays in it ('<span
            # class="dateline">Kiel</span> (dpa) -'): recorded, and left for normalise.
            self._frames.append([tag, 0, mark, [], True])
        elif mark or tag in _HTML_SKIPPED:
            if not self._frames and tag in _HTML_BLOCKS:
                self._flush()
            self._frames.append([tag, 0, mark, [], False])
        else:
            # The same tag nested inside an open frame: its end tag is not the frame's.
            for frame in self._frames:
                if frame[0] == tag:
                    frame[1] += 1
            if tag in _HTML_BLOCKS and not self._frames:
                self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_BLOCKS and not self._frames:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._frames) - 1, -1, -1):
            frame = self._frames[index]
            if frame[0] != tag:
                continue
            if frame[1]:
                frame[1] -= 1
                return
            for closed in reversed(self._frames[index:]):
                if closed[2] and (text := " ".join("".join(closed[3]).split())):
                    self.marks.setdefault(closed[2], text)
            del self._frames[index:]
            if tag in _HTML_BLOCKS and not self._frames:
                self._flush()
            return
        if tag in _HTML_BLOCKS and not self._frames:
            self._flush()

    def handle_data(self, data: str) -> None:
        keep = True
        for frame in self._frames:
            if frame[2]:
                frame[3].append(data)
            keep = keep and frame[4]
        if keep:
            self._current.append(data)


def _html_body(html: str, marks: dict[str, str] | None = None) -> list[str]:
    parser = _HtmlBody()
    parser.feed(html)
    parser.close()
    parser._flush()
    if marks is not None:
        for key, value in parser.marks.items():
            marks.setdefault(key, value)
    return parser.paragraphs


def _xml_paragraphs(text: str, marks: dict[str, str]) -> list[str]:
    """A NITF document or XHTML fragment carried as a JSON string, read through the safe
    parser; markup that does not parse is read as HTML, never refused."""
    try:
        root = parse_xml(_XML_DECLARATION.sub("", text).encode("utf-8"), format="ninjs").root
    except (ParseError, HostileInputError):
        return _html_body(text, marks)
    if local(root) == "nitf":
        return read_nitf_body(next((c for c in root if local(c) == "body"), None))
    body = next((c for c in root.iter() if isinstance(c.tag, str) and local(c) == "body"), None)
    return read_paragraphs(body if body is not None else root)


def _markup_paragraphs(value: str, kind: str, marks: dict[str, str]) -> list[str]:
    kind = kind.lower()
    if "nitf" in kind or (kind.endswith("xml") and "html" not in kind):
        return _xml_paragraphs(value, marks)
    if "xhtml" in kind and value.lstrip().startswith("<"):
        return _xml_paragraphs(value, marks)
    if "html" in kind or _TAG.search(value[:400]):
        return _html_body(value, marks)
    return _plain_paragraphs(value)


def _string_list(value: list[Any]) -> list[str]:
    """Paragraphs sent as a list of strings; nothing when anything else is in the list."""
    if not all(isinstance(v, str) for v in value):
        return []
    return [" ".join(v.split()) for v in value if v.strip()]


def _body(doc: dict[str, Any], item: ParsedItem, marks: dict[str, str]) -> list[str]:
    """The story text, richest form first: ``bodies[]``, HTML (TT's ``body_html5``), XHTML
    (Reuters' ``bodyXhtml``), NITF, plain text or a list of paragraphs; a description (a
    brief, a caption, a teaser) only when there is no body."""
    for entry in sorted(_pick(_get(doc, "bodies")), key=_body_rank):
        kind = str(entry.get("contenttype") or entry.get("contentType") or "text/plain")
        if paragraphs := _markup_paragraphs(entry["value"], kind, marks):
            return paragraphs
    for key, kind in _BODY_FIELDS:
        if (text := _text(doc.get(key))) and (paragraphs := _markup_paragraphs(text, kind, marks)):
            return paragraphs
    nitf = doc.get("nitf")
    if isinstance(nitf, dict):
        nitf = _get(nitf, "body_html", "body", "value")
    if (text := _text(nitf)) and (paragraphs := _markup_paragraphs(text, "nitf", marks)):
        return paragraphs
    for key in ("bodytext", "body", "news"):
        value = doc.get(key)
        if text := _text(value):
            return _plain_paragraphs(text)
        # AFP-style APIs send the copy as a list of paragraph strings.
        if isinstance(value, list) and (paragraphs := _string_list(value)):
            return paragraphs
    description = _text(_get(doc, *_DESCRIPTION_FIELDS))
    if description is None:
        for entry in _pick(_get(doc, "descriptions")):
            description = _text(entry["value"])
            break
    if description:
        item.notes.append("body taken from the description: the item has no body")
        return _markup_paragraphs(description, "text", marks)
    if isinstance(doc.get("renditions"), dict) and "nitf" in doc["renditions"]:
        item.notes.append("metadata only: the text is in the NITF rendition")
    return []


def _byline(doc: dict[str, Any]) -> str | None:
    """``byline`` or ``by`` as carried; AP's ``bylines[]`` without their job titles, TT's
    ``bylines[]`` by their ``byline`` or first and last names."""
    value = _get(doc, "byline", "by")
    if isinstance(value, str):
        return value.strip() or None
    if value is None:
        value = _get(doc, "bylines")
    if isinstance(value, list):
        names = [_byline_entry(v) if isinstance(v, dict) else v for v in value]
        found = [n.strip() for n in names if isinstance(n, str) and n.strip()]
        return ", ".join(dict.fromkeys(found)) or None
    return None


def _byline_entry(entry: dict[str, Any]) -> str | None:
    if found := _text(entry.get("name") or entry.get("by") or entry.get("byline")):
        return found
    parts = [_text(entry.get(k)) for k in ("firstname", "lastname")]
    return " ".join(p for p in parts if p) or None


def _slugline(doc: dict[str, Any], item: ParsedItem) -> str | None:
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


def _dateline(
    doc: dict[str, Any], byline: str | None, marked: str | None = None
) -> Dateline | None:
    """The dateline the item's metadata gives; normalise prefers the one printed at the start
    of the copy and only falls back to this one.

    A dateline field of the dialect (digitalwires ``dateline``, AP ``datelinelocation``, an
    HTML body's ``class="dateline"`` element) comes first. Superdesk exports fill ``located``
    from the dateline's city, so it is the fallback; but desks also leave other text there (a
    byline pasted into it), so a ``located`` that repeats the byline or is no place is not
    used. TT's ``place[]`` lists places the story concerns, not where it was written: unused.
    """
    raw = doc.get("dateline")
    if isinstance(raw, dict):
        raw = _get(raw, "text", "value")
    for value in (raw, marked):
        if text := _text(value):
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


def _vignette_dateline(doc: dict[str, Any], vignette: str | None) -> Dateline | None:
    """TT's dat line ('<span class="vignette">Motala</span><span class="source">TT</span>')
    stands where a dateline stands, but its first word is a place only on located stories;
    on others it is a topic label ('Fotboll'). It is read as the dateline when the item's
    ``place[]`` names it, and never otherwise."""
    if not vignette or not (places := doc.get("place") or doc.get("places")):
        return None
    wanted = vignette.strip().casefold()
    for place in places if isinstance(places, list) else []:
        name = place.get("name") if isinstance(place, dict) else place
        if isinstance(name, str) and name.split(",")[0].strip().casefold() == wanted:
            return Dateline(text=vignette.strip(), place=title_place(vignette.strip()))
    return None


def _scheme_alias(scheme: str) -> str:
    """The vocabulary's own name from its URI: 'http://tt.se/spec/subref/1.0' -> 'subref'
    (a version segment names no vocabulary)."""
    for known_uri, alias in _SCHEME_URIS.items():
        if known_uri in scheme:
            return alias
    if scheme.startswith("http"):
        parts = [p for p in scheme.rstrip("/").split("/") if p]
        while len(parts) > 1 and _VERSION_SEGMENT.fullmatch(parts[-1]):
            parts.pop()
        return parts[-1]
    return scheme


def _subjects(entries: Any) -> list[Subject]:
    found: list[Subject] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        code = str(entry.get("code") or entry.get("qcode") or entry.get("literal") or "")
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
        if not scheme and uri.rstrip("/").endswith("/" + code):
            scheme = uri.rstrip("/")[: -len(code) - 1]
        found.append(Subject(scheme=_scheme_alias(scheme) or "ninjs", code=code, name=name))
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


def _category_names(doc: dict[str, Any]) -> set[str]:
    """Names and codes of the item's subjects, services, products and genres, lower-cased:
    Superdesk installs put a service ('politics') into ``source``, and it is no agency."""
    found: set[str] = set()
    for key in _CATEGORY_FIELDS:
        entries = doc.get(key)
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                for field in ("name", "qcode", "code"):
                    if isinstance(entry.get(field), str):
                        found.add(entry[field].strip().lower())
    return found


def _agency_name(name: str, categories: set[str]) -> str | None:
    """The agency a credit field names, or None when it names a service, a desk, a subject or
    a software default. An agency we know is taken whatever the rest of the words; an unknown
    name only when it reads like a name (not a lower-case common word like 'politic')."""
    if agency := known_agency(name):
        return agency
    lowered = name.lower()
    if (
        lowered in categories
        or lowered in _NOT_AGENCIES
        or _DESK_WORDS.search(name)
        or (name.isalpha() and name.islower())
    ):
        return None
    # A copyright line ('© 2024 Example News') is cleaned; a plain name keeps its spelling
    # ('Faktisk.no', which the cleaning would break at the dot).
    return pick_agency(name) if _COPYRIGHT_WORDS.search(name) else name.strip(" ,;")


def _byline_credit(byline: str | None) -> str | None:
    """The agency a byline credits after a slash or in brackets: 'Name/TT', 'Name (AFP)'."""
    if byline and (m := _BYLINE_CREDIT.search(byline)):
        return AGENCIES.get(m[1].lower())
    return None


def _uri_agency(doc: dict[str, Any]) -> str | None:
    """The provider whose namespace the item's id is in: 'tag:reuters.com,2023:…',
    'http://tt.se/media/…', 'urn:newsml:dpa.com:…'; only an agency we know by that name."""
    for value in (_get(doc, "uri"), _get(doc, "guid"), _get(doc, "urn")):
        if isinstance(value, str) and (m := _URI_DOMAIN.match(value.strip())):
            label = m[1].lower().split(".")
            name = (label[-2] if len(label) > 1 else label[0]).replace("-", "")
            if agency := _AGENCY_DOMAINS.get(name):
                return agency
    return None


def _agency(doc: dict[str, Any], item: ParsedItem, marked_source: str | None = None) -> str | None:
    """The credited agency: the story's ``source`` or credit line, then an information source
    that is an agency we know, then the copyright holder and the provider, who may only be
    distributing it (Superdesk exports carry the distributor as copyrightholder). Only these
    name an agency: a service or subject word in ``source`` is passed over and noted. Failing
    them, the copyright notice, a body's source line, the byline's credit ('Name/TT') and the
    id's namespace ('tag:reuters.com,…')."""
    credits = _names(_get(doc, "source")) + _names(_get(doc, "creditline", "credit"))
    sources = _names(_get(doc, "infosource", "infosources"))
    credits += [n for n in sources if known_agency(n)]
    listed = doc.get("categories")
    for category in listed if isinstance(listed, list) else []:
        if isinstance(category, dict) and str(category.get("type", "")).endswith("provider"):
            credits += _names(category)
    categories = _category_names(doc)
    for name in [
        *credits,
        *_names(_get(doc, "copyrightholder")),
        *_names(_get(doc, "provider")),
    ]:
        if agency := _agency_name(name, categories):
            return agency
        item.notes.append(f"credit {name!r} names no agency")
    if agency := known_agency(_text(_get(doc, "copyrightnotice"))):
        return agency
    if marked_source and (agency := known_agency(marked_source)):
        return agency
    if agency := _byline_credit(item.byline):
        item.notes.append(f"byline credit: {agency}")
        return agency
    return _uri_agency(doc)


def _replaces(doc: dict[str, Any], item_id: str | None) -> list[str]:
    """Ids of the items this one replaces: TT's ``replacing`` (the uris of earlier versions),
    ninjs-like ``replaces``/``supersedes``, Superdesk's ``evolvedfrom``; strings, lists, or
    objects with a ``uri``/``guid``. Dedupe joins the versions by them."""
    found: list[str] = []
    for key in _REPLACES_FIELDS:
        value = doc.get(key)
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, dict):
                entry = _get(entry, "uri", "guid", "id")
            if (ref := _text(entry)) and ref != item_id:
                found.append(ref)
    return list(dict.fromkeys(found))


def _notes(doc: dict[str, Any]) -> list[str]:
    """Editors' notes: ninjs ``ednote``/``edNote``, digitalwires' publishable ``ednotes``."""
    notes = [n for n in [_text(doc.get("ednote"))] if n]
    ednotes = doc.get("ednotes")
    for entry in ednotes if isinstance(ednotes, list) else []:
        publishable = isinstance(entry, dict) and entry.get("is_publishable", True)
        if publishable and (note := _text(entry.get("ednote"))):
            notes.append(note)
    return notes


def _read_notes(doc: dict[str, Any], item: ParsedItem) -> None:
    for note in _notes(doc):
        item.notes.append(note)
        if _CORRECTION_NOTE.match(note):
            item.signals.append(Signal.correction)
        elif _KILL_NOTE.match(note):
            item.signals.append(Signal.kill)
        elif _UPDATE_NOTE.match(note):
            item.signals.append(Signal.update)
