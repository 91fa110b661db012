"""Structure-aware mutations, one family a wire-format kind, beside libFuzzer's own.

libFuzzer's byte mutations alone mostly make XML that is not well formed and JSON that does not
load: the parsers refuse it in their first line and the code behind stays unreached. These
mutations change a document the way the format is built (an element dropped, duplicated,
renamed or nested deep, a text node or attribute given a hostile value, a declaration naming
an odd encoding; a JSON value replaced by one of the wrong type; a framing byte moved or a
header field rewritten in the teletype formats; lines dropped, repeated or inserted in plain
text), so the parser reads them through and its later branches are fuzzed too.

Every function is pure and takes its randomness from ``random.Random(seed)``, so a mutation
is reproducible from libFuzzer's seed. Nothing here imports wiredesk: the fuzzer process
instruments wiredesk's modules for coverage and this module must stay out of that.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KINDS", "ByteMutator", "Vocabulary", "guess_kind", "mutate"]

#: libFuzzer's own mutation of one input (``atheris.Mutate``): (data, max_size) -> data.
ByteMutator = Callable[[bytes, int], bytes]

KINDS = ("xml", "json", "framed", "text")

# How often libFuzzer's byte mutations are used instead of a structural one: they find what
# structure does not (a byte off in a multi-byte sequence, a number one digit too long).
_BYTE_SHARE = 0.35


@dataclass(frozen=True)
class Vocabulary:
    """What a format's parser looks for, read from its source (``fuzz.seeds``): element and
    key names, namespace URIs, and the phrases it matches (version words, labels)."""

    names: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    others: tuple[bytes, ...] = field(default=())  # seed documents, for splicing


# Values that break parsers: empty and blank, numbers past every range, impossible dates,
# controls and odd Unicode (bidi override, line separator, BOM, ligature, dotted I, astral),
# entities, markup in text, and the wire's own words in the wrong place.
# fmt: off
STRINGS: tuple[str, ...] = (
    "", " ", "\t", "0", "-1", "1", "65", "99999999999999999999", "1e400", "-1e-400", "NaN",
    "Infinity", "0x1F", "१२३", "true", "null", "[]", "{}",
    "\u202e", "\u2028", "\ufeff", "\ufffe", "\u00a0", "ﬀ", "İ", "ß", "𝔘𝔫𝔦", "\u0301", "\x85",
    "é" * 3, "Ã©", "â€œ", "\U0010ffff",
    "2024-02-30T25:61:61Z", "0000-00-00", "9999-12-31T23:59:59+99:99", "-0001-01-01",
    "20241312T999999", "2024-11-12T09:00:00", "2024-11-12T09:00:00.123456789+01:00",
    "Mon, 32 Foo 2024 99:99:99 XYZ", "Tue, 12 Nov 2024 09:00:00 CET", "T", "Z", "+14:00",
    "1712345678901", "12 NOV 24", "0230", "2400", "1231",
    "http://", "urn:", "tag:", "urn:newsml:dpa.com:20090101:", "//", "#", "?",
    "&", "&amp;", "&amp;amp;", "&#0;", "&#x110000;", "&#xD800;", "&nbsp;", "&bogus;", "<", ">",
    "]]>", "<![CDATA[x]]>", "<p>", "</p>", "<br/>", "<script>x</script>", "<!-- -->",
    "(Reuters) -", "PARIS, Feb 30 (AFP) -", "BERLIN (dpa) -", "By", "BY JANE DOE", "Von",
    "EMBARGOED UNTIL 0001 GMT", "KILL", "CORRECTION", "UPDATE 99-", "REFILE-", "[…]", "(…)",
    "(MORE)", "END", "###", "-30-", "=", "NNNN", "ZCZC", "Subject:", "=?utf-8?B?w6k=?=",
    "=?x-bogus?Q?=E9?=", "canceled", "withdrawn", "usable", "embargoed",
)

CHARSETS: tuple[str, ...] = (
    "utf-8", "UTF8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16be", "utf-32", "latin-1",
    "iso-8859-1", "ISO-8859-15", "cp1252", "windows-1252", "ascii", "us-ascii", "utf-7",
    "idna", "punycode", "rot13", "hex", "base64", "zlib", "bz2", "uu", "quopri",
    "unicode_escape", "raw_unicode_escape", "undefined", "cp500", "cp037", "shift_jis",
    "euc-kr", "koi8-r", "gb18030", "big5", "iso-2022-jp", "hz", "mac-roman", "x-unknown",
    "charmap", "mbcs", "", "8859-1",
)

_BYTES: tuple[bytes, ...] = (
    b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xed\xa0\x80",
    b"\xc3", b"\x80", b"\x85", b"\x9d", b"\xe2\x80\xa8", b"\xf4\x90\x80\x80", b"\r", b"\r\n",
    b"\n\n", b"\x1a", b"\x0c", b"\x1b[31m", b"\x7f", b"\x01", b"\x02", b"\x03", b"\x04",
    b"\x16", b"\x1e", b"\x1f",
)
# fmt: on

_DOCTYPES: tuple[bytes, ...] = (
    b'<!DOCTYPE x [<!ENTITY e "boom">]>',
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1/x.dtd"> %p;]>',
    b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;">]>',
    b'<!DOCTYPE nitf SYSTEM "nitf-3-2.dtd">',
    b'<!DOCTYPE NewsML PUBLIC "urn:newsml:iptc.org:20001006:NewsMLv1.0" "NewsML_1.2.dtd" '
    b'[<!ENTITY % nitf SYSTEM "nitf-3-2.dtd"> %nitf;]>',
    b"<!DOCTYPE x [",
    b"<!DOCTYPE>",
)

_XML_TEXT = re.compile(rb">([^<]{1,4000})<")
_START_TAG = re.compile(rb"<([A-Za-z_][\w:.-]*)([^<>]*?)(/?)>")
_ATTR_VALUE = re.compile(rb"([A-Za-z_][\w:.-]*)\s*=\s*(\"[^\"]*\"|'[^']*')")
_XMLNS = re.compile(rb"xmlns(?::[\w.-]+)?\s*=\s*(\"[^\"]*\"|'[^']*')")
_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_FRAMING = b"\x01\x02\x03\x04\x16\x1e\x1f"


def guess_kind(data: bytes) -> str:
    """Which family of mutations fits these bytes, for targets fed every format."""
    head = data[:256].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    if head[:1] == b"<":
        return "xml"
    if head[:1] in (b"{", b"["):
        return "json"
    if any(b in data[:512] for b in (b"\x01", b"\x16", b"ZCZC")):
        return "framed"
    return "text"


def mutate(
    data: bytes,
    max_size: int,
    seed: int,
    *,
    kind: str,
    vocabulary: Vocabulary,
    byte_mutator: ByteMutator,
) -> bytes:
    """One mutation of ``data``, at most ``max_size`` bytes: libFuzzer's byte mutation now and
    then, else one (sometimes two) of the structural mutations of ``kind`` or the generic ones."""
    rng = random.Random(seed)
    if not data or rng.random() < _BYTE_SHARE:
        return byte_mutator(data, max_size)[:max_size]
    family = kind if kind in _OPS else guess_kind(data)
    ops = _OPS[family] + _GENERIC
    out = data
    for _ in range(1 + (rng.random() < 0.3)):
        out = rng.choice(ops)(out, rng, vocabulary) or out
    if out == data:
        out = byte_mutator(data, max_size)
    return out[:max_size]


# --- values ---------------------------------------------------------------------------------


def _string(rng: random.Random, vocabulary: Vocabulary) -> str:
    pools: list[Sequence[str]] = [STRINGS, vocabulary.phrases or STRINGS]
    if vocabulary.names:
        pools.append(vocabulary.names)
    value = rng.choice(rng.choice(pools))
    roll = rng.random()
    if roll < 0.05:
        return value * rng.choice((50, 1000))
    if roll < 0.15:
        return value + " " + rng.choice(STRINGS)
    return value


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_bytes(rng: random.Random, vocabulary: Vocabulary, *, xml: bool = False) -> bytes:
    """A value as bytes: UTF-8 mostly, now and then another encoding's bytes, and in XML
    escaped unless the roll says raw (markup, entities and ']]>' in the wrong place)."""
    value = _string(rng, vocabulary)
    if xml and rng.random() < 0.7:
        value = _xml_escape(value)
    encoding = rng.choice(("utf-8",) * 6 + ("cp1252", "latin-1", "utf-16-le"))
    return value.encode(encoding, errors="replace")


def _pick(pattern: re.Pattern[bytes], data: bytes, rng: random.Random) -> re.Match[bytes] | None:
    matches = list(pattern.finditer(data, 0, 200_000))
    return rng.choice(matches) if matches else None


def _splice(data: bytes, start: int, end: int, new: bytes) -> bytes:
    return data[:start] + new + data[end:]


# --- generic ---------------------------------------------------------------------------------

_Op = Callable[[bytes, random.Random, Vocabulary], bytes]


def _truncate(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _repeat_chunk(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    start = rng.randrange(len(data) + 1)
    end = min(len(data), start + rng.choice((1, 8, 64, 512)))
    return _splice(data, end, end, data[start:end] * rng.choice((1, 2, 16)))


def _drop_chunk(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    start = rng.randrange(len(data) + 1)
    return _splice(data, start, start + rng.choice((1, 4, 32, 256)), b"")


def _insert_bytes(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    at = rng.choice((0, len(data), rng.randrange(len(data) + 1)))
    return _splice(data, at, at, rng.choice(_BYTES) * rng.choice((1, 1, 3, 200)))


def _insert_token(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    at = rng.randrange(len(data) + 1)
    if rng.random() < 0.5 and (line := data.rfind(b"\n", 0, at)) >= 0:
        at = line + 1  # the parsers read many things at the start of a line
    return _splice(data, at, at, _text_bytes(rng, vocabulary) + rng.choice((b"", b" ", b"\n")))


def _reencode(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    text = data.decode("utf-8", errors="replace")
    encoding = rng.choice(
        ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "utf-8-sig", "cp500")
    )
    return text.encode(encoding, errors="replace")


def _cross(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    """Splice a piece of another seed in: formats quoting each other (NITF in ninjs, an XML
    item mailed as text) are real."""
    if not vocabulary.others:
        return data
    other = rng.choice(vocabulary.others)
    start = rng.randrange(len(other) + 1)
    piece = other[start : start + rng.choice((16, 256, 4096))]
    at = rng.randrange(len(data) + 1)
    return _splice(data, at, at if rng.random() < 0.5 else len(data), piece)


_GENERIC: list[_Op] = [
    _truncate,
    _repeat_chunk,
    _drop_chunk,
    _insert_bytes,
    _insert_token,
    _reencode,
    _cross,
]


# --- XML -------------------------------------------------------------------------------------


def _element_span(data: bytes, tag: re.Match[bytes]) -> tuple[int, int]:
    """Where the element a start tag opens ends: after its first matching end tag, or the tag
    itself when none follows (good enough: the mutations only need a plausible element)."""
    if tag[3]:
        return tag.start(), tag.end()
    close = data.find(b"</" + tag[1] + b">", tag.end())
    return (tag.start(), close + len(tag[1]) + 3) if close >= 0 else (tag.start(), tag.end())


def _xml_text(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    match = _pick(_XML_TEXT, data, rng)
    if match is None:
        return data
    value = _text_bytes(rng, vocabulary, xml=True)
    if rng.random() < 0.3:
        value = match[1] + value  # keep the text, append to it
    return _splice(data, match.start(1), match.end(1), value)


def _xml_attribute(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    match = _pick(_ATTR_VALUE, data, rng)
    if match is None:
        return data
    value = _text_bytes(rng, vocabulary, xml=True).replace(b'"', b"&quot;")
    return _splice(data, match.start(2), match.end(2), b'"' + value + b'"')


def _xml_add_attribute(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    tag = _pick(_START_TAG, data, rng)
    if tag is None or not vocabulary.names:
        return data
    name = rng.choice(vocabulary.names).encode("utf-8", errors="replace")
    if not re.fullmatch(rb"[A-Za-z_][\w.-]*", name):
        return data
    value = _text_bytes(rng, vocabulary, xml=True).replace(b'"', b"&quot;")
    return _splice(data, tag.end(2), tag.end(2), b" " + name + b'="' + value + b'"')


def _xml_drop(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    tag = _pick(_START_TAG, data, rng)
    if tag is None:
        return data
    if rng.random() < 0.25:
        return _splice(data, tag.start(), tag.end(), b"")  # only the tag: unbalanced
    start, end = _element_span(data, tag)
    return _splice(data, start, end, b"")


def _xml_duplicate(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    tag = _pick(_START_TAG, data, rng)
    if tag is None:
        return data
    start, end = _element_span(data, tag)
    return _splice(data, end, end, data[start:end] * rng.choice((1, 1, 2, 30)))


def _xml_rename(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    tag = _pick(_START_TAG, data, rng)
    names = [n for n in vocabulary.names if re.fullmatch(r"[A-Za-z_][\w.:-]*", n)]
    if tag is None or not names:
        return data
    new = rng.choice(names).encode()
    start, end = _element_span(data, tag)
    element = data[start:end]
    old = tag[1]
    element = b"<" + new + element[1 + len(old) :]
    if element.endswith(b"</" + old + b">"):
        element = element[: -len(old) - 3] + b"</" + new + b">"
    return _splice(data, start, end, element)


def _xml_insert_element(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    names = [n for n in vocabulary.names if re.fullmatch(r"[A-Za-z_][\w.:-]*", n)]
    tag = _pick(_START_TAG, data, rng)
    if tag is None or not names:
        return data
    name = rng.choice(names).encode()
    element = b"<" + name + b">" + _text_bytes(rng, vocabulary, xml=True) + b"</" + name + b">"
    return _splice(data, tag.end(), tag.end(), element)


def _xml_nest(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    """An element wrapped in copies of itself: around the depth limit (100) and far past it."""
    tag = _pick(_START_TAG, data, rng)
    if tag is None or tag[3]:
        return data
    start, end = _element_span(data, tag)
    times = rng.choice((2, 5, 98, 99, 100, 101, 1000))
    opening = data[tag.start() : tag.end()]
    closing = b"</" + tag[1] + b">"
    return data[:start] + opening * times + data[start:end] + closing * times + data[end:]


def _xml_declaration(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    charset = rng.choice(CHARSETS)
    declaration = b'<?xml version="1.0" encoding="' + charset.encode() + b'"?>'
    if rng.random() < 0.1:
        declaration = rng.choice((b"<?xml?>", b'<?xml version="9.9"?>', b"<?xml encoding=utf-8?>"))
    body = _DECLARATION.sub(b"", data, count=1).lstrip()
    if rng.random() < 0.4:
        # The document really in that encoding, as an honest sender would write it.
        with contextlib.suppress(LookupError, UnicodeError, ValueError, TypeError):
            body = body.decode("utf-8").encode(charset)
    return declaration + rng.choice((b"\n", b"", b"\r\n")) + body


def _xml_doctype(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    doctype = rng.choice(_DOCTYPES)
    found = _DECLARATION.match(data)
    at = found.end() if found else 0
    data = _splice(data, at, at, doctype)
    if b"ENTITY e " in doctype or b"ENTITY c " in doctype:
        text = _pick(_XML_TEXT, data, rng)
        if text:
            data = _splice(data, text.start(1), text.start(1), rng.choice((b"&e;", b"&c;")))
    return data


def _xml_entity(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    text = _pick(_XML_TEXT, data, rng)
    if text is None:
        return data
    at = rng.randrange(text.start(1), text.end(1) + 1)
    entity = rng.choice(
        (
            b"&#0;",
            b"&#1;",
            b"&#xD800;",
            b"&#x110000;",
            b"&#65;",
            b"&#x1F600;",
            b"&nbsp;",
            b"&eacute;",
            b"&amp;",
            b"&amp;quot;",
            b"&bogus;",
            b"&;",
            b"&#;",
            b"&#99999999999;",
            b"&lt;p&gt;",
        )
    )
    return _splice(data, at, at, entity)


def _xml_cdata(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    text = _pick(_XML_TEXT, data, rng)
    if text is None:
        return data
    inner = text[1].replace(b"&lt;", b"<").replace(b"&gt;", b">").replace(b"&amp;", b"&")
    if rng.random() < 0.3:
        inner = b"<p>" + inner + b"</p><![CDATA[nested" + rng.choice((b"]]>", b""))
    return _splice(data, text.start(1), text.end(1), b"<![CDATA[" + inner + b"]]>")


def _xml_namespace(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    spaces = vocabulary.namespaces or ("http://example.com/",)
    value = rng.choice((*spaces, "", "urn:x", "http://www.w3.org/2005/Atom"))
    match = _pick(_XMLNS, data, rng)
    if match is None or rng.random() < 0.3:
        tag = _pick(_START_TAG, data, rng)
        if tag is None:
            return data
        prefix = rng.choice((b"", b":a", b":dc", b":x"))
        attr = b" xmlns" + prefix + b'="' + value.encode() + b'"'
        return _splice(data, tag.end(2), tag.end(2), attr)
    return _splice(data, match.start(1), match.end(1), b'"' + value.encode() + b'"')


_XML: list[_Op] = [
    _xml_text,
    _xml_text,
    _xml_attribute,
    _xml_add_attribute,
    _xml_drop,
    _xml_duplicate,
    _xml_rename,
    _xml_insert_element,
    _xml_nest,
    _xml_declaration,
    _xml_doctype,
    _xml_entity,
    _xml_cdata,
    _xml_namespace,
]


# --- JSON ------------------------------------------------------------------------------------

_Path = tuple[Any, ...]


def _json_value(rng: random.Random, vocabulary: Vocabulary, depth: int = 0) -> Any:
    roll = rng.random()
    if roll < 0.35:
        return _string(rng, vocabulary)
    if roll < 0.45:
        return rng.choice((None, True, False))
    if roll < 0.6:
        return rng.choice(
            (0, -1, 1, 2, 3, 9, 10, 2**31, 2**63, -(2**63), 10**20, 0.5, -0.0, 1e308, 1.5e-300)
        )
    if roll < 0.65:
        return rng.choice(("\ud800", "a\udc00b", "\x00", "\x1f"))  # lone surrogates, controls
    if depth >= 3:
        return []
    if roll < 0.8:
        return [_json_value(rng, vocabulary, depth + 1) for _ in range(rng.choice((0, 1, 2, 5)))]
    keys = vocabulary.names or ("headline", "body_html", "uri")
    return {
        rng.choice(keys): _json_value(rng, vocabulary, depth + 1)
        for _ in range(rng.choice((0, 1, 2, 4)))
    }


def _json_paths(doc: Any) -> list[_Path]:
    """Every node's path (at most 2,000, breadth first)."""
    paths: list[_Path] = [()]
    queue: list[tuple[_Path, Any]] = [((), doc)]
    while queue and len(paths) < 2000:
        path, node = queue.pop(0)
        children = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        for key, child in children:
            paths.append((*path, key))
            queue.append(((*path, key), child))
    return paths


