"""NITF 3.x (News Industry Text Format), the XML wire format most agencies still send.

Every agency fills the same NITF skeleton its own way, so each field is read from wherever the
agencies put it and the odd shapes are expected rather than rejected:

* AP: ``doc-id@regsrc`` and ``doc.copyright@holder`` name the agency, no id-string, the byline
  carries the job title in ``<byttl>``, ``<dateline><location>`` holds the city.
* PA: ``du-key@key`` is a routing code ('PA-HHH-POLITICS-Brexit'), the slug is the one
  ``key-list/keyword``; ``<title>`` is a selector line; inline ``<person>``/``<location>``
  markup inside paragraphs; files declared ISO-8859-1 that hold UTF-8 bytes.
* AAP: one line of XML, the slug in ``<meta name="anpa-keyword">``, ANPA take words in
  ``anpa-takekey``, paragraphs hard-wrapped with ``<br/>``. AAP also relays other agencies' copy:
  the doc-id prefix ('AFP.…') and the copyright holder credit the original agency.
* EFE: no XML declaration, the slug in ``key-list/keyword``, a ``<dateline>`` holding only a
  ``story.date`` timestamp, the agency in ``<rights.owner>``, Spanish ``meta`` names.
* NTB: Norwegian ``meta`` names (``NTBStikkord`` is the slug), id-like ``du-key``/``key-list``
  values, ``doc-id`` ending in the previous version number, the language in ``baselang``.
* CP: ``<keyword>`` text instead of ``@key``, the urgency outside docdata, the slug in
  ``<title>``, edits described in ``revision-history@comment``.
* ANSA (as Belga receives it): XML comments inside every element, the '>>>ANSA/' mark of its
  main stories before the headline (and the slug), the subtitle in ``<byline>``, a summary
  sentence in the ``keyword`` meta, the priority as an ANPA letter in a ``priority`` meta,
  the agency only in ``<distributor>``, a ``<lang>`` element inside ``body.content``.
* Ritzau (relayed by NTB): NTB's Norwegian metas around Danish copy, a headline that is the
  first 60 characters of the lead behind a '*', ``<dateline>`` naming the receiving desk's
  city while the copy opens 'Aarhus /ritzau/:', and a '/ritzau/' sign-off paragraph.

What is read, and from where:

* item_id from ``doc-id@id-string`` (a version suffix dropped, so every version keeps one id),
  else ``du-key@key``.
* agency: the credit (copyright holder, rights owner, a credit ``meta``, the agency prefix of the
  id-string) before the provider code (``regsrc``) and the distributor, which may be a relay.
* version from ``du-key@version``/``@generation``, else a number in ``ed-msg``, else one more
  than the ``revision-history`` entries. ``version_label`` from ANPA take words or the version
  words that open an ``ed-msg``.
* status from ``docdata@management-status``; ``date.release`` later than ``date.issue`` is an
  embargo while it lies in the future (a passed one is still carried in embargoed_until).
* signals only from what the copy says (``correction`` element, ``ed-msg``, revision comments,
  take words, canceled status), never from a version number alone.
* slug: the first word-like value of ``meta`` slug names, a lone ``key-list`` keyword, the
  key-list key, ``du-key@key``, a ``<title>`` that is not the headline, the first of several
  keywords. Id-like values (uuids, hex, digit runs) only when nothing else is there; a
  sentence never (it is noted as the keyword line).
* headline from ``hl1`` (else ``<title>``) without a flash mark ('>>>ANSA/', '*'), noted.
* byline without ``<byttl>`` job titles; a ``<byline>`` that is a sentence naming nobody is a
  subheadline (noted). Dateline from ``<dateline>`` only when it names a place (a timestamp
  never does); the copy's own dateline is found later, by normalise, and wins.
* body from ``body.content`` paragraphs, tables a row a paragraph; a last paragraph that is
  only the agency's sign-off is dropped (noted); an empty body falls back to ``<abstract>``.

``read_nitf_body`` reads NITF bodies wherever they turn up, including NITF carried inside
NewsML-G2, NewsML 1.2 and agency JSON. Broken or hostile XML raises ParseError /
HostileInputError from ``xmlsafe``; a well-formed document whose root is not ``<nitf>`` raises
ParseError.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

from lxml import etree

from schemas import Dateline, PubStatus, Signal, Subject
from workers.dateline import AGENCIES, canonical_agency, parse_date_words
from workers.errors import ParseError
from workers.formats.anpa1312 import ANPA_PRIORITIES
from workers.formats.base import ParsedItem, WireFormat
from workers.formats.versionwords import read_version_words
from workers.formats.xmlread import (
    XML_LANG,
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

__all__ = [
    "Nitf",
    "dateline_place",
    "is_id_like",
    "is_sentence",
    "read_nitf",
    "read_nitf_body",
    "split_headline_marker",
]


def _wordset(words: str) -> frozenset[str]:
    """A set of words written as one string, for word lists too long to read as a literal."""
    return frozenset(words.split())


_STATUSES = {
    "usable": PubStatus.usable,
    "embargoed": PubStatus.embargoed,
    "withheld": PubStatus.withheld,
    "canceled": PubStatus.canceled,
    "cancelled": PubStatus.canceled,
}
_VERSION_WORD = re.compile(r"\b(?:version|ver|v|rev(?:ision)?)\s*[.:#]?\s*(\d{1,4})\b", re.I)
# Editors' words in ed-msg and revision comments, in the languages NITF agencies write them
# (English, Scandinavian, German, Spanish, French, Italian).
_CORRECTION_WORDS = re.compile(
    r"\bcorrect(?:ion|ed|s)?\b|\bcorrective\b|\berrat|\bkorrigert|\bkorrigeret|\bkorrigerad|"
    r"\brettet\b|\bberichtigt|\bkorrigiert|\brectificaci|\bcorrige\b|\brettifica",
    re.I,
)
_KILL_WORDS = re.compile(
    r"\bkill(?:ed)?\b|\bwithdraw(?:n|s|al)?\b|\btrukket\b|\bzurückgezogen", re.I
)
_UPDATE_WORDS = re.compile(
    r"\bupdat(?:e[ds]?|ing)\b|\bwrite-?thru\b|\brefiled?\b|\badds?\b|\boppdatert|\bopdateret|"
    r"\buppdaterad|\baktualisiert|\bactualizad|\bmis à jour\b|\baggiornat",
    re.I,
)
# Slug meta names across agencies: 'slug', AAP's 'anpa-keyword', NTB's 'NTBStikkord', and the
# German, Danish/Norwegian and Finnish words for a catchword. Matched at the end of the name so
# an agency prefix ('NTB', 'aap-', 'TT') does not matter; 'keywords' (plural, a list) is not.
_SLUG_META = re.compile(
    r"(?:^|[-_.:]|^[a-z]{2,6})(?:slug(?:line)?|keyword(?:-slug)?|stikkord|stichwort|"
    r"schlagwort|catch(?:line|word)|hakusana|nyckelord)$",
    re.I,
)
# Meta names that carry the original source of relayed copy (NTB 'NTBKilde', AAP
# 'aap-original-source', 'credit'), and those naming the source without saying it is the
# original ('aap-source'), which count after the copyright holder.
_CREDIT_META = re.compile(r"(?:kilde|original-?source|credit(?:line)?|quelle)$", re.I)
_SOURCE_META = re.compile(r"(?:^|[-_.:])source$", re.I)
# Meta names holding a priority when the copy has no <urgency> (EFE 'prioridad', NTB
# 'NTBPrioritet', AAP 'aap-priority', ANSA 'priority'), an agency prefix of any spelling.
_PRIORITY_META = re.compile(r"(?:^|[-_.:]|^[a-z]{2,6})(?:prior\w*|urgency)$", re.I)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_HEX_RUN = re.compile(r"[0-9a-f]{12,}", re.I)
# The id-string prefix by which AAP (and others) name the originating agency: 'AFP.12197.6504'.
_ID_AGENCY = re.compile(r"^([A-Za-z]{2,8})[.:_]\d")
# Where a dateline's place ends: the agency in parentheses, a comma, Ritzau's '/ritzau/', a
# date ('March 22', '22 mars', '2024-03-12'), a dash.
_PLACE_END = re.compile(
    r"\s*(?:\(|,|;|/|\s[-–—]\s|\s[-–—]$|\.-"
    r"|\s(?=\d)"
    r"|\s(?=(?:jan|feb|fév|fev|mar|mär|apr|avr|abr|may|mai|mag|jun|juin|juil|giu|jul|lug|aug"
    r"|aoû|aou|ago|sep|set|oct|okt|ott|nov|dec|déc|dez|dic|ene|gen)[a-zé]*\.?\s+\d))",
    re.I,
)
_BYLINE_SKIPPED = frozenset({"byttl", "virtloc"})
# Flash and service marks agencies set before a headline: ANSA's '>>>ANSA/' on its main stories,
# Ritzau's '*'. A marker may name the agency after it ('>>>ANSA/'); an agency word alone
# ('AP/NORC poll finds') is part of the headline and stays.
_HEADLINE_MARK = re.compile(r"^\s*[>*\u25ba\u25b6]+\s*")
_MARK_AGENCY = re.compile(r"^([A-Za-z]{2,12})\s*/\s*(?=\S)")
# Words that open a byline in the languages NITF agencies write: 'By', 'Von', 'Par', 'Por',
# 'Af'/'Av' (Danish, Norwegian, Swedish), 'Door' (Dutch), 'Di' (Italian).
_BY_WORDS = frozenset({"by", "von", "par", "por", "af", "av", "door", "di", "från", "fra", "od"})
# Lower-case words that stand in names and staff lines, so they do not make a byline a sentence:
# name particles, 'and' in several languages, newsroom job words.
_NAME_WORDS = _wordset(
    "and und og och et y e i ja en de di da del della der den van von la le du dos das "
    "bin al of in at from for with staff correspondent correspondents reporter reporters "
    "writer writers editor editors photographer journalist journalists team desk bureau "
    "korrespondent korrespondenter redaksjon redaktion the a an our"
)
# A last paragraph that is only the agency's sign-off: Ritzau's '/ritzau/', '(ANSA).', '(dpa)'.
_SIGN_OFF = re.compile(r"^[\s/(\[-]*([A-Za-z][\w-]{1,14})[\s/)\]-]*\.?$")
_VERSION_LEAD = re.compile(r"\s+[-–—:]\s+|:\s|\s*\.\s+")


def _now() -> datetime:
    """Now, for embargo checks; a function so tests can fix the clock."""
    return datetime.now(UTC)


def _children(element: etree._Element | None, name: str) -> Iterator[etree._Element]:
    """Direct children by local name (``xmlread.children``). NITF heads hold dozens of meta
    elements and are looked through field by field: lxml's tag filter ('{*}' is any
    namespace or none) skips the other children in C, without making Python objects of them."""
    if element is None:
        return iter(())
    return element.iterchildren("{*}" + name)


def _child(element: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element down this path of local names, or None (``xmlread.child``)."""
    for name in path:
        if element is None:
            return None
        element = next(element.iterchildren("{*}" + name), None)
    return element


