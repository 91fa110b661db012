"""ninjs (IPTC News in JSON) 1.x, 2.x and 3.x.

The three series name the same things differently: 1.x ``headline``/``body_html``/``byline``,
2.x ``headlines[]``/``bodies[]``/``by``, 3.x camelCase (``pubStatus``, ``versionCreated``).
Every spelling is read here into one ``ParsedItem``. HTML bodies become paragraphs through the
stdlib tokeniser (``workers.formats.htmltext``): nothing in them is fetched or run.

JSON is checked before it is trusted: nesting deeper than 64 levels and numbers longer than
any real field (which can make Python's int parsing slow) raise HostileInputError; malformed
JSON raises ParseError with its line and column.
"""

from __future__ import annotations

import json
import re
from typing import Any

from schemas import Dateline, PubStatus, Signal, Subject
from workers.dateline import canonical_agency
from workers.encoding import decode_text
from workers.errors import HostileInputError, ParseError
from workers.formats.base import ParsedItem, WireFormat
from workers.formats.htmltext import html_paragraphs
from workers.formats.wiretime import parse_iso

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
_AGENCY_NAMES = {
    "associated press": "AP",
    "the associated press": "AP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "thomson reuters": "Reuters",
    "deutsche presse-agentur": "dpa",
}
_STATUSES = {
    "usable": PubStatus.usable,
    "withheld": PubStatus.withheld,
    "canceled": PubStatus.canceled,
    "cancelled": PubStatus.canceled,
    "embargoed": PubStatus.embargoed,
}
_CORRECTION_NOTE = re.compile(r"^\W*(?:correct(?:ion|ed|s)|correctif|rectificaci)", re.IGNORECASE)


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
                b'"versionCreated"', b'"pubstatus"', b'"pubStatus"', b'"items"')  # fmt: skip
        hits = sum(k in head for k in keys)
        return 0.9 if hits >= 2 else 0.5 if hits == 1 else 0.2

    def split(self, raw: bytes) -> list[bytes]:
        """A JSON list of items, or ``{"items": [...]}``, becomes one document per item.

        Copy that does not load is returned whole, so that it gets its own receipt and its
        parse error is recorded against it.
        """
        try:
            doc = load_json(raw)
        except ParseError:
            return [raw]
        wrapper = isinstance(doc, dict) and not any(k in doc for k in ("uri", "guid"))
        if wrapper and isinstance(doc.get("items"), list):
            doc = doc["items"]
        if not isinstance(doc, list):
            return [raw]
        return [json.dumps(entry, ensure_ascii=False).encode("utf-8") for entry in doc]

    def parse(self, raw: bytes) -> ParsedItem:
        doc = load_json(raw)
        if not isinstance(doc, dict):
            kind = "a list" if isinstance(doc, list) else type(doc).__name__
            raise ParseError(f"a ninjs item is a JSON object, not {kind}", format=self.name,
                             position="line 1, column 1")  # fmt: skip
        if not any(k in doc for k in ("uri", "guid")) and isinstance(doc.get("items"), list):
            raise ParseError(f"a wrapper of {len(doc['items'])} items: split() it first",
                             format=self.name, position="line 1, column 1")  # fmt: skip
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


