"""ninjs 1.x, 2.x and 3.x: every field spelling, statuses, signals, HTML, split, hostile JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from schemas import PubStatus, Signal, Subject
from tests.workers.formats.samplefiles import normalised, read_sample
from workers.errors import HostileInputError, ParseError
from workers.formats import detect
from workers.formats import ninjs as ninjs_module
from workers.formats.htmltext import html_paragraphs
from workers.formats.ninjs import Ninjs

NINJS = Ninjs()
URI = "urn:newsml:dpa.example:20241112:hamburg-ammonia-terminal"


def parse(name: str):
    return NINJS.parse(read_sample("ninjs", name))


def doc(**fields) -> bytes:
    return json.dumps({"uri": "urn:t:1", "headline": "H", "body_text": "Text.", **fields}).encode()


class TestVersion1:
    def test_fields(self):
        item = parse("new-v1.json")
        assert item.format == "ninjs"
        assert item.item_id == URI
        assert item.version == 1 and item.signals == [] and item.status is PubStatus.usable
        assert item.urgency == 4
        assert item.headline == "Hamburg opens first terminal for green ammonia imports"
        assert item.byline == "Anna Kerstens"
        assert item.slugline == "Germany-Energy-Hydrogen"
        assert item.keywords == ["hydrogen", "ports", "energy"]
        assert item.language == "en"  # from en-GB
        assert item.agency == "dpa"
        assert item.dateline.place == "Hamburg"
        assert item.first_created == datetime(2024, 11, 12, 9, 5, tzinfo=UTC)
        assert item.version_created == datetime(2024, 11, 12, 9, 5, tzinfo=UTC)
        assert len(item.body) == 13

    def test_subject_schemes(self):
        assert parse("new-v1.json").subjects == [
            Subject(scheme="medtop", code="20000249", name="energy industry"),
            Subject(scheme="subj", code="04005000", name="energy and resource"),
            Subject(scheme="medtop", code="20000418", name="renewable energy"),
        ]

    def test_normalise(self):
        story = normalised(read_sample("ninjs", "new-v1.json"))
        assert story.format == "ninjs" and story.agency == "dpa"
        assert story.dateline.place == "Hamburg" and story.dateline.date == date(2024, 11, 12)
        assert story.lede.startswith("Germany's largest port opened")
        assert 450 < story.word_count < 600


class TestVersion2:
    def test_headlines_bodies_by(self):
        item = parse("update-v2.json")
        # Version 2 with nothing saying what changed: no signal from the number alone.
        assert item.version == 2 and item.signals == []
        assert (
            item.headline == "Hamburg opens ammonia terminal as first tanker is booked"
        )  # main role
        assert item.byline == "Anna Kerstens"
        assert item.urgency == 3
        assert item.body[1] == "The terminal at Moorburg can store about 100,000 tonnes of ammonia."
        assert item.body[0].startswith("Hamburg (dpa) - Germany’s")  # entity resolved

    def test_script_is_dropped(self):
        item = parse("update-v2.json")
        assert len(item.body) == 3
        assert not any("document.location" in p for p in item.body)


class TestVersion3:
    def test_camel_case_and_correction(self):
        item = parse("correction-v3.json")
        assert item.version == 3
        assert item.signals == [Signal.correction]
        assert item.version_created == datetime(2024, 11, 12, 15, 10, tzinfo=UTC)
        assert item.subjects == [Subject(scheme="medtop", code="20000249", name="energy industry")]
        assert item.notes[0].startswith("CORRECTION: corrects storage")
        assert item.agency == "dpa"

    def test_versions_chain(self):
        names = ["new-v1.json", "update-v2.json", "correction-v3.json", "kill.json"]
        assert len({normalised(read_sample("ninjs", n)).story_id for n in names}) == 1


class TestStatus:
    def test_kill(self):
        item = parse("kill.json")
        assert item.status is PubStatus.canceled and item.signals == [Signal.kill]
        assert item.version == 4 and item.urgency == 1

    def test_withheld(self):
        assert parse("withheld.json").status is PubStatus.withheld

    def test_embargo(self, monkeypatch):
        monkeypatch.setattr(ninjs_module, "_now", lambda: datetime(2024, 11, 13, 12, tzinfo=UTC))
        item = parse("embargoed.json")
        assert item.status is PubStatus.embargoed
        assert item.embargoed_until == datetime(2024, 11, 14, 5, 0, tzinfo=UTC)
        story = normalised(read_sample("ninjs", "embargoed.json"))
        assert story.status is PubStatus.embargoed

    @pytest.mark.parametrize(
        ("value", "status"),
        [
            ("stat:canceled", PubStatus.canceled),
            ("cancelled", PubStatus.canceled),
            ("http://cv.iptc.org/newscodes/pubstatusg2/withheld", PubStatus.withheld),
            ("Usable", PubStatus.usable),
            ("mystery", PubStatus.withheld),
        ],
    )
    def test_status_spellings(self, value, status):
        assert NINJS.parse(doc(pubstatus=value)).status is status

    def test_bad_embargo_is_held(self):
        item = NINJS.parse(doc(embargoed="next tuesday"))
        assert item.status is PubStatus.embargoed and item.embargoed_until is None

    def test_canceled_beats_embargo(self):
        item = NINJS.parse(doc(pubstatus="canceled", embargoed="2024-11-14T06:00:00Z"))
        assert item.status is PubStatus.canceled

    def test_signals_field(self):
        assert NINJS.parse(doc(signals=["correction"])).signals == [Signal.correction]


@pytest.mark.parametrize(("value", "expected"), [("7", 7), (5, 5), ("2.1", 2), (None, 1), ("x", 1)])
def test_version_forms(value, expected):
    assert NINJS.parse(doc(version=value)).version == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(1, 1), (9, 9), (0, None), (12, None), ("3", None), (True, None)]
)
def test_urgency_range(value, expected):
    assert NINJS.parse(doc(urgency=value)).urgency == expected


def test_guid_and_by_list_and_description_fallback():
    raw = json.dumps({
        "guid": "tag:x,2024:1", "headline": "H", "by": [{"name": "A. One"}, {"name": "B. Two"}],
        "description_text": "Only a description.",
    }).encode()  # fmt: skip
    item = NINJS.parse(raw)
    assert item.item_id == "tag:x,2024:1"
    assert item.byline == "A. One, B. Two"
    assert item.body == ["Only a description."]
    assert any("description" in n for n in item.notes)


def test_body_html_field():
    item = NINJS.parse(doc(body_text=None, body_html="<p>One</p><p>Two &amp; three</p>"))
    assert item.body == ["One", "Two & three"]


def test_cp1252_document():
    item = parse("cp1252.json")
    assert item.headline == "Münchner Café feiert 100. Geburtstag – mit „Torte für alle“"
    assert item.language == "de"
    assert normalised(read_sample("ninjs", "cp1252.json")).dateline.place == "München"


class TestSplit:
    def test_list(self):
        parts = NINJS.split(read_sample("ninjs", "list.json"))
        assert [NINJS.parse(p).item_id for p in parts] == ["urn:a:1", "urn:a:2"]

    def test_items_wrapper(self):
        parts = NINJS.split(read_sample("ninjs", "items-wrapper.json"))
        assert [NINJS.parse(p).headline for p in parts] == ["Wrapped one", "Wrapped two"]

    def test_single_item_is_kept_whole(self):
        raw = read_sample("ninjs", "new-v1.json")
        assert NINJS.split(raw) == [raw]

    def test_malformed_is_kept_whole_for_its_own_receipt(self):
        raw = read_sample("ninjs", "malformed.json")
        assert NINJS.split(raw) == [raw]

    def test_unsplit_wrapper_is_refused(self):
        with pytest.raises(ParseError, match="wrapper of 2 items"):
            parse("items-wrapper.json")


class TestBadInput:
    def test_malformed(self):
        with pytest.raises(ParseError, match="malformed JSON") as err:
            parse("malformed.json")
        assert err.value.format == "ninjs" and err.value.position == "line 4, column 3"

    def test_deep(self):
        with pytest.raises(HostileInputError, match="deeper than 64") as err:
            parse("deep.json")
        assert err.value.position == "line 1, column 65"

    def test_depth_counts_brackets_in_strings_as_text(self):
        assert NINJS.parse(doc(headline="[" * 500)).headline == "[" * 500

    def test_huge_number(self):
        with pytest.raises(HostileInputError, match="5000 digits"):
            parse("huge-number.json")

    def test_huge_float(self):
        with pytest.raises(HostileInputError):
            NINJS.parse(b'{"uri": "u", "urgency": 1e999}')

    def test_nan(self):
        with pytest.raises(ParseError, match="NaN"):
            NINJS.parse(b'{"uri": "u", "urgency": NaN}')

    def test_empty(self):
        with pytest.raises(ParseError, match="empty"):
            parse("empty.json")

    def test_not_an_object(self):
        with pytest.raises(ParseError, match="not str"):
            parse("not-object.json")
        with pytest.raises(ParseError, match="not a list"):
            parse("list.json")


class TestDetection:
    @pytest.mark.parametrize(
        "name", ["new-v1.json", "update-v2.json", "correction-v3.json", "cp1252.json", "list.json"]
    )
    def test_detected(self, name):
        assert detect(read_sample("ninjs", name)).name == "ninjs"

    def test_malformed_is_still_ninjs(self):
        assert detect(read_sample("ninjs", "malformed.json")).name == "ninjs"

    def test_plain_text_not_claimed(self):
        assert NINJS.sniff(b"Hamburg (dpa) - Text.") == 0.0


def test_html_paragraphs_drop_active_content():
    html = '<p>A<script>x()</script></p><style>p{}</style><iframe>i</iframe><p>B<br/>C</p><p onclick="x">D'
    assert html_paragraphs(html) == ["A", "B", "C", "D"]


# --- Superdesk exports and the agencies' own JSON dialects ---------------------------------


class TestSuperdeskExport:
    def test_source_is_the_credit_over_the_distributor(self):
        item = parse("superdesk-relay.json")
        assert item.agency == "AFP"  # source, not copyrightholder (the distributor)
        assert item.version == 3 and item.signals == []
        assert item.urgency == 3
        # No dateline in the copy: 'located' (the dateline city Superdesk fills) is the fallback.
        assert item.dateline.place == "Jakarta"
        story = normalised(read_sample("ninjs", "superdesk-relay.json"))
        assert story.dateline.place == "Jakarta"

    def test_priority_when_there_is_no_urgency(self):
        assert parse("embargo-passed.json").urgency == 5
        assert NINJS.parse(doc(priority=2, urgency=4)).urgency == 4

    def test_passed_embargo_is_usable_but_carried(self, monkeypatch):
        monkeypatch.setattr(ninjs_module, "_now", lambda: datetime(2024, 6, 1, tzinfo=UTC))
        item = parse("embargo-passed.json")
        assert item.status is PubStatus.usable
        assert item.embargoed_until == datetime(2024, 3, 4, tzinfo=UTC)
        assert item.agency == "360research"  # an empty copyrightholder is no agency

    def test_future_embargo_holds(self, monkeypatch):
        monkeypatch.setattr(ninjs_module, "_now", lambda: datetime(2024, 3, 2, tzinfo=UTC))
        assert parse("embargo-passed.json").status is PubStatus.embargoed

    def test_located_repeating_the_byline_is_no_place(self):
        assert parse("embargo-passed.json").dateline is None

    def test_copy_dateline_wins_over_located(self):
        story = normalised(read_sample("ninjs", "located-vs-copy.json"))
        assert story.dateline.place == "Lisbon"  # not the misspelt 'Lisbonn, Portugal'
        assert story.agency == "AP"  # the copyright notice names no agency we know
        assert story.lede.startswith("Lisbon's famous yellow trams")

    def test_html_body_preferred_to_flattened_text(self):
        item = parse("located-vs-copy.json")
        assert len(item.body) == 2


class TestApMediaApi:
    def test_item(self):
        item = parse("ap-media-item.json")
        assert item.item_id == "a1b2c3d4e5f60718293a4b5c6d7e8f90"  # altids, not the uri
        assert item.agency == "AP"
        assert item.version == 2
        assert item.slugline == "BC-EU-Netherlands-Bridge"
        assert item.version_label == "1st Ld-Writethru"
        assert item.signals == [Signal.update]
        assert item.urgency == 3  # editorialpriority 'u'
        assert item.byline == "By JOOST VERMEER"  # without the job title
        assert item.dateline.place == "Utrecht"  # datelinelocation
        assert item.body[0].startswith("A Dutch city closed its oldest road bridge")

    def test_feed_splits_into_items_with_the_same_ids(self):
        parts = NINJS.split(read_sample("ninjs", "ap-media-feed.json"))
        items = [NINJS.parse(p) for p in parts]
        assert [i.item_id for i in items] == [
            "a1b2c3d4e5f60718293a4b5c6d7e8f90",
            "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        ]
        assert items[0].item_id == parse("ap-media-item.json").item_id
        assert items[0].body == [] and any("NITF rendition" in n for n in items[0].notes)
        assert items[1].status is PubStatus.canceled and items[1].signals == [Signal.kill]

    def test_metadata_only_item_is_a_story(self):
        part = NINJS.split(read_sample("ninjs", "ap-media-feed.json"))[0]
        story = normalised(part)
        assert story.headline == "Dutch city closes historic bridge after crack found"
        assert story.version == 2

    def test_single_item_wrapper_is_kept_whole_and_parsed(self):
        raw = read_sample("ninjs", "ap-media-item.json")
        assert NINJS.split(raw) == [raw]
        assert detect(raw).name == "ninjs"


class TestDigitalwires:
    def test_fields(self):
        item = parse("digitalwires.json")
        assert item.item_id == "urn:newsml:dpa.com:20090101:240611-99-123456"
        assert item.agency == "dpa"
        assert item.version == 2 and item.signals == [Signal.update]  # sig:update
        assert item.dateline.place == "Kiel"
        assert item.byline == "Von Jana Petersen, dpa"
        assert item.keywords == ["Verkehr", "Brücke", "Radverkehr"]
        assert item.body[0].startswith("Kiel (dpa) - Die neue Fahrradbrücke")
        assert "Milder Winter" in item.body
        # Only publishable editor's notes are kept.
        assert "dpa jp yyzz n1 kl" in item.notes
        assert not any("Autorin" in n for n in item.notes)

    def test_correction_signal(self):
        item = NINJS.parse(doc(signal="sig:correction", version=3))
        assert item.signals == [Signal.correction]


def test_bbc_wrapper_splits():
    parts = NINJS.split(read_sample("ninjs", "bbc-wrapper.json"))
    items = [NINJS.parse(p) for p in parts]
    assert [i.headline for i in items] == [
        "Council approves new library",
        "Cyngor yn cymeradwyo llyfrgell",
    ]
    assert items[1].language == "cy"


def test_nitf_body_in_json():
    item = parse("nitf-body.json")
    # The table's row is kept in its place: tables are the story's data.
    assert item.body == ["MADRID, 11 jun (EFE).- El Gobierno aprobó un plan de ayudas.", "dato",
                         "El plan costará 300 millones."]  # fmt: skip
    assert item.agency == "EFE"


def test_broken_nitf_body_is_read_as_markup_not_refused():
    bodies = [{"contenttype": "application/nitf+xml", "value": "<nitf><body><p>Half"}]
    item = NINJS.parse(doc(body_text=None, bodies=bodies))
    assert item.body == ["Half"]


@pytest.mark.parametrize(
    ("note", "signal"),
    [
        ("Eds: Corrects spelling of minister's name.", Signal.correction),
        ("UPDATES with quotes", Signal.update),
        ("Eds: Kill. Story withdrawn.", Signal.kill),
        ("Berichtigung: Name korrigiert", Signal.correction),
        ("For all media", None),
    ],
)
def test_editors_note_signals(note, signal):
    item = NINJS.parse(doc(ednote=note, version=2))
    assert item.signals == ([signal] if signal else [])


class TestTtNinjs:
    def test_html5_body_without_its_furniture(self):
        item = parse("tt-html5.json")
        assert item.headline == "Cykelväg längs Göta kanal ska stå klar 2028"
        # The <h1> repeating the headline, the 'dat' line (vignette, dateline, source), the
        # byline block and the picture with its caption are not the copy.
        assert item.body[0] == "Regeringen vill bygga en cykelväg längs hela Göta kanal."
        assert "Kommunerna delar notan" in item.body
        assert item.body[-1].startswith("Kostnaden beräknas till 420 miljoner")
        joined = " ".join(item.body)
        assert "Motala TT" not in joined and "Eva Lindqvist" not in joined
        assert "kanalbanken" not in joined and "Fotograf" not in joined
        assert not any("body taken from the description" in n for n in item.notes)

    def test_fields(self):
        item = parse("tt-html5.json")
        assert item.agency == "TT"
        assert item.byline == "Eva Lindqvist/TT"  # as carried; '/TT' is the credit
        assert item.slugline == "cykel-kanalenUV"
        assert item.urgency == 4 and item.language == "sv"
        # The dat line's vignette is a place that place[] names: the dateline.
        assert item.dateline.place == "Motala" and item.dateline.text == "Motala"
        assert item.subjects[0] == Subject(scheme="subref", code="11000000", name="Politik")

    def test_topic_vignette_is_no_dateline(self):
        html = ('<h1>H</h1><div class="dat"><span class="vignette">Fotboll</span>'
                '<span class="source">TT</span></div><p>Text.</p>')  # fmt: skip
        item = NINJS.parse(doc(body_text=None, body_html5=html,
                               place=[{"name": "Helsingborg, Sverige"}]))  # fmt: skip
        assert item.dateline is None and item.body == ["Text."]

    def test_richest_body_entry_first(self):
        bodies = [
            {"role": "text", "contentType": "text/plain", "value": "H\nFörsvar TT\nText."},
            {"role": "html5", "contentType": "text/html", "value": "<h1>H</h1><p>Text.</p>"},
        ]
        assert NINJS.parse(doc(body_text=None, bodies=bodies)).body == ["Text."]

    def test_byline_credit_names_the_agency_when_nothing_else_does(self):
        item = NINJS.parse(doc(byline="Eva Lindqvist/TT"))
        assert item.agency == "TT" and "byline credit: TT" in item.notes
        assert NINJS.parse(doc(byline="Ana Ruiz (EFE)")).agency == "EFE"
        assert NINJS.parse(doc(byline="gr/bp")).agency is None

    def test_bylines_list_by_names(self):
        bylines = [{"byline": "", "firstname": "Eva", "lastname": "Lindqvist"},
                   {"byline": "Per Ek/TT"}]  # fmt: skip
        assert NINJS.parse(doc(bylines=bylines)).byline == "Eva Lindqvist, Per Ek/TT"


class TestReutersApi:
    def test_camel_case_item(self):
        parts = NINJS.split(read_sample("ninjs", "reuters-api.json"))
        assert len(parts) == 1
        item = NINJS.parse(parts[0])
        assert item.headline == "Portugal deploys water bombers as wildfire nears Coimbra"
        assert item.byline == "Catarina Fonseca"
        assert item.body[0].startswith("COIMBRA, Portugal, May 21 (Reuters) - Portugal sent")
        assert len(item.body) == 2
        assert item.slugline == "PORTUGAL-WILDFIRES/"
        assert item.item_id == "tag:reuters.com,2024:newsml_L8N3KX0QZ"
        # No credit field: the id's namespace names the provider.
        assert item.agency == "Reuters"
        assert item.urgency == 3 and item.language == "en"
        assert item.version_created == datetime(2024, 5, 21, 8, 40, 12, tzinfo=UTC)
        assert detect(read_sample("ninjs", "reuters-api.json")).name == "ninjs"

    def test_normalised(self):
        story = normalised(read_sample("ninjs", "reuters-api.json"))
        assert story.agency == "Reuters" and story.dateline.place.lower() == "coimbra"

    @pytest.mark.parametrize(
        ("uri", "agency"),
        [
            ("tag:reuters.com,2024:newsml_X", "Reuters"),
            ("http://tt.se/media/text/1", "TT"),
            ("urn:newsml:dpa.com:20240101:x", "dpa"),
            ("http://www.businesswire.com/news/home/20240101000001/en", "Business Wire"),
            ("http://ninjs.example.com/newsitems/1", None),
            ("tag:localhost:2017:abc", None),
        ],
    )
    def test_uri_namespace(self, uri, agency):
        assert NINJS.parse(doc(uri=uri)).agency == agency

    def test_paragraph_list_body(self):
        item = NINJS.parse(doc(body_text=None, news=["One.", " ", "Two  words."]))
        assert item.body == ["One.", "Two words."]


class TestSuperdeskInstalls:
    def test_service_in_source_and_default_copyright_are_no_agency(self):
        item = parse("superdesk-service-source.json")
        assert item.agency is None
        assert "credit 'politics' names no agency" in item.notes
        assert "credit 'Sourcefabric' names no agency" in item.notes

    def test_embedded_figure_caption_is_not_body(self):
        item = parse("superdesk-service-source.json")
        assert item.body == [
            "The island ferry will sail four times a day instead of seven from November.",
            "The operator said fewer passengers travel in the dark months.",
        ]

    @pytest.mark.parametrize(
        ("source", "agency"),
        [
            ("politic", None),
            ("NewsDesk", None),
            ("Sport", None),
            ("AFP Services", "AFP"),
            ("NTB scanpix", "NTB"),
            ("360research", "360research"),
            ("Faktisk.no", "Faktisk.no"),
            ("dpa", "dpa"),
        ],
    )
    def test_source_names(self, source, agency):
        assert NINJS.parse(doc(source=source)).agency == agency

    def test_source_that_is_the_item_service_is_no_agency(self):
        item = NINJS.parse(doc(source="Nordland", subject=[{"name": "Nordland", "code": "x"}]))
        assert item.agency is None


def test_headline_marker_is_noted():
    item = NINJS.parse(doc(headline=">>>ANSA/Strike halts trains"))
    assert item.headline == "Strike halts trains" and "headline marker: >>>ANSA/" in item.notes


def test_html_dateline_and_credit_inside_a_paragraph_stay_in_the_copy():
    html = '<p><span class="dateline">Kiel</span> (<span class="source">dpa</span>) - Text.</p>'
    item = NINJS.parse(doc(body_text=None, body_html=html))
    assert item.body == ["Kiel (dpa) - Text."]
    assert item.dateline.place == "Kiel"


def test_replacing_names_the_earlier_version():
    item = parse("tt-html5.json")
    assert item.replaces == ["http://tt.se/media/text/241015-riksdag-cykelvag-2204102"]
    assert item.signals == []  # replacing is a link for dedupe, not an editorial signal
    assert NINJS.parse(doc(evolvedfrom="urn:t:0")).replaces == ["urn:t:0"]
    assert NINJS.parse(doc(replaces=[{"uri": "urn:t:0"}, "urn:t:1"])).replaces == [
        "urn:t:0"
    ]  # its own id is no earlier version


def test_graphql_search_wrapper_splits():
    raw = json.dumps({"data": {"search": {"items": [
        {"uri": "tag:reuters.com,2024:newsml_A", "headLine": "One", "bodyXhtmlRich": "<p>A.</p>"},
        {"uri": "tag:reuters.com,2024:newsml_B", "headLine": "Two", "fragment": "B."},
    ]}}}).encode()  # fmt: skip
    items = [NINJS.parse(p) for p in NINJS.split(raw)]
    assert [i.headline for i in items] == ["One", "Two"]
    assert items[0].body == ["A."] and items[1].body == ["B."]
    assert {i.agency for i in items} == {"Reuters"}


@pytest.mark.parametrize(
    ("note", "signal"),
    [
        ("Noe utvidet.", Signal.update),
        ("Oppdatert med kommentar.", Signal.update),
        ("Korrigert navn i tredje avsnitt.", Signal.correction),
        ("Meldingen er trukket.", None),
        ("Trukket.", Signal.kill),
    ],
)
def test_scandinavian_editors_notes(note, signal):
    item = NINJS.parse(doc(edNote=note, version=2))
    assert item.signals == ([signal] if signal else [])


def test_subject_literal_and_uri_scheme():
    subjects = [{"literal": "16000000", "name": "Krig", "uri": "http://tt.se/spec/subref/1.0/16000000"},
                {"literal": "Innenriks", "name": "Innenriks"}]  # fmt: skip
    assert NINJS.parse(doc(subjects=subjects)).subjects == [
        Subject(scheme="subref", code="16000000", name="Krig"),
        Subject(scheme="ninjs", code="Innenriks", name="Innenriks"),
    ]