def _json_get(doc: Any, path: _Path) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _json_mutate(doc: Any, rng: random.Random, vocabulary: Vocabulary) -> Any:
    paths = _json_paths(doc)
    path = rng.choice(paths)
    op = rng.randrange(8)
    if not path or op == 0:
        wrapped = rng.choice(
            (
                lambda d: [d],
                lambda d: [d, d],
                lambda d: {"items": [d, d]},
                lambda d: {"data": {"item": d}},
                lambda d: {"entries": [d]},
                lambda d: {"api_version": "2", "data": {"items": [{"item": d}]}},
                lambda d: {"total": 1, "item": [d]},
            )
        )
        return wrapped(doc) if not path or rng.random() < 0.5 else doc
    parent, key = _json_get(doc, path[:-1]), path[-1]
    if op == 1 and isinstance(parent, dict):
        del parent[key]
    elif op == 2 and isinstance(parent, dict):
        new = rng.choice(vocabulary.names or ("headline",))
        parent[new] = parent.pop(key)
    elif op == 3 and isinstance(parent, list):
        parent.insert(key, parent[key])
    elif op == 4:
        node = _json_get(doc, path)
        target = node if isinstance(node, dict) else parent if isinstance(parent, dict) else None
        if target is not None:
            target[rng.choice(vocabulary.names or ("headline",))] = _json_value(rng, vocabulary)
    elif op == 5:
        # Nesting around the ninjs depth limit (64) and past the interpreter's recursion limit.
        depth = rng.choice((3, 62, 63, 64, 65, 300, 1500))
        value: Any = _json_value(rng, vocabulary, 3)
        for _ in range(depth):
            value = [value] if rng.random() < 0.5 else {"a": value}
        parent[key] = value
    else:
        parent[key] = _json_value(rng, vocabulary)
    return doc