class _Kids:
    """An element's children by local name, read in one pass. A NITF head holds dozens of
    meta elements and docdata a dozen fields, and each is looked up field by field: one pass
    over the children costs less than a search for every field. ``element`` is the element
    itself (None when it is missing: then it has no children)."""

    __slots__ = ("_by_name", "element")

    def __init__(self, element: etree._Element | None) -> None:
        self.element = element
        by_name: dict[str, list[etree._Element]] = {}
        if element is not None:
            for sub in element:
                tag = sub.tag
                if isinstance(tag, str):
                    by_name.setdefault(tag.rpartition("}")[2], []).append(sub)
        self._by_name = by_name

    def first(self, name: str, *path: str) -> etree._Element | None:
        """The first child of this name, and down ``path`` from it (``_child``)."""
        found = self._by_name.get(name)
        return _child(found[0], *path) if found else None

    def all(self, name: str) -> list[etree._Element]:
        """Every child of this name, in document order (``_children``)."""
        return self._by_name.get(name, [])


def read_nitf_body(element: etree._Element | None) -> list[str]:
    """Paragraphs of a NITF ``body`` or ``body.content`` (namespaced or not), tables included
    a row a paragraph in the order they stand: AP's agate (standings, top tens, box scores) is
    all table, and a results table inside prose is the story's data too."""
    if element is None:
        return []
    content = element if local(element) == "body.content" else _child(element, "body.content")
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
                f"root element <{local(root) or str(root.tag)}> is not <nitf>",
                format=self.name,
                position=f"line {root.sourceline}",
            )
        item = read_nitf(root)
        item.notes[:0] = doc.notes
        return item


