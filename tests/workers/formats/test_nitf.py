"""NITF 3.x: every field, status and signal, each encoding, broken and hostile copy."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from schemas import PubStatus, Signal, Subject
from workers.errors import HostileInputError, ParseError
from workers.formats import detect
from workers.formats import nitf as nitf_module
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
    # The <byttl> job title is not part of the byline; it is kept in the notes.
    assert item.byline == "By Maartje van Leeuwen"
    assert "byline title: Reuters" in item.notes
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


def test_new_story_body_keeps_tables_and_subheads_skips_media_and_tagline():
    body = parse("new-story.xml").body
    assert body[0].startswith("ROTTERDAM, March 12 (Reuters) - Dock workers")
    assert body[3] == "Shipping lines said they were diverting some vessels to Antwerp and Hamburg."
    # A table is the story's data: a row a paragraph, cells apart.
    assert body[4] == "Terminal Idle cranes"
    assert "Operators respond" in body
    joined = " ".join(body)
    assert "Idle cranes at the port" not in joined  # the picture caption
    assert "Editing by" not in joined
    assert len(body) == 7
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


def test_embargo_in_the_future_of_issue(monkeypatch):
    monkeypatch.setattr(nitf_module, "_now", lambda: datetime(2024, 3, 13, tzinfo=UTC))
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
        # A version number alone is no editorial signal.
        ("<du-key key='k' generation='3'/>", [], 3),
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
    assert item.signals == []


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


# --- Agencies' own NITF shapes -------------------------------------------------------------


def test_embargo_that_has_passed_is_usable_but_carried(monkeypatch):
    monkeypatch.setattr(nitf_module, "_now", lambda: datetime(2024, 3, 20, tzinfo=UTC))
    item = parse("embargoed.xml")
    assert item.status is PubStatus.usable
    assert item.embargoed_until == datetime(2024, 3, 14, 19, tzinfo=UTC)


def test_explicit_embargoed_status_is_kept_even_when_passed():
    raw = _docdata(
        "management-status='embargoed'",
        "<date.issue norm='20160908T120000+0100'/><date.release norm='20160909T000100+0100'/>",
    )
    item = NITF.parse(raw)
    assert item.status is PubStatus.embargoed
    assert item.embargoed_until == datetime(2016, 9, 9, 0, 1, tzinfo=timezone(timedelta(hours=1)))


def test_ap_byline_without_job_title_and_location_dateline():
    item = parse("ap-byttl.xml")
    assert item.agency == "AP"
    assert item.byline == "By MARTHA QUINLAN"
    assert "byline title: Associated Press Writer" in item.notes
    assert item.dateline.place == "Duluth"
    assert item.slugline is None
    assert item.item_id is None
    s = story("ap-byttl.xml")
    assert s.dateline.place == "Duluth" and s.dateline.agency == "AP"
    assert s.lede.startswith("The busiest shelf")


def test_pa_slug_is_the_key_list_keyword_not_the_routing_du_key():
    item = parse("pa-utf8-declared-latin1.xml")
    assert item.slugline == "ParkingFines"
    assert item.agency == "PA"
    assert item.urgency == 4
    assert item.byline == "By Harriet Moss, Press Association Consumer Affairs Correspondent"
    # Declared ISO-8859-1, the pound signs are UTF-8 bytes: read as the agency meant them.
    assert "£38 per penalty" in item.body[1]
    assert "Â" not in " ".join(item.body)
    # Inline <location>/<chron> markup keeps the words of the paragraph.
    assert "on Monday by a motoring group" in item.body[2]


def test_aap_relay_credits_the_original_agency():
    item = parse("aap-relay-afp.xml")
    assert item.agency == "AFP"
    assert item.slugline == "France Bakers"
    assert item.urgency == 5
    assert item.status is PubStatus.usable and item.embargoed_until is None
    # Hard-wrapped with <br/>: one paragraph, broken lines.
    assert item.body[0].startswith("PARIS, Mar 4 AFP - Several hundred bakers")
    assert len(item.body) == 3
    assert story("aap-relay-afp.xml").dateline.place == "Paris"  # the copy's own dateline


def test_aap_take_key_words_are_the_version_label():
    item = parse("aap-takekey-lead.xml")
    assert item.agency == "AAP"
    assert item.slugline == "CRI Openers"
    assert item.version_label == "2nd Lead"
    # A lead is a version (the third take), not an editorial signal.
    assert item.version == 3
    assert item.signals == []


def test_aap_take_key_that_is_a_place_is_only_noted():
    raw = (SAMPLES / "aap-takekey-lead.xml").read_bytes().replace(b"2nd Lead", b"(BRISBANE)")
    item = NITF.parse(raw)
    assert item.version_label is None and item.signals == []
    assert "take key: (BRISBANE)" in item.notes


def test_efe_timestamp_dateline_is_no_place():
    item = parse("efe-timestamp-dateline.xml")
    assert item.dateline is None  # only a story.date timestamp; evloc is metadata
    assert item.agency == "EFE"  # from <rights.owner>
    assert item.slugline == "PERÚ TRANSPORTE"
    assert item.urgency == 3  # meta 'prioridad' U, there is no <urgency>
    assert item.language == "es"  # baselang
    s = story("efe-timestamp-dateline.xml")
    assert s.dateline.place == "Lima"  # the copy's dateline


def test_ntb_id_like_keys_give_way_to_the_stikkord():
    item = parse("ntb-idlike-keys.xml")
    assert item.slugline == "bru-glomma"
    assert item.agency == "NTB"
    assert item.version == 12
    # doc-id is the du-key plus a revision counter: the du-key is the story's id.
    assert item.item_id == "ntb-3f2a9c1e-7b44-4d2e-a0c5-91e6d8b4f270"
    assert item.signals == [Signal.update]  # 'oppdatert' in the ed-msg
    assert item.language == "nb"
    assert item.headline.strip() == "Ny bru over Glomma åpner to måneder før planen"
    assert item.dateline.place == "Elverum"
    assert "Raskere enn ventet" in item.body and "Lengde: 310 meter" in item.body


def test_cp_title_slug_keyword_text_and_revision_comment():
    item = parse("cp-revision.xml")
    assert item.agency == "CP"
    assert item.slugline == "Moose-Highway-Crossing"
    assert item.keywords == ["National", "Environment", "Transportation"]
    assert item.urgency == 3  # <urgency> under <head>
    assert item.version == 2 and item.signals == [Signal.update]  # 'ADDS comment ...'
    assert item.byline == "Colette Duval"
    assert item.dateline.place == "Thunder Bay"
    assert item.status is PubStatus.usable and item.embargoed_until is None  # placeholder dates


def test_agate_body_is_read_as_table_rows():
    item = parse("agate-table.xml")
    assert item.body[:3] == ["BC-CUR--Curling Standings", "CURLING STANDINGS", "W L"]
    assert "Harbour Rink 7 1" in item.body
    assert item.body[-1].startswith("Next draw")


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("SYDNEY March 22 AAP -", "SYDNEY"),
        ("Tegucigalpa, Jan 2 (EFE).-", "Tegucigalpa"),
        ("WASHINGTON (AP) —", "WASHINGTON"),
        ("FORT WORTH, Texas", "FORT WORTH"),
        ("København /ritzau/", "København"),
        ("Oslo", "Oslo"),
        ("20170102T222800+0000", None),
        ("2024-03-12", None),
        ("", None),
    ],
)
def test_dateline_place(text, place):
    assert nitf_module.dateline_place(text) == place


@pytest.mark.parametrize(
    ("value", "id_like"),
    [
        ("faktisk-d9cde75b-256e-4989-b6a3-b8ad27f43a5c", True),
        ("eed713d46d74499d86b3250fa47b341b", True),
        ("580001T", True),
        ("RL Roosters", False),
        ("F1 Test", False),
        ("PA-HHH-POLITICS-Brexit", False),
    ],
)
def test_id_like(value, id_like):
    assert nitf_module.is_id_like(value) is id_like


def test_slug_prefers_meta_then_lone_keyword_then_du_key_and_never_an_id_when_a_word_exists():
    def slug(head_inner: str, docdata_inner: str = "") -> str | None:
        raw = (
            f"<nitf><head>{head_inner}<docdata>{docdata_inner}</docdata></head>"
            "<body><body.head><hedline><hl1>H</hl1></hedline></body.head></body></nitf>"
        ).encode()
        return NITF.parse(raw).slugline

    uuid = "0b8e6f2a-1c3d-4e5f-8a9b-7c6d5e4f3a2b"
    assert (
        slug("<meta name='anpa-keyword' content='Floods'/>", f"<du-key key='{uuid}'/>") == "Floods"
    )
    assert (
        slug("", f"<du-key key='{uuid}'/><key-list><keyword key='Floods'/></key-list>") == "Floods"
    )
    assert slug("", "<du-key key='PA-X-Floods'/>") == "PA-X-Floods"
    assert slug("", f"<du-key key='{uuid}'/>") == uuid  # nothing better: the id is kept
    assert slug("<title>Floods-Rescue</title>") == "Floods-Rescue"  # a title that is no headline
    assert slug("<title>H</title>") is None


def test_delivery_list_origin_names_the_agency():
    raw = (
        b"<nitf><head><docdata><del-list><from-src src-name='PA' level-number='1'/></del-list>"
        b"</docdata></head><body><body.content><p>Text.</p></body.content></body></nitf>"
    )
    assert NITF.parse(raw).agency == "PA"


def test_agency_service_names_are_the_agency():
    raw = _docdata(inner="<doc.copyright holder='PA Sport' year='2024'/>")
    assert NITF.parse(raw).agency == "PA"


def test_ed_msg_version_words_are_the_label():
    item = NITF.parse(_docdata(inner="<ed-msg info='UPDATE 2 - adds quotes from the minister'/>"))
    assert item.version_label == "UPDATE 2"
    assert (
        NITF.parse(_docdata(inner="<ed-msg info='For global distribution'/>")).version_label is None
    )


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("<byline>By Jo Lee<byttl>AP Writer</byttl></byline>", "By Jo Lee"),
        ("<byline><person>Jo Lee</person>, <byttl>Reuters</byttl></byline>", "Jo Lee"),
        (
            "<byline>By<person>Jo Lee</person><virtloc>jo@example.invalid</virtloc></byline>",
            "By Jo Lee",
        ),
        ("<byline><byttl>Staff</byttl></byline>", None),
    ],
)
def test_byline_forms(byline, expected):
    raw = f"<nitf><head/><body><body.head>{byline}</body.head></body></nitf>".encode()
    assert NITF.parse(raw).byline == expected


def test_ansa_flash_marker_subtitle_byline_and_summary_keyword():
    item = parse("ansa-flash-subtitle.xml")
    # '>>>ANSA/' marks ANSA's main stories: a marker, not part of the headline.
    assert item.headline == "Venice lagoon barriers raised for record spring tide"
    assert "headline marker: >>>ANSA/" in item.notes
    # ANSA's <byline> holds the subtitle: a sentence naming nobody is no byline.
    assert item.byline is None
    assert "subheadline: Sea level peaked at dawn, no flooding in the old town says mayor" in (
        item.notes
    )
    # The 'keyword' meta is a summary sentence, not a slug.
    assert item.slugline is None
    assert "keyword line: Mobile barriers kept the city dry overnight" in item.notes
    assert item.agency == "ANSA"  # the distributor; nothing else credits anyone
    assert item.urgency == 3  # meta priority 'U', an ANPA letter
    assert item.dateline.place == "Venice"
    assert item.body[0].startswith("(ANSA) - VENICE, MAR 4 - The mobile flood barriers")
    s = story("ansa-flash-subtitle.xml")
    assert s.dateline.place.lower() == "venice" and s.agency == "ANSA"
    assert s.headline == item.headline


def test_ritzau_via_ntb_star_marker_copy_dateline_and_sign_off():
    item = parse("ritzau-via-ntb.xml")
    assert item.headline == "Byrådet i Aarhus vil bygge en ny cykelbro over havnen, og b"
    assert "headline marker: *" in item.notes
    assert item.agency == "Ritzau"  # NTBKilde and the copyright holder, not NTB's relay
    assert item.slugline == "BRO-AARHUS-K"
    assert item.version == 2 and item.signals == []
    assert item.urgency == 4
    # The '/ritzau/' sign-off closing the copy is a credit, not a paragraph.
    assert item.body[-1] == "Prisen er anslået til 310 millioner kroner."
    assert "sign-off: /ritzau/" in item.notes
    # <dateline> names the receiving desk's city; the copy's own dateline wins in normalise.
    assert item.dateline.place == "Oslo"
    s = story("ritzau-via-ntb.xml")
    assert s.dateline.place == "Aarhus" and s.dateline.agency == "Ritzau"
    assert s.body[0].startswith("Byrådet i Aarhus vil bygge")


@pytest.mark.parametrize(
    ("text", "marker", "rest"),
    [
        (">>>ANSA/Strike halts trains", ">>>ANSA/", "Strike halts trains"),
        ("*Ny bro i Odense", "*", "Ny bro i Odense"),
        ("** URGENT ** Quake hits coast", "**", "URGENT ** Quake hits coast"),
        ("AP/NORC poll: voters split", None, "AP/NORC poll: voters split"),
        (">>>", None, ">>>"),
        (None, None, None),
    ],
)
def test_split_headline_marker(text, marker, rest):
    assert nitf_module.split_headline_marker(text) == (marker, rest)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("Situation serious, ready for all scenarios says minister", True),
        ("Mobile barriers kept the city dry overnight", True),
        ("By Jo Lee and Sam Ng, staff writers", False),
        ("Anna de la Cruz and Tom van der Berg", False),
        ("Sam Lister, Press Association Political Correspondent", False),
        ("Jo Lee, the paper's senior political editor in Brussels", False),
        ("Sea level peaked at dawn, no flooding in the old town says mayor", True),
        ("Situazione grave, pronti a tutti gli scenari dice la Ue", True),
        ("HONDURAS GOVERNMENT", False),
        ("gr/bp", False),
    ],
)
def test_is_sentence(text, sentence):
    assert nitf_module.is_sentence(text) is sentence


def test_a_by_word_keeps_a_long_byline():
    raw = (
        b"<nitf><head/><body><body.head><byline>By our correspondents in the north and the "
        b"south of the country</byline></body.head></body></nitf>"
    )
    assert NITF.parse(raw).byline.startswith("By our correspondents")


def test_a_lone_sign_off_paragraph_is_kept():
    raw = b"<nitf><head/><body><body.content><p>(dpa)</p></body.content></body></nitf>"
    assert NITF.parse(raw).body == ["(dpa)"]


def test_hashtag_headline_is_no_marker():
    assert nitf_module.split_headline_marker("#MeToo rally fills square") == (
        None,
        "#MeToo rally fills square",
    )


def test_abstract_is_the_body_only_when_there_is_none():
    raw = (
        b"<nitf><head/><body><body.head><hedline><hl1>H</hl1></hedline>"
        b"<abstract><p>Summary of the brief.</p></abstract></body.head>"
        b"<body.content/></body></nitf>"
    )
    item = NITF.parse(raw)
    assert item.body == ["Summary of the brief."]
    assert any("abstract" in n for n in item.notes)
    assert parse("new-story.xml").body[0].startswith("ROTTERDAM")
