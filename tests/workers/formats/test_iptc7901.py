"""IPTC 7901: heading fields, slug and version words, service lines, headline, trailer, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from schemas import PubStatus, Signal, Subject
from tests.workers.formats.samplefiles import RECEIVED, normalised, read_sample
from workers.errors import EmptyStoryError, ParseError
from workers.formats import detect
from workers.formats.iptc7901 import Iptc7901
from workers.stages.normalise import build_story

IPTC = Iptc7901()


def parse(name: str):
    return IPTC.parse(read_sample("iptc7901", name))


def frame(header: str, slug: str, text: str, trailer: str = "101642 GMT NOV 24") -> bytes:
    return (
        b"\x01" + header.encode() + b"\r\n" + slug.encode() + b"\r\n\x02" + text.encode()
        + b"\r\n\x03\r\n" + trailer.encode() + b"\r\n\x04"
    )  # fmt: skip


class TestNewStory:
    def test_heading(self):
        item = parse("new.7901")
        assert item.format == "iptc7901"
        assert item.agency == "AFP"
        assert item.urgency == 4
        assert item.subjects == [Subject(scheme="iptc7901-category", code="ECO")]
        assert "message: AFP0412" in item.notes
        assert "word count: 478" in item.notes
        assert "selectors: /AFP-VQ45 /EUR" in item.notes

    def test_slug(self):
        item = parse("new.7901")
        assert item.slugline == "Portugal-transport-urbanism"
        assert item.keywords == ["Portugal", "transport", "urbanism"]
        assert item.version == 1 and item.signals == [] and item.status is PubStatus.usable
        assert item.item_id == "Portugal-transport-urbanism/2024-11-10"

    def test_headline_body_and_sign_off(self):
        item = parse("new.7901")
        assert item.headline == "Lisbon to double tram network by 2032"
        assert len(item.body) == 12
        assert item.body[0].startswith("LISBON, Nov 10, 2024 (AFP) - Lisbon will double")
        assert "the western suburbs." in item.body[0]  # wrapped lines joined
        assert "sign-off: sfa/pjm" in item.notes
        assert all("sfa/pjm" not in p for p in item.body)

    def test_trailer(self):
        item = parse("new.7901")
        assert item.version_created == datetime(2024, 11, 10, 16, 42, tzinfo=UTC)
        assert item.date_hint == date(2024, 11, 10)

    def test_normalise(self):
        story = normalised(read_sample("iptc7901", "new.7901"))
        assert story.format == "iptc7901"
        assert story.agency == "AFP"
        assert story.dateline.place == "Lisbon" and story.dateline.agency == "AFP"
        assert story.dateline.date == date(2024, 11, 10)
        assert story.lede.startswith("Lisbon will double the length")
        assert story.language == "en"
        assert 450 < story.word_count < 600


class TestVersions:
    def test_second_lead(self):
        item = parse("update.7901")
        assert item.version == 3 and item.version_label == "2nd lead"
        # Version words number the version; they are no update signal (only structure is).
        assert item.signals == []
        assert item.urgency == 3
        assert item.headline == "Lisbon tram plan wins backing of Portuguese government"

    def test_versions_share_one_story_id(self):
        ids = {
            normalised(read_sample("iptc7901", n)).story_id
            for n in ("new.7901", "update.7901", "correction.7901", "kill.7901")
        }
        assert len(ids) == 1

    def test_correction_line_kept_out_of_body(self):
        item = parse("correction.7901")
        assert Signal.correction in item.signals
        assert item.status is PubStatus.usable
        assert item.notes[3].startswith("CORRECTION - corrects length")
        assert all("CORRECTION" not in p for p in item.body)
        assert item.headline == "Lisbon to double tram network by 2032"

    def test_kill(self):
        item = parse("kill.7901")
        assert item.signals == [Signal.kill]
        assert item.status is PubStatus.canceled
        assert item.urgency == 1
        assert "KILL KILL KILL" in item.notes
        assert any(n.startswith("EDITOR'S NOTE") for n in item.notes)
        assert len(item.body) == 1 and item.body[0].startswith("The story moved at 1642 GMT")
        assert normalised(read_sample("iptc7901", "kill.7901")).status is PubStatus.canceled

    def test_kill_from_slug_words(self):
        item = IPTC.parse(
            frame("DPA0001 2 POL 0010", "Germany-politics,ANNULATION", "Head =\r\n   Text.")
        )
        assert item.status is PubStatus.canceled and item.signals == [Signal.kill]

    def test_embargo(self):
        item = parse("embargoed.7901")
        assert item.status is PubStatus.embargoed
        assert item.embargoed_until == datetime(2024, 11, 13, 16, 0, tzinfo=UTC)
        assert item.notes[3] == "EMBARGO 2024-11-13 16:00 GMT"
        story = normalised(read_sample("iptc7901", "embargoed.7901"))
        assert story.status is PubStatus.embargoed
        assert story.embargoed_until == datetime(2024, 11, 13, 16, 0, tzinfo=UTC)

    def test_unreadable_embargo_holds_the_item(self):
        item = IPTC.parse(
            frame(
                "AFP0001 4 SCI 0010",
                "Science",
                "EMBARGO until further notice\r\nHead =\r\n   Text.",
            )
        )
        assert item.status is PubStatus.embargoed and item.embargoed_until is None
        assert "embargo time not understood; held for an editor" in item.notes

    def test_prose_mentioning_correction_is_body(self):
        item = IPTC.parse(
            frame(
                "AFP0001 4 SOC 0010",
                "Prisons",
                "Head =\r\n   Correction officers walked out.\r\n   Kill switch.",
            )
        )
        assert item.signals == [] and len(item.body) == 2


@pytest.mark.parametrize("priority", [1, 2, 3, 4, 5, 6])
def test_priority_is_urgency(priority):
    item = IPTC.parse(
        frame(f"ANSA0001 {priority} POL 0010", "Italia-politica", "Titolo =\r\n   Testo.")
    )
    assert item.urgency == priority
    assert item.agency == "ANSA"


def test_no_headline_mark_leaves_all_text_in_the_body():
    item = IPTC.parse(frame("AFP0001 4 POL 0010", "Slug", "   One.\r\n\r\n   Two."))
    assert item.headline is None and item.body == ["One.", "Two."]


def test_latin1_copy():
    item = parse("latin1.7901")
    assert item.headline == "Une boulangère de Lyon élue meilleure baguette de l'année"
    assert item.keywords == ["France", "société", "boulangerie"]
    assert "« C'est une surprise énorme »" in item.body[1]
    story = normalised(read_sample("iptc7901", "latin1.7901"))
    assert story.language == "fr"
    assert story.dateline.place == "Lyon" and story.dateline.date == date(2024, 11, 10)


class TestBrokenCopy:
    def test_no_etx(self):
        raw = read_sample("iptc7901", "truncated-no-etx.7901")
        with pytest.raises(ParseError, match="no ETX") as err:
            IPTC.parse(raw)
        assert err.value.format == "iptc7901" and err.value.position == f"byte {len(raw)}"

    def test_no_stx(self):
        with pytest.raises(ParseError, match="never reaches STX") as err:
            parse("truncated-no-stx.7901")
        assert err.value.position == "byte 60"

    def test_empty(self):
        with pytest.raises(ParseError, match="empty"):
            parse("empty.7901")

    def test_bad_heading_is_read_and_noted(self):
        # A readable text is never rejected for a heading shape the parser does not know.
        item = parse("bad-header.7901")
        assert item.headline == "Lisbon" and item.body == ["Text."]
        assert item.urgency is None and item.slugline is None
        assert item.notes[0].startswith("heading 'Portugal trams story' is not")

    def test_heading_but_no_text(self):
        with pytest.raises(ParseError, match="never reaches STX"):
            IPTC.parse(b"\x01eca0001 4 i 10  dpa 0001\r\n\r\nSlug/\r\n\r\n")

    def test_truncated_goes_to_quarantine_through_normalise(self):
        with pytest.raises(ParseError, match="iptc7901"):
            normalised(read_sample("iptc7901", "truncated-no-etx.7901"))

    def test_empty_text(self):
        with pytest.raises(EmptyStoryError):
            normalised(frame("AFP0001 4 POL 0010", "Slug", ""))


class TestDetection:
    @pytest.mark.parametrize("name", ["new.7901", "kill.7901", "latin1.7901", "embargoed.7901"])
    def test_detected(self, name):
        assert detect(read_sample("iptc7901", name)).name == "iptc7901"

    def test_anpa_is_not_taken_for_7901(self):
        assert detect(read_sample("anpa1312", "new.anpa")).name == "anpa1312"

    def test_plain_text_not_claimed(self):
        assert IPTC.sniff(b"LISBON (AFP) - Text.") == 0.0


def test_split():
    one = frame("AFP0001 4 POL 0010", "One", "Head =\r\n   One.")
    two = frame("AFP0002 4 POL 0010", "Two", "Head =\r\n   Two.")
    parts = IPTC.split(one + b"\r\n" + two)
    assert [IPTC.parse(p).slugline for p in parts] == ["One", "Two"]
    assert IPTC.split(one) == [one]


# --- dpa: the international English service and the German Basisdienst --------------------
class TestDpaHeading:
    def test_agency_is_the_credit_not_the_service_code(self):
        item = parse("dpa-new.7901")
        assert item.agency == "dpa"
        assert "message: eca0412" in item.notes and "agency message: dpa 0377" in item.notes
        assert "heading: ccccb" in item.notes
        assert item.urgency == 4
        assert item.subjects == [Subject(scheme="iptc7901-category", code="I")]

    def test_slug_without_header_prefix_and_slash(self):
        item = parse("dpa-new.7901")
        assert item.slugline == "Germany-transport"
        assert item.keywords == ["Germany", "transport"]
        assert item.item_id == "Germany-transport/2024-11-12"
        lead = parse("dpa-lead-latin1.7901")
        assert lead.slugline == "Germany-cycling/Cologne/Brenner"
        assert lead.keywords == ["Germany-cycling", "Cologne", "Brenner"]

    def test_service_of_an_agency_credits_the_agency(self):
        item = parse("dpa-tns.7901")
        assert item.agency == "dpa"
        assert item.slugline == "Baseball/MLB"
        assert item.version_created == datetime(2024, 11, 21, 12, 59, tzinfo=UTC)  # no 'GMT'

    def test_unknown_heading_agency_falls_back_to_the_dateline_credit(self):
        item = IPTC.parse(
            frame("nsb0001 4 vm 20  lni 0001", "Verkehr/Bahn/", "Kopf =\r\n\r\n"
                  "Peine (dpa/lni) - Ein Baum lag auf den Gleisen.")
        )  # fmt: skip
        assert item.agency == "dpa"

    def test_unknown_heading_agency_without_credit_is_kept_as_named(self):
        item = IPTC.parse(frame("mag0001 4 vm 20  azin 0001", "Magazin/", "Kopf =\r\nText."))
        assert item.agency == "azin"


class TestDpaHeadlineBlock:
    def test_plain_headline_and_notebook_out_of_the_body(self):
        item = parse("dpa-new.7901")
        assert item.headline == "Hamburg harbour ferries to run on batteries from next spring"
        assert item.version_label is None and item.version == 1 and item.signals == []
        assert len(item.body) == 4
        assert item.body[-1].startswith("Charging points are to be built")
        assert not any("Reporting by" in p or "NOTEBOOK" in p for p in item.body)
        assert "Reporting by: Lena Vogt" in item.notes
        assert "sign-off: dpa lv tb" in item.notes

    def test_lead_line_and_byline_are_fields_of_their_own(self):
        item = parse("dpa-lead-latin1.7901")
        assert item.version_label == "1ST LEAD"
        assert item.headline == "Veteran cyclist Brenner retires after fall in Cologne"
        assert item.byline == "By Paul Hartwig, dpa"
        assert item.version == 2 and item.signals == []
        assert "adds quotes by Brenner, byline" in item.notes

    def test_stray_latin1_byte_in_ascii_copy(self):
        item = parse("dpa-lead-latin1.7901")
        assert any("Team-mate Jürgen Albers" in p for p in item.body)

    def test_four_line_block_with_bare_lf(self):
        item = parse("dpa-refile-four-line.7901")
        assert item.version_label == "REFILE 1ST LEAD"
        assert item.headline == "Austria delays vote on EU gas storage rules"
        assert item.byline == "By dpa correspondents"
        assert "Reporting by: Anna Koller in Vienna and Piet Maas in Brussels" in item.notes

    def test_extra_line(self):
        item = parse("dpa-extra.7901")
        assert item.version_label == "EXTRA"
        assert item.headline == "Strong earthquake shakes northern Chile, no tsunami warning"
        assert item.urgency == 3 and item.version == 1 and item.signals == []

    def test_refile_alone_is_a_repeat_not_an_update(self):
        item = IPTC.parse(frame("eca0002 4 i 10  dpa 0002", "Slug/", "REFILE\r\nHead =\r\nText."))
        assert item.version_label == "REFILE" and item.version == 1 and item.signals == []

    def test_multi_line_correction_notice(self):
        item = parse("dpa-correction.7901")
        assert item.headline == "Dutch bridge reopens after six months of repairs"
        assert Signal.correction in item.signals
        assert item.version_label == "CORRECTION"
        assert (
            "CORRECTION Corrects name of the transport minister in the third paragraph"
            in item.notes
        )
        assert all("Corrects name" not in p for p in item.body)

    def test_third_party_byline(self):
        item = parse("dpa-tns.7901")
        assert item.headline == "Pitching wins pennants, and the Harbor Hawks finally have some"
        assert item.byline == "By Dana Whitfield, The Bay City Ledger"

    def test_flash_prefix_on_the_headline_line(self):
        item = IPTC.parse(
            frame("eca0003 1 i 10  dpa 0003", "Slug/", "URGENT: Dam bursts in the Alps =\r\nText.")
        )
        assert item.headline == "Dam bursts in the Alps" and item.version_label == "URGENT"

    def test_genre_prefix_with_text_is_headline(self):
        item = IPTC.parse(
            frame("eca0004 4 i 10  dpa 0004", "Slug/",
                  "Interview: A baker on flour prices\r\nBy Jo Keller, dpa =\r\nText.")
        )  # fmt: skip
        assert item.headline == "Interview: A baker on flour prices"
        assert item.byline == "By Jo Keller, dpa" and item.version_label is None

    def test_prose_about_publication_stays_in_the_body(self):
        item = IPTC.parse(
            frame("eca0005 4 i 10  dpa 0005", "Slug/",
                  "Head =\r\n\r\nThe court said the files were not for publication\r\n"
                  "until the trial ends.\r\n\r\nSecond paragraph.")
        )  # fmt: skip
        assert len(item.body) == 2 and "not for publication" in item.body[0]

    def test_normalise(self):
        story = normalised(read_sample("iptc7901", "dpa-lead-latin1.7901"))
        assert story.agency == "dpa"
        assert story.dateline.place == "Cologne"
        assert story.byline == "By Paul Hartwig, dpa"
        assert story.version_label == "1ST LEAD"
        assert story.lede.startswith("Veteran road cyclist Martin Brenner said")


class TestDpaGerman:
    def test_correction_genre_headline_byline_and_picture_note(self):
        item = parse("dpa-de-correction.7901")
        assert item.headline == "Eine Landklinik sucht Ärztinnen - und findet sie im Ausland"
        assert item.byline == "Von Karla Weiß und Ben Ott, dpa"
        assert item.version_label == "Berichtigung KORR-Bericht"
        assert Signal.correction in item.signals and item.version == 2
        assert item.notes[3].startswith("Berichtigung: In einer früheren Version")
        assert item.notes[3].endswith("Richtig ist 1989.")
        assert "(Foto Produktion)" in item.notes
        assert "Autor/in: Karla Weiß (Dresden)" in item.notes

    def test_teaser_paragraph_then_dateline(self):
        item = parse("dpa-de-correction.7901")
        assert item.body[0].startswith("Die Klinik in einem Dorf bei Bautzen")
        assert item.body[1].startswith("Seit dem Frühjahr arbeiten")
        assert item.dateline.place == "Bautzen" and item.dateline.agency == "dpa"
        story = normalised(read_sample("iptc7901", "dpa-de-correction.7901"))
        assert story.dateline.place == "Bautzen"
        assert story.language == "de"

    def test_eil_line_with_bells(self):
        item = IPTC.parse(
            frame("bdt0001 2 pl 10  dpa 0001", "Parteien/",
                  "(Eil \x07\x07\x07\x07\x07)\r\nVon der Leyen tritt zurück =\r\n\r\n"
                  "Brüssel (dpa) - Text.")
        )  # fmt: skip
        assert item.version_label == "Eil"
        assert item.headline == "Von der Leyen tritt zurück" and item.byline is None

    def test_embargo_in_berlin_time(self):
        item = IPTC.parse(
            frame("bdt0002 4 pl 10  dpa 0002", "Vorschau/",
                  "(Vorschau Sperrfrist 9. Oktober 14.20 Uhr)\r\nKopf =\r\nText.",
                  trailer="081200 Okt 24")
        )  # fmt: skip
        assert item.status is PubStatus.embargoed
        assert item.embargoed_until == datetime(2024, 10, 9, 12, 20, tzinfo=UTC)
        assert item.version_label == "Vorschau"

    def test_withdrawal(self):
        item = IPTC.parse(
            frame("bdt0003 1 pl 10  dpa 0003", "Parteien/",
                  "(Achtung) Die Meldung wird zurückgezogen.\r\nKopf =\r\nText.")
        )  # fmt: skip
        assert item.status is PubStatus.canceled and Signal.kill in item.signals


class TestFramingLostOrPadded:
    def test_control_characters_lost(self):
        raw = read_sample("iptc7901", "dpa-de-eil-lost-framing.7901")
        assert b"\x01" not in raw and b"\x02" not in raw and b"\x03" not in raw
        assert detect(raw).name == "iptc7901"
        item = IPTC.parse(raw)
        assert item.agency == "dpa" and item.urgency == 2
        assert item.slugline == "Parteien/Deutschland/Landtag"
        assert item.version_label == "Eil"
        assert item.headline == "Landtagspräsidentin von Thüringen tritt zurück"
        assert item.version_created == datetime(2024, 9, 25, 10, 37, tzinfo=UTC)
        assert len(item.body) == 1 and item.body[0].startswith("Erfurt (dpa) - Die Präsidentin")
        assert "framing: no SOH; the heading is the first line" in item.notes

    def test_controls_stripped_from_a_framed_sample(self):
        raw = bytes(b for b in read_sample("iptc7901", "dpa-new.7901") if b >= 0x20 or b in b"\r\n")
        assert detect(raw).name == "iptc7901"
        item = IPTC.parse(raw)
        assert item.headline == "Hamburg harbour ferries to run on batteries from next spring"
        assert item.slugline == "Germany-transport" and len(item.body) == 4

    def test_nul_and_syn_padding(self):
        raw = read_sample("iptc7901", "dpa-lead-latin1.7901")
        padded = b"\r\n\x00\x00\x16" + raw.replace(b"\x02", b"\x02\x00\x00").replace(
            b"\r\n", b"\r\n\x00"
        )
        assert detect(padded).name == "iptc7901"
        item = IPTC.parse(padded)
        assert item.headline == "Veteran cyclist Brenner retires after fall in Cologne"
        assert item.byline == "By Paul Hartwig, dpa" and item.version_label == "1ST LEAD"
        assert normalised(padded).agency == "dpa"

    def test_utf16_without_bom(self):
        raw = read_sample("iptc7901", "dpa-de-correction.7901").decode("utf-8")
        item = IPTC.parse(raw.encode("utf-16-le"))
        assert item.byline == "Von Karla Weiß und Ben Ott, dpa"

    def test_etx_lost_before_the_time_line(self):
        raw = read_sample("iptc7901", "dpa-extra.7901").replace(b"\x03", b"")
        item = IPTC.parse(raw)
        assert item.version_created == datetime(2024, 11, 18, 21, 1, tzinfo=UTC)
        assert "framing: no ETX; the text ends at the time line" in item.notes
        assert item.body[-1].endswith("no tsunami warning was issued.")


def test_split_nul_padded_messages():
    one = frame("eca0001 4 i 10  dpa 0001", "One/", "Head =\r\nOne.")
    two = frame("eca0002 4 i 10  dpa 0002", "Two/", "Head =\r\nTwo.")
    parts = IPTC.split(one + b"\x00\x00" + two)
    assert [IPTC.parse(p).slugline for p in parts] == ["One", "Two"]


def test_afp_lower_case_byline_paragraph():
    item = IPTC.parse(
        frame("AFP0009 4 POL 0010", "/AFP-XX01 France-politics", "Head =\r\n\r\n"
              "   by Claire DUVAL\r\n\r\n   PARIS, Nov 10, 2024 (AFP) - Text.")
    )  # fmt: skip
    assert item.byline == "by Claire DUVAL" and item.body[0].startswith("PARIS")


class TestOtherAgencies:
    def test_sda_ats_kicker_credit_without_dash_and_sign_off(self):
        item = parse("ats-kicker-credit.7901")
        # 'etf' in the heading is a service code: the credit names the agency.
        assert item.agency == "ATS"
        assert item.headline == "Les horlogers du Jura engagent davantage d'apprentis (rapport)"
        assert "kicker: Economie Suisse:" in item.notes
        assert item.slugline == "Suisse" and item.urgency == 3
        assert "sign-off: (ATS\\/lm)" in item.notes and len(item.body) == 2
        # 'Genève (ats) Les ...': the credit without a dash is read by the shared finder.
        story = normalised(read_sample("iptc7901", "ats-kicker-credit.7901"))
        assert story.agency == "ATS" and story.dateline.place == "Genève"
        assert story.dateline.agency == "ATS"
        assert story.lede.startswith("Les fabriques") and story.language == "fr"

    def test_sda_control_characters_lost_one_word_keyword(self):
        raw = bytes(
            b
            for b in read_sample("iptc7901", "ats-kicker-credit.7901")
            if b >= 0x20 or b in b"\r\n"
        )
        item = IPTC.parse(raw)
        assert item.slugline == "Suisse" and item.agency == "ATS"
        assert item.headline == "Les horlogers du Jura engagent davantage d'apprentis (rapport)"

    def test_short_lines_ending_in_colon_only(self):
        # A headline hard-wrapped after a colon is one headline, not a kicker and the rest.
        item = IPTC.parse(
            frame("bsf0002 3 ec 10   etf 002", "Suisse",
                  "Le Conseil national approuve le budget de l'armée:\r\n"
                  "les crédits sont relevés = \r\n\r\n   Berne (ats) Texte.")
        )  # fmt: skip
        assert item.headline.startswith("Le Conseil national approuve") and "kicker" not in str(
            item.notes
        )

    def test_dpa_keyword_path_and_net_version_line(self):
        item = parse("dpa-net-keyword-path.7901")
        assert item.slugline == "economy/Germany/cars"
        assert item.keywords == ["economy", "Germany", "cars"]
        assert not any(n.startswith("selectors") for n in item.notes)
        assert item.headline == "Carmakers in Bavaria cut shifts as export orders fall"
        assert item.version_label == "1ST LEAD 2ND NET" and item.version == 2
        assert item.signals == []  # version words are no update signal
        assert item.byline == "By Lena Brandt, dpa"
        assert item.date_hint == date(2024, 12, 10)

    def test_kyodo_anpa_style_heading_in_7901_framing(self):
        item = parse("kyodo-anpa-heading.7901")
        assert item.agency == "Kyodo" and item.urgency == 3
        assert item.slugline == "Baseball-Final"
        assert item.subjects == [Subject(scheme="anpa-category", code="s", name="Sports")]
        assert item.headline == "Baseball: Hawks edge Swallows to take Japan Series opener"
        assert item.body[0].startswith("FUKUOKA, Japan, Nov. 10 Kyodo - The Hawks")
        assert len(item.body) == 2 and "sign-off: ==Kyodo" in item.notes
        story = build_story(item, receipt_id="rc_test0001", feed="f", received_at=RECEIVED)
        assert story.dateline.place == "Fukuoka" and story.lede.startswith("The Hawks")

    def test_unit_separated_results_heading(self):
        item = parse("results-fields.7901")
        assert item.slugline == "RIVERBEND" and item.headline is None
        assert "service: NEWS" in item.notes and "heading fields: 3 N N VIC Friday" in item.notes
        assert item.agency == "AAP" and "sign-off: AAP RESULTS" in item.notes
        assert item.body[0] == "TRACK GOOD(4)" and len(item.body) == 2
        assert normalised(read_sample("iptc7901", "results-fields.7901")).format == "iptc7901"


class TestTelexEnvelope:
    def test_detected_and_not_plain_text(self):
        for name in ("aap-zczc-news.zczc", "aap-zczc-sport.zczc", "aap-zczc-racing.zczc",
                     "aap-zczc-release.zczc", "zczc-tagged.zczc"):  # fmt: skip
            assert detect(read_sample("iptc7901", name)).name == "iptc7901", name

    def test_news_marker_lines(self):
        item = parse("aap-zczc-news.zczc")
        assert item.agency == "AAP"
        assert item.headline == "Ferry crews walk off over new rosters"
        assert item.slugline == "Ferry strike_BC2"
        assert Subject(scheme="subj", code="04000000") in item.subjects
        assert Subject(scheme="telex-category", code="A") in item.subjects
        assert "take key: (HOBART)" in item.notes and "place code: TAS" in item.notes
        assert item.dateline is None  # the take key is no dateline
        assert len(item.body) == 2 and item.body[1].startswith("The operator said")
        assert "sign-off: AAP RTV" in item.notes
        assert item.urgency is None and item.status is PubStatus.usable

    def test_sport_marker_lines_cr_only_no_nnnn(self):
        item = parse("aap-zczc-sport.zczc")
        assert item.headline == "NETBALL: Super Netball round 9 preview"
        assert item.slugline == "Netball Preview"
        assert "take key: Round 9" in item.notes and "format: text" in item.notes
        assert Subject(scheme="subj", code="15000000") in item.subjects
        assert "framing: no NNNN; the text runs to the end of the message" in item.notes
        assert "sign-off: AAP" in item.notes
        story = normalised(read_sample("iptc7901", "aap-zczc-sport.zczc"))
        assert story.agency == "AAP" and story.dateline.place == "Perth"
        assert story.dateline.agency == "AAP"
        assert story.lede.startswith("Preview of round nine matches")

    def test_racing_routing_and_title_lines(self):
        item = parse("aap-zczc-racing.zczc")
        assert item.slugline == item.headline == "Riverbend MARKET DAY"
        assert "routing: YY TDR" in item.notes and "envelope: FMG000" in item.notes
        assert item.body[-1] == "5.50 Blue Harbour" and "sign-off: AAP BETTING" in item.notes
        assert item.agency == "AAP"
        story = normalised(read_sample("iptc7901", "aap-zczc-racing.zczc"))
        assert story.dateline.text == "GEELONG, Mar 14 AAP" and story.dateline.place == "Geelong"
        assert story.lede == "Latest betting for tomorrow's Riverbend gallops.-"

    def test_racing_labelled_lines(self):
        raw = (b"ZCZC FMG000\nYY RFG INTERNET (3RR)\n:POTTED :Riverbend - Form Friday\n"
               b":SPORT - Riverbend - Brief Form Friday\nRace One - Harbour Mdn 1200m\n"
               b"  SALT SPRAY (C Dale) 3g: 2 len 2nd.\n\nNNNN\n")  # fmt: skip
        item = IPTC.parse(raw)
        assert item.slugline == "Riverbend - Form Friday"
        assert item.headline == "Riverbend - Brief Form Friday"
        assert item.body[0] == "Race One - Harbour Mdn 1200m"

    def test_release_one_paragraph_a_line(self):
        item = parse("aap-zczc-release.zczc")
        assert item.slugline == "Coastal Water Authority" and item.headline is None
        assert "selectors: MNETALL MGD" in item.notes
        assert len(item.body) == 4 and item.body[1].startswith("The Coastal Water Authority")
        assert item.agency == "AAP"

    def test_keyword_and_date_take_key(self):
        raw = (b"\rZCZC\r#Riverbend Betting\r:14/3/2024\r"
               b"   GEELONG, Mar 13 AAP - Latest betting for Friday.-\r\r2.80 Tin Whistle\r"
               b"AAP BETTING\r")  # fmt: skip
        item = IPTC.parse(raw)
        assert item.slugline == "Riverbend Betting" and item.headline is None
        assert "take key: 14/3/2024" in item.notes and item.agency == "AAP"
        assert item.body == [
            "GEELONG, Mar 13 AAP - Latest betting for Friday.-",
            "2.80 Tin Whistle",
        ]
        story = build_story(item, receipt_id="rc_t", feed="aap", received_at=RECEIVED)
        assert story.dateline.place == "Geelong" and story.body[0] == "Latest betting for Friday.-"

    def test_keyword_and_headline_colon(self):
        item = IPTC.parse(
            b"ZCZC\n#Riverbend Trot\n:VIC TAB DIVS 1-4 Friday\n"
            b"RIVERBEND TROT\x0f\n    Race 1: 6 10 9.\x19\nAAP RESULTS\nNNNN"
        )
        assert item.headline == "VIC TAB DIVS 1-4 Friday" and item.slugline == "Riverbend Trot"
        assert item.body == ["RIVERBEND TROT", "Race 1: 6 10 9."]

    def test_tagged_fields(self):
        item = parse("zczc-tagged.zczc")
        assert item.headline == "Red Sand Mining lifts output guidance"
        assert item.agency == "Market Wire" and item.byline is None
        assert item.keywords == ["Mining", "Comnews", "RSM.AX"]
        assert item.item_id == "40017752" and item.date_hint == date(2024, 3, 12)
        assert len(item.body) == 2 and item.body[0].startswith("Red Sand Mining’s iron ore")

    def test_7901_message_inside_the_envelope(self):
        raw = (b"ZCZC\r\neca0005 3 i 40  dpa 0005\r\n\r\nShipping/\r\n"
               b"Head of the story =\r\n\r\nHamburg (dpa) - Text.\r\n\r\nNNNN\r\n")  # fmt: skip
        item = IPTC.parse(raw)
        assert item.agency == "dpa" and item.slugline == "Shipping" and item.urgency == 3
        assert item.headline == "Head of the story" and item.body == ["Hamburg (dpa) - Text."]
        assert "framing: ZCZC ... NNNN telex envelope" in item.notes

    def test_7901_heading_on_the_zczc_line(self):
        raw = (b"ZCZC AFP0412 4 ECO 0478\r\n/AFP-VQ45 Portugal-transport\r\nHead =\r\n\r\n"
               b"   LISBON, Nov 10, 2024 (AFP) - Text.\r\nNNNN\r\n")  # fmt: skip
        item = IPTC.parse(raw)
        assert item.agency == "AFP" and item.urgency == 4 and item.slugline == "Portugal-transport"
        assert item.headline == "Head" and item.body == ["LISBON, Nov 10, 2024 (AFP) - Text."]

    def test_several_messages_split(self):
        one = b"ZCZC AAP\r\n#One_BC1\r\n$First\r\nText one.\r\nNNNN\r\n"
        two = b"ZCZC AAP\r\n#Two_BC1\r\n$Second\r\nText two.\r\nNNNN\r\n"
        parts = IPTC.split(one + two)
        assert [IPTC.parse(p).headline for p in parts] == ["First", "Second"]

    def test_empty_envelope_is_rejected(self):
        with pytest.raises(ParseError, match="no text"):
            IPTC.parse(b"ZCZC AAP\r\n\r\nNNNN\r\n")

    def test_undated_telex_slug_is_no_item_id(self):
        # Racing slugs come back every week: without a date they must not chain stories.
        assert parse("aap-zczc-racing.zczc").item_id is None
        assert parse("zczc-tagged.zczc").item_id == "40017752"