def read_nitf(root: etree._Element) -> ParsedItem:
    """Everything a ``<nitf>`` element says about its story."""
    head = _Kids(_child(root, "head"))
    docdata = _Kids(head.first("docdata"))
    body = _child(root, "body")
    body_head = _Kids(_child(body, "body.head"))
    notes: list[str] = []
    metas = _metas(head)

    doc_id = docdata.first("doc-id")
    du_key = docdata.first("du-key")
    ed_text = _editorial_text(docdata, head)

    version = _version(du_key, ed_text, head)
    item_id = _item_id(doc_id, du_key, version)

    issued = _norm_date(docdata.first("date.issue"))
    released = _norm_date(docdata.first("date.release"))
    status, signals, embargoed_until = _status(docdata.element, issued, released, notes)
    signals += _signals(docdata, ed_text, version, signals)
    version_label, take_version, take_kills = _version_label(metas, docdata, signals, notes)
    # ANPA take words are AAP's only version information; a du-key version wins over them.
    if du_key is None or not (du_key.get("version") or du_key.get("generation")):
        version = max(version, take_version)
    if take_kills and status is PubStatus.usable:
        status = PubStatus.canceled

    hedline = body_head.first("hedline")
    headline = inline_text(_child(hedline, "hl1")) or inline_text(head.first("title"))
    marker, headline = split_headline_marker(headline)
    if marker:
        notes.append(f"headline marker: {marker}")
    for hl2 in _children(hedline, "hl2"):
        if text := inline_text(hl2):
            notes.append(f"subheadline: {' '.join(text.split())}")

    byline = _bylines(body_head, notes)
    paragraphs = _drop_sign_off(read_nitf_body(body), notes)
    if not paragraphs and (abstract := read_paragraphs(body_head.first("abstract"))):
        # A brief whose text is only the summary in <body.head>: that summary is the copy.
        notes.append("body taken from <abstract>: body.content is empty")
        paragraphs = abstract

    date_hint = issued.date() if issued else None
    return ParsedItem(
        format="nitf",
        body=paragraphs,
        headline=headline,
        agency=_agency(doc_id, docdata, head, body_head, metas),
        item_id=item_id,
        version=version,
        version_label=version_label,
        status=status,
        signals=list(dict.fromkeys(signals)),
        urgency=_urgency(docdata, head, metas, notes),
        slugline=_slugline(head, du_key, notes),
        byline=byline,
        dateline=_dateline(body_head.first("dateline"), date_hint),
        date_hint=date_hint,
        subjects=_subjects(head),
        keywords=_keywords(docdata.element),
        language=_language(root, head.element, body),
        embargoed_until=embargoed_until,
        first_created=issued if version <= 1 else None,
        version_created=issued,
        notes=notes,
    )


