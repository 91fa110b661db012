"""Encoding detection: UTF-8, Latin-1, CP1252, declared charsets, BOMs, mojibake, binary."""

from __future__ import annotations

import codecs

import pytest

from tests.workers.formats.samplefiles import normalised
from workers.encoding import decode_text, repair_mojibake
from workers.errors import DecodeError

TEXT = "Café “Montée” — 10 €"


def test_utf8():
    assert decode_text(TEXT.encode()) == (TEXT, "utf-8")


def test_cp1252_when_c1_bytes_present():
    assert decode_text(TEXT.encode("cp1252")) == (TEXT, "cp1252")


def test_latin1_when_no_c1_bytes():
    assert decode_text("Renée à Zürich".encode("latin-1")) == ("Renée à Zürich", "iso8859-1")


def test_declared_latin1_is_read_as_cp1252():
    assert decode_text(TEXT.encode("cp1252"), declared="ISO-8859-1")[0] == TEXT


def test_declared_charset_honoured():
    raw = "Ελλάδα".encode("iso8859-7")
    assert decode_text(raw, declared="iso-8859-7") == ("Ελλάδα", "iso8859-7")


def test_declared_charset_that_does_not_fit_falls_back():
    assert decode_text(TEXT.encode("cp1252"), declared="utf-8") == (TEXT, "cp1252")


def test_unknown_declared_charset_is_ignored():
    assert decode_text(TEXT.encode(), declared="no-such-charset") == (TEXT, "utf-8")


@pytest.mark.parametrize(
    ("bom", "codec"), [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")]
)
def test_bom(bom, codec):
    assert decode_text(bom + TEXT.encode(codec)) == (TEXT, codec)


def test_bad_bytes_after_bom():
    with pytest.raises(DecodeError, match="0xff at offset 6"):
        decode_text(codecs.BOM_UTF8 + b"ok \xff")


def test_mojibake_repaired():
    good = "Café Montée — 10 € ‘quoted’"
    broken = good.encode("utf-8").decode("cp1252").encode("utf-8")
    assert "Ã©" in broken.decode()
    assert decode_text(broken) == (good, "utf-8")


def test_correct_text_not_touched():
    for text in ["Ã is a letter in Portuguese: São Tomé, Ãrvore", "naïve façade", "Dvořák in Brno"]:
        assert repair_mojibake(text) == text


def test_undefined_cp1252_bytes_become_controls_not_errors():
    text, codec = decode_text(b"caf\xe9 \x93ok\x94 \x81")
    assert codec == "cp1252" and text == "café “ok” \x81"


def test_binary_refused():
    with pytest.raises(DecodeError, match="NUL byte at offset 2"):
        decode_text(b"ab\x00cd")
    with pytest.raises(DecodeError, match="control bytes"):
        decode_text(bytes(range(5, 31)) * 10)


def test_framing_controls_are_not_binary():
    assert decode_text(b"\x16\x16\x01a0001 r a x\r\n\x02text\x03")[1] == "utf-8"


def test_stray_controls_are_gone_after_normalise():
    story = normalised(b"BERLIN (dpa) - Die\x07 Regierung hat\x85 heute\x1b entschieden.")
    assert story.lede == "Die Regierung hat… heute entschieden."
    story = normalised(b"BERLIN (dpa) - Die\x07 Regierung\x1b hat entschieden.")
    assert story.lede == "Die Regierung hat entschieden."


def test_declared_latin1_that_is_valid_utf8_reads_as_utf8():
    # Agency exports stamp ISO-8859-1 on UTF-8: read by the declaration, 'é' would be 'Ã©'.
    raw = "Procès à Genève: l’audience reprend".encode()
    assert decode_text(raw, declared="iso-8859-1") == (
        "Procès à Genève: l’audience reprend",
        "utf-8",
    )


def test_declared_latin1_that_is_not_utf8_stays_latin():
    raw = "Procès à Genève".encode("latin-1")
    assert decode_text(raw, declared="iso-8859-1")[0] == "Procès à Genève"
