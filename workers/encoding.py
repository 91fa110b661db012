"""Bytes to text for the text-based wire formats.

Feeds send UTF-8, Latin-1 and CP1252, sometimes with a BOM, sometimes with stray control bytes,
and now and then UTF-8 that was decoded as CP1252 and encoded again upstream ('CafÃ©').

- A byte-order mark wins, then a declared charset when the bytes agree with it. A declared
  Latin-1 or ASCII is read as CP1252, as browsers do: feeds that say Latin-1 send CP1252
  quotes and dashes; but when such bytes are valid UTF-8 with non-ASCII characters, they are
  UTF-8 whatever the declaration says (agency systems stamp 'ISO-8859-1' on UTF-8 exports;
  read by the declaration, 'é' becomes 'Ã©'). Real Latin-1 text with accents is almost never
  valid UTF-8 by accident.
- Then UTF-8: Latin text is almost never valid UTF-8 by accident.
- Then Latin-1 when no byte falls in 0x80-0x9F (the two agree on every other byte), else
  CP1252, which has real characters (curly quotes, dashes) where Latin-1 has C1 controls. The
  five bytes CP1252 leaves undefined are read as Latin-1 controls, which text cleaning drops.
- Mojibake in UTF-8 text is repaired with ftfy, and only when ftfy finds the tell-tale
  sequences, so correct text is never touched.

Bytes that are mostly control codes or NULs are binary, not copy: DecodeError.
"""

from __future__ import annotations

import codecs
import contextlib
import re

from ftfy import fix_encoding
from ftfy.badness import is_bad

from workers.errors import DecodeError

__all__ = ["decode_text", "repair_mojibake"]

_BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
# Charsets whose senders mean CP1252 in practice (the WHATWG encoding standard agrees).
_READ_AS_CP1252 = {"latin_1", "iso8859-1", "ascii", "cp1252"}
# Controls that carry meaning in wire framing and layout and so do not count as binary.
_FRAMING = b"\x01\x02\x03\x04\x16\x1e\x1f\t\n\r\x0c"
_BINARY_SHARE = 0.1
_BAD_CONTROLS = bytes(b for b in range(0x20) if b not in _FRAMING)
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
# UTF-8 lead bytes read as CP1252 followed by a continuation byte read the same way. 'Ã ' and
# 'Ã' before a letter are left alone: they occur in real Portuguese and Vietnamese text.
_MOJIBAKE = re.compile(
    "â€|Ã[\u00a1-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|Â[\u00a0-\u00bf]"
)


def _codec(name: str) -> str | None:
    with contextlib.suppress(LookupError, ValueError):  # ValueError: a NUL in the name
        return codecs.lookup(name).name
    return None


def _check_not_binary(raw: bytes) -> None:
    if not raw:
        return
    sample = raw[:8192]
    controls = len(sample) - len(sample.translate(None, _BAD_CONTROLS))
    if b"\x00" in sample or controls > len(sample) * _BINARY_SHARE:
        where = sample.find(b"\x00")
        detail = f"NUL byte at offset {where}" if where >= 0 else f"{controls} control bytes"
        raise DecodeError(f"binary data, not text ({detail} in the first {len(sample)} bytes)")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as CP1252 ('â€œCafÃ©â€' -> '“Café”') where that is certain."""
    # Every mojibake sequence starts with one of these three; looking for them is a C scan.
    if ("â" not in text and "Ã" not in text and "Â" not in text) or not _MOJIBAKE.search(text):
        return text
    if not is_bad(text):
        return text
    return fix_encoding(text)


def decode_text(raw: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode wire bytes; return the text and the encoding used.

    ``declared`` (from a Content-Type charset or an XML declaration) is honoured when the bytes
    agree with it. Raises DecodeError for bytes after a BOM that do not fit it, and for binary.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"bytes after a {encoding} byte-order mark are not {encoding}: byte "
                    f"0x{raw[len(bom) + exc.start]:02x} at offset {len(bom) + exc.start}"
                ) from exc
    _check_not_binary(raw)
    if declared and (codec := _codec(declared)):
        if codec in _READ_AS_CP1252:
            if _HIGH_BYTE.search(raw):
                with contextlib.suppress(UnicodeDecodeError):
                    return repair_mojibake(raw.decode("utf-8")), "utf-8"
            return _decode_latin(raw)
        # A declared codec that is no text encoding ('rot13', 'zlib': LookupError) or that fails
        # other than by a bad byte ('undefined', 'idna', 'punycode': UnicodeError) is as good
        # as no declaration.
        with contextlib.suppress(UnicodeError, LookupError):
            text = raw.decode(codec)
            return (repair_mojibake(text), codec) if codec == "utf-8" else (text, codec)
    with contextlib.suppress(UnicodeDecodeError):
        return repair_mojibake(raw.decode("utf-8")), "utf-8"
    return _decode_latin(raw)


def _decode_latin(raw: bytes) -> tuple[str, str]:
    if not _C1_BYTES.search(raw):
        return raw.decode("latin-1"), "iso8859-1"
    # CP1252, with its five undefined bytes read as the Latin-1 controls they would be.
    out = []
    for chunk in re.split(rb"([\x81\x8d\x8f\x90\x9d])", raw):
        out.append(chunk.decode("latin-1") if len(chunk) == 1 and chunk[0] in
                   b"\x81\x8d\x8f\x90\x9d" else chunk.decode("cp1252"))  # fmt: skip
    return "".join(out), "cp1252"