def _metas(head: _Kids) -> dict[str, str]:
    """``<meta name=… content=…>`` pairs, names lower-cased, empty contents left out."""
    found: dict[str, str] = {}
    for meta in head.all("meta"):
        name = (meta.get("name") or "").strip().lower()
        content = " ".join((meta.get("content") or "").split())
        if name and content and name not in found:
            found[name] = content
    return found


def _editorial_text(docdata: _Kids, head: _Kids) -> str:
    """The editors' words about this version: ed-msg info and type, revision comments."""
    ed_msgs = docdata.all("ed-msg")
    parts = [m.get("info") for m in ed_msgs] + [m.get("msg-type") for m in ed_msgs]
    for history in [*head.all("revision-history"), *docdata.all("revision-history")]:
        parts.append(history.get("comment"))
    return " ".join(p.strip() for p in parts if p and p.strip())


def _version(du_key: etree._Element | None, ed_text: str, head: _Kids) -> int:
    if du_key is not None:
        for attribute in ("version", "generation"):
            number = parse_int(du_key.get(attribute), low=0, high=100_000)
            if number is not None:
                return number
    if m := _VERSION_WORD.search(ed_text):
        return int(m[1])
    revisions = len(head.all("revision-history"))
    return revisions + 1 if revisions else 1


