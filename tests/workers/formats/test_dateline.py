"""Datelines across agencies' conventions, and plain text that uses them."""

from __future__ import annotations

from datetime import date

import pytest

from tests.workers.formats.samplefiles import normalised
from workers.dateline import split_dateline
from workers.formats import detect

NOV = date(2024, 11, 1)
SEED = "seeds/reuters-2017-11-10-syria-islamic-state.txt"


@pytest.mark.parametrize(
    ("template", "place", "day", "agency", "rest"),
    [
        (
            "Madrid, 10 nov (EFE){d} El Gobierno aprobó",
            "Madrid",
            date(2024, 11, 10),
            "EFE",
            "El Gobierno aprobó",
        ),
        (
            "(ANSA) - ROMA, 10 NOV {d} Il governo ha",
            "Roma",
            date(2024, 11, 10),
            "ANSA",
            "Il governo ha",
        ),
        ("ROMA, 10 NOV {d} Il governo ha", "Roma", date(2024, 11, 10), None, "Il governo ha"),
        ("ROMA, 10 NOV 2023 {d} Il governo", "Roma", date(2023, 11, 10), None, "Il governo"),
        ("TOKYO, Nov. 10 Kyodo {d} Japan's", "Tokyo", date(2024, 11, 10), "Kyodo", "Japan's"),
        ("WASHINGTON (AP) {d} The Senate", "Washington", NOV, "AP", "The Senate"),
        ("BEIRUT (Reuters) {d} Syria's army", "Beirut", NOV, "Reuters", "Syria's army"),
        ("Berlin (dpa) {d} Die Regierung", "Berlin", NOV, "dpa", "Die Regierung"),
        ("(ANSA) – MILANO, 9 NOV {d} La città", "Milano", date(2024, 11, 9), "ANSA", "La città"),
    ],
)
@pytest.mark.parametrize("dash", ["-", "–", "—", "_", "--"])
def test_conventions(template, place, day, agency, rest, dash):
    found, remainder = split_dateline(template.format(d=dash), default_date=NOV)
    assert found is not None
    assert (found.place, found.date, found.agency) == (place, day, agency)
    assert remainder.strip() == rest


def test_efe_point_dash():
    found, rest = split_dateline("Madrid, 10 nov (EFE).- El Gobierno", default_date=NOV)
    assert (found.place, found.agency, rest) == ("Madrid", "EFE", "El Gobierno")


@pytest.mark.parametrize(
    "paragraph",
    [
        "PARIS – The city said",  # no date, no agency: not certain
        "NEW YORK, THE CITY - said",  # no month
        "NAPOLI - senza data",
        "The minister (who spoke for an hour and then left the room) - said",
        "ROMA, 10 PIZZE - ordinate",
    ],
)
def test_not_datelines(paragraph):
    assert split_dateline(paragraph, default_date=NOV) == (None, paragraph)


def test_ansa_date_without_year_keeps_place():
    found, _ = split_dateline("ROMA, 10 NOV - Il governo")
    assert found.place == "Roma" and found.date is None


def test_reuters_seed_unchanged():
    with open(SEED, "rb") as fh:
        story = normalised(fh.read())
    assert story.format == "plaintext"
    assert story.dateline.place == "Beirut"
    assert story.dateline.date == date(2017, 11, 10)
    assert story.agency == "Reuters"
    assert story.truncated is True


def test_plain_ansa_story_takes_agency_from_sign_off():
    raw = (
        b"date 2024-11-10 ROMA, 10 NOV - Il governo ha approvato ieri sera il nuovo piano per le "
        b"ferrovie regionali, che prevede 40 nuovi treni entro il 2027.\n\n"
        b"Lo ha detto il ministro dei trasporti.\n\n(ANSA).\n"
    )
    assert detect(raw).name == "plaintext"
    story = normalised(raw)
    assert story.agency == "ANSA"
    assert story.dateline.place == "Roma" and story.dateline.date == date(2024, 11, 10)
    assert story.body[-1] == "Lo ha detto il ministro dei trasporti."
    assert story.language == "it"


