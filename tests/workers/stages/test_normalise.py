"""normalise over plain-text wire copy: datelines, headlines, cleaning, truncation, language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.harness import SEEDS
from workers.errors import EmptyStoryError
from workers.stages.normalise import body_hash, normalise

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def run(text: str | bytes):
    raw = text.encode() if isinstance(text, str) else text
    return normalise(raw, receipt_id="rc_test", feed="wire", received_at=NOW)


def test_seed_story() -> None:
    story = run((SEEDS / "reuters-2017-11-10-syria-islamic-state.txt").read_bytes())
    assert story.dateline.place == "Beirut"
    assert story.dateline.date == date(2017, 11, 10)
    assert story.dateline.text == "BEIRUT (Reuters)"
    assert story.agency == "Reuters"
    assert story.headline is None
    assert story.body[0].startswith("Syria’s army declared victory")
    assert story.body[-1].endswith("around the world.")
    assert story.truncated is True
    assert story.language == "en"
    assert story.format == "plaintext"


@pytest.mark.parametrize(
    ("copy", "place", "agency", "day"),
    [
        ("WASHINGTON (AP) — The Senate passed the bill on Friday.", "Washington", "AP", None),
        (
            "Paris, 21 jan 2019 (AFP) - Le gouvernement a annoncé mardi un plan.",
            "Paris",
            "AFP",
            date(2019, 1, 21),
        ),
        (
            "Berlin (dpa) - Die Regierung hat am Montag beschlossen, dass es so weitergeht.",
            "Berlin",
            "dpa",
            None,
        ),
        ("NEW YORK (Reuters) - Stocks rose on Wall Street on Monday.", "New York", "Reuters", None),
        (
            "SAN JUAN, Puerto Rico (AP) — Power returned to most homes on the island.",
            "San Juan",
            "AP",
            None,
        ),
    ],
)
def test_agency_datelines(copy: str, place: str, agency: str, day: date | None) -> None:
    story = run(copy)
    assert story.dateline.place == place
    assert story.agency == agency
    assert story.dateline.date == day
    assert not story.body[0].startswith(place.upper())
    assert story.body[0][0].isupper()


def test_headline_taken_only_when_the_copy_has_one() -> None:
    with_headline = run("Floods close schools\n\nDHAKA (Reuters) - Floods closed 300 schools.\n")
    assert with_headline.headline == "Floods close schools"
    assert with_headline.body == ["Floods closed 300 schools."]
    # A first paragraph without a dateline after it is story text, not a headline.
    without = run("Floods closed schools in the capital.\n\nMore rain is due on Sunday.\n")
    assert without.headline is None
    assert len(without.body) == 2


def test_cleaning_keeps_typography_and_drops_controls() -> None:
    raw = "LIMA (Reuters) - Peru\u2019s \u201cnew\u201d plan \u2014 in\x07 full\u200b.\x1b\n"
    story = run(raw)
    assert story.body == ["Peru’s “new” plan — in full."]
    # NFC: a decomposed accent comes out composed.
    assert run("QUITO (Reuters) - Cafe\u0301 prices rose.").body == ["Café prices rose."]


def test_cp1252_copy_is_read() -> None:
    story = run("MADRID (Reuters) - Espa\u00f1a \u201cs\u00ed\u201d.".encode("cp1252"))
    assert story.body == ["España “sí”."]


def test_lines_wrapped_inside_a_paragraph_are_joined() -> None:
    story = run("OSLO (NTB) - One sentence\nwrapped over\nthree lines.\n\nSecond paragraph.")
    assert story.body == ["One sentence wrapped over three lines.", "Second paragraph."]
    assert story.word_count == 8


def test_language_is_detected() -> None:
    assert (
        run(
            "Berlin (dpa) - Die Bundesregierung hat am Montag die neue Regel für "
            "den Verkehr beschlossen und sie wird im Mai gelten."
        ).language
        == "de"
    )


def test_empty_copy_is_an_error() -> None:
    with pytest.raises(EmptyStoryError):
        run("[…]")


def test_body_hash_ignores_spacing_case_and_quotes() -> None:
    assert body_hash(["He said “yes”.", "Then  left."]) == body_hash(
        ['He said "Yes".', "Then left."]
    )
    assert body_hash(["He said yes."]) != body_hash(["He said no."])


def test_day_and_month_datelines_take_the_year_they_were_received() -> None:
    story = run("OTTAWA, Feb 9 (Reuters) - The Bank of Canada held rates.")
    assert story.dateline.date == date(2026, 2, 9)
    assert story.dateline.place == "Ottawa"
    # Filed on 31 December, received on 1 January: last year's date, not next December's.
    new_year = normalise(
        b"SYDNEY, Dec 31 (Reuters) - Fireworks lit the harbour.",
        receipt_id="rc_t",
        feed="wire",
        received_at=datetime(2027, 1, 1, 0, 30, tzinfo=UTC),
    )
    assert new_year.dateline.date == date(2026, 12, 31)


def build(**fields):
    from workers.formats import ParsedItem
    from workers.stages.normalise import build_story

    item = ParsedItem(format="nitf", **fields)
    return build_story(item, receipt_id="rc_test", feed="wire", received_at=NOW)


def test_the_copys_dateline_wins_over_metadata() -> None:
    from schemas import Dateline

    # <located> names the editing desk; the copy says where the story was filed.
    story = build(
        dateline=Dateline(text="Gdansk", place="Gdansk"),
        body=["VILNIUS (Reuters) - Lithuania's parliament voted on Tuesday to extend the rules."],
    )
    assert story.dateline.place == "Vilnius"
    assert story.body[0].startswith("Lithuania's parliament")


def test_a_metadata_place_is_the_city_alone_and_never_a_timestamp() -> None:
    from schemas import Dateline

    city = build(dateline=Dateline(text="x", place="Tromso, Norway"), body=["No dateline here."])
    assert city.dateline.place == "Tromso"
    stamp = build(
        dateline=Dateline(text="x", place="20240312T081500+0000"), body=["No dateline here."]
    )
    assert stamp.dateline.place is None


def test_a_byline_paragraph_is_the_byline_and_the_dateline_follows_it() -> None:
    story = build(
        body=[
            "By MARIA OYELARAN and TOMAS VIK",
            "LAGOS, Nigeria (AP) _ Ferry services resumed on Monday after a week of strikes.",
        ]
    )
    assert story.byline == "By MARIA OYELARAN and TOMAS VIK"
    assert story.dateline.place == "Lagos"
    assert story.lede.startswith("Ferry services resumed")


def test_a_sentence_starting_with_by_is_not_a_byline() -> None:
    story = build(body=["By Monday evening the river had risen two metres.", "More."])
    assert story.byline is None
    assert story.lede.startswith("By Monday evening")


def test_a_kill_with_no_text_is_still_a_story() -> None:
    from schemas import PubStatus

    story = build(body=[], status=PubStatus.canceled, item_id="urn:x:1")
    assert story.status is PubStatus.canceled and story.body == [] and story.headline is None
    with pytest.raises(EmptyStoryError):
        build(body=[], item_id="urn:x:2")


def test_an_editors_note_naming_what_it_replaces_links_the_items() -> None:
    from workers.stages.normalise import named_predecessors

    assert named_predecessors(["Editors: This item replaces 20260312-WX-0042."]) == [
        "20260312-WX-0042"
    ]
    assert named_predecessors(["Ersetzt Meldung dpa-0815-2231 vom Vormittag"]) == ["dpa-0815-2231"]
    assert named_predecessors(["Remplace la dépêche AFP 260312-7781."]) == ["260312-7781"]
    # A slug or a headline in a note names no item.
    assert named_predecessors(["Replaces the earlier story on the harbour fire"]) == []
    story = build(body=["Text."], notes=["Sustituye a EFE-332100."], item_id="EFE-332199")
    assert story.replaces == ["EFE-332100"]


def test_summary_bullets_stay_and_the_byline_and_dateline_below_them_are_read() -> None:
    story = build(
        body=[
            "* Copper hits two-week high on supply worries",
            "* Chile output down 4 percent in March",
            "By Ana Ruiz",
            "SANTIAGO, April 2 (Reuters) - Copper prices rose on Tuesday as mines cut output.",
            "Traders said stocks were low.",
        ]
    )
    assert story.byline == "By Ana Ruiz"
    assert story.dateline.place == "Santiago" and story.dateline.agency == "Reuters"
    assert story.body[:2] == [
        "* Copper hits two-week high on supply worries",
        "* Chile output down 4 percent in March",
    ]
    assert story.lede == "Copper prices rose on Tuesday as mines cut output."


def test_a_dateline_that_is_only_a_date_gives_no_place() -> None:
    story = build(body=["Jan 30 (Reuters) - Gold rose on Tuesday.", "More."])
    assert story.dateline.place is None and story.dateline.agency == "Reuters"
    assert story.lede == "Gold rose on Tuesday."


def test_a_deck_line_above_the_dateline_stays_and_the_dateline_is_read() -> None:
    story = build(
        body=[
            "Harbour ferries go electric",
            "HAMBURG (dpa) - The city's ferries will run on batteries from next spring.",
            "More.",
        ]
    )
    assert story.dateline.place == "Hamburg" and story.body[0] == "Harbour ferries go electric"
    assert story.lede == "The city's ferries will run on batteries from next spring."


def test_a_nordic_quote_opening_the_story_is_no_bullet() -> None:
    story = build(body=["– Vi är mycket glada, säger hon.", "Beslutet kom på tisdagen."])
    assert story.lede == "– Vi är mycket glada, säger hon." and story.dateline is None


def test_a_dateline_standing_alone_as_a_paragraph() -> None:
    story = build(body=["STOCKHOLM (TT)", "Regeringen presenterade budgeten på tisdagen."])
    assert story.dateline.place == "Stockholm" and story.dateline.agency == "TT"
    assert story.body == ["Regeringen presenterade budgeten på tisdagen."]


def test_entities_escaped_twice_upstream_are_read_as_characters() -> None:
    story = build(body=["He said &quot;no&quot; to R&amp;D cuts &#8211; and AT&T stayed."])
    assert story.body == ['He said "no" to R&D cuts – and AT&T stayed.']