def _item_id(
    doc_id: etree._Element | None, du_key: etree._Element | None, version: int
) -> str | None:
    id_string = (doc_id.get("id-string") or "").strip() if doc_id is not None else ""
    key = (du_key.get("key") or "").strip() if du_key is not None else ""
    if id_string:
        # 'RTR-2024-0412-vote-v3' or 'afp:2024:1234:3' when this is version 3: drop the suffix.
        # (Both patterns are built from this item's values, so only when they can apply.)
        if version > 1:
            suffix = re.compile(rf"(?:[-_:.]v?|v){version}$", re.I)
            if suffix.search(id_string) and (trimmed := suffix.sub("", id_string)):
                return trimmed
        # NTB: the id-string is the du-key plus a revision counter ('<key>_47' for version 48).
        # The du-key is the story's own id across versions, so it is the item_id.
        if (
            key
            and id_string.startswith(key)
            and re.fullmatch(rf"{re.escape(key)}[-_:.]\d{{1,5}}", id_string)
        ):
            return key
        return id_string
    return key or None


def _norm_date(element: etree._Element | None) -> datetime | None:
    if element is None:
        return None
    return parse_wire_datetime(element.get("norm")) or parse_wire_datetime(element.text)


def _status(
    docdata: etree._Element | None,
    issued: datetime | None,
    released: datetime | None,
    notes: list[str],
) -> tuple[PubStatus, list[Signal], datetime | None]:
    """Status, the kill signal of a canceled item, and the embargo time.

    An explicit ``management-status`` is kept as sent. A release time after the issue time is
    carried as the embargo, and holds the story only while it is still in the future: copy
    whose embargo has passed is usable.
    """
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
        if status is PubStatus.usable and released > _now():
            status = PubStatus.embargoed
    elif status is PubStatus.embargoed and released is not None:
        embargoed_until = released
    return status, signals, embargoed_until


def _signals(docdata: _Kids, ed_text: str, version: int, already: list[Signal]) -> list[Signal]:
    """Signals the editors' words give. A version number alone says nothing: agencies bump it
    for metadata edits and resends too."""
    found: list[Signal] = []
    if docdata.first("correction") is not None or _CORRECTION_WORDS.search(ed_text):
        found.append(Signal.correction)
    if Signal.kill not in already and _KILL_WORDS.search(ed_text):
        found.append(Signal.kill)
    if _UPDATE_WORDS.search(ed_text):
        found.append(Signal.update)
    return found


