"""RSS 2.0 and Atom feeds: split counts, every field, encodings, bad and hostile copy."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from schemas import PubStatus
from workers.errors import HostileInputError, ParseError
from workers.formats import detect
from workers.formats.feeds import ATOM_NAMESPACE, Atom, Rss
from workers.stages.normalise import normalise

HERE = Path(__file__).parent / "samples"
RSS, ATOM = Rss(), Atom()
GOOD = [
    "new-story.xml",
    "update.xml",
    "correction.xml",
    "kill.xml",
    "embargoed.xml",
    "latin1.xml",
    "windows-1252.xml",
    "cp1252-undeclared.xml",
]


def raw(fmt: str, name: str) -> bytes:
    return (HERE / fmt / name).read_bytes()


def story(data: bytes):
    return normalise(
        data, receipt_id="rc_feed", feed="feed-test", received_at=datetime(2024, 4, 20, tzinfo=UTC)
    )


# --- RSS -------------------------------------------------------------------------------------


def test_rss_new_story_fields():
    item = RSS.parse(raw("rss", "new-story.xml"))
    assert item.format == "rss"
    assert item.item_id == "rtr-20240415-chile-quake"
    assert item.headline == "Strong quake shakes northern Chile, no damage reported"
    assert item.agency == "Reuters"
    assert item.byline == "Camila Rojas"
    assert item.keywords == ["World", "Chile", "Earthquakes"]
    assert item.language == "en"
    assert item.first_created == datetime(2024, 4, 15, 4, 12, tzinfo=UTC)
    assert item.version_created == item.first_created
    assert item.date_hint == date(2024, 4, 15)
    # Escaped HTML becomes paragraphs; the script is dropped.
    assert item.body == [
        "SANTIAGO, April 15 (Reuters) - A magnitude 6.1 earthquake shook northern Chile early on "
        "Monday, the national seismology centre said, with no immediate reports of damage or "
        "injuries.",
        "The quake was centred 40 km (25 miles) east of the port of Antofagasta at a depth of "
        "90 km.",
    ]


def test_rss_has_no_urgency_status_or_signals():
    for name in ("new-story.xml", "update.xml", "correction.xml", "kill.xml", "embargoed.xml"):
        item = RSS.parse(raw("rss", name))
        assert item.urgency is None
        assert item.status is PubStatus.usable
        assert item.signals == []
        assert item.version == 1
        assert item.embargoed_until is None


def test_rss_update_keeps_guid_and_reads_creator_and_updated():
    item = RSS.parse(raw("rss", "update.xml"))
    assert item.item_id == RSS.parse(raw("rss", "new-story.xml")).item_id
    assert item.byline == "Camila Rojas"
    assert item.version_created == datetime(2024, 4, 15, 7, 40, tzinfo=UTC)


def test_rss_split_gives_standalone_items_with_channel_and_namespaces():
    parts = RSS.split(raw("rss", "feed-several.xml"))
    assert len(parts) == 5
    for part in parts:
        root = etree.fromstring(part)
        assert root.tag == "rss"
        assert len(root.find("channel").findall("item")) == 1
        assert root.find("channel/title").text == "Reuters: World News"
    items = [RSS.parse(p) for p in parts]
    assert [i.item_id for i in items] == [
        "rtr-20240415-chile-quake",
        "rtr-20240415-chile-quake",
        "rtr-20240415-japan-yen",
        "rtr-20240415-kenya-rain",
        "ap-20240415-moose",
    ]
    # content:encoded (CDATA HTML) is preferred to the shorter description.
    assert items[3].body[-1] == "No deaths were reported."
    # The item's own <source> names the agency over the channel title.
    assert items[4].agency == "AP"
    assert items[4].first_created == datetime(
        2024, 4, 15, 16, 20, tzinfo=timezone(-timedelta(hours=8))
    )


def test_rss_single_item_feed_splits_to_itself():
    assert RSS.split(raw("rss", "new-story.xml")) == [raw("rss", "new-story.xml")]


def test_rss_whole_feed_is_refused_by_parse():
    with pytest.raises(ParseError, match="rss: feed holds 5 items; split"):
        RSS.parse(raw("rss", "feed-several.xml"))
    with pytest.raises(ParseError, match="feed holds no item"):
        RSS.parse(raw("rss", "no-items.xml"))


def _rss(item: str, title: str = "City Gazette") -> bytes:
    return (
        f'<rss version="2.0"><channel><title>{title}</title><item>{item}</item></channel></rss>'
    ).encode()


def test_rss_feed_title_that_names_no_agency_gives_none():
    assert RSS.parse(_rss("<title>x</title><description>y</description>")).agency is None
    source = "<title>x</title><source url='u'>Hometown Herald</source>"
    assert RSS.parse(_rss(source)).agency == "Hometown Herald"


def test_rss_author_email_only_is_no_byline_and_link_stands_in_for_guid():
    item = RSS.parse(
        _rss("<title>t</title><link>https://x.example/1</link><author>a@x.example</author>")
    )
    assert item.byline is None
    assert item.item_id == "https://x.example/1"
    assert any("e-mail" in n for n in item.notes)


def test_rss_plain_text_description_split_at_blank_lines_and_html_title():
    item = RSS.parse(
        _rss(
            "<title>Storm &lt;b&gt;warning&lt;/b&gt;</title><description>One.\n\nTwo.</description>"
        )
    )
    assert item.body == ["One.", "Two."]
    assert item.headline == "Storm warning"


def test_rss_bad_dates_are_none():
    item = RSS.parse(_rss("<title>t</title><pubDate>sometime soon</pubDate>"))
    assert item.first_created is None and item.version_created is None


# --- Atom ------------------------------------------------------------------------------------


def test_atom_new_story_fields():
    item = ATOM.parse(raw("atom", "new-story.xml"))
    assert item.format == "atom"
    assert item.item_id == "urn:afp:20240420:nz-kiwi"
    assert item.headline == "New Zealand counts record number of kiwi chicks"
    assert item.agency == "AFP"
    assert item.byline == "Lena Marsh"
    assert item.keywords == ["Environment", "New Zealand"]
    assert item.language == "en"
    assert item.first_created == datetime(2024, 4, 20, 3, tzinfo=UTC)
    assert item.version_created == datetime(2024, 4, 20, 3, tzinfo=UTC)
    assert len(item.body) == 2 and item.body[1].startswith("Volunteers tracked")


def test_atom_update_xhtml_content_and_several_authors():
    item = ATOM.parse(raw("atom", "update.xml"))
    assert item.body == [
        "Wellington (AFP) - New Zealand counted a record number of kiwi chicks this season, "
        "officials said Saturday.",
        "The government pledged to extend predator-free funding.",
    ]
    assert item.byline == "Lena Marsh, Tom Wiremu"
    assert item.keywords == ["environment"]
    assert item.version_created == datetime(2024, 4, 20, 6, 30, tzinfo=UTC)
    assert item.first_created == datetime(2024, 4, 20, 3, tzinfo=UTC)


def test_atom_has_no_status_semantics():
    for name in ("correction.xml", "kill.xml", "embargoed.xml"):
        item = ATOM.parse(raw("atom", name))
        assert item.status is PubStatus.usable and item.signals == [] and item.urgency is None


def test_atom_feed_author_is_the_default_byline():
    assert ATOM.parse(raw("atom", "correction.xml")).byline == "AFP"


def test_atom_split_counts_and_summary_fallback():
    parts = ATOM.split(raw("atom", "feed-several.xml"))
    assert len(parts) == 4
    for part in parts:
        root = etree.fromstring(part)
        assert root.tag == f"{{{ATOM_NAMESPACE}}}feed"
        assert len(root.findall(f"{{{ATOM_NAMESPACE}}}entry")) == 1
    last = ATOM.parse(parts[3])
    assert last.body == [
        "Porto Alegre (AFP) - Authorities in southern Brazil warned residents of more heavy "
        "rain over the weekend."
    ]
    assert last.first_created is None
    assert last.version_created == datetime(2024, 4, 20, 11, tzinfo=UTC)


def test_atom_whole_feed_refused_by_parse():
    with pytest.raises(ParseError, match="atom: feed holds 4 entries; split"):
        ATOM.parse(raw("atom", "feed-several.xml"))


def test_atom_bare_entry():
    data = raw("atom", "entry-only.xml")
    assert ATOM.split(data) == [data]
    item = ATOM.parse(data)
    assert item.item_id == "urn:afp:20240420:bare"
    assert item.byline is None
    assert item.agency is None  # no feed, no source: normalise takes it from the dateline
    assert story(data).agency == "AFP"


def test_atom_content_src_is_never_fetched():
    data = (
        f'<entry xmlns="{ATOM_NAMESPACE}"><id>e</id><title>t</title>'
        '<content src="http://attacker.invalid/body.html" type="text/html"/>'
        "<summary>Fallback text.</summary></entry>"
    ).encode()
    item = ATOM.parse(data)
    assert item.body == ["Fallback text."]
    assert any("never fetched" in n for n in item.notes)


def test_atom_sniff():
    assert ATOM.sniff(raw("atom", "new-story.xml")) == 0.95
    assert ATOM.sniff(b"<feed><title>old</title></feed>") == 0.4
    assert ATOM.sniff(b"<entry><id>x</id></entry>") == 0
    assert RSS.sniff(raw("atom", "new-story.xml")) == 0


# --- both ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@pytest.mark.parametrize(
    ("name", "headline", "language", "agency"),
    [
        ("latin1.xml", None, "de", None),
        ("windows-1252.xml", None, "fr", "AFP"),
        ("cp1252-undeclared.xml", None, "es", "EFE"),
    ],
)
def test_non_utf8_feeds(fmt, name, headline, language, agency):
    parser = RSS if fmt == "rss" else ATOM
    item = parser.parse(raw(fmt, name))
    assert item.language == language
    if agency:
        assert item.agency == agency
    text = " ".join([item.headline or "", *item.body])
    assert "\ufffd" not in text
    assert any(ch in text for ch in "öüßé’–“")


def test_specific_non_utf8_characters():
    assert RSS.parse(raw("rss", "latin1.xml")).headline.startswith("Kölner Dom: Gerüst")
    assert "flamme olympique – des milliers" in RSS.parse(raw("rss", "windows-1252.xml")).body[0]
    assert "“mascletà”" in RSS.parse(raw("rss", "cp1252-undeclared.xml")).body[0]
    assert ATOM.parse(raw("atom", "latin1.xml")).headline == (
        "Salzburger Festspiele präsentieren Programm für den Sommer"
    )
    assert "s’attendent" in ATOM.parse(raw("atom", "windows-1252.xml")).body[0]
    assert "“fiesta vecinal”" in ATOM.parse(raw("atom", "cp1252-undeclared.xml")).body[0]


@pytest.mark.parametrize(
    ("fmt", "name", "position"),
    [
        ("rss", "malformed.xml", "line 2, column"),
        ("rss", "truncated.xml", "line 22, column"),
        ("atom", "malformed.xml", "line 2, column"),
        ("atom", "truncated.xml", "line 22, column"),
    ],
)
def test_broken_feeds(fmt, name, position):
    parser = RSS if fmt == "rss" else ATOM
    data = raw(fmt, name)
    with pytest.raises(ParseError) as caught:
        parser.parse(data)
    assert caught.value.format == fmt
    assert caught.value.position.startswith(position)
    assert parser.split(data) == [data]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_empty_and_unknown_root(fmt):
    parser = RSS if fmt == "rss" else ATOM
    assert parser.sniff(raw(fmt, "empty.xml")) == 0
    with pytest.raises(ParseError, match="empty document"):
        parser.parse(raw(fmt, "empty.xml"))
    assert parser.sniff(raw(fmt, "unknown-root.xml")) == 0
    with pytest.raises(ParseError, match="root element"):
        parser.parse(raw(fmt, "unknown-root.xml"))


def test_hostile_feeds_refused_fast():
    for fmt, name, parser, reason in [
        ("rss", "xxe-http.xml", RSS, "XXE"),
        ("atom", "xxe-parameter.xml", ATOM, "XXE"),
        ("atom", "deep-nesting.xml", ATOM, "nested deeper than 100"),
    ]:
        data = raw("xml", name)
        assert detect(data).name == fmt
        start = time.perf_counter()
        with pytest.raises(HostileInputError, match=reason) as caught:
            parser.parse(data)
        assert time.perf_counter() - start < 0.5
        assert caught.value.format == fmt and caught.value.position
        assert parser.split(data) == [data]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@pytest.mark.parametrize("name", [*GOOD, "feed-several.xml"])
def test_detection(fmt, name):
    assert detect(raw(fmt, name)).name == fmt


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@pytest.mark.parametrize("name", [*GOOD, "feed-several.xml"])
def test_normalise_every_good_item(fmt, name):
    parser = RSS if fmt == "rss" else ATOM
    for part in parser.split(raw(fmt, name)):
        s = story(part)
        assert s.format == fmt
        assert s.item_id and s.headline and s.body
        assert s.agency
        assert s.lede == s.body[0]
        assert s.language in {"en", "de", "fr", "es"}


def test_normalise_cuts_the_dateline_from_feed_copy():
    s = story(raw("rss", "new-story.xml"))
    assert s.dateline.place == "Santiago" and s.dateline.agency == "Reuters"
    assert s.lede.startswith("A magnitude 6.1 earthquake")
    a = story(raw("atom", "new-story.xml"))
    assert a.dateline.place == "Wellington"
    assert a.lede.startswith("New Zealand conservationists")


def test_split_items_do_not_change_when_only_the_feed_timestamps_do() -> None:
    """A re-fetched feed whose lastBuildDate moved must give unchanged items the same bytes
    (and so the same receipts)."""
    from workers.formats.feeds import Rss

    def feed(build: str) -> bytes:
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
            f"<lastBuildDate>{build}</lastBuildDate><pubDate>{build}</pubDate>"
            "<item><guid>a</guid><title>One</title><description>First item text.</description></item>"
            "<item><guid>b</guid><title>Two</title><description>Second item text.</description></item>"
            "</channel></rss>"
        ).encode()

    first = Rss().split(feed("Mon, 10 Nov 2025 08:00:00 GMT"))
    again = Rss().split(feed("Mon, 10 Nov 2025 08:05:00 GMT"))
    assert len(first) == 2 and first == again