def test_parenthesis_in_prose_is_no_sign_off():
    raw = b"LONDON (Reuters) - Words here.\n\nThe union said it would strike (PA)\n"
    assert normalised(raw).agency == "Reuters"


def test_efe_plain_story():
    raw = "Madrid, 10 nov (EFE).- El Gobierno aprobó este domingo un plan para los trenes de cercanías de la región.".encode()
    story = normalised(raw)
    assert story.agency == "EFE" and story.dateline.place == "Madrid"
    assert story.lede.startswith("El Gobierno aprobó")


@pytest.mark.parametrize(
    ("paragraph", "place", "agency", "rest"),
    [
        ("HALIFAX _ The port reopened", "Halifax", None, "The port reopened"),
        ("MONCTON, New Brunswick _ Crews worked", "Moncton", None, "Crews worked"),
        ("BRISBANE, Oct 12 AAP - Latest betting", "Brisbane", "AAP", "Latest betting"),
        ("Bern (sda) Der Bundesrat hat", "Bern", "SDA", "Der Bundesrat hat"),
        ("Lausanne (ats afp) Les manifestants", "Lausanne", "ATS", "Les manifestants"),
        ("Hamburg (dpa/lni) - Die Polizei", "Hamburg", "dpa", "Die Polizei"),
        ("SAN DIEGO (tca/dpa) - The Chargers", "San Diego", "dpa", "The Chargers"),
        ("MOSCOW, January 21. /TASS/. The Kremlin", "Moscow", "TASS", "The Kremlin"),
        ("Aarhus /ritzau/: Politiet", "Aarhus", "Ritzau", "Politiet"),
        ("Bryssel, TT:s korrespondent – EU-kommissionen", "Bryssel", "TT", "EU-kommissionen"),
        ("Kiova/Washington (STT) Pentagon says", "Kiova", "STT", "Pentagon says"),
        ("STOCKHOLM (TT)", "Stockholm", "TT", ""),
        (
            "SAN FRANCISCO--(BUSINESS WIRE)--Acme Corp said",
            "San Francisco",
            "Business Wire",
            "Acme Corp said",
        ),
        ("北京（新华社）- 中国政府今天宣布", "北京", "Xinhua", "中国政府今天宣布"),
        ("OSAKA, May 2, 2025 /Kyodo JBN-AsiaNet/ -- Acme", "Osaka", "Kyodo JBN", "Acme"),
        ("DENVER, March 3, 2025 /PRNewswire/ -- Acme Corp", "Denver", "PR Newswire", "Acme Corp"),
        ("Jan 3 (Reuters) - Gold rose", None, "Reuters", "Gold rose"),
        ("SOFIA (ITAR-TASS) - The cabinet", "Sofia", "TASS", "The cabinet"),
    ],
)
def test_agency_variants_without_dash_credit_or_parentheses(paragraph, place, agency, rest):
    found, remainder = split_dateline(paragraph, default_date=NOV)
    assert (found.place, found.agency) == (place, agency)
    assert remainder.strip() == rest


@pytest.mark.parametrize(
    "paragraph",
    [
        "BREAKING _ The port reopened",  # a kicker in capitals, not a place
        "John Smith (Reuters) said the deal",  # a sentence, not a dateline
        "The company (AFP) Les",  # no place
    ],
)
def test_what_only_looks_like_those_variants_is_left_alone(paragraph):
    assert split_dateline(paragraph, default_date=NOV)[0] is None


def test_the_year_after_its_own_comma_belongs_to_the_date():
    found, rest = split_dateline("AUSTIN, Texas, Feb. 1, 2017 /PRNewswire/ -- Acme", received=NOV)
    assert found.date == date(2017, 2, 1) and rest == "Acme"
