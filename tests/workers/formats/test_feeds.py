"""RSS and Atom feeds of every dialect: split counts, every field, encodings, agency namespaces,
zone-named dates, bad and hostile copy, and XML no format claims."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from schemas import PubStatus
from workers.errors import HostileInputError, ParseError, UnknownFormatError
from workers.formats import detect
from workers.formats.feeds import ATOM_NAMESPACE, RSS_10_NAMESPACE, Atom, Rss
from workers.formats.plaintext import PlainText
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


# --- RSS 1.0 / 0.9x dialects -----------------------------------------------------------------


def test_rss10_rdf_is_rss_and_splits_into_items_that_parse_alone():
    data = raw("rss", "rss10-rdf.xml")
    assert RSS.sniff(data) == 0.95 and detect(data).name == "rss"
    with pytest.raises(ParseError, match="feed holds 2 items; split"):
        RSS.parse(data)
    parts = RSS.split(data)
    assert len(parts) == 2
    for part in parts:
        assert detect(part).name == "rss"
        root = etree.fromstring(part)
        assert etree.QName(root).localname == "RDF"
        # The channel's list of this fetch's items is not copied into every item.
        assert root.find(f"{{{RSS_10_NAMESPACE}}}channel/{{{RSS_10_NAMESPACE}}}items") is None
    first, second = (RSS.parse(p) for p in parts)
    assert first.item_id == "https://wire.example.at/apa/20240418-hallstatt-faehre"
    assert first.headline == "Hallstätter See: Neue Elektrofähre nimmt Betrieb auf"
    assert first.agency == "APA"
    assert first.byline == "Miriam Pichler"
    assert first.language == "de"
    assert first.keywords == ["Verkehr", "Oberösterreich"]
    # dc:date is RSS 1.0's one date: first created and version created alike.
    when = datetime(2024, 4, 18, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    assert first.first_created == when and first.version_created == when
    assert first.body[0].startswith("Hallstatt (APA) - Auf dem Hallstätter See")
    assert len(first.body) == 2  # content:encoded, not the one-line description
    assert second.body == [
        "Graz (APA) - Die Stadt Graz verlängert ihre Straßenbahnlinie 5 um drei Haltestellen. "
        "Die Bauarbeiten sollen im Sommer beginnen."
    ]
    assert second.byline is None
    s = story(parts[1])
    assert s.format == "rss" and s.dateline.place == "Graz" and s.agency == "APA"


def test_rss10_item_bytes_do_not_change_when_the_item_list_does():
    data = raw("rss", "rss10-rdf.xml")
    # The next fetch: the second item has dropped out, the channel date moved.
    later = data.replace(b"2024-04-18T12:05:00+02:00", b"2024-04-18T12:35:00+02:00")
    start = later.index(b'  <item rdf:about="https://wire.example.at/apa/20240418-graz-tram">')
    later = later[:start] + later[later.index(b"</item>", start) + len(b"</item>\n") :]
    later = later.replace(
        b'<rdf:li rdf:resource="https://wire.example.at/apa/20240418-graz-tram"/>', b""
    )
    third = later.replace(b"</rdf:RDF>", _RDF_ITEM + b"</rdf:RDF>")
    assert RSS.split(third)[0] == RSS.split(data)[0]


_RDF_ITEM = (
    b'<item rdf:about="https://wire.example.at/apa/20240418-linz"><title>Linz</title>'
    b"<description>Linz (APA) - Kurzmeldung aus Linz.</description></item>\n"
)


def test_rss_090_and_091_are_rss():
    netscape = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>Wire 0.9</title>'
        b"<link>https://wire.example/</link></channel><item><title>Dam reopens to traffic</title>"
        b"<link>https://wire.example/dam</link></item></rdf:RDF>"
    )
    assert detect(netscape).name == "rss"
    item = RSS.parse(netscape)
    assert item.headline == "Dam reopens to traffic" and item.item_id == "https://wire.example/dam"
    userland = _rss("<title>Bridge closes</title><description>Short note.</description>").replace(
        b'version="2.0"', b'version="0.91"'
    )
    assert detect(userland).name == "rss" and RSS.parse(userland).body == ["Short note."]


def test_rdf_that_is_not_rss_is_no_feed():
    data = raw("rss", "unknown-root.xml")
    assert RSS.sniff(data) == 0
    with pytest.raises(
        UnknownFormatError, match=r"unrecognised XML root \{http://www.w3.org/1999/"
    ):
        detect(data)


# --- Atom 0.3 --------------------------------------------------------------------------------


def test_atom03_feed_dates_escaped_and_base64_content():
    data = raw("atom", "atom03.xml")
    assert ATOM.sniff(data) == 0.95
    parts = ATOM.split(data)
    assert len(parts) == 2 and all(detect(p).name == "atom" for p in parts)
    first, second = (ATOM.parse(p) for p in parts)
    cet = timezone(timedelta(hours=1))
    assert first.item_id == "tag:wire.example.be,2024:belga-20240305-liege-tram"
    assert first.first_created == datetime(2024, 3, 5, 8, tzinfo=cet)  # <issued>
    assert first.version_created == datetime(2024, 3, 5, 9, 10, tzinfo=cet)  # <modified>
    assert first.body == [
        "Liège (Belga) - Le nouveau tram de Liège a transporté mardi matin ses premiers "
        "passagers entre Sclessin et le centre-ville.",
        "La ligne complète doit être ouverte d'ici la fin de l'année.",
    ]
    assert first.byline == "Sophie Lambert" and first.agency == "Belga"
    assert first.language == "fr"
    # mode="base64" content is decoded; the feed's author stands in for the byline.
    assert second.body == [
        "Namur (Belga) - Les souterrains de la citadelle de Namur rouvrent au public après "
        "deux ans de travaux."
    ]
    assert second.byline == "Belga"
    assert story(parts[0]).dateline.place == "Liège"


# --- dates with zone names -------------------------------------------------------------------


def test_cet_style_zone_names_keep_their_offset():
    parts = RSS.split(raw("rss", "cet-dates.xml"))
    items = [RSS.parse(p) for p in parts]
    assert [i.first_created.astimezone(UTC) for i in items] == [
        datetime(2024, 1, 20, 9, tzinfo=UTC),  # CET
        datetime(2024, 6, 20, 8, tzinfo=UTC),  # CEST
        datetime(2024, 6, 21, 6, 15, tzinfo=UTC),  # MESZ
    ]
    # dc:date (ISO with a zone name) is the version time.
    assert items[2].version_created == datetime(2024, 6, 21, 7, tzinfo=UTC)
    assert items[0].date_hint == date(2024, 1, 20)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Sun, 31 Aug 2014 12:00:00 +0200 (CEST)", datetime(2014, 8, 31, 10, tzinfo=UTC)),
        ("Tue, 02 Jan 2024 18:30:00 JST", datetime(2024, 1, 2, 9, 30, tzinfo=UTC)),
        ("Tue, 02 Jan 2024 18:30:00 EST", datetime(2024, 1, 2, 23, 30, tzinfo=UTC)),
        ("2024-01-02T18:30:00 MEZ", datetime(2024, 1, 2, 17, 30, tzinfo=UTC)),
        ("02 Jan 2024", datetime(2024, 1, 2, tzinfo=UTC)),  # feedparser's reading of a bare date
    ],
)
def test_written_dates(written, expected):
    item = RSS.parse(_rss(f"<title>t</title><pubDate>{written}</pubDate>"))
    assert item.first_created == expected


def test_unknown_zone_name_is_noted_and_read_as_utc():
    item = RSS.parse(_rss("<title>t</title><pubDate>Tue, 02 Jan 2024 18:30:00 QQT</pubDate>"))
    assert item.first_created == datetime(2024, 1, 2, 18, 30, tzinfo=UTC)
    assert any("'QQT'" in n and "unknown" in n for n in item.notes)


# --- agency credits --------------------------------------------------------------------------


def test_copyright_holder_is_the_agency_unless_the_dateline_names_another():
    items = [RSS.parse(p) for p in RSS.split(raw("rss", "cet-dates.xml"))]
    assert items[0].agency == "Südwire Nachrichtenagentur"
    assert items[2].agency is None  # 'Passau (dpa) -': normalise credits dpa
    assert story(RSS.split(raw("rss", "cet-dates.xml"))[2]).agency == "dpa"


def test_publisher_and_desk_author_credit_the_agency():
    published = _rss("<title>t</title><description>Text.</description>").replace(
        b"<channel>",
        b'<channel xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:publisher>Nordwire</dc:publisher>',
    )
    assert RSS.parse(published).agency == "Nordwire"

    def desk_feed(author: str) -> bytes:
        return (
            f'<feed xmlns="{ATOM_NAMESPACE}"><title>Entertainment</title>{author}'
            "<entry><id>e1</id><title>t</title><content type='text'>A singer said on Friday "
            "she would tour again.</content></entry></feed>"
        ).encode()

    # A desk writing from its organisation's own domain credits the organisation ...
    starline = "<author><name>Starline Newsdesk</name><email>desk@starline.example</email></author>"
    assert ATOM.parse(desk_feed(starline)).agency == "Starline"
    # ... a desk name alone, or one from another organisation's domain, credits nobody.
    assert ATOM.parse(desk_feed("<author><name>Starline Newsdesk</name></author>")).agency is None
    sports = "<author><name>Sports Desk</name><email>sports@gazette.example</email></author>"
    assert ATOM.parse(desk_feed(sports)).agency is None


# --- agency extension namespaces -------------------------------------------------------------


def test_agency_namespace_body_replaces_placeholder_content():
    data = raw("atom", "agency-extension.xml")
    parts = ATOM.split(data)
    assert len(parts) == 2
    first, second = (ATOM.parse(p) for p in parts)
    assert first.item_id == "urn:feed-showwire:newsfeedarticle:7:4410:1"
    assert first.headline == "Cellist Mara Venn cancels summer tour after wrist injury"
    assert first.agency == "ShowWire"  # the feed's author is its newsdesk
    # The first-line element leads; the body element's paragraphs follow; the placeholder goes.
    assert first.body[0].startswith("Classical star MARA VENN has called off her summer tour")
    assert first.body[1].startswith("The cellist's management confirmed the injury")
    assert first.body[-1] == "Venn thanked fans for their messages of support on social media."
    assert "Body text here." not in first.body
    assert any("agency's own <body>" in n for n in first.notes)
    assert first.keywords == ["Music"] and first.language == "en"
    assert second.body[0].startswith("Organisers of the Bergamo film festival")
    assert len(second.body) == 3
    s = story(parts[0])
    assert s.agency == "ShowWire" and s.body == first.body


def test_agency_namespace_story_in_rss_and_the_namespace_owner_as_agency():
    item = RSS.parse(raw("rss", "agency-extension.xml"))
    assert item.body == [
        "A container ship that ran aground off Cape Agulhas on Sunday was refloated on Tuesday "
        "with the help of three tugs, the port authority said.",
        "No oil was spilled and the crew of 22 were unharmed, the authority added.",
        "The vessel will be inspected in Cape Town before continuing to Singapore.",
    ]
    # Media RSS <media:text> is a caption, never the story.
    assert all("Tugs pull" not in p for p in item.body)
    # xmlns.tidewire.example carried the copy, and the feed's title names Tidewire.
    assert item.agency == "Tidewire"
    assert item.slugline == "SAFRICA-SHIP/AGROUND"


def test_agency_namespace_body_does_not_replace_full_standard_content():
    full = (
        "<title>t</title><description>&lt;p&gt;A long standard body that tells the whole story "
        "in several sentences, as the feed's own description, with more words than the "
        "agency element.&lt;/p&gt;</description><x:text xmlns:x='http://ns.other.example/x'>"
        "A shorter agency copy here.</x:text>"
    )
    item = RSS.parse(_rss(full))
    assert item.body[0].startswith("A long standard body")
    assert item.agency is None  # the title does not corroborate the namespace's owner


# --- categories ------------------------------------------------------------------------------


def test_iptc_categories_become_subjects():
    item = RSS.parse(
        _rss(
            "<title>t</title>"
            "<category domain='http://cv.iptc.org/newscodes/mediatopic/'>medtop:04000000</category>"
            "<category domain='http://cv.iptc.org/newscodes/subjectcode/'>15000000</category>"
            "<category>Wirtschaft</category>"
        )
    )
    assert [(s.scheme, s.code) for s in item.subjects] == [
        ("medtop", "04000000"),
        ("subj", "15000000"),
    ]
    assert item.keywords == ["Wirtschaft"]


# --- unknown XML -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "root"),
    [
        ("xml", "unknown-root.xml", "{http://services.wire.example/queue}QueuedNewsResponse"),
        ("atom", "unknown-root.xml", "opml"),
        ("nitf", "unknown-root.xml", "article"),
    ],
)
def test_xml_no_format_claims_is_never_plain_text(fmt, name, root):
    data = raw(fmt, name)
    assert PlainText().sniff(data) == 0
    with pytest.raises(UnknownFormatError) as caught:
        detect(data)
    assert str(caught.value).endswith(f"unrecognised XML root {root}")
    with pytest.raises(UnknownFormatError):
        story(data)


def test_broken_xml_is_its_format_error_or_unknown_never_text():
    # A known format's broken or truncated copy stays that format's parse error.
    for fmt in ("rss", "atom"):
        for name in ("malformed.xml", "truncated.xml"):
            assert detect(raw(fmt, name)).name == fmt
    # Cut off before its root element could be read: still XML, still not text.
    with pytest.raises(UnknownFormatError, match="no root element can be read"):
        detect(b'<?xml version="1.0" encoding="UTF-8"?>\n<nit')
    # Plain text keeps its low, non-zero claim, even when it starts with angle brackets.
    assert detect(b"BERLIN (dpa) - Ein kurzer Text.").name == "plaintext"
    assert PlainText().sniff(b"<<< EILT >>> Ein kurzer Text.") > 0


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("rss", "rss10-rdf.xml"),
        ("rss", "cet-dates.xml"),
        ("rss", "agency-extension.xml"),
        ("atom", "atom03.xml"),
        ("atom", "agency-extension.xml"),
    ],
)
def test_every_dialect_sample_splits_into_items_that_detect_and_normalise_alone(fmt, name):
    data = raw(fmt, name)
    assert detect(data).name == fmt
    parser = RSS if fmt == "rss" else ATOM
    for part in parser.split(data):
        assert detect(part).name == fmt  # the pipeline re-detects each split item
        s = story(part)
        assert s.format == fmt
        assert s.item_id and s.headline and s.body and s.agency
        assert s.language in {"en", "de", "fr"}


def test_rss_under_a_namespace_feedparser_does_not_know_is_still_rss():
    data = (
        b'<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><title>Wire</title>'
        b"<language>en</language><item><title>Storm closes mountain pass</title><guid>g1</guid>"
        b"<pubDate>Sat, 20 Jan 2024 10:00:00 CET</pubDate>"
        b"<description>Snow closed the pass for the second day running.</description></item>"
        b"</channel></rss>"
    )
    item = RSS.parse(data)
    assert item.item_id == "g1" and item.headline == "Storm closes mountain pass"
    assert item.body == ["Snow closed the pass for the second day running."]
    assert item.first_created == datetime(2024, 1, 20, 9, tzinfo=UTC)
    assert item.language == "en" and item.notes == []
