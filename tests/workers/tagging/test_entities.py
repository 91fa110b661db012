from schemas import TagType
from workers.tagging import tag_story

from .conftest import story_from


def _by_type(story, type_):
    return {t.name: t for t in tag_story(story) if t.type == type_}


def test_seed_story_merges_short_forms(seed_story):
    orgs = _by_type(seed_story, TagType.organisation)
    texts = {
        seed_story.body[m.paragraph][m.start : m.end]
        for m in orgs["Islamic State"].mentions
        if m.field == "body"
    }
    assert "Daesh" in texts
    sdf = {
        seed_story.body[m.paragraph][m.start : m.end]
        for m in orgs["Syrian Democratic Forces"].mentions
    }
    assert sdf == {"Syrian Democratic Forces", "SDF"}
    assert "Reuters" not in orgs  # the dateline credit is no organisation in the story
    assert "Abu Bakr al-Baghdadi" in _by_type(seed_story, TagType.person)


def test_title_quote_and_surname_coreference():
    story = story_from(
        "LONDON (Reuters) - Finance Minister Jane Okafor said on Monday the plan would pass. "
        "Okafor told reporters the Helix Mining Corporation (HMC) had agreed.\n\n"
        "HMC shares rose, said Peter Lindqvist, an analyst."
    )
    people = _by_type(story, TagType.person)
    orgs = _by_type(story, TagType.organisation)
    assert len(people["Jane Okafor"].mentions) == 2
    assert "Peter Lindqvist" in people
    assert len(orgs["Helix Mining Corporation"].mentions) == 3  # long form, (HMC), HMC
    assert "Jane Okafor" not in _by_type(story, TagType.place)


def test_fragments_around_generic_words_are_not_organisations():
    story = story_from(
        "LONDON (PA) - The Government said it would act. Leaked Treasury papers and MPs the "
        "Government consulted disagreed.\n\n"
        "Volunteers and National Guard soldiers stacked sandbags, said Karen Oldfield of the "
        "Linn County Farm Bureau."
    )
    orgs = _by_type(story, TagType.organisation)
    people = _by_type(story, TagType.person)
    assert not [n for n in orgs if "Government" in n or n.startswith(("Leaked", "Volunteers"))]
    assert {"National Guard", "Linn County Farm Bureau", "HM Treasury"} <= set(orgs)
    assert "Karen Oldfield" in people


def test_parties_resolve_to_the_story_country():
    sweden = story_from(
        "STOCKHOLM (Reuters) - Sweden's opposition Social Democrats lead the Moderates."
    )
    germany = story_from("BERLIN (Reuters) - The Social Democrats (SPD) and the Greens met.")
    us = story_from("WASHINGTON (AP) — Senate Democrats pushed the bill, and Republicans balked.")
    assert "Swedish Social Democratic Party" in _by_type(sweden, TagType.organisation)
    assert "Social Democratic Party of Germany" in _by_type(germany, TagType.organisation)
    assert "Alliance 90/The Greens" in _by_type(germany, TagType.organisation)
    assert {"Democratic Party", "Republican Party"} <= set(_by_type(us, TagType.organisation))


def test_companies_with_tickers_suffixes_and_company_words():
    story = story_from(
        "ZURICH (Reuters) - Alpenchem AG (ALPN.S) cut its forecast, and larger rival Helvion "
        "(CLN.S) reports next week. Brightsea Holdings Ltd (1288.HK) rose, said Ron Houston of "
        "Melius Research."
    )
    orgs = set(_by_type(story, TagType.organisation))
    assert {"Alpenchem AG", "Helvion", "Brightsea Holdings Ltd", "Melius Research"} <= orgs
    assert "Ron Houston" in _by_type(story, TagType.person)


def test_middle_initials_pairs_and_surname_of_the_right_person():
    story = story_from(
        "BOSTON (AP) — Dr. John F. Kessler led the study with Mary T. Okafor. Finance ministers "
        "Anja Kristensen and Pieter de Wolf disagreed.\n\n"
        "Gerd Mueller scored. Current player Thomas Mueller said he was moved.\n\n"
        "Mueller said it was hard."
    )
    people = _by_type(story, TagType.person)
    assert {"John F. Kessler", "Mary T. Okafor", "Anja Kristensen", "Pieter de Wolf"} <= set(people)
    assert len(people["Thomas Mueller"].mentions) == 2  # the later 'Mueller' is the last named


def test_given_name_that_is_a_place_is_a_person():
    story = story_from(
        'DALLAS (AP) — Jordan Hayes scored 28 points. "Jordan was special," the coach said.'
    )
    assert len(_by_type(story, TagType.person)["Jordan Hayes"].mentions) == 2
    assert "Jordan" not in {t.name for t in tag_story(story) if t.type == TagType.place}


def test_known_name_inside_a_longer_one():
    story = story_from(
        "RICHMOND, Va. (AP) — The Virginia Senate voted. Shares in Siemens Energy AG rose, and "
        "its subsidiary Siemens Gamesa cut losses. The Florida Panthers beat the Boston Bruins "
        "4-2 on Thursday night."
    )
    orgs = set(_by_type(story, TagType.organisation))
    assert {"Virginia Senate", "Siemens Energy AG", "Siemens Gamesa", "Florida Panthers"} <= orgs
    assert "Senate" not in orgs