def _version_label(
    metas: dict[str, str], docdata: _Kids, signals: list[Signal], notes: list[str]
) -> tuple[str | None, int, bool]:
    """The agency's version words, the version they imply, and whether they kill the story.

    ANPA take words (AAP's ``anpa-takekey``: '2nd Lead', 'Correction', 'Kill') or the words an
    ``ed-msg`` opens with ('UPDATE 2 - adds quotes' -> 'UPDATE 2'). Leads and write-throughs
    give a version, not a signal; correction and kill words add their signals. A take key that
    is no version word ('(SYDNEY)') is only noted.
    """
    takekey = metas.get("anpa-takekey") or metas.get("takekey")
    if takekey:
        words = read_version_words(takekey)
        if words.version > 1 or words.signals:
            signals.extend(s for s in words.signals if s not in signals)
            return takekey, words.version, words.status is PubStatus.canceled
        notes.append(f"take key: {takekey}")
    for message in docdata.all("ed-msg"):
        info = " ".join((message.get("info") or "").split())
        lead = _VERSION_LEAD.split(info, maxsplit=1)[0].strip()
        if lead and len(lead.split()) <= 4:
            words = read_version_words(lead)
            if words.version > 1 or words.signals:
                return lead, 1, False
    return None, 1, False


def _agency(
    doc_id: etree._Element | None,
    docdata: _Kids,
    head: _Kids,
    body_head: _Kids,
    metas: dict[str, str],
) -> str | None:
    """The credited agency. The credit (a credit meta, the copyright holder, the rights owner,
    the agency an id-string is prefixed with) comes before the provider code and the
    distributor, which name whoever relayed the copy."""
    copyright_ = docdata.first("doc.copyright")
    holder = copyright_.get("holder") if copyright_ is not None else None
    owner = spaced_text(body_head.first("rights", "rights.owner"))
    credit = next((v for k, v in metas.items() if _CREDIT_META.search(k)), None)
    source = next((v for k, v in metas.items() if _SOURCE_META.search(k)), None)
    # The delivery list names each hop; level 1 is where the copy came from.
    origin = next(
        (
            src.get("src-name")
            for src in _children(docdata.first("del-list"), "from-src")
            if (src.get("level-number") or "1").strip() == "1"
        ),
        None,
    )
    id_string = (doc_id.get("id-string") or "") if doc_id is not None else ""
    prefix = m[1] if (m := _ID_AGENCY.match(id_string.strip())) else None
    if prefix and prefix.lower() not in AGENCIES:
        prefix = None
    regsrc = doc_id.get("regsrc") if doc_id is not None else None
    distributor = spaced_text(body_head.first("distributor"))
    candidates = [credit, holder, owner, prefix, source, origin, regsrc, distributor]
    return pick_agency(*(_lead_agency(c) for c in candidates))


def _lead_agency(text: str | None) -> str | None:
    """'PA Sport', 'AFP Services', 'AP Images': an agency name followed by its desk or
    service is that agency."""
    if not text:
        return text
    words = text.split()
    if len(words) > 1 and words[0].isupper() and words[0].lower() in AGENCIES:
        return canonical_agency(words[0])
    return text


def _urgency(docdata: _Kids, head: _Kids, metas: dict[str, str], notes: list[str]) -> int | None:
    # CP puts <urgency> straight under <head>; the DTD wants it in docdata.
    element = docdata.first("urgency")
    if element is None:
        element = head.first("urgency")
    if element is not None:
        urgency = parse_int(element.get("ed-urg"), low=1, high=9)
        if urgency is None:
            notes.append(f"urgency {element.get('ed-urg')!r} is not 1-9; ignored")
        return urgency
    for name, value in metas.items():
        if _PRIORITY_META.search(name):
            if (number := parse_int(value, low=1, high=9)) is not None:
                return number
            if value.lower() in ANPA_PRIORITIES:
                return ANPA_PRIORITIES[value.lower()]
    return None


def is_id_like(value: str) -> bool:
    """A value that identifies rather than names: a uuid, a long hex run, mostly digits."""
    if _UUID.search(value):
        return True
    for run in _HEX_RUN.findall(value):
        if not run.isdigit() and not run.isalpha():
            return True
    alnum = [c for c in value if c.isalnum()]
    digits = sum(c.isdigit() for c in alnum)
    return bool(alnum) and digits / len(alnum) > 0.5


