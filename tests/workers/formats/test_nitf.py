"""NITF 3.x: every field, status and signal, each encoding, broken and hostile copy."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from schemas import PubStatus, Signal, Subject
from workers.errors import HostileInputError, ParseError
from workers.formats import detect
from workers.formats.nitf import Nitf, read_nitf_body
from workers.formats.xmlsafe import parse_xml
from workers.stages.normalise import normalise

SAMPLES = Path(__file__).parent / "samples" / "nitf"
HOSTILE = Path(__file__).parent / "samples" / "xml"
NITF = Nitf()


def parse(name: str):
    return NITF.parse((SAMPLES / name).read_bytes())


def story(name: str):
    return normalise(
        (SAMPLES / name).read_bytes(),
        receipt_id="rc_test",
        feed="wire-test",
        received_at=datetime(2024, 3, 12, 12, tzinfo=UTC),
    )


def test_new_story_fields():
    item = parse("new-story.xml")
    assert item.format == "nitf"
    assert item.item_id == "RTR-20240312-PORT-STRIKE"
    assert item.agency == "Reuters"
    assert item.version == 1
    assert item.status is PubStatus.usable
    assert item.signals == []
    assert item.urgency == 3
    assert item.headline == "Rotterdam dock workers walk out over automation plan"
    assert "subheadline: Container terminals at a standstill for second day" in item.notes
    assert item.slugline == "NETHERLANDS-PORT/STRIKE"
    assert item.byline == "By Maartje van Leeuwen, Reuters"
    assert item.dateline.place == "Rotterdam"
    assert item.dateline.text == "ROTTERDAM, Netherlands, March 12"
    assert item.dateline.date == date(2024, 3, 12)
    assert item.date_hint == date(2024, 3, 12)
    assert item.keywords == ["Rotterdam", "ports", "labour unions"]
    assert item.subjects == [
        Subject(scheme="subj", code="09000000", name="Labour"),
        Subject(scheme="subj", code="09004000", name="strike"),
        Subject(scheme="subj", code="04015000", name="transport"),
    ]
    assert item.language == "en"
    assert item.version_created == datetime(2024, 3, 12, 9, 15, tzinfo=UTC)
    assert item.first_created == item.version_created
    assert item.embargoed_until is None


def test_new_story_body_skips_tables_media_and_tagline_but_keeps_subheads():
    body = parse("new-story.xml").body
    assert body[0].startswith("ROTTERDAM, March 12 (Reuters) - Dock workers")
    assert body[3] == "Shipping lines said they were diverting some vessels to Antwerp and Hamburg."
    assert "Operators respond" in body
    joined = " ".join(body)
    assert "Idle cranes" not in joined
    assert "Editing by" not in joined
    assert len(body) == 6
    # <br/> inside a paragraph keeps the words apart.
    assert "gates.\nShe said" in body[2]


def test_update_keeps_item_id_and_signals_update():
    first, update = parse("new-story.xml"), parse("update.xml")
    assert update.version == 2
    # The id-string carries '-v2'; the item_id must still be the story's.
    assert update.item_id == first.item_id
    assert update.signals == [Signal.update]
    assert update.first_created is None
    assert update.version_created == datetime(2024, 3, 12, 13, 40, tzinfo=UTC)


def test_versions_share_one_story_id_after_normalise():
    ids = {story(n).story_id for n in ("new-story.xml", "update.xml", "correction.xml")}
    assert len(ids) == 1


def test_correction():
    item = parse("correction.xml")
    assert item.signals == [Signal.correction]
    assert item.version == 3
    assert item.status is PubStatus.usable
    assert item.version_created == datetime(2024, 3, 12, 15, 5, tzinfo=timezone(timedelta(hours=1)))
    assert item.agency == "Reuters"


def test_kill_is_canceled_with_kill_signal():
    item = parse("kill.xml")
    assert item.status is PubStatus.canceled
    assert item.signals == [Signal.kill]
    assert item.urgency == 1
    assert item.agency == "AP"
    assert Signal.update not in item.signals


def test_embargo_in_the_future_of_issue():
    item = parse("embargoed.xml")
    assert item.status is PubStatus.embargoed
    assert item.embargoed_until == datetime(2024, 3, 14, 19, tzinfo=UTC)
    assert item.language == "en"
    assert item.byline == "By Daniel Okafor"


def _docdata(attrs: str = "", inner: str = "") -> bytes:
    return (
        f"<nitf><head><docdata {attrs}><doc-id id-string='x1' regsrc='AFP'/>{inner}</docdata>"
        "</head><body><body.content><p>Text.</p></body.content></body></nitf>"
    ).encode()


def test_release_before_issue_is_no_embargo():
    raw = _docdata(
        inner="<date.issue norm='20240312T100000Z'/><date.release norm='20240312T080000Z'/>"
    )
    item = NITF.parse(raw)
    assert item.status is PubStatus.usable
    assert item.embargoed_until is None


@pytest.mark.parametrize(
    ("status", "expected", "signals"),
    [
        ("usable", PubStatus.usable, []),
        ("embargoed", PubStatus.embargoed, []),
        ("withheld", PubStatus.withheld, []),
        ("canceled", PubStatus.canceled, [Signal.kill]),
        ("cancelled", PubStatus.canceled, [Signal.kill]),
    ],
)
def test_each_management_status(status, expected, signals):
    item = NITF.parse(_docdata(f"management-status='{status}'"))
    assert item.status is expected
    assert item.signals == signals


def test_unknown_management_status_is_usable_with_a_note():
    item = NITF.parse(_docdata("management-status='frozen'"))
    assert item.status is PubStatus.usable
    assert any("frozen" in note for note in item.notes)


@pytest.mark.parametrize(
    ("inner", "signals", "version"),
    [
        ("<ed-msg info='UPDATE 2 - adds quotes'/>", [Signal.update], 1),
        ("<ed-msg info='Writethru, version 4'/>", [Signal.update], 4),
        ("<ed-msg msg-type='correction'/>", [Signal.correction], 1),
        ("<ed-msg info='Story withdrawn by the agency'/>", [Signal.kill], 1),
        ("<du-key key='k' generation='3'/>", [Signal.update], 3),
        ("<revision-history/>", [], 1),
    ],
)
def test_signals_and_versions_from_ed_msg_and_du_key(inner, signals, version):
    item = NITF.parse(_docdata(inner=inner))
    assert item.signals == signals
    assert item.version == version


def test_version_from_revision_history():
    raw = (
        b"<nitf><head><revision-history name='a'/><revision-history name='b'/>"
        b"<docdata><doc-id id-string='z'/></docdata></head><body/></nitf>"
    )
    item = NITF.parse(raw)
    assert item.version == 3
    assert item.signals == [Signal.update]


def test_item_id_falls_back_to_du_key_and_urgency_out_of_range_is_noted():
    raw = (
        b"<nitf><head><docdata><du-key key='SLUG-ONLY' version='1'/><urgency ed-urg='12'/>"
        b"</docdata></head><body/></nitf>"
    )
    item = NITF.parse(raw)
    assert item.item_id == "SLUG-ONLY"
    assert item.urgency is None
    assert any("urgency" in note for note in item.notes)


def test_headline_falls_back_to_head_title():
    raw = b"<nitf><head><title>Only a title</title></head><body/></nitf>"
    assert NITF.parse(raw).headline == "Only a title"


@pytest.mark.parametrize(
    ("name", "encoding_text", "language", "agency"),
    [
        (
            "latin1.xml",
            "Frühlingsschnee: Zugspitzbahn stellt Betrieb für zwei Tage ein",
            "de",
            "dpa",
        ),
        (
            "windows-1252.xml",
            "Pain : une boulangerie lyonnaise élue « meilleure baguette » de l’année",
            "fr",
            "AFP",
        ),
        (
            "cp1252-undeclared.xml",
            "El metro de Madrid amplía su horario nocturno los fines de semana",
            "es",
            "EFE",
        ),
    ],
)
def test_non_utf8_samples(name, encoding_text, language, agency):
    item = parse(name)
    assert item.headline == encoding_text
    assert item.language == language
    assert item.agency == agency
    assert "\ufffd" not in " ".join(item.body)


def test_cp1252_curly_quotes_and_dashes_survive():
    assert "“unos tres millones de euros al año”" in parse("cp1252-undeclared.xml").body[1]
    assert "baguette – une première" in parse("windows-1252.xml").body[0]


def test_read_nitf_body_accepts_namespaced_nitf():
    raw = (
        b'<nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body><body.content>'
        b"<p>One.</p><block><p>Two.</p></block></body.content></body></nitf>"
    )
    assert read_nitf_body(parse_xml(raw, format="nitf").root[0]) == ["One.", "Two."]


@pytest.mark.parametrize(
    ("name", "position"),
    [("malformed.xml", "line 7, column"), ("truncated.xml", "line 12, column")],
)
def test_broken_copy_is_a_parse_error_with_position(name, position):
    with pytest.raises(ParseError) as caught:
        parse(name)
    assert caught.value.format == "nitf"
    assert caught.value.position.startswith(position)
    assert str(caught.value).startswith("nitf: malformed XML")


def test_empty_copy():
    assert NITF.sniff(b"") == 0
    with pytest.raises(ParseError, match="nitf: empty document"):
        parse("empty.xml")


def test_unknown_root_is_refused_and_not_sniffed():
    raw = (SAMPLES / "unknown-root.xml").read_bytes()
    assert NITF.sniff(raw) == 0
    with pytest.raises(ParseError, match=r"root element <article> is not <nitf>"):
        NITF.parse(raw)


def test_billion_laughs_routed_to_nitf_and_refused_fast():
    raw = (HOSTILE / "billion-laughs.xml").read_bytes()
    assert detect(raw).name == "nitf"
    start = time.perf_counter()
    with pytest.raises(HostileInputError, match=r"^nitf: nested entity expansion") as caught:
        NITF.parse(raw)
    assert time.perf_counter() - start < 0.5
    assert caught.value.position.startswith("line 4")


def test_xxe_in_nitf_refused():
    raw = b'<!DOCTYPE nitf [<!ENTITY x SYSTEM "file:///etc/shadow">]><nitf><head/>&x;</nitf>'
    with pytest.raises(HostileInputError, match="XXE"):
        NITF.parse(raw)


@pytest.mark.parametrize(
    "name",
    [
        "new-story.xml",
        "update.xml",
        "correction.xml",
        "kill.xml",
        "embargoed.xml",
        "latin1.xml",
        "windows-1252.xml",
        "cp1252-undeclared.xml",
    ],
)
def test_detection_picks_nitf(name):
    assert detect((SAMPLES / name).read_bytes()).name == "nitf"


def test_normalise_new_story():
    s = story("new-story.xml")
    assert s.format == "nitf"
    assert s.agency == "Reuters"
    assert s.headline == "Rotterdam dock workers walk out over automation plan"
    # The parser's dateline wins; the text's dateline fills in the agency and is cut off.
    assert s.dateline.place == "Rotterdam"
    assert s.dateline.agency == "Reuters"
    assert s.lede.startswith("Dock workers at three container terminals")
    assert s.language == "en"
    assert s.word_count > 100
    assert s.body[2].endswith("until Thursday at least.") and "\n" not in s.body[2]


@pytest.mark.parametrize(
    ("name", "place", "lede_start", "language"),
    [
        ("embargoed.xml", "Washington", "Garden snails", "en"),
        ("latin1.xml", "Garmisch-Partenkirchen", "Nach ungewöhnlich", "de"),
        ("windows-1252.xml", "Lyon", "Une petite boulangerie", "fr"),
        ("cp1252-undeclared.xml", "Madrid", "El metro de Madrid", "es"),
        ("update.xml", "Rotterdam", "A strike by Rotterdam", "en"),
    ],
)
def test_normalise_good_samples(name, place, lede_start, language):
    s = story(name)
    assert s.dateline.place == place
    assert s.lede.startswith(lede_start)
    assert s.language == language
    assert s.item_id and s.agency


def test_normalise_kill_keeps_status_and_signal():
    s = story("kill.xml")
    assert s.status is PubStatus.canceled
    assert s.signals == [Signal.kill]
    assert s.version == 2
