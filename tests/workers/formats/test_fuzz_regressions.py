"""Inputs the parser fuzzer (fuzz/, tests/fuzz) found crashing a parser, each kept as bytes:
normalise reads them as a story or refuses them with a PermanentError, and the story can be
split, passed on and stored (JSON both ways)."""

from __future__ import annotations

import json

import pytest

from schemas import Story
from services.ingest import split_items
from tests.workers.formats.samplefiles import normalised
from workers.encoding import decode_text
from workers.errors import ParseError
from workers.formats.ninjs import Ninjs

# An RFC 822 date with a 20-digit year: email.utils.parsedate_to_datetime raises
# OverflowError, not the ValueError it raises for a year merely out of range.
HUGE_YEAR = b"Tue, 12 Nov 99999999999999999999 09:00:00 +0100"


def _stored(story: Story) -> Story:
    """The story as publish stores it and a reader loads it back."""
    return Story.model_validate_json(story.model_dump_json())


def test_an_email_dated_in_a_year_of_twenty_digits_keeps_its_text_and_drops_the_date():
    raw = (
        b"From: desk@example.com\nSubject: Rhine barges stranded as water falls\n"
        b"Date: " + HUGE_YEAR + b"\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=utf-8\n\n"
        b"DUISBURG (dpa) - Barges lay idle on the Rhine on Tuesday as the river fell to its "
        b"lowest level this year, shippers said.\n"
    )
    story = normalised(raw)
    assert story.headline == "Rhine barges stranded as water falls"
    assert story.dateline is not None and story.dateline.place == "Duisburg"
    assert story.first_created is None


def test_an_rss_item_dated_in_a_year_of_twenty_digits_keeps_its_text_and_drops_the_date():
    raw = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        b"<title>Wire</title><link>https://wire.example.com/</link><description>x</description>"
        b"<item><title>Ferry services resume after storm</title>"
        b'<guid isPermaLink="false">wire-ferry-0001</guid>'
        b"<pubDate>" + HUGE_YEAR + b"</pubDate>"
        b"<description>OSLO, Nov 12 (Wire) - Ferries sailed again on Tuesday.</description>"
        b"</item></channel></rss>"
    )
    story = normalised(raw)
    assert story.format == "rss"
    assert story.headline == "Ferry services resume after storm"
    assert story.version_created is None and story.first_created is None


# Codecs Python knows that are no text encoding (LookupError from bytes.decode) or that fail
# with a plain UnicodeError: a declaration naming one is as good as none.
@pytest.mark.parametrize("codec", [b"zlib", b"rot13", b"quopri", b"undefined", b"punycode"])
def test_an_xml_declaration_naming_a_codec_that_is_no_text_encoding_is_ignored(codec):
    raw = (
        b'<?xml version="1.0" encoding="' + codec + b'"?>\n<nitf><head><title>Port strike '
        b"ends</title></head><body><body.content><p>ROTTERDAM (Reuters) - Dock workers went "
        b"back to work on Tuesday.</p></body.content></body></nitf>"
    )
    story = normalised(raw)
    assert story.format == "nitf"
    assert story.headline == "Port strike ends"


@pytest.mark.parametrize("codec", ["zlib", "rot13", "hex", "undefined", "bad\x00name"])
def test_decode_text_falls_back_when_the_declared_codec_cannot_decode_text(codec):
    assert decode_text("Café".encode(), declared=codec) == ("Café", "utf-8")


def test_a_ninjs_item_with_an_escaped_lone_surrogate_can_be_published():
    raw = (
        b'{"uri": "urn:newsml:wire.example:20241112:ferries", "type": "text",'
        b' "headline": "Ferries \\ud800sail again", "body_text": "OSLO (NTB) - Ferries sailed'
        b' again on Tuesday \\udc00after the storm.", "language": "en"}'
    )
    story = normalised(raw)
    assert story.headline == "Ferries \ufffdsail again"
    assert _stored(story) == story


def test_a_ninjs_list_with_a_lone_surrogate_splits_into_utf8_items():
    raw = (
        b'[{"uri": "urn:x:1", "headline": "One \\ud83d\\ude00", "body_text": "First."},'
        b' {"uri": "urn:x:2", "headline": "Two \\ud800", "body_text": "Second."}]'
    )
    items = split_items(raw)
    assert [json.loads(item)["headline"] for item in items] == ["One 😀", "Two \ufffd"]
    assert [json.loads(item)["uri"] for item in Ninjs().split(raw)] == ["urn:x:1", "urn:x:2"]


def test_ninjs_headline_and_body_entries_whose_role_is_no_string_are_read():
    raw = (
        b'{"uri": "urn:x:roles", "headlines": [{"role": {"a": 1}, "value": "Second"},'
        b' {"role": "main", "value": "Bridge reopens"}], "bodies": [{"role": ["x"],'
        b' "contenttype": "text/plain", "value": "PRAGUE (CTK) - The bridge reopened."}]}'
    )
    story = normalised(raw)
    assert story.headline == "Bridge reopens"
    assert story.body == ["The bridge reopened."]


def test_ninjs_signals_categories_and_ednotes_of_the_wrong_type_are_passed_over():
    raw = (
        b'{"uri": "urn:x:signals", "headline": "Dam holds after rain", "signals": [3, ["x"],'
        b' {"code": "sig:update"}], "categories": 1.5, "ednotes": 7, "body_text": "Text."}'
    )
    story = normalised(raw)
    assert story.headline == "Dam holds after rain"
    assert [s.value for s in story.signals] == ["update"]