def _slugline(head: _Kids, du_key: etree._Element | None, notes: list[str]) -> str | None:
    """The slug, from the places agencies put it, best first; an id-like value only when
    nothing word-like is there. A sentence is no slug: ANSA's ``keyword`` meta holds a summary
    line, which is noted instead. A flash marker before a slug is dropped as before a headline."""
    first = None
    for value in _slug_candidates(head, du_key):
        value = split_headline_marker(value)[1] or ""
        if not value:
            continue
        if is_sentence(value):
            notes.append(f"keyword line: {value}")
            continue
        if not is_id_like(value):
            return value
        first = first or value
    return first


def _slug_candidates(head: _Kids, du_key: etree._Element | None) -> Iterator[str]:
    """Slug candidates in order of trust, produced lazily: most copy stops at the first."""
    for meta in head.all("meta"):
        value = " ".join((meta.get("content") or "").split())
        if value and _SLUG_META.search((meta.get("name") or "").strip()):
            yield value
    docdata = head.first("docdata")
    keywords = _keywords(docdata)
    if len(keywords) == 1:
        yield keywords[0]
    key_list = _child(docdata, "key-list")
    if key_list is not None and (value := (key_list.get("key") or "").strip()):
        yield value
    if du_key is not None and (value := (du_key.get("key") or "").strip()):
        yield value
    title = " ".join((inline_text(head.first("title")) or "").split())
    if title and len(title.split()) <= 6:
        root = head.element.getparent() if head.element is not None else None
        headline = inline_text(_child(root, "body", "body.head", "hedline", "hl1"))
        if title != " ".join((headline or "").split()):
            yield title
    if len(keywords) > 1:
        yield keywords[0]


def _keywords(docdata: etree._Element | None) -> list[str]:
    """``key-list/keyword@key``, or the element's text as CP writes it."""
    out = []
    for keyword in _children(_child(docdata, "key-list"), "keyword"):
        value = " ".join((keyword.get("key") or keyword.text or "").split())
        if value:
            out.append(value)
    return out


def _bylines(body_head: _Kids, notes: list[str]) -> str | None:
    """The ``<byline>`` elements joined. ANSA fills ``<byline>`` with the story's subtitle:
    a sentence that names nobody is noted as a subheadline, not taken for a byline."""
    found = []
    for element in body_head.all("byline"):
        text = _byline(element)
        if not text:
            continue
        if is_sentence(text) and text.split()[0].lower() not in _BY_WORDS:
            notes.append(f"subheadline: {text}")
            continue
        found.append(text)
        if title := spaced_text(_child(element, "byttl")):
            notes.append(f"byline title: {title}")
    return "; ".join(found) or None


def is_sentence(text: str, min_words: int = 5) -> bool:
    """Prose rather than a name or a catchword: five words or more, at least three and at
    least half of them lower-case words that are no name particle, article or newsroom title
    ('Situation serious, ready for all scenarios says minister' is a sentence; 'Anna de la Cruz
    and Tom Ng, staff writers' and 'Jo Lee, the paper's senior political editor' are not)."""
    words = text.split()
    if len(words) < min_words:
        return False
    lower = 0
    for word in words:
        core = word.strip(".,;:!?'\"()[]")
        if core[:1].islower() and core.lower() not in _NAME_WORDS:
            lower += 1
    return lower >= 3 and lower * 2 >= len(words)


def split_headline_marker(text: str | None) -> tuple[str | None, str | None]:
    """('>>>ANSA/', 'Headline') from '>>>ANSA/Headline'; (None, text) when no marker opens it.
    The agency after a marker is part of the marker only when it is an agency we know."""
    if not text or not (mark := _HEADLINE_MARK.match(text)):
        return None, text
    rest = text[mark.end() :]
    if (agency := _MARK_AGENCY.match(rest)) and agency[1].lower() in AGENCIES:
        rest = rest[agency.end() :]
    if not rest.strip():
        return None, text
    return text[: len(text) - len(rest)].strip(), rest.strip()


