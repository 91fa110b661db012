"""NewsML-G2 (g2): items and messages, every field, statuses, signals, encodings, bad copy."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from schemas import PubStatus, Signal, Subject
from workers.errors import EmptyStoryError, HostileInputError, ParseError
from workers.formats import detect, newsml_g2
from workers.formats.newsml_g2 import NAR_NAMESPACE, NewsMLG2
from workers.stages.normalise import normalise

SAMPLES = Path(__file__).parent / "samples" / "newsml_g2"
HOSTILE = Path(__file__).parent / "samples" / "xml"
G2 = NewsMLG2()
GOOD = [
    "new-story.xml",
    "update.xml",
    "correction.xml",
    "kill.xml",
    "withheld.xml",
    "embargoed.xml",
    "nitf-body.xml",
    "latin1.xml",
    "windows-1252.xml",
    "cp1252-undeclared.xml",
]


def raw(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def parse(name: str):
    return G2.parse(raw(name))


def story(data: bytes):
    return normalise(
        data, receipt_id="rc_g2", feed="g2-test", received_at=datetime(2024, 4, 2, tzinfo=UTC)
    )


def test_new_story_fields():
    item = parse("new-story.xml")
    assert item.format == "newsml_g2"
    assert item.item_id == "urn:newsml:afp.com:20240402:KEN-ELEPHANTS"
    assert item.version == 1
    assert item.status is PubStatus.usable
    assert item.signals == []
    assert item.urgency == 4
    assert item.agency == "AFP"
    assert item.headline == "Kenya moves 50 elephants to ease pressure on crowded park"
    assert item.slugline == "Kenya-wildlife-elephants"
    assert item.byline == "By Wanjiru Kamau"
    assert item.dateline.text == "NAIROBI"
    assert item.dateline.place == "Nairobi"
    assert item.language == "en"
    assert item.keywords == ["elephants", "conservation", "Kenya"]
    assert item.subjects == [
        Subject(scheme="medtop", code="20000500", name="animal"),
        Subject(scheme="medtop", code="06000000", name="environment"),
        Subject(scheme="subj", code="06000000", name="environmental issue"),
        Subject(scheme="afpct", code="ENV", name="Environment"),
    ]
    assert item.first_created == datetime(2024, 4, 2, 6, 10, tzinfo=UTC)
    assert item.version_created == datetime(2024, 4, 2, 6, 10, tzinfo=UTC)
    assert item.date_hint == date(2024, 4, 2)
    assert item.embargoed_until is None


def test_xhtml_body_paragraphs():
    body = parse("new-story.xml").body
    assert len(body) == 3
    assert body[0].startswith("Nairobi (AFP) - Kenyan wildlife rangers")
    assert body[2].startswith("“The herds have simply outgrown the land,”")
    assert "named.\nFarmers" in body[2]
    # The XHTML <head><title> is not story text.
    assert all("Kenya moves" not in p for p in body)


def test_update_with_skipped_version_number():
    item = parse("update.xml")
    assert item.version == 4
    assert item.signals == [Signal.update]
    assert item.item_id == parse("new-story.xml").item_id
    assert item.first_created == datetime(2024, 4, 2, 6, 10, tzinfo=UTC)
    assert item.version_created == datetime(2024, 4, 2, 11, 45, tzinfo=UTC)


def test_correction_keeps_every_signal_in_order():
    item = parse("correction.xml")
    assert item.signals == [Signal.correction, Signal.update]
    assert item.version == 7


def test_canceled_is_a_kill():
    item = parse("kill.xml")
    assert item.status is PubStatus.canceled
    assert item.signals == [Signal.kill]
    assert item.urgency == 1


def test_withheld_from_a_pubstatus_uri():
    item = parse("withheld.xml")
    assert item.status is PubStatus.withheld
    assert item.signals == []
    # <located> names where the item was handled, not a dateline (the issue): the copy's
    # own 'Accra (AFP) -' is the dateline, found by normalise.
    assert item.dateline is None
    assert story(raw("withheld.xml")).dateline.place == "Accra"


@pytest.fixture
def clock(monkeypatch):
    """Fix 'now' for embargo checks."""

    def set_now(when: datetime) -> None:
        monkeypatch.setattr(newsml_g2, "_now", lambda: when)

    return set_now


def test_embargo_later_than_version_created(clock):
    clock(datetime(2024, 4, 3, tzinfo=UTC))
    item = parse("embargoed.xml")
    assert item.status is PubStatus.embargoed
    assert item.embargoed_until == datetime(2024, 4, 5, 15, tzinfo=UTC)
    assert item.subjects == [
        Subject(scheme="medtop", code="13000000", name="science and technology")
    ]


def _item(meta: str = "", content: str = "", body: str = "", attrs: str = 'version="2"') -> bytes:
    return (
        f'<newsItem xmlns="{NAR_NAMESPACE}" guid="urn:test:1" {attrs}>'
        f"<itemMeta><versionCreated>2024-04-04T10:00:00Z</versionCreated>{meta}</itemMeta>"
        f"<contentMeta><headline>H</headline>{content}</contentMeta>"
        f"<contentSet>{body}</contentSet></newsItem>"
    ).encode()


def test_embargo_already_lifted_is_no_embargo(clock):
    clock(datetime(2024, 4, 4, 8, tzinfo=UTC))
    item = G2.parse(_item("<embargoed>2024-04-04T09:00:00Z</embargoed>"))
    # Lifted before this version was made: nothing held back, the time still carried.
    assert item.status is PubStatus.usable
    assert item.embargoed_until == datetime(2024, 4, 4, 9, tzinfo=UTC)


def test_embargo_that_has_passed_is_no_embargo(clock):
    clock(datetime(2024, 4, 6, tzinfo=UTC))
    item = parse("embargoed.xml")
    assert item.status is PubStatus.usable
    assert item.embargoed_until == datetime(2024, 4, 5, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("meta", "status", "signals"),
    [
        ('<pubStatus qcode="stat:usable"/>', PubStatus.usable, []),
        ('<pubStatus qcode="stat:withheld"/>', PubStatus.withheld, []),
        ('<pubStatus qcode="stat:canceled"/>', PubStatus.canceled, [Signal.kill]),
        ('<signal qcode="sig:update"/>', PubStatus.usable, [Signal.update]),
        ('<signal qcode="sig:correction"/>', PubStatus.usable, [Signal.correction]),
        ('<signal qcode="sig:kill"/>', PubStatus.usable, [Signal.kill]),
        ('<signal qcode="sig:cwarn"/>', PubStatus.usable, []),
        (
            '<pubStatus qcode="stat:canceled"/><signal qcode="sig:kill"/>',
            PubStatus.canceled,
            [Signal.kill],
        ),
    ],
)
def test_each_status_and_signal(meta, status, signals):
    item = G2.parse(_item(meta))
    assert item.status is status
    assert item.signals == signals


def test_unknown_pubstatus_is_noted():
    item = G2.parse(_item('<pubStatus qcode="stat:draft"/>'))
    assert item.status is PubStatus.usable
    assert any("draft" in n for n in item.notes)


def test_subject_uris_and_qcodes_without_a_prefix():
    content = (
        '<subject uri="http://cv.iptc.org/newscodes/mediatopic/15000000"><name>sport</name></subject>'
        '<subject qcode="medtop:15000000"/>'
        '<subject qcode="nocolon"/>'
        '<subject uri="http://cv.iptc.org/newscodes/subjectcode/15054000"/>'
    )
    item = G2.parse(_item(content=content))
    assert item.subjects == [
        Subject(scheme="medtop", code="15000000", name="sport"),
        Subject(scheme="subj", code="15054000"),
    ]


def test_inline_data_plain_text_body_and_bad_urgency():
    body = '<inlineData contenttype="text/plain">First para.\n\nSecond\npara.</inlineData>'
    item = G2.parse(_item(content="<urgency>0</urgency>", body=body))
    assert item.body == ["First para.", "Second\npara."]
    assert item.urgency is None
    assert any("urgency" in n for n in item.notes)


def test_remote_content_is_never_fetched():
    body = '<remoteContent href="http://attacker.invalid/text.xml"/>'
    item = G2.parse(_item(body=body))
    assert item.body == []
    assert any("never fetched" in n for n in item.notes)


def test_version_missing_or_bad():
    assert G2.parse(_item(attrs="")).version == 1
    item = G2.parse(_item(attrs='version="two"'))
    assert item.version == 1 and any("version" in n for n in item.notes)


def test_nitf_body_inside_g2_read_by_nitf_reader():
    item = parse("nitf-body.xml")
    assert item.body == [
        "TALLINN, April 6 (Reuters) - Estonia's capital opened a public library on a converted "
        "ferry on Saturday, mooring it in the old harbour for the summer.",
        "The library holds 8,000 books and a reading room for 40 people.",
    ]
    # No G2 headline: the NITF hl1 stands in.
    assert item.headline == "Tallinn opens Europe's first floating public library"
    assert item.agency == "Reuters"
    assert item.item_id == "tag:reuters.com,2024:newsml_L8N3G20XY"


def test_message_splits_into_three_standalone_items_with_namespaces():
    parts = G2.split(raw("news-message-3.xml"))
    assert len(parts) == 3
    for part in parts:
        # Each part is the message with its header and one item, so 'sent' travels with it.
        root = etree.fromstring(part)
        assert root.tag == f"{{{NAR_NAMESPACE}}}newsMessage"
        assert root.findtext(f"{{{NAR_NAMESPACE}}}header/{{{NAR_NAMESPACE}}}sender") == "dpa.com"
        assert len(root.findall(f".//{{{NAR_NAMESPACE}}}newsItem")) == 1
        assert G2.sniff(part) == 0.95
    items = [G2.parse(p) for p in parts]
    assert [i.item_id for i in items] == [
        "urn:newsml:dpa.com:20240408:ber-tram",
        "urn:newsml:dpa.com:20240408:ham-hafen",
        "urn:newsml:dpa.com:20240408:mun-zoo",
    ]
    assert [i.version for i in items] == [1, 3, 1]
    assert items[1].signals == [Signal.update]
    assert all(i.agency == "dpa" for i in items)
    # The third item has no language of its own; the message's xml:lang travels with it.
    assert items[2].language == "de"
    assert items[2].headline == "Münchner Zoo begrüßt zwei Schneeleoparden"
    assert items[0].version_created == datetime(2024, 4, 8, 7, tzinfo=timezone(timedelta(hours=2)))


def test_parsing_a_whole_message_refuses_rather_than_drops_items():
    with pytest.raises(ParseError, match="holds 3 newsItems; split"):
        G2.parse(raw("news-message-3.xml"))


def test_message_with_one_item_parses():
    single = (
        f'<newsMessage xmlns="{NAR_NAMESPACE}"><itemSet>'
        f'<newsItem guid="urn:one" version="1"><contentMeta><headline>One</headline>'
        f"</contentMeta></newsItem></itemSet></newsMessage>"
    ).encode()
    assert G2.parse(single).item_id == "urn:one"
    assert G2.split(single) != [single] and len(G2.split(single)) == 1


def test_empty_message():
    # No item, no story: nothing to split, and a clear reason when parsed whole (the front
    # door falls back to the whole document), not a parse error.
    assert G2.split(raw("empty-message.xml")) == []
    with pytest.raises(EmptyStoryError, match="the newsMessage holds no item"):
        G2.parse(raw("empty-message.xml"))


def test_bare_item_splits_to_itself():
    assert G2.split(raw("new-story.xml")) == [raw("new-story.xml")]


@pytest.mark.parametrize(
    ("name", "headline", "language", "agency"),
    [
        ("latin1.xml", "Wiener Staatsoper verlängert Spielzeit um zwei Wochen", "de", "APA"),
        (
            "windows-1252.xml",
            "Vélo : Paris ouvre une piste cyclable « express » le long de la Seine",
            "fr",
            "AFP",
        ),
        (
            "cp1252-undeclared.xml",
            "Las lluvias de abril llenan los embalses del sur de España",
            "es",
            "EFE",
        ),
    ],
)
def test_non_utf8_items(name, headline, language, agency):
    item = parse(name)
    assert item.headline == headline
    assert item.language == language
    assert item.agency == agency
    assert "\ufffd" not in " ".join(item.body)


def test_cp1252_punctuation_survives():
    assert "Seine – la plus longue" in parse("windows-1252.xml").body[0]
    assert "“mejor primavera en años”" in parse("cp1252-undeclared.xml").body[1]


@pytest.mark.parametrize(
    ("name", "position"), [("malformed.xml", "line 3, column"), ("truncated.xml", "line 24")]
)
def test_broken_items(name, position):
    with pytest.raises(ParseError) as caught:
        parse(name)
    assert caught.value.format == "newsml_g2"
    assert caught.value.position.startswith(position)
    # split() hands broken copy on whole, so the error lands on its receipt.
    assert G2.split(raw(name)) == [raw(name)]


def test_empty_and_unknown_root():
    assert G2.sniff(raw("empty.xml")) == 0
    with pytest.raises(ParseError, match="empty document"):
        parse("empty.xml")
    unknown = f'<?xml version="1.0"?><newsThing xmlns="{NAR_NAMESPACE}"/>'.encode()
    assert G2.sniff(unknown) == 0
    with pytest.raises(ParseError, match="<newsThing> is neither"):
        G2.parse(unknown)


def test_knowledge_item_is_recognised_and_gives_no_story():
    # A G2 item of concepts is G2 (never plain text), but no story.
    assert G2.sniff(raw("unknown-root.xml")) == 0.95
    assert G2.split(raw("unknown-root.xml")) == []
    with pytest.raises(EmptyStoryError, match="knowledgeItem only"):
        parse("unknown-root.xml")


def test_sniff_without_namespace_is_lower():
    assert G2.sniff(b'<newsItem guid="x">') == 0.7


def test_xxe_file_routed_to_g2_and_refused():
    data = (HOSTILE / "xxe-file.xml").read_bytes()
    assert detect(data).name == "newsml_g2"
    start = time.perf_counter()
    with pytest.raises(HostileInputError, match=r"^newsml_g2: external entity \(XXE\)"):
        G2.parse(data)
    assert time.perf_counter() - start < 0.5
    assert G2.split(data) == [data]


AGENCY_SHAPES = [
    "reuters-correction.xml",
    "reuters-kill.xml",
    "reuters-preformatted.xml",
    "ap-message.xml",
    "dpa-xhtml.xml",
    "ansa-inlinedata.xml",
    "stt-update.xml",
    "stt-translated.xml",
    "tt-ttnitf.xml",
    "reuters-results.xml",
    "businessdesk-message.xml",
]


@pytest.mark.parametrize("name", [*GOOD, *AGENCY_SHAPES, "news-message-3.xml"])
def test_detection_picks_g2(name):
    assert detect(raw(name)).name == "newsml_g2"


@pytest.mark.parametrize("name", GOOD)
def test_normalise_each_good_sample(name):
    s = story(raw(name))
    assert s.format == "newsml_g2"
    assert s.item_id and s.agency and s.headline
    assert s.body and s.lede == s.body[0]
    assert s.word_count > 5
    assert s.dateline is not None and s.dateline.place


def test_normalise_takes_the_text_dateline_off_the_lede():
    s = story(raw("new-story.xml"))
    assert s.lede.startswith("Kenyan wildlife rangers")
    assert s.dateline.place == "Nairobi" and s.dateline.agency == "AFP"
    assert s.language == "en"


def test_normalise_message_items_after_split():
    stories = [story(p) for p in G2.split(raw("news-message-3.xml"))]
    assert [s.dateline.place for s in stories] == ["Berlin", "Hamburg", "München"]
    assert {s.language for s in stories} == {"de"}
    assert len({s.story_id for s in stories}) == 3


def test_versions_of_one_item_share_a_story_id():
    ids = {story(raw(n)).story_id for n in ("new-story.xml", "update.xml", "kill.xml")}
    assert len(ids) == 1


# ---- real agencies' shapes: Reuters, AP, dpa, ANSA, STT -------------------------------------


def test_reuters_correction_with_opaque_version():
    parts = G2.split(raw("reuters-correction.xml"))
    assert len(parts) == 1
    item = G2.parse(parts[0])
    assert item.item_id == "tag:reuters.com,0000:newsml_L5N3FJ0KQ"
    # Reuters numbers versions with opaque ten-digit values, past 10**9 and 2**31.
    assert item.version == 1874529903
    # The slug tail's version words, less its media words; the number stays @version.
    assert item.version_label == "UPDATE 1, CORRECTED"
    assert item.signals == [Signal.correction]
    assert item.agency == "Reuters"
    assert item.urgency == 3
    assert item.slugline == "NORWAY-FERRY/ (UPDATE 1, CORRECTED)"
    assert item.byline == "By Ingrid Solheim"
    # The <dateline> is a timestamp and <located> the editing desk: neither is the dateline.
    assert item.dateline is None
    # The correction notice ahead of the story is a note to editors, not the lede.
    assert item.notes == [
        "(In Feb. 12 story, corrects number of crew in paragraph 3 to 14, not 40)"
    ]
    assert item.body[0].startswith("OSLO, Feb 12 (Reuters) - A coastal ferry")
    s = story(parts[0])
    assert s.dateline.place == "Oslo"
    assert s.lede.startswith("A coastal ferry carrying 212")


def test_reuters_kill_of_the_correction():
    correction, kill = (
        G2.parse(G2.split(raw(n))[0]) for n in ("reuters-correction.xml", "reuters-kill.xml")
    )
    assert kill.status is PubStatus.canceled
    # The kill repeats the 'CORRECTED-' headline; it is a kill, not a correction.
    assert kill.signals == [Signal.kill]
    assert kill.body == []
    assert kill.version == 2209917460 > correction.version
    assert kill.item_id == correction.item_id
    assert kill.version_created > correction.version_created
    assert story(G2.split(raw("reuters-kill.xml"))[0]).headline.startswith("CORRECTED-")


@pytest.mark.parametrize(
    ("headline", "slugline", "signals"),
    [
        ("CORRECTED-Ferry runs aground", None, [Signal.correction]),
        ("REFILE-CORRECTED-Ferry runs aground", None, [Signal.correction]),
        ("Ferry runs aground", "NORWAY-FERRY/ (UPDATE 2, CORRECTED)", [Signal.correction]),
        ("UPDATE 2-Ferry runs aground", "NORWAY-FERRY/ (UPDATE 2)", []),
        ("Ferry crew corrected course in time", None, []),
    ],
)
def test_reuters_correction_flags_in_headline_and_slug(headline, slugline, signals):
    content = f"<slugline>{slugline}</slugline>" if slugline else ""
    data = _item(content=content).replace(
        b"<headline>H</headline>", f"<headline>{headline}</headline>".encode()
    )
    assert G2.parse(data).signals == signals


def test_reuters_package_gives_no_story_and_says_why():
    data = raw("reuters-package.xml")
    assert detect(data).name == "newsml_g2"
    assert G2.split(data) == []
    with pytest.raises(
        EmptyStoryError, match=r"^newsml_g2: packageItem only: references 3 items, carries no text$"
    ):
        G2.parse(data)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("event-item.xml", "eventItem only: an event"),
        ("planning-message.xml", "planningItem only: coverage planning"),
    ],
)
def test_event_and_planning_items_are_never_text(name, reason):
    data = raw(name)
    assert detect(data).name == "newsml_g2"
    assert G2.split(data) == []
    with pytest.raises(EmptyStoryError, match=reason):
        G2.parse(data)


def test_a_bare_package_is_g2_not_plain_text():
    data = (
        f'<?xml version="1.0"?>\n<packageItem \t\n xmlns="{NAR_NAMESPACE}" guid="urn:p" version="2">'
        '<groupSet root="G1"><group id="G1"><itemRef residref="urn:a"/></group></groupSet>'
        "</packageItem>"
    ).encode()
    assert detect(data).name == "newsml_g2"
    assert G2.split(data) == []
    with pytest.raises(EmptyStoryError, match="references 1 item,"):
        G2.parse(data)


def test_reuters_preformatted_text_is_cut_at_its_indents():
    item = G2.parse(G2.split(raw("reuters-preformatted.xml"))[0])
    # No @version: the versioned id (guid, colon, number) carries it.
    assert item.version == 3021577814
    assert item.item_id == "tag:reuters.com,0000:newsml_L8N3PA0ZZ"
    # edStat:U says 'not new'; it is no editorial signal.
    assert item.signals == []
    assert "(Adds analyst comment, updates prices)" in item.notes
    assert item.body[:3] == [
        "* Shanghai copper inventories at four-month high",
        "* Dollar firmer ahead of jobs data",
        "By Tomasz Wrona",
    ]
    assert item.body[3].startswith("LONDON, March 5 (Reuters) - Copper prices slipped on\nTuesday")
    assert item.body[5] == '"The stock build is hard to ignore," said one trader in\nSingapore.'


@pytest.mark.parametrize(
    ("attrs", "meta", "header", "version", "item_id"),
    [
        ('guid="urn:x:story_version_5"', "", "", 5, "urn:x:story"),
        ('guid="urn:x:story-v12"', "", "", 12, "urn:x:story"),
        ('guid="urn:x:s1"', "", "<transmitId>urn:x:s1:77</transmitId>", 77, "urn:x:s1"),
        ('guid="urn:x:s1"', "", "<transmitId>urn:x:s2:77</transmitId>", 1, "urn:x:s1"),
        # A guid ending in a number is an id, not a version.
        ('guid="urn:newsml:stt.fi::102030"', "", "", 1, "urn:newsml:stt.fi::102030"),
        ('guid="urn:x:s1" version="3"', "", "<transmitId>urn:x:s1:77</transmitId>", 3, "urn:x:s1"),
    ],
)
def test_version_where_the_attribute_is_missing(attrs, meta, header, version, item_id):
    data = (
        f'<newsMessage xmlns="{NAR_NAMESPACE}"><header>{header}</header><itemSet>'
        f"<newsItem {attrs}><itemMeta>{meta}</itemMeta><contentMeta><headline>H</headline>"
        "</contentMeta></newsItem></itemSet></newsMessage>"
    ).encode()
    item = G2.parse(data)
    assert (item.version, item.item_id) == (version, item_id)


def test_ap_message_credits_ap_not_the_provider_code():
    parts = G2.split(raw("ap-message.xml"))
    assert len(parts) == 2
    first, second = (G2.parse(p) for p in parts)
    # provider approviderid:z04417 is a code, its name a third-party data firm; the guid and
    # the sender are AP's.
    assert first.agency == second.agency == "AP"
    assert first.item_id == "tag:ap.org,2011:0f3e9a1b2c4d5e6f708192a3b4c5d6e7-text"
    assert (first.version, second.version) == (2, 1)
    assert first.slugline == "BC-US--Earns-Prairie Mills, 1st Ld-Writethru"
    # The dateline element, never <located> (the metadata city).
    assert first.dateline.text == "CEDAR RAPIDS, Iowa"
    assert first.dateline.place == "Cedar Rapids"
    assert second.dateline.place == "Spokane"
    assert "Eds: Adds second-quarter outlook." in first.notes
    assert first.body[0].startswith("CEDAR RAPIDS, Iowa (AP) _ Prairie Mills")
    s = story(parts[0])
    assert s.dateline.place == "Cedar Rapids" and s.agency == "AP"
    assert s.lede.startswith("Prairie Mills Inc.")


def test_dpa_xhtml_page_furniture_is_not_story_text():
    item = G2.parse(G2.split(raw("dpa-xhtml.xml"))[0])
    assert item.agency == "dpa"
    assert item.headline == "Kieler Woche: Rekordzahl an Booten zum Auftakt gemeldet"
    # The <header> (slug list, time, genre, h1) is left out; the story starts at its dateline.
    assert item.body[0].startswith("Kiel (dpa) - Zur Kieler Woche")
    assert len(item.body) == 2
    assert item.dateline.place == "Kiel"
    # Plain edNotes are notes; the markup notepad that repeats them is not taken twice.
    assert item.notes == [
        "Zu diesem Text gibt es zwei Bilder im Bildangebot.",
        "Autorin: Frauke Beispiel (Kiel)",
    ]
    assert item.replaces == []  # a seeAlso link names no earlier version
    assert item.language == "de"
    assert story(G2.split(raw("dpa-xhtml.xml"))[0]).lede.startswith("Zur Kieler Woche")


def test_ansa_html_inside_plain_text_inline_data():
    item = G2.parse(G2.split(raw("ansa-inlinedata.xml"))[0])
    assert item.agency == "ANSA"
    # The sub-headline comes first in the file; the main headline is the headline.
    assert item.headline == "Venice reopens Rialto fish market hall after repairs"
    # Cut at the indents that start ANSA's paragraphs; the hard wraps are spaces.
    assert item.body == [
        "(ANSA) - VENICE, SEPTEMBER 18 - The historic fish market hall at the Rialto reopened "
        "on Wednesday after eight months of repairs to its roof and columns.",
        "\"The market is the heart of the city's daily life,\" the mayor's office said in a "
        "statement.",
        "Traders had moved to temporary stalls on the quayside while the work was carried out.",
    ]
    assert not any("<p>" in p for p in item.body)
    # Declared Italian (the central detector reads the English copy); <located> is no dateline.
    assert item.language == "it"
    assert item.dateline is None
    s = story(G2.split(raw("ansa-inlinedata.xml"))[0])
    assert s.dateline.place == "Venice" and s.language == "en"


def test_stt_update_links_its_previous_version():
    item = parse("stt-update.xml")
    assert item.signals == [Signal.update]
    assert item.version == 3
    # The previous version under its differently formed guid; the seeAlso link is not one.
    assert item.replaces == ["urn:newsml:stt.fi:20241002:108844120"]
    assert item.agency == "STT"  # creditline 'STT–'
    assert item.dateline.place == "Tampere"  # <dateline>, not <located> Helsinki
    assert item.byline == "Liisa Esimerkki"
    assert item.urgency == 3
    assert item.language == "fi"
    assert item.version_created == datetime(2024, 10, 2, 15, 31, 8, tzinfo=UTC)
    assert story(raw("stt-update.xml")).replaces == ["urn:newsml:stt.fi:20241002:108844120"]


@pytest.mark.parametrize(
    ("link", "replaces"),
    [
        ('<link rel="irel:previousVersion" residref="urn:test:0"/>', ["urn:test:0"]),
        ('<link guidref="urn:test:0" version="1"/>', ["urn:test:0"]),
        # A bare link to a later or the same version, or to the item itself, replaces nothing.
        ('<link guidref="urn:test:0" version="2"/>', []),
        ('<link rel="irel:previousVersion" residref="urn:test:1"/>', []),
        ('<link rel="irel:seeAlso" href="http://example.org/x"/>', []),
    ],
)
def test_links_to_the_previous_version(link, replaces):
    assert G2.parse(_item(link)).replaces == replaces


@pytest.mark.parametrize(
    ("meta", "signals"),
    [
        ('<signal qcode="sig:replace"/>', [Signal.update]),
        ('<signal qcode="edStat:C"/>', [Signal.correction]),
        ('<signal qcode="edStat:D"/>', [Signal.kill]),
        ('<signal qcode="edStat:U"/><signal qcode="edStat:N"/>', []),
        ("<edNote>Corrects spelling of the minister's name</edNote>", [Signal.correction]),
        ("<edNote>Eds: Corrects day to Tuesday</edNote>", [Signal.correction]),
        ("<edNote>Eds: Adds quote in paragraph 4</edNote>", []),
    ],
)
def test_more_signals(meta, signals):
    assert G2.parse(_item(meta)).signals == signals


def test_message_with_package_text_and_media_items():
    data = (
        f'<newsMessage xmlns="{NAR_NAMESPACE}"><header><sent>2024-04-04T10:05:00Z</sent></header>'
        '<itemSet><packageItem guid="urn:p"><groupSet><group><itemRef residref="urn:t"/>'
        '<itemRef residref="urn:v"/></group></groupSet></packageItem>'
        '<newsItem guid="urn:t" version="1"><itemMeta><itemClass qcode="icls:text"/></itemMeta>'
        "<contentMeta><headline>Text</headline></contentMeta><contentSet><inlineXML>"
        "<p>Story text.</p></inlineXML></contentSet></newsItem>"
        '<newsItem guid="urn:v" version="1"><itemMeta><itemClass qcode="icls:video"/></itemMeta>'
        '<contentSet><remoteContent href="http://example.invalid/v.mp4"/></contentSet></newsItem>'
        "</itemSet></newsMessage>"
    ).encode()
    text, video = G2.split(data)  # the package is no item of its own
    item = G2.parse(text)
    assert item.body == ["Story text."]
    # No versionCreated: the message's sent time stands in, for ordering versions.
    assert item.version_created == datetime(2024, 4, 4, 10, 5, tzinfo=UTC)
    # Media without text is refused with what it is, as the NewsML 1.2 reader refuses it.
    with pytest.raises(
        EmptyStoryError, match=r"a video item with no text story; its media \(v\.mp4\) are not"
    ):
        G2.parse(video)


def test_headline_from_the_item_title_when_content_meta_has_none():
    data = _item("<title>From the title</title>").replace(b"<headline>H</headline>", b"")
    assert G2.parse(data).headline == "From the title"


@pytest.mark.parametrize(
    ("content", "agency"),
    [
        ("<creditline>STT&#8211;</creditline>", "STT"),
        ("<creditline>Nordwire&#8211;Example Media</creditline>", "Nordwire"),
        ("<creditline>The Associated Press</creditline>", "AP"),
        ('<infoSource literal="Reuters"/>', "Reuters"),
    ],
)
def test_agency_from_the_credit(content, agency):
    assert G2.parse(_item(content=content)).agency == agency


def test_a_dateline_element_that_is_a_date_or_opens_with_the_agency():
    dated = G2.parse(_item(content="<dateline>MARCH 04, 2024</dateline>"))
    assert dated.dateline is None
    ansa = G2.parse(_item(content="<dateline>(ANSA) - ROMA, 3 APR -</dateline>"))
    assert ansa.dateline.place == "Roma"


@pytest.mark.parametrize("name", AGENCY_SHAPES)
def test_every_agency_shape_splits_and_normalises(name):
    for part in G2.split(raw(name)):
        s = story(part)
        assert s.format == "newsml_g2" and s.item_id and s.agency and s.headline


def test_pretty_printed_paragraph_is_not_cut():
    body = "<inlineXML><p>\n    One sentence\n    wrapped by an editor\n\n    and indented.\n  </p></inlineXML>"
    assert len(G2.parse(_item(body=body)).body) == 1


def test_indented_plain_text_inline_data():
    text = "   First para line one\nline two.\n   Second para\nwraps here.\n"
    body = f'<inlineData contenttype="text/plain">{text}</inlineData>'
    assert G2.parse(_item(body=body)).body == [
        "First para line one\nline two.",
        "Second para\nwraps here.",
    ]


# ---- other agencies' G2: TT, STT translations, Reuters tables and pictures, BusinessDesk ------


def test_tt_own_xml_inside_inline_xml():
    item = parse("tt-ttnitf.xml")
    assert item.agency == "TT"
    assert item.headline == "Färjelinjen till skärgården öppnar en vecka tidigare"
    # <RUBRIK> repeats the headline and <DAT> is the dateline: neither is body text; the
    # picture's caption is no text of the story either.
    assert item.body[0].startswith("Isen släppte tidigt i år")
    assert (
        item.body[1] == "Vi har aldrig öppnat så här tidigt, säger hamnchefen Britta Exempelsson."
    )
    assert "Fler turer" in item.body  # a MELLIS sub-heading stays, in place
    assert not any("Arkivbild" in p or "Färjelinjen till" in p for p in item.body)
    # The fact box follows the story, its title as a paragraph.
    assert item.body[-3:] == [
        "Fakta: Färjelinjen",
        "Linjen öppnade 1987.",
        "Överfarten tar 50 minuter.",
    ]
    # 'Luleå, TT:s korrespondent': the city the credit names, not <ORT> (a region).
    assert item.dateline.place == "Luleå"
    assert item.dateline.text == "Luleå, TT:s korrespondent"
    assert item.dateline.agency == "TT"
    assert item.byline == "Anders Påhittad/TT"
    # tt_sig:replace, and the replaced item named by its own number (refuno).
    assert item.signals == [Signal.update]
    assert item.replaces == ["urn:newsml:tt.se:20240611:TT:731188:0"]
    assert item.language == "sv"  # <language tag="sv">, xml:lang 'swe' being three letters
    s = story(raw("tt-ttnitf.xml"))
    assert s.dateline.place == "Luleå" and s.lede.startswith("Isen släppte")


@pytest.mark.parametrize(
    ("dat", "place", "text"),
    [
        ("<ORT>Stockholm</ORT><SOURCE>TT</SOURCE>", "Stockholm", "Stockholm (TT)"),
        ("<ORT>Göteborg</ORT>", "Göteborg", "Göteborg"),
        ("<ORT>EU</ORT><SOURCE>Bryssel, TT-AFP</SOURCE>", "Bryssel", "Bryssel, TT-AFP"),
    ],
)
def test_tt_dateline_shapes(dat, place, text):
    body = (
        '<inlineXML contenttype="application/ttnitf+xml"><BODY xmlns=""><TEXT>'
        f"<RUBRIK>H</RUBRIK><DAT>{dat}</DAT><BRODTEXT><P>Texten.</P></BRODTEXT>"
        "</TEXT></BODY></inlineXML>"
    )
    item = G2.parse(_item(body=body))
    assert (item.dateline.place, item.dateline.text) == (place, text)
    assert item.body == ["Texten."]


def test_stt_machine_translation_markers_are_notes():
    item = parse("stt-translated.xml")
    # '*** TRANSLATED ***' flags the headline; it is not part of it.
    assert item.headline == "Nordic ferry companies order six electric ships"
    assert "headline flag: TRANSLATED" in item.notes
    # The disclaimer ahead of the text is a notice, not the lede.
    assert "*** DISCLAIMER: THIS IS AN AUTOMATED TRANSLATION FROM FINNISH ***" in item.notes
    assert item.body[0] == "The first ships will sail in 2027"
    # Escaped once too often: the en dash and the entities are put back.
    assert (
        item.body[2]
        == 'Each ship will carry 300–400 passengers. "It\'s a big step," one of the chief executives said.'
    )
    # The dateline element as carried: STT leaves it in Finnish in its translations.
    assert item.dateline.place == "Tukholma"
    assert story(raw("stt-translated.xml")).dateline.place == "Tukholma"


def test_reuters_results_table_a_row_a_paragraph():
    item = G2.parse(G2.split(raw("reuters-results.xml"))[0])
    body = item.body
    assert body[0] == (
        "Feb 13 (Statsfeed) - Results and standings from the Atlantian league matches on Tuesday"
    )
    assert body[1] == "Tuesday, February 13"
    assert body[2] == "Harbour City       2 Northgate FC        1"
    assert "1  Harbour City       20 14 4 2  41 15 46" in body
    assert not any(set(p) <= {"-"} for p in body)  # rule lines are no rows
    assert body[-1] == "4:     Relegation play-off"
    assert item.version_label == "UPDATE 1"
    s = story(G2.split(raw("reuters-results.xml"))[0])
    assert s.dateline.place is None and s.dateline.agency == "Statsfeed"
    assert s.lede == "Results and standings from the Atlantian league matches on Tuesday"


def test_wrapped_prose_is_no_table():
    text = (
        "<p>The council said on Monday  that it would\nreview the plan, which drew\n"
        "objections from  residents, before\nthe summer.</p>"
    )
    assert len(G2.parse(_item(body=f"<inlineXML>{text}</inlineXML>")).body) == 1


@pytest.mark.parametrize(
    ("headline", "slugline", "label"),
    [
        ("UPDATE 1-Ferry runs aground", "NORWAY-FERRY/ (UPDATE 1, PIX, TV)", "UPDATE 1"),
        ("Ferry runs aground", "NORWAY-FERRY/ (PIX, TV)", None),
        ("GLOBAL MARKETS-Stocks slip", "GLOBAL-MARKETS/ (WRAPUP 2)", "WRAPUP 2"),
        ("REFILE-UPDATE 2-Ferry runs aground", None, "REFILE-UPDATE 2"),
        ("RPT-Ferry runs aground", None, "RPT"),
        ("METALS-Copper slips", "GLOBAL-COPPER/", None),
        ("Acme tops 1Q forecasts", "BC-US--Earns-Acme, 2nd Ld-Writethru", "2nd Ld-Writethru"),
        ("Acme tops 1Q forecasts", "BC-US--Earns-Acme Mills, Inc", None),
        ("Kenya moves elephants", "Kenya-wildlife-elephants", None),
    ],
)
def test_version_words_in_slug_and_headline(headline, slugline, label):
    content = f"<slugline>{slugline}</slugline>" if slugline else ""
    data = _item(content=content).replace(
        b"<headline>H</headline>", f"<headline>{headline}</headline>".encode()
    )
    item = G2.parse(data)
    assert item.version_label == label
    assert item.version == 2  # the number is @version, whatever the words
    assert item.headline == headline  # the flags stay in the headline as carried


def test_picture_item_without_text_is_refused_with_its_media():
    data = G2.split(raw("reuters-picture.xml"))[0]
    with pytest.raises(EmptyStoryError) as refused:
        G2.parse(data)
    assert str(refused.value) == (
        "newsml_g2: a picture item with no text story; its media "
        "(tag_reuters.com_2024_binary_LYNXMPEK4A0ZZ-THUMBNAIL, "
        "tag_reuters.com_2024_binary_LYNXMPEK4A0ZZ-VIEWIMAGE) are not read"
    )
    # A picture's withdrawal still reaches the desk.
    killed = data.replace(b"stat:usable", b"stat:canceled")
    item = G2.parse(killed)
    assert item.status is PubStatus.canceled and item.body == []
    # Remote content that is an image says what it is even without an item class.
    image = '<remoteContent contenttype="image/jpeg" href="http://example.invalid/a.jpg"/>'
    with pytest.raises(EmptyStoryError, match=r"a picture item .* \(a\.jpg\)"):
        G2.parse(_item(body=image))


def test_hand_built_message_header_and_sign_off():
    parts = G2.split(raw("businessdesk-message.xml"))
    assert len(parts) == 1  # the package is no item of its own
    item = G2.parse(parts[0])
    # provider 'CL' is a code; the <Header>'s sender names the agency.
    assert item.agency == "BusinessDesk"
    assert item.version_created == datetime(2024, 7, 9, 14, 2, 10, tzinfo=UTC)
    assert item.headline.startswith("Kiwi dairy co-op lifts")
    # The closing '(BusinessDesk)' ends the copy; it is no paragraph of the story.
    assert item.body[-1].startswith("The co-op now expects")
    assert "sign-off: (BusinessDesk)" in item.notes
    s = story(parts[0])
    assert s.byline == "By Aroha Example"
    assert s.lede.startswith("A dairy co-operative lifted")


def test_text_far_shorter_than_its_word_count_is_cut():
    body = '<inlineXML wordcount="600"><p>By Jane Roe</p><p>Only the start.</p></inlineXML>'
    item = G2.parse(_item(body=body))
    assert item.truncated
    assert "the text has 6 words where the item declares 600: it was cut" in item.notes
    whole = '<inlineXML wordcount="8"><p>Eight words of text in this short item.</p></inlineXML>'
    assert not G2.parse(_item(body=whole)).truncated


def test_headline_only_item_is_noted_and_comments_are_no_document():
    body = (
        '<inlineXML contenttype="application/nitf+xml"><!-- a comment --><!-- another -->'
        "</inlineXML>"
    )
    item = G2.parse(_item(body=body))
    assert item.body == [] and item.headline == "H"
    assert "no body text: the item carries its headline only" in item.notes
    html = (
        "<inlineXML><!-- note --><html xmlns='http://www.w3.org/1999/xhtml'><head><title>T"
        "</title></head><body><p>Text.</p></body></html></inlineXML>"
    )
    item = G2.parse(_item(body=html).replace(b"<headline>H</headline>", b""))
    assert item.body == ["Text."] and item.headline == "T"


def test_first_paragraph_repeating_the_headline_is_dropped():
    body = "<inlineXML><p>H</p><p>The story.</p></inlineXML>"
    item = G2.parse(_item(body=body))
    assert item.body == ["The story."]
    assert "the first paragraph repeats the headline" in item.notes


@pytest.mark.parametrize(
    ("first", "place", "agency"),
    [
        ("STOCKHOLM (TT)", "Stockholm", "TT"),
        ("Bryssel, TT:s korrespondent", "Bryssel", "TT"),
        ("Kiel (dpa) -", "Kiel", "dpa"),
        ("Analysis, by Reuters", None, None),
        ("Jan 3 (Reuters)", None, None),
    ],
)
def test_a_dateline_on_a_line_of_its_own(first, place, agency):
    body = f"<inlineXML><p>{first}</p><p>Texten börjar här.</p></inlineXML>"
    item = G2.parse(_item(body=body))
    if place is None:
        assert item.dateline is None and item.body[0] == first
    else:
        assert (item.dateline.place, item.dateline.agency) == (place, agency)
        assert item.body == ["Texten börjar här."]
