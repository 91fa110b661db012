"""ANPA-1312: framing, header fields, version words, text layout, trailer, encodings, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from schemas import PubStatus, Signal, Subject
from tests.workers.formats.samplefiles import normalised, read_sample
from workers.errors import EmptyStoryError, ParseError
from workers.formats import detect
from workers.formats.anpa1312 import Anpa1312

ANPA = Anpa1312()


def parse(name: str):
    return ANPA.parse(read_sample("anpa1312", name))


def frame(header: str, text: str, trailer: str = "11-10-24 1415EST") -> bytes:
    return (
        b"\x16\x16\x01"
        + header.encode()
        + b"\r\n\x02"
        + text.encode()
        + b"\x03"
        + trailer.encode()
        + b"\x04"
    )


class TestNewStory:
    def test_header_fields(self):
        item = parse("new.anpa")
        assert item.format == "anpa1312"
        assert item.urgency == 5  # 'r', routine
        assert item.subjects == [Subject(scheme="anpa-category", code="a", name="Domestic news")]
        # The slug is the keyword without AP's cycle prefix; the id keeps the keyword as sent.
        assert item.slugline == "Iowa-Flooding"
        assert item.keywords == ["Iowa", "Flooding"]
        assert "word count: 528" in item.notes
        assert "selector: a0412" in item.notes
        assert item.version == 1 and item.signals == [] and item.status is PubStatus.usable
        assert item.version_label is None

    def test_text_fields(self):
        item = parse("new.anpa")
        assert item.headline == "Levee holds as Wapsie River nears crest in Iowa town"
        # The credit line under the byline names the agency; it is not part of the byline.
        assert item.byline == "By DANA WHITLOCK"
        assert item.agency == "AP"
        assert len(item.body) == 13
        assert item.body[0].startswith("CEDAR BEND, Iowa (AP) _ Volunteers")
        # Wrapped lines are joined into one paragraph, not kept as separate ones.
        assert "the water climbed to within a foot" in item.body[0]
        assert item.body[-1] == "Officials planned another briefing for 8 a.m. Monday."
        assert any(n.startswith("(Copyright 2024") for n in item.notes)

    def test_trailer_gives_time_and_date(self):
        item = parse("new.anpa")
        assert item.version_created == datetime(2024, 11, 10, 19, 15, tzinfo=UTC)
        assert item.date_hint == date(2024, 11, 10)
        assert item.item_id == "BC-Iowa-Flooding/2024-11-10"

    def test_normalise(self):
        story = normalised(read_sample("anpa1312", "new.anpa"))
        assert story.format == "anpa1312"
        assert story.agency == "AP"
        assert story.dateline.place == "Cedar Bend"
        assert story.dateline.date == date(2024, 11, 10)
        assert story.lede.startswith("Volunteers and National Guard crews")
        assert story.language == "en"
        assert 450 < story.word_count < 650


class TestVersions:
    def test_writethru_is_update_version_2_same_item(self):
        new, update = parse("new.anpa"), parse("writethru.anpa")
        assert update.version == 2
        # The words say which take this is; they are not a structural update signal.
        assert update.signals == []
        assert update.urgency == 3  # 'u'
        assert update.item_id == new.item_id
        assert "Eds: UPDATES with river cresting, residents allowed home Tuesday." in update.notes
        # The reference to the earlier take is not a version word.
        assert "version words: 1stLd-Writethru" in update.notes
        assert update.version_label == "1stLd-Writethru"

    def test_writethru_chains_to_the_same_story(self):
        first = normalised(read_sample("anpa1312", "new.anpa"))
        second = normalised(read_sample("anpa1312", "writethru.anpa"))
        assert first.story_id == second.story_id
        assert second.version == 2

    def test_correction_from_slug_tail(self):
        item = parse("correction.anpa")
        assert item.signals == [Signal.correction]
        assert item.slugline == "Iowa-Flooding"
        assert item.item_id == "BC-Iowa-Flooding/2024-11-10"
        assert item.version_label == "Correction"
        assert item.status is PubStatus.usable
        assert item.version >= 2

    def test_kill(self):
        item = parse("kill.anpa")
        assert item.signals == [Signal.kill]
        assert item.status is PubStatus.canceled
        assert item.urgency == 1  # 'f'
        assert item.agency == "AP"  # named in the kill note
        assert item.subjects[0].code == "v" and item.subjects[0].name == "Advisories"
        story = normalised(read_sample("anpa1312", "kill.anpa"))
        assert story.status is PubStatus.canceled and story.signals == [Signal.kill]

    def test_elimination_is_a_kill(self):
        item = ANPA.parse(frame("a0001 r a BC-Thing Elimination 11-10 0010", "\tGone.\r\n"))
        assert item.status is PubStatus.canceled and Signal.kill in item.signals

    @pytest.mark.parametrize(
        ("words", "version"), [("2ndLd-Writethru", 3), ("3rdLd", 4), ("Writethru", 2), ("", 1)]
    )
    def test_lead_numbers(self, words, version):
        item = ANPA.parse(frame(f"a0001 r a BC-Thing {words} 11-10 0010", "\tText.\r\n"))
        assert item.version == version

    def test_advisory_noted(self):
        item = ANPA.parse(frame("a0001 a v BC-Budget Advisory 11-10 0010", "\tText.\r\n"))
        assert item.urgency == 6
        assert any(n.startswith("advisory") for n in item.notes)

    def test_embargo_from_eds_line(self):
        item = parse("embargoed.anpa")
        assert item.status is PubStatus.embargoed
        assert item.embargoed_until == datetime(2024, 11, 12, 0, 1, tzinfo=UTC)
        # The job title line is not part of the byline.
        assert item.byline == "By LUIS CARRANZA"
        story = normalised(read_sample("anpa1312", "embargoed.anpa"))
        assert story.status is PubStatus.embargoed
        assert story.embargoed_until == datetime(2024, 11, 12, 0, 1, tzinfo=UTC)

    def test_embargo_without_readable_time_is_still_held(self):
        item = ANPA.parse(
            frame(
                "a0001 r a BC-Thing 11-10 0010",
                "^Eds: Embargoed until further notice<\r\n\tText.\r\n",
            )
        )
        assert item.status is PubStatus.embargoed and item.embargoed_until is None


@pytest.mark.parametrize(
    ("letter", "urgency"), [("f", 1), ("b", 2), ("u", 3), ("r", 5), ("d", 7), ("a", 6), ("s", 4)]
)
def test_priority_letters(letter, urgency):
    item = ANPA.parse(frame(f"a0001 {letter} i BC-Thing 11-10 0010", "\tText.\r\n"))
    assert item.urgency == urgency
    assert item.subjects[0].name == "International news"


def test_unknown_priority_letter_gives_no_urgency():
    item = ANPA.parse(frame("a0001 z i BC-Thing 11-10 0010", "\tText.\r\n"))
    assert item.urgency is None


def test_cp1252_copy():
    item = parse("cp1252.anpa")
    assert item.headline == "Café reopens after flood with “thank you” menu"
    assert "Renée Fairbanks" in item.body[1]
    assert "—" in item.body[0]


def test_subheads_inside_text_are_paragraphs():
    item = ANPA.parse(
        frame("a0001 r a BC-Thing 11-10 0010", "^Head<\r\n\tOne.\r\n^Subhead<\r\n\tTwo.\r\n")
    )
    assert item.headline == "Head"
    assert item.body == ["One.", "Subhead", "Two."]


def test_unknown_trailer_zone_keeps_the_date_only():
    item = ANPA.parse(
        frame("a0001 r a BC-Thing 11-10 0010", "\tText.\r\n", trailer="11-10-24 1415XYZ")
    )
    assert item.date_hint == date(2024, 11, 10)
    assert item.version_created is None


class TestBrokenCopy:
    def test_no_etx(self):
        with pytest.raises(ParseError) as err:
            parse("truncated-no-etx.anpa")
        raw = read_sample("anpa1312", "truncated-no-etx.anpa")
        assert err.value.format == "anpa1312"
        assert err.value.position == f"byte {len(raw)}"
        assert "ETX" in str(err.value)

    def test_no_stx(self):
        with pytest.raises(ParseError, match="never reaches STX") as err:
            parse("truncated-no-stx.anpa")
        assert err.value.position == "byte 42"

    def test_empty(self):
        with pytest.raises(ParseError, match="empty"):
            parse("empty.anpa")

    def test_no_soh(self):
        with pytest.raises(ParseError, match="no SOH"):
            ANPA.parse(b"just some words")

    def test_unreadable_header_keeps_the_story(self):
        # A readable body is never rejected for a header of a shape not seen before.
        item = parse("bad-header.anpa")
        assert item.slugline is None and item.urgency is None and item.item_id is None
        assert "header not understood: 'Iowa flooding story follows'" in item.notes
        assert item.body == ["CEDAR BEND, Iowa (AP) _ Water."]
        assert item.agency == "AP"  # the dateline's credit

    def test_framed_but_empty_text_is_an_empty_story(self):
        with pytest.raises(EmptyStoryError):
            normalised(read_sample("anpa1312", "empty-text.anpa"))


class TestDetection:
    @pytest.mark.parametrize("name", ["new.anpa", "writethru.anpa", "kill.anpa", "cp1252.anpa"])
    def test_detected(self, name):
        assert detect(read_sample("anpa1312", name)).name == "anpa1312"

    def test_truncated_copy_is_still_claimed(self):
        # So that normalise quarantines it with the framing error, not as plain text.
        assert detect(read_sample("anpa1312", "truncated-no-etx.anpa")).name == "anpa1312"

    def test_plain_text_is_not_claimed(self):
        assert ANPA.sniff(b"BEIRUT (Reuters) - Words.") == 0.0


def test_split_on_syn_syn_soh():
    one = frame("a0001 r a BC-One 11-10 0010", "\tOne.\r\n")
    two = frame("a0002 r a BC-Two 11-10 0010", "\tTwo.\r\n")
    parts = ANPA.split(one + two)
    assert parts == [one, two]
    assert [ANPA.parse(p).slugline for p in parts] == ["One", "Two"]
    assert ANPA.split(one) == [one]


# --- Copy as AP and CP send it: selector codes after US, priority and category on the next
# line with the format identifier, AP's 'BC-XX--' keywords, credit and title lines. ----------


class TestSelectorHeader:
    def test_us_separated_selector_and_next_line_letters(self):
        item = parse("ap-selector.anpa")
        assert "selector: W3141" in item.notes
        assert "selector codes: asian" in item.notes
        assert item.urgency == 5  # 'r' on the line after the selector
        assert item.subjects == [Subject(scheme="anpa-category", code="l", name="Lifestyle")]
        assert "word count: 386" in item.notes

    def test_slug_is_the_full_keyword_without_cycle_and_desk(self):
        item = parse("ap-selector.anpa")
        # The header squeezes and cuts the keyword to 24 characters; the echo in the text
        # carries it whole, and 'BC-LT--' and the ',386' word count are not part of the slug.
        assert item.slugline == "Lighthouse-Keepers Return"
        assert item.keywords == ["Lighthouse", "Keepers Return"]
        assert "desk: LT" in item.notes
        assert item.item_id == "BC-LT--Lighthouse-KeepersR/2024-04-22"

    def test_headline_byline_and_credit(self):
        item = parse("ap-selector.anpa")
        # The headline's ' <' terminator is dropped; the credit line is not merged anywhere.
        assert item.headline == "On a windswept Maine island, volunteers keep an old light burning"
        assert item.byline == "By MARGARET HOLLOWAY and TOMAS REYES"
        assert item.agency == "AP"
        assert "AP Photo MEPB101, MEPB102, MEPB103" in item.notes
        assert "Eds: With AP Photos." in item.notes

    def test_body_and_trailer(self):
        item = parse("ap-selector.anpa")
        assert item.body[0].startswith("GULL ROCK, Maine (AP) _ Twice a week")
        assert len(item.body) == 6
        assert item.body[-1].startswith("Associated Press writer Lena Fischer")
        assert item.version_created == datetime(2024, 4, 22, 13, 42, tzinfo=UTC)
        assert item.date_hint == date(2024, 4, 22)

    def test_normalise(self):
        story = normalised(read_sample("anpa1312", "ap-selector.anpa"))
        assert story.agency == "AP"
        assert story.dateline.place == "Gull Rock"
        assert story.lede.startswith("Twice a week, a small boat")
        assert story.byline == "By MARGARET HOLLOWAY and TOMAS REYES"

    def test_detected(self):
        for name in ("ap-selector.anpa", "ap-agate.anpa", "no-selector.anpa", "cp-variant.anpa"):
            assert detect(read_sample("anpa1312", name)).name == "anpa1312"
            assert ANPA.sniff(read_sample("anpa1312", name)) >= 0.9


class TestWritethrus:
    def test_version_words_from_the_selector_line(self):
        item = parse("ap-writethru-sports.anpa")
        assert item.version_label == "1stLd-Writethru"  # as carried in the header
        assert item.version == 2
        assert item.signals == []
        assert item.slugline == "Comets-Pilots"
        assert item.item_id == "BC-BKN--Comets-Pilots/2024-03-08"

    def test_title_line_under_the_byline_and_summary(self):
        item = parse("ap-writethru-sports.anpa")
        assert item.byline == "By DWIGHT KESSLER"
        assert "credit: AP Sports Writer" in item.notes
        assert item.headline == "Ortega scores 31, Comets hold off Pilots 104-99"
        # The summary among the '^' lines is not the headline and not body text.
        assert any(n.startswith("deck: Rafael Ortega scored 31") for n in item.notes)
        assert item.body[0].startswith("RIVERTON, Texas (AP) _ Rafael Ortega")
        assert item.body[-2:] == ["UP NEXT", "Pilots: Host Lakeport on Saturday night."]

    def test_third_lead_abridged(self):
        item = parse("ap-3rdld-abridged.anpa")
        assert item.version_label == "3rdLd-Writethru"
        assert item.version == 4
        assert item.slugline == "Alps-Glacier Rescue-ABRIDGED"
        assert item.headline == "Climbers pulled from crevasse after two nights on Swiss glacier"
        assert any(n.startswith("(Eds: Updates with court date.") for n in item.notes)
        assert any(n.startswith("EDITOR'S NOTE _ This story") for n in item.notes)

    def test_job_title_after_a_comma_is_not_byline(self):
        item = parse("ap-3rdld-abridged.anpa")
        assert item.byline == "By ANNIKA BRUNNER"
        assert item.agency == "AP"

    def test_short_writethru_with_dollar_headline(self):
        item = parse("ap-short-writethru.anpa")
        assert item.headline == "$3,000 pumpkin sold at county fair"
        assert item.slugline == "Record Pumpkin Sale"
        assert item.version_label == "1stLd-Writethru"
        assert item.byline is None
        story = normalised(read_sample("anpa1312", "ap-short-writethru.anpa"))
        assert story.body == ["A pumpkin sold."]
        assert story.dateline.place == "Half Moon Bay"
        assert story.agency == "AP"

    def test_bare_number_is_a_version_not_a_signal(self):
        item = ANPA.parse(frame("a0001 r a BC-Thing 2 11-10 0010", "\tText.\r\n"))
        assert item.version == 2
        assert item.signals == [] and item.version_label is None

    def test_corrects_in_the_editors_note_is_a_correction(self):
        text = "^Eds: CORRECTS spelling of mayor's name.<\r\n^Head<\r\n\tText.\r\n"
        item = ANPA.parse(frame("a0001 r a BC-Thing 11-10 0010", text))
        assert item.signals == [Signal.correction]
        assert item.headline == "Head"


class TestAgateAndBulletins:
    def test_agate_table_rows_are_body_text(self):
        item = parse("ap-agate.anpa")
        assert "format: agate/tabular copy" in item.notes
        assert item.headline == "Valley League Standings"
        assert item.slugline == "Valley League Glance"
        assert item.byline == "By The Associated Press"
        assert item.agency == "AP"
        # '^' lines after the byline are the table's subheads; TLI rows stay rows of their own,
        # space bands read as spaces, column marks keep the cells apart.
        assert item.body[:5] == [
            "NORTH DIVISION",
            ";GP;W;L;OT;Pts",
            "Millbrook;40;26;10;4;56",
            "Stony Creek;41;22;15;4;48",
            "Ashford;39;18;17;4;40",
        ]
        assert "Port Ellis 40 24 12" in [" ".join(p.split()) for p in item.body]
        assert item.body[-2:] == ["Millbrook 4, Ashford 2", "Port Ellis 3, Danbury 1"]
        assert any(n == "deck: All Times EST" for n in item.notes)

    def test_agate_header_without_word_count(self):
        item = parse("ap-agate.anpa")
        assert item.item_id == "BC-HKN--ValleyLeagueGlanc/2024-02-11"
        assert not any(n.startswith("word count") for n in item.notes)

    def test_agate_normalises_without_a_dateline(self):
        story = normalised(read_sample("anpa1312", "ap-agate.anpa"))
        assert story.dateline is None
        assert "Millbrook;40;26;10;4;56" in story.body

    def test_bulletin_without_headline(self):
        item = parse("ap-bulletin.anpa")
        assert item.urgency == 2  # 'b'
        assert item.slugline == "APNewsAlert"
        assert item.headline is None  # none carried, none invented
        story = normalised(read_sample("anpa1312", "ap-bulletin.anpa"))
        assert story.agency == "AP"
        assert story.dateline.place == "Denver"
        assert story.body[0].startswith("Colorado utility regulators approve")

    def test_headline_digest_lines_are_the_copy(self):
        item = parse("digest.anpa")
        assert item.slugline == "AP-Top-Sports-Headlines"  # 'AP-' is not a cycle prefix
        assert item.headline == "AP Top Sports News at 9:10 p.m. EDT"
        assert "*7120" in item.notes  # sent on the same physical line as the keyword echo
        assert item.body == [
            "Comets clinch playoff spot with overtime win",
            "Rain delays final round at Lakeport Open",
            "Rookie goalie signs three-year extension",
        ]
        # Filed on 05-04 (US time), sent after midnight GMT.
        assert item.item_id == "AP-Top-Sports-Headlines/2024-05-04"


class TestVariants:
    def test_missing_story_number_and_selector(self):
        item = parse("no-selector.anpa")
        assert item.urgency == 3
        assert item.subjects[0].code == "a"
        assert item.slugline == "Storm-Warning"
        assert item.headline == "Ice storm warning issued for northern Missouri"
        assert "header without story number" in item.notes

    def test_empty_selector_and_missing_letters(self):
        item = ANPA.parse(
            frame("a0001\x1f\nr a\x13\x11 BC-Thing 11-10 0010", "^Head<\r\n\tText.\r\n")
        )
        assert item.slugline == "Thing" and item.urgency == 5 and item.headline == "Head"
        item = ANPA.parse(frame("a0001 BC-Thing 11-10 0010", "^Head<\r\n\tText.\r\n"))
        assert item.slugline == "Thing" and item.urgency is None
        assert "header without priority and category letters" in item.notes

    def test_canadian_press_framing(self):
        item = parse("cp-variant.anpa")
        assert item.slugline == "Harbour-Cranes"
        assert item.version_label == "2ndWritethru"
        assert item.version == 3 and Signal.update in item.signals
        assert "follows: TB06" in item.notes
        # 'HL:' wraps onto a flush-left line; '@<' ends it.
        assert item.headline == (
            "Halifax port orders four new cranes as container traffic climbs for third year"
        )
        assert item.byline == "By Colette Arsenault"
        assert item.agency == "CP"
        assert "code:2" in item.notes and "INDEX: Business, Transport" in item.notes
        assert item.body[0].startswith("HALIFAX _ The Port of Halifax will buy")
        assert item.body[0].endswith("East Coast terminals.")
        assert len(item.body) == 2

    def test_canadian_press_dates(self):
        item = parse("cp-variant.anpa")
        # The clock comes first in the trailer and the dates are day-month; 'ET' is not a zone
        # we can place, so only the date is kept.
        assert item.date_hint == date(2024, 10, 30)
        assert item.version_created is None
        assert item.item_id == "Harbour-Cranes/2024-10-30"

    def test_byline_and_credit_as_body_paragraphs(self):
        text = "^Head<\r\n\tBy JANE DOE, AP Writer\r\n\tAssociated Press\r\n\tCITY, Ohio (AP) _ Text.\r\n"
        item = ANPA.parse(frame("a0001 r a BC-Thing 11-10 0010", text))
        assert item.byline == "By JANE DOE"
        assert item.headline == "Head"
        assert item.agency == "AP"
        assert item.body == ["CITY, Ohio (AP) _ Text."]

    def test_byline_is_never_taken_for_a_headline(self):
        text = "^BC-Thing,10<\r\n^By JOHN ROE=\r\n^Associated Press=\r\n\tCITY (AP) _ Text.\r\n"
        item = ANPA.parse(frame("a0001 r a BC-Thing 11-10 0010", text))
        assert item.headline is None
        assert item.byline == "By JOHN ROE"

    def test_empty_header_still_reads_the_text(self):
        item = ANPA.parse(frame("", "^Head<\r\n\tText.\r\n"))
        assert item.headline == "Head" and item.body == ["Text."]
        assert "header empty" in item.notes


def test_keyword_line_gives_the_slug_when_the_header_has_none():
    text = "^BC-US--Harbor-Dredging,120<\r\n^Dredging starts at last<\r\n\tCITY (AP) _ Text.\r\n"
    item = ANPA.parse(frame("a0001 r a", text))
    assert item.slugline == "Harbor-Dredging"
    assert item.headline == "Dredging starts at last"
    assert "header without keyword" in item.notes


def test_another_keyword_line_is_never_the_headline():
    text = "^BC-Thing,10<\r\n^BC-US--Other-Story,88<\r\n^Real headline<\r\n\tText.\r\n"
    item = ANPA.parse(frame("a0001 r a BC-Thing 11-10 0010", text))
    assert item.headline == "Real headline"
    assert "keyword line: BC-US--Other-Story,88" in item.notes


def test_selector_header_in_7901_framing_is_left_to_7901():
    # Agencies that send this header with a bare SOH and 7901-style text (no '^' lines): the
    # IPTC 7901 reader claims it; with ANPA's SYN SYN or '^' lines it is ANPA's.
    text = b"\x02BC-Rail-Strike\r\nRail strike ends +\r\n     TOKYO, Nov. 10 Kyodo - Text.\r\n\x03"
    bare = b"\x01a0101KYODO\x1fkoko-\r\nr a\x13\x11 BC-Rail-Strike   11-10 0050\r\n" + text
    assert ANPA.sniff(bare) < 0.4
    assert ANPA.sniff(b"\x16\x16" + bare) == 0.95
    assert ANPA.sniff(bare.replace(b"\x02BC-Rail-Strike", b"\x02^BC-Rail-Strike<")) == 0.95