def _json(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return _insert_token(data, rng, vocabulary)
    doc = _json_mutate(doc, rng, vocabulary)
    try:
        text = json.dumps(doc, ensure_ascii=rng.random() < 0.5, indent=rng.choice((None, 1)))
    except (ValueError, RecursionError):  # nested past the interpreter's limit: say so in text
        return b"[" * 5000 + b"]" * 5000
    # A lone surrogate can only be sent escaped; raw, it is bytes that are no UTF-8.
    return text.encode("utf-8", errors="surrogatepass")


_JSON: list[_Op] = [_json, _json, _json, _json]


# --- lines: plain text and the teletype formats ----------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _line_op(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    op = rng.randrange(6)
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(i, lines[i])
    elif op == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 3:
        lines.insert(i, _text_bytes(rng, vocabulary))
    elif op == 4:
        lines.insert(i, b"")  # a paragraph break, or the end of a header block
    else:
        words = lines[i].split(b" ")
        k = rng.randrange(len(words))
        words[k] = _text_bytes(rng, vocabulary)
        lines[i] = b" ".join(words)
    return b"\n".join(lines)


def _line_endings(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    new = rng.choice((b"\r\n", b"\r", b"\r\r\n", b"\n\n", b"\x1e", b"\x85"))
    return data.replace(b"\r\n", b"\n").replace(b"\n", new)


def _long_line(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines[i] = lines[i] + b" " + b" ".join(_text_bytes(rng, vocabulary) for _ in range(200))
    return b"\n".join(lines)


# fmt: off
_MAIL_HEADERS: tuple[bytes, ...] = (
    b"From: desk@example.com", b"To: wire@example.com", b"Subject: ", b"MIME-Version: 1.0",
    b"Content-Type: text/plain; charset=", b"Content-Type: text/html; charset=utf-8",
    b'Content-Type: multipart/alternative; boundary="b"', b"Content-Transfer-Encoding: base64",
    b"Content-Transfer-Encoding: quoted-printable", b"Content-Transfer-Encoding: x-uue",
    b"--b", b"--b--", b"Date: Tue, 12 Nov 2024 09:00:00 +0100", b"Date: 99 Foo 0000",
    b"Content-Disposition: attachment; filename*=utf-8''%E9.txt",
)
# fmt: on


def _mail(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    """An e-mail around the copy or a header line changed: plain text reads RFC 822 messages."""
    header = rng.choice(_MAIL_HEADERS)
    if header.endswith((b"charset=", b"Subject: ")):
        header += (
            rng.choice(CHARSETS).encode() if header.endswith(b"=") else _text_bytes(rng, vocabulary)
        )
    if data.startswith((b"From:", b"Subject:", b"MIME", b"Content-", b"To:", b"Date:")):
        lines = _lines(data)
        end = lines.index(b"") if b"" in lines else len(lines)
        lines.insert(rng.randrange(end + 1), header)
        return b"\n".join(lines)
    return b"From: desk@example.com\nSubject: x\n" + header + b"\n\n" + data


_TEXT: list[_Op] = [_line_op, _line_op, _line_op, _line_endings, _long_line, _mail]


def _framing_op(data: bytes, rng: random.Random, _: Vocabulary) -> bytes:
    found = [i for i, b in enumerate(data[:200_000]) if b in _FRAMING]
    op = rng.randrange(5)
    if op == 0 and found:
        i = rng.choice(found)
        return _splice(data, i, i + 1, b"")
    if op == 1 and found:
        i = rng.choice(found)
        j = rng.randrange(len(data) + 1)
        return _splice(_splice(data, i, i + 1, b""), j, j, data[i : i + 1])
    if op == 2:
        return data + rng.choice((b"", b"\r\n", b"\x16\x16")) + data  # two messages in one
    if op == 3:
        at = rng.randrange(len(data) + 1)
        return _splice(data, at, at, bytes([rng.choice(_FRAMING)]) * rng.choice((1, 1, 2, 50)))
    return rng.choice((b"ZCZC ", b"\x16\x16\x01", b"\x01")) + data


def _header_field(data: bytes, rng: random.Random, vocabulary: Vocabulary) -> bytes:
    """A field of the header (the first lines, before the text) rewritten."""
    end = data.find(b"\x02")
    end = end if 0 < end < 600 else min(len(data), 300)
    fields = list(re.finditer(rb"[^\s\x01-\x1f]+", data[:end]))
    if not fields:
        return data
    field_ = rng.choice(fields)
    value = rng.choice(
        (
            _text_bytes(rng, vocabulary),
            str(rng.randrange(10 ** rng.randrange(1, 12))).encode(),
            rng.choice(
                (
                    b"f",
                    b"b",
                    b"u",
                    b"r",
                    b"d",
                    b"a",
                    b"z",
                    b"0",
                    b"9",
                    b"-",
                    b"",
                    b"BC-",
                    b"^",
                    b"<",
                    b"=",
                    b"AM-",
                    b"0000",
                    b"1231",
                    b"2400",
                    b"0230",
                    b"99",
                )
            ),
        )
    )
    return _splice(data, field_.start(), field_.end(), value)


_FRAMED: list[_Op] = [
    _framing_op,
    _framing_op,
    _header_field,
    _header_field,
    _line_op,
    _line_op,
    _line_endings,
]

_OPS: dict[str, list[_Op]] = {"xml": _XML, "json": _JSON, "framed": _FRAMED, "text": _TEXT}
