"""NewsML-G2 (g2): items and messages, every field, statuses, signals, encodings, bad copy."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from schemas import PubStatus, Signal, Subject
from workers.errors import HostileInputError, ParseError
from workers.formats import detect
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
    assert item.dateline.place == "Accra"


def test_embargo_later_than_version_created():
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


def test_embargo_already_lifted_is_no_embargo():
    item = G2.parse(_item("<embargoed>2024-04-04T09:00:00Z</embargoed>"))
    assert item.status is PubStatus.usable
    assert item.embargoed_until is None


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
        root = etree.fromstring(part)
        assert root.tag == f"{{{NAR_NAMESPACE}}}newsItem"
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
    assert G2.split(raw("empty-message.xml")) == [raw("empty-message.xml")]
    with pytest.raises(ParseError, match="newsMessage holds no newsItem"):
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
    assert G2.sniff(raw("unknown-root.xml")) == 0
    with pytest.raises(ParseError, match="<knowledgeItem> is neither"):
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


@pytest.mark.parametrize("name", [*GOOD, "news-message-3.xml"])
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
