"""Bytes to text for the text-based wire formats.

Feeds send UTF-8, Latin-1 and CP1252, sometimes with a BOM, sometimes with stray control bytes.
UTF-8 is tried first because a Latin-1 text is almost never valid UTF-8 by accident; CP1252 is
preferred to Latin-1 because it gives real characters (curly quotes, dashes) where Latin-1 gives
C1 control codes.
"""

from __future__ import annotations

import codecs
import contextlib

from workers.errors import DecodeError

__all__ = ["decode_text"]

_BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


def decode_text(raw: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode wire bytes; return the text and the encoding used.

    ``declared`` (from a Content-Type charset or an XML declaration) is honoured when the bytes
    agree with it. Raises DecodeError when nothing fits.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"bytes after a {encoding} byte-order mark are not {encoding}"
                ) from exc
    candidates = []
    if declared:
        with contextlib.suppress(LookupError):
            candidates.append(codecs.lookup(declared).name)
    candidates += ["utf-8", "cp1252"]
    first_error: UnicodeDecodeError | None = None
    for encoding in dict.fromkeys(candidates):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    # CP1252 leaves five bytes undefined; what fails there is binary, not Latin text.
    assert first_error is not None
    raise DecodeError(
        f"not text in UTF-8 or CP1252: byte 0x{raw[first_error.start]:02x} at offset "
        f"{first_error.start}"
    ) from first_error
