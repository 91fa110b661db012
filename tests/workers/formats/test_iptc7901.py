"""IPTC 7901: heading fields, slug and version words, service lines, headline, trailer, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from schemas import PubStatus, Signal, Subject
from tests.workers.formats.samplefiles import normalised, read_sample
from workers.errors import EmptyStoryError, ParseError
from workers.formats import detect
from workers.formats.iptc7901 import Iptc7901

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
        assert item.version == 3
        assert item.signals == [Signal.update]
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

    def test_bad_heading(self):
        with pytest.raises(ParseError, match="header") as err:
            parse("bad-header.7901")
        assert err.value.position == "byte 1"

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
