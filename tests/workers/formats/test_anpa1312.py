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
        assert item.slugline == "BC-Iowa-Flooding"
        assert item.keywords == ["Iowa", "Flooding"]
        assert "word count: 528" in item.notes
        assert "selector: a0412" in item.notes
        assert item.version == 1 and item.signals == [] and item.status is PubStatus.usable

    def test_text_fields(self):
        item = parse("new.anpa")
        assert item.headline == "Levee holds as Wapsie River nears crest in Iowa town"
        assert item.byline == "By DANA WHITLOCK, Associated Press"
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
        assert update.signals == [Signal.update]
        assert update.urgency == 3  # 'u'
        assert update.item_id == new.item_id
        assert "Eds: UPDATES with river cresting, residents allowed home Tuesday." in update.notes
        # The reference to the earlier take is not a version word.
        assert "version words: 1stLd-Writethru" in update.notes

    def test_writethru_chains_to_the_same_story(self):
        first = normalised(read_sample("anpa1312", "new.anpa"))
        second = normalised(read_sample("anpa1312", "writethru.anpa"))
        assert first.story_id == second.story_id
        assert second.version == 2

    def test_correction_from_slug_tail(self):
        item = parse("correction.anpa")
        assert item.signals == [Signal.correction]
        assert item.slugline == "BC-Iowa-Flooding"
        assert item.item_id == "BC-Iowa-Flooding/2024-11-10"
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
        assert item.byline == "By LUIS CARRANZA, AP Farm Writer"
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

    def test_bad_header(self):
        with pytest.raises(ParseError, match="header") as err:
            parse("bad-header.anpa")
        assert err.value.position == "byte 3"

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
    assert [ANPA.parse(p).slugline for p in parts] == ["BC-One", "BC-Two"]
    assert ANPA.split(one) == [one]