def _drop_sign_off(body: list[str], notes: list[str]) -> list[str]:
    """Drop a last paragraph that is only the agency's sign-off ('/ritzau/', '(ANSA).'): it
    credits the agency, it is not story text."""
    if len(body) > 1 and (m := _SIGN_OFF.match(body[-1])) and m[1].lower() in AGENCIES:
        notes.append(f"sign-off: {body[-1]}")
        return body[:-1]
    return body


def _byline(element: etree._Element) -> str | None:
    """'By Jane Doe' as carried. A job title in ``<byttl>`` and an e-mail or desk in
    ``<virtloc>`` are not part of it, nor the comma that stood before them."""
    text = spaced_text(element, skip=_BYLINE_SKIPPED)
    return text.rstrip(" ,;:/–—-") or None if text else None


def dateline_place(text: str | None) -> str | None:
    """The city of a dateline as an element or field carries it: 'SYDNEY March 22 AAP -' ->
    'SYDNEY', 'Tegucigalpa, Jan 2 (EFE).-' -> 'Tegucigalpa', 'København /ritzau/' ->
    'København'. A timestamp or code is no place: None."""
    if not text:
        return None
    text = " ".join(text.split()).strip(" -–—:.")
    place = _PLACE_END.split(text, maxsplit=1)[0].strip(" -–—:.,")
    words = place.split()
    if words and words[-1].lower() in AGENCIES and len(words) > 1:
        place = " ".join(words[:-1])
    if not place or not any(c.isalpha() for c in place) or sum(c.isdigit() for c in place) >= 2:
        return None
    if len(place.split()) > 5:
        return None
    return place


def _dateline(element: etree._Element | None, date_hint: date | None) -> Dateline | None:
    """The ``<dateline>`` element, when it names a place. Only a ``story.date`` (EFE writes a
    timestamp there) is no dateline: its date still helps normalise date the copy's own."""
    if element is None:
        return None
    location = _child(element, "location")
    parts = [spaced_text(part) for part in location] if location is not None else []
    text = spaced_text(element, skip=frozenset({"location", "story.date"}))
    if any(parts):
        # City, state, country as separate elements read 'ROTTERDAM, Netherlands'.
        lead = ", ".join(p for p in parts if p) or spaced_text(location)
        text = f"{lead}{(' ' + text) if text and not text.startswith(',') else (text or '')}"
    elif location is not None:
        text = f"{spaced_text(location) or ''} {text or ''}"
    story_date = _child(element, "story.date")
    date_words = spaced_text(story_date)
    when = None
    if story_date is not None:
        parsed = parse_wire_datetime(story_date.get("norm"))
        when = parsed.date() if parsed else None
        if when is None and date_words:
            when = parse_date_words(date_words, default_year=date_hint.year if date_hint else None)
    text = " ".join((text or "").split()).strip(" -–—:")
    place = None
    if location is not None:
        place = inline_text(_child(location, "city")) or (parts[0] if parts else None)
        place = place or inline_text(location)
    place = dateline_place(place or text)
    if not place:
        return None
    if date_words and not parse_wire_datetime(date_words):
        # 'March 12' is part of the printed dateline; a timestamp is not.
        text = f"{text.rstrip(',')}, {date_words}" if date_words not in text else text
    return Dateline(text=text or place, place=title_place(place), date=when)


def _subjects(head: _Kids) -> list[Subject]:
    found: dict[str, Subject] = {}
    for tobject in head.all("tobject"):
        for subject in _children(tobject, "tobject.subject"):
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


def _language(*elements: etree._Element | None) -> str | None:
    """xml:lang, else NITF's own ``baselang`` ('nb-NO', 'en-US'), else a bare ``lang``."""
    for attribute in (XML_LANG, "baselang", "lang"):
        for element in elements:
            if element is not None and (code := language_code(element.get(attribute))):
                return code
    return None
