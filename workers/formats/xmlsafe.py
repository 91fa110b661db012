"""The one way wiredesk parses XML: safe against hostile copy, forgiving about encodings.

Every XML wire format (NITF, NewsML-G2, RSS, Atom) comes through ``parse_xml`` so the defences
live in one place:

* No entity declarations at all. Wire copy never needs them, and they are how billion-laughs
  bombs and external-entity (XXE) reads of files or URLs are built. The one exception is a
  subset that only names DTD modules by relative path (NewsML 1.2's '%nitf;'): it is blanked
  out unread, with a note. The internal DTD subset is
  scanned before parsing, so a bomb is refused in microseconds, and the parsed tree is checked
  again in case a declaration slipped past the scan.
* lxml is run with ``resolve_entities=False, no_network=True, load_dtd=False,
  huge_tree=False``: nothing is expanded, fetched or loaded, and libxml2 keeps its size limits.
* Elements nested deeper than ``MAX_DEPTH`` are refused; real wire copy is a dozen deep.

Failures raise ``HostileInputError`` (naming the attack and where it is) or ``ParseError``
(with line and column), both carrying the format name so quarantine reasons are useful.

Encodings: a byte-order mark wins, then the XML declaration, then UTF-8, then CP1252 for the
undeclared Latin copy old wire systems still send. ISO-8859-1 copy that holds bytes 0x80-0x9f
is read as CP1252, as browsers do, because that is what the agency's system really wrote.
"""

from __future__ import annotations

import codecs
import functools
import html.entities
import re
import threading
from dataclasses import dataclass, field

from lxml import etree

from workers.encoding import decode_text
from workers.errors import HostileInputError, ParseError

__all__ = ["MAX_DEPTH", "RootPeek", "XmlDocument", "decode_xml", "parse_xml", "peek_root"]

#: Deepest element nesting accepted. NITF and G2 copy is rarely deeper than 15.
MAX_DEPTH = 100

# How much of the copy sniffing looks at: enough for a declaration, a DOCTYPE and a root tag
# carrying a dozen namespace declarations.
_PEEK_BYTES = 8192

_DECLARED_ENCODING = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})"
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*\?>")
_DOCTYPE = re.compile(r"<!DOCTYPE\s+([^\s\[>]+)")
_ENTITY_DECL = re.compile(
    r"<!ENTITY\s+(%\s+)?([^\s\"'>]+)\s*(?:(SYSTEM|PUBLIC)\b[^>]*|([\"'])(.*?)\4)", re.DOTALL
)
_SUBSET_END = re.compile(r"\]\s*>")
_ANY_START_TAG = re.compile(r"<[A-Za-z_]")
_ENTITY_REF = re.compile(r"[&%][A-Za-z_][\w.-]*;")
# Named HTML entities that agencies leave in XML copy (&nbsp; &eacute;), outside CDATA and
# comments, which must stay as they are.
_HTML_ENTITY = re.compile(
    r"<!\[CDATA\[.*?\]\]>|<!--.*?-->|&([A-Za-z][A-Za-z0-9]{1,31});", re.DOTALL
)
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_LATIN1_NAMES = frozenset({"latin-1", "iso8859-1", "ascii"})
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
# Blanking keeps line breaks, so every line and column after a blanked stretch stays put.
_NOT_NEWLINE = re.compile(r"[^\n]")
# A reference to a name other than XML's own five: only then can there be HTML entities to
# convert (most copy has none, or only &amp;), and the full scan is skipped.
_NAMED_REFERENCE = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);)[A-Za-z]")
# A quoted target at the end of an external entity declaration, for the refusal's message.
_DECLARED_TARGET = re.compile(r"[\"']([^\"']*)[\"']\s*>?$")

# Root peeking: skip the prolog (declaration, comments, PIs, DOCTYPE) to the first start tag.
_PROLOG_SKIP = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.DOTALL)
_START_TAG = re.compile(
    r"<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[^\s=>/]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/?>"
)
_NS_DECL = re.compile(r"xmlns(?::([\w.-]+))?\s*=\s*[\"']([^\"']*)[\"']")


@dataclass(frozen=True)
class RootPeek:
    """What the start of a document says about its root element, read without parsing it."""

    local: str
    prefix: str | None
    namespace: str | None
    attributes: str


@dataclass
class XmlDocument:
    """A parsed XML item: its root element, the encoding it was read in, and notes for editors."""

    root: etree._Element
    encoding: str
    notes: list[str] = field(default_factory=list)