def test_a_zone_offset_with_seconds_is_stored_as_the_same_instant_in_utc():
    # ISO 8601 readers accept '+01:11:37'; JSON writes offsets in whole minutes, so the
    # story would move by 37 seconds when published.
    raw = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<nitf><head><title>Harbour reopens</title>'
        b'<pubdata date.publication="20240312T101500+011137"/><docdata>'
        b'<date.issue norm="2024-03-12T10:15:00+01:11:37.5"/></docdata></head><body>'
        b"<body.content><p>KIEL (dpa) - The harbour reopened on Tuesday.</p></body.content>"
        b"</body></nitf>"
    )
    story = normalised(raw)
    assert story.version_created is not None
    assert story.version_created.utcoffset().total_seconds() == 0
    assert story.version_created.isoformat() == "2024-03-12T09:03:22.500000+00:00"
    assert _stored(story) == story


# A namespace name that is no URI, declared before a relative one: libxml2 then parses the
# document (it reports only the last, a warning), but lxml builds no element in that namespace,
# and cutting a feed or a message into items builds new elements.
BAD_NS = "http://www.w3Àorg/2005/Atom".encode()
ATOM_BAD_NS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="' + BAD_NS + b'"><title>Wire</title>'
    b'<entry><id>urn:x:1</id><title>Bridge reopens</title><content type="xhtml">'
    b'<div xmlns="relative"><p>PRAGUE (CTK) - The bridge reopened.</p></div></content></entry>'
    b"<entry><id>urn:x:2</id><title>Second</title><content>Text.</content></entry></feed>"
)
G2_BAD_NS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<newsMessage xmlns="http://iptc.org/std/nar/'
    b'2006-10-01/" xmlns:x="' + BAD_NS + b'"><header><sent>2024-04-08T10:05:00+02:00</sent>'
    b'</header><itemSet><newsItem guid="urn:x:1" version="1"><contentMeta><headline>One'
    b'</headline></contentMeta><contentSet><inlineXML><html xmlns="relative"><body><p>Text.'
    b'</p></body></html></inlineXML></contentSet></newsItem><newsItem guid="urn:x:2" '
    b'version="1"><contentMeta><headline>Two</headline></contentMeta></newsItem></itemSet>'
    b"</newsMessage>"
)


@pytest.mark.parametrize("raw", [ATOM_BAD_NS, G2_BAD_NS], ids=["atom", "newsml_g2"])
def test_a_namespace_name_that_is_no_uri_is_refused_with_a_reason(raw):
    assert split_items(raw) == [raw]  # the door keeps it whole; the worker quarantines it
    with pytest.raises(ParseError) as refused:
        normalised(raw)
    assert "namespace 'http://www.w3Àorg/2005/Atom' is not a valid URI" in str(refused.value)


def test_an_rss_date_that_feedparser_reads_as_attributes_is_no_date():
    # The dc prefix bound to the RSS 0.9 namespace: feedparser gives '<dc:date a="x">' as the
    # dict of its attributes, not as text.
    raw = (
        b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://my.netscape'
        b'.com/rdf/simple/0.9/"><channel><title>Wire</title><link>https://wire.example.com/'
        b"</link><description>x</description><item><title>Library opens on Sundays</title>"
        b'<guid isPermaLink="false">sw-1</guid><dc:date body.end="x">2024-06-21T09:00:00+02:00'
        b"</dc:date><description>AUGSBURG (dpa) - The library opens on Sundays.</description>"
        b"</item></channel></rss>"
    )
    story = normalised(raw)
    assert story.headline == "Library opens on Sundays"
    assert story.version_created is None


# Inputs that made a regular expression backtrack for minutes (the worker's time limit would
# have quarantined them after holding a worker that long). Each now reads at once; were a
# pattern to backtrack again, the test would run into pytest's timeout.


def test_a_paragraph_of_repeated_version_words_is_read():
    # 'REFILE-' run together: the dateline pattern for 'Bern (sda) Der' could cut the words of
    # a place out of it in O(n^4) ways.
    raw = b"Bridge reopens\n\n" + b"REFILE-" * 600 + b" The bridge reopened on Tuesday.\n"
    story = normalised(raw)
    assert story.headline == "Bridge reopens"
    assert story.body[-1].endswith("REFILE- The bridge reopened on Tuesday.")


def test_a_ticker_with_a_long_run_of_spaces_is_read():
    raw = b"Markets\n\nStocks" + b" " * 100_000 + b"rise *** Bonds fall *** Gold flat\n"
    assert normalised(raw).body[-3:] == ["Stocks rise", "Bonds fall", "Gold flat"]


def test_an_rss_author_behind_thousands_of_tabs_is_read():
    raw = (
        b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Wire</title>'
        b"<link>https://wire.example.com/</link><description>x</description><item><title>"
        b'Harbour reopens</title><guid isPermaLink="false">w-1</guid><author>'
        + b"\t"
        * 5000
        + b"Jane Doe</author><description>KIEL (dpa) - The harbour reopened.</description>"
        b"</item></channel></rss>"
    )
    assert normalised(raw).byline == "Jane Doe"