def _get(doc: dict, *names: str) -> Any:
    for name in names:
        if doc.get(name) not in (None, "", []):
            return doc[name]
    return None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _read(doc: dict) -> ParsedItem:
    item = ParsedItem(format="ninjs", body=[])
    item.item_id = _text(_get(doc, "uri", "guid"))
    item.version = _version(_get(doc, "version"))
    if item.version > 1:
        item.signals.append(Signal.update)
    _read_status(doc, item)
    urgency = _get(doc, "urgency")
    if isinstance(urgency, int | float) and not isinstance(urgency, bool) and 1 <= urgency <= 9:
        item.urgency = int(urgency)
    elif urgency is not None:
        item.notes.append(f"urgency {urgency!r} is outside 1-9 and was dropped")
    item.headline = _headline(doc)
    item.body = _body(doc, item)
    item.byline = _byline(_get(doc, "byline", "by"))
    item.slugline = _text(_get(doc, "slugline"))
    item.subjects = _subjects(_get(doc, "subject", "subjects") or [])
    keywords = _get(doc, "keywords")
    item.keywords = (
        [k for k in keywords if isinstance(k, str)] if isinstance(keywords, list) else []
    )
    if located := _text(_get(doc, "located")):
        item.dateline = Dateline(text=located, place=located)
    if language := _text(_get(doc, "language")):
        primary = language.split("-")[0].split("_")[0].lower()
        item.language = primary if len(primary) == 2 else None
    item.first_created = parse_iso(_get(doc, "firstcreated", "firstCreated"))
    item.version_created = parse_iso(_get(doc, "versioncreated", "versionCreated"))
    item.agency = _agency(doc)
    # Datelines in ninjs copy rarely print a date; the item's own creation date is the one.
    created = item.first_created or item.version_created
    item.date_hint = created.date() if created else None
    for key in ("ednote", "edNote"):
        if note := _text(doc.get(key)):
            item.notes.append(note)
            if _CORRECTION_NOTE.match(note):
                item.signals.append(Signal.correction)
    # A correction or a kill is a later version, but 'update' would say less than they do.
    if Signal.correction in item.signals or Signal.kill in item.signals:
        item.signals = [s for s in item.signals if s is not Signal.update]
    item.signals = list(dict.fromkeys(item.signals))
    return item


def _version(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return max(value, 0)
    if isinstance(value, str) and (m := re.match(r"\s*(\d{1,9})", value)):
        return int(m[1])
    return 1


def _code_word(value: str) -> str:
    """'stat:usable', '.../pubstatusg2/usable' -> 'usable'."""
    return re.split(r"[:/]", value.strip().rstrip("/"))[-1].lower()


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
    for signal in _get(doc, "signals") or []:
        word = signal if isinstance(signal, str) else (signal or {}).get("code") or ""
        word = _code_word(str(word))
        for candidate in Signal:
            if word.startswith(candidate.value[:5]):
                item.signals.append(candidate)
    embargo = _get(doc, "embargoed")
    if embargo is not None:
        until = parse_iso(embargo)
        if until is None:
            item.notes.append(f"embargo {embargo!r} not understood; held for an editor")
        if item.status is PubStatus.usable:
            item.status = PubStatus.embargoed
        item.embargoed_until = until


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
    return None


def _plain_paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    pattern = r"\n\s*\n" if re.search(r"\n\s*\n", text) else r"\n"
    return [" ".join(p.split()) for p in re.split(pattern, text) if p.strip()]


def _body(doc: dict, item: ParsedItem) -> list[str]:
    for entry in _pick(_get(doc, "bodies")):
        kind = str(entry.get("contenttype") or entry.get("contentType") or "text/plain")
        value = entry["value"]
        paragraphs = html_paragraphs(value) if "html" in kind else _plain_paragraphs(value)
        if paragraphs:
            return paragraphs
    if text := _text(_get(doc, "body_text")):
        return _plain_paragraphs(text)
    if html := _text(_get(doc, "body_html", "body_xhtml")):
        return html_paragraphs(html)
    # An item with only a description (a brief, a caption) is published from it.
    description = _text(_get(doc, "description_text"))
    if description is None:
        for entry in _pick(_get(doc, "descriptions")):
            description = _text(entry["value"])
            break
    if description:
        item.notes.append("body taken from the description: the item has no body")
        return _plain_paragraphs(description)
    return []


def _byline(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        names = [v.get("name") if isinstance(v, dict) else v for v in value]
        names = [n.strip() for n in names if isinstance(n, str) and n.strip()]
        return ", ".join(names) or None
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


def _agency(doc: dict) -> str | None:
    for key in ("provider", "copyrightholder", "copyrightHolder", "source"):
        value = doc.get(key)
        if isinstance(value, dict):
            value = value.get("name")
        if isinstance(value, str) and value.strip():
            name = value.strip()
            return _AGENCY_NAMES.get(name.lower()) or canonical_agency(name)
    return None