def decode_xml(raw: bytes) -> tuple[str, str]:
    """XML bytes to text, honouring a BOM or declared encoding. Raises DecodeError."""
    match = _DECLARED_ENCODING.match(raw[:300])
    declared = match[1].decode("ascii") if match else None
    if declared:
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            name = None
        # Copy labelled Latin-1 that uses 0x80-0x9f is CP1252 in practice (curly quotes, dashes).
        if name in _LATIN1_NAMES and _C1_BYTES.search(raw):
            try:
                return raw.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                pass
    elif raw[:2] in (b"<\x00", b"\x00<"):
        # UTF-16 without a byte-order mark still starts with '<'.
        encoding = "utf-16-le" if raw[:1] == b"<" else "utf-16-be"
        return decode_text(raw, declared=encoding)
    return decode_text(raw, declared=declared)


def peek_root(raw: bytes) -> RootPeek | None:
    """The root element's name and namespace from the first few KB, or None. Cheap; for sniff.

    A DOCTYPE whose internal subset runs past the peek window still names the root, so hostile
    copy is still routed to its format's parser, which then refuses it with a clear reason.

    Format detection asks every format in turn and each XML format peeks at the same bytes, so
    the last answer is kept. It is keyed by the bytes peeked at (equal bytes, equal answer;
    the same object compares in no time) and swapped in as one tuple, so threads sharing the
    module never see half of one.
    """
    global _last_peek
    head = raw[:_PEEK_BYTES]
    last = _last_peek
    if last is not None and last[0] == head:
        return last[1]
    peek = _peek_head(head)
    _last_peek = (bytes(head), peek)
    return peek


# The last head peek_root read and what it found; see peek_root.
_last_peek: tuple[bytes, RootPeek | None] | None = None


def _peek_head(head: bytes) -> RootPeek | None:
    """peek_root's reading of the first ``_PEEK_BYTES`` of a document."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[:2] in (
        b"<\x00",
        b"\x00<",
    ):
        try:
            text, _ = decode_text(head[: len(head) // 2 * 2])
        except Exception:
            return None
    else:
        # Markup is ASCII in every encoding we accept, so Latin-1 reads the tags correctly.
        text = head.removeprefix(codecs.BOM_UTF8).decode("latin-1")
    pos = 0
    while True:
        skip = _PROLOG_SKIP.match(text, pos)
        if not skip or skip.end() == pos:
            break
        pos = skip.end()
    tag = _START_TAG.match(text, pos)
    if not tag:
        doctype = _DOCTYPE.search(text)
        if doctype and text.lstrip().startswith(("<?xml", "<!DOCTYPE", "<!--")):
            prefix, _, local = doctype[1].rpartition(":")
            return RootPeek(local=local, prefix=prefix or None, namespace=None, attributes="")
        return None
    prefix, _, local = tag[1].rpartition(":")
    namespaces = {(p or None): uri for p, uri in _NS_DECL.findall(tag[2])}
    return RootPeek(
        local=local,
        prefix=prefix or None,
        namespace=namespaces.get(prefix or None),
        attributes=tag[2],
    )


def parse_xml(raw: bytes, *, format: str) -> XmlDocument:
    """Parse one XML document safely. ``format`` names the caller in every error."""
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise ParseError("empty document", format=format, position="byte 0")
    text, encoding = decode_xml(raw)
    notes: list[str] = []
    text = _drop_declaration(text)
    text, dropped = _drop_dtd_modules(text)
    if dropped:
        notes.append(f"DTD modules named in the DOCTYPE, not loaded: {', '.join(dropped)}")
    _refuse_entity_declarations(text, format)
    text, converted = _numeric_html_entities(text)
    if converted:
        notes.append(f"HTML entities read as characters: {', '.join(sorted(converted))}")
    try:
        root = etree.fromstring(text.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, format) from None
    if root is None:
        raise ParseError("no root element", format=format, position="line 1, column 1")
    _refuse_parsed_entities(root, format)
    _refuse_deep_nesting(root, format)
    _refuse_invalid_namespaces(root, text, format)
    return XmlDocument(root=root, encoding=encoding, notes=notes)


def _drop_declaration(text: str) -> str:
    """Blank out the XML declaration: the text is re-encoded as UTF-8, so the declared encoding
    no longer applies. Blanking rather than removing keeps every line and column where it was."""
    text = text.lstrip("\ufeff")
    match = _XML_DECLARATION.match(text)
    if not match:
        return text
    blank = _NOT_NEWLINE.sub(" ", match[0])
    return blank + text[match.end() :]


# NewsML 1.2 publishers pull the NITF DTD into theirs with an external parameter entity named
# and used in the internal subset: '<!ENTITY % nitf SYSTEM "nitf-3-0.dtd"> %nitf;'. A relative
# path to a DTD file names a schema module, not a resource to read; with DTD loading off it is
# never loaded. Such a subset, holding nothing else, is blanked out (lines kept). A URL, an
# absolute path, a general entity or anything more in the subset is still refused.
_DTD_MODULE = re.compile(
    r"""<!ENTITY\s+%\s+[A-Za-z_][\w.-]*\s+(?:PUBLIC\s+(["'])[^"']*\1\s+)?SYSTEM\s*"""
    r"""(["'])(?P<path>(?![A-Za-z][A-Za-z0-9+.-]*:)(?![/\\])[^"':]*\.(?:dtd|mod|ent))\2\s*>"""
    r"""|<!ENTITY\s+%\s+[A-Za-z_][\w.-]*\s+PUBLIC\s+(["'])[^"']*\3\s+"""
    r"""(["'])(?P<path2>(?![A-Za-z][A-Za-z0-9+.-]*:)(?![/\\])[^"':]*\.(?:dtd|mod|ent))\4\s*>""",
    re.IGNORECASE,
)
_SUBSET_FILLER = re.compile(r"\s+|%[A-Za-z_][\w.-]*;|<!--.*?-->", re.DOTALL)


def _drop_dtd_modules(text: str) -> tuple[str, list[str]]:
    """Blank an internal DTD subset that only names DTD modules; the modules' paths."""
    doctype = _DOCTYPE.search(text)
    if not doctype or _ANY_START_TAG.search(text, 0, doctype.start()):
        return text, []
    opening = text.find("[", doctype.end())
    closing = text.find(">", doctype.end())
    if opening == -1 or (closing != -1 and closing < opening):
        return text, []
    subset_end = _SUBSET_END.search(text, opening)
    if not subset_end:
        return text, []
    subset = text[opening + 1 : subset_end.start()]
    modules = [m["path"] or m["path2"] for m in _DTD_MODULE.finditer(subset)]
    rest = _SUBSET_FILLER.sub("", _DTD_MODULE.sub("", subset))
    if not modules or rest:
        return text, []
    blank = _NOT_NEWLINE.sub(" ", text[opening : subset_end.end() - 1])
    return text[:opening] + blank + text[subset_end.end() - 1 :], modules


def _line_of(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def _refuse_entity_declarations(text: str, format: str) -> None:
    """Refuse any <!ENTITY> in a DOCTYPE before the parser sees it; name the kind of attack."""
    doctype = _DOCTYPE.search(text)
    # Only a DOCTYPE in the prolog counts; one quoted in the copy (CDATA) is just text.
    if not doctype or _ANY_START_TAG.search(text, 0, doctype.start()):
        return
    opening = text.find("[", doctype.end())
    closing = text.find(">", doctype.end())
    if opening == -1 or (closing != -1 and closing < opening):
        return  # no internal subset: an external DTD is named but never loaded
    subset_end = _SUBSET_END.search(text, opening)
    end = subset_end.end() if subset_end else len(text)
    declarations = list(_ENTITY_DECL.finditer(text, opening, end))
    # The worst declaration names the attack: an outside read, then a bomb, then the rest.
    for decl in declarations:
        if decl[3]:
            target = _DECLARED_TARGET.search(decl[0].strip())
            url = target[1] if target else "an outside resource"
            raise HostileInputError(
                f"external entity (XXE) {decl[2]!r} refers to {url!r}; external entities are "
                "never resolved",
                format=format,
                position=_line_of(text, decl.start()),
            )
    for decl in declarations:
        if decl[5] and _ENTITY_REF.search(decl[5]):
            raise HostileInputError(
                f"nested entity expansion (billion laughs): entity {decl[2]!r} expands to "
                "other entities",
                format=format,
                position=_line_of(text, decl.start()),
            )
    if declarations:
        decl = declarations[0]
        kind = "parameter entity" if decl[1] else "entity"
        raise HostileInputError(
            f"{kind} declaration {decl[2]!r} in the DOCTYPE; wire copy must not declare entities",
            format=format,
            position=_line_of(text, decl.start()),
        )
    # A declaration the scan could not read (odd quoting) is refused all the same.
    odd = text.find("<!ENTITY", opening, end)
    if odd != -1:
        raise HostileInputError(
            "entity declaration in the DOCTYPE", format=format, position=_line_of(text, odd)
        )


def _numeric_html_entities(text: str) -> tuple[str, set[str]]:
    """Turn HTML named entities (&nbsp;) into character references XML understands."""
    if "&" not in text or not _NAMED_REFERENCE.search(text):
        return text, set()
    converted: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name is None or name in _XML_ENTITIES or name not in html.entities.name2codepoint:
            return match[0]
        converted.add(name)
        return f"&#{html.entities.name2codepoint[name]};"

    return _HTML_ENTITY.sub(replace, text), converted


def _syntax_error(exc: etree.XMLSyntaxError, format: str) -> ParseError:
    line, column = exc.position if exc.position else (0, 0)
    where = f"line {line}, column {column}"
    message = str(exc.msg or exc).split(", line ")[0]
    lowered = message.lower()
    if "excessive depth" in lowered:
        return HostileInputError(
            f"elements nested deeper than {MAX_DEPTH}", format=format, position=where
        )
    if "entity" in lowered and ("loop" in lowered or "amplification" in lowered):
        return HostileInputError(
            f"entity expansion refused: {message}", format=format, position=where
        )
    return ParseError(f"malformed XML: {message}", format=format, position=where)


def _refuse_parsed_entities(root: etree._Element, format: str) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is None:
        return
    for entity in dtd.iterentities():
        kind = "external entity (XXE)" if entity.system_url else "entity declaration"
        raise HostileInputError(
            f"{kind} {entity.name!r} in the DOCTYPE", format=format, position="DOCTYPE"
        )


# A namespace declaration's value, in either quotes.
_XMLNS = re.compile(r"""\bxmlns(?::[\w.-]+)?\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")


def _refuse_invalid_namespaces(root: etree._Element, text: str, format: str) -> None:
    """Refuse a namespace name that is no valid URI ('http://www.w3Àorg/2005/Atom'). libxml2
    parses some documents declaring one, but lxml builds no element in such a namespace, and
    the formats that cut a message into items build new ones. The text is scanned first (the
    tree's namespaces cost more to list), the tree only when the scan finds a suspect."""
    suspects = [m for m in _XMLNS.finditer(text)
                if not _valid_namespace(html.unescape(m[1] if m[1] is not None else m[2]))]  # fmt: skip
    if not suspects:
        return
    for element in root.iter():
        for uri in element.nsmap.values():
            if not _valid_namespace(uri):
                raise ParseError(f"namespace {uri!r} is not a valid URI", format=format,
                                 position=_line_of(text, suspects[0].start()))  # fmt: skip


@functools.lru_cache(maxsize=256)
def _valid_namespace(uri: str) -> bool:
    try:
        etree.Element("probe", nsmap={None: uri})
    except ValueError:
        return False
    return True


def _refuse_deep_nesting(root: etree._Element, format: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, naming the line of the first element too deep.

    Walking every element from Python costs more than the parse, so libxml2's XPath first
    looks for any element MAX_DEPTH - 1 steps below the root (depth MAX_DEPTH: the only
    possible parents of a node too deep). Real copy has none and is done; the walk that
    finds and names the culprit runs only for copy that comes near the limit.
    """
    if not _near_depth_limit()(root):
        return
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        if depth > MAX_DEPTH:
            raise HostileInputError(
                f"elements nested deeper than {MAX_DEPTH}",
                format=format,
                position=f"line {element.sourceline}",
            )


# The parser and the XPath evaluator are kept one per thread: making a new parser for every
# document costs a third as much again as parsing a story's XML, and lxml parsers must not be
# used by two threads at once.
_per_thread = threading.local()


def _parser() -> etree.XMLParser:
    """This thread's parser: nothing expanded, fetched or loaded (see the module docstring).
    A parser keeps no state from one document to the next that changes the tree it builds."""
    parser = getattr(_per_thread, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            strip_cdata=True,
        )
        _per_thread.parser = parser
    return parser


def _near_depth_limit() -> etree.XPath:
    """This thread's XPath saying whether an element stands MAX_DEPTH - 1 steps below the
    context element (compiled once per thread)."""
    xpath = getattr(_per_thread, "near_depth_limit", None)
    if xpath is None:
        xpath = etree.XPath("boolean(" + "/".join(["*"] * (MAX_DEPTH - 1)) + ")")
        _per_thread.near_depth_limit = xpath
    return xpath
