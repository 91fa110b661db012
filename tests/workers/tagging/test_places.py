from schemas import TagType
from workers.tagging import tag_story

from .conftest import story_from


def _places(story):
    return {t.name: t for t in tag_story(story) if t.type == TagType.place}


def test_seed_story_places_have_codes_ids_and_mentions(seed_story):
    places = _places(seed_story)
    assert places["Beirut"].code == "LB"
    assert places["Beirut"].ids == {"geonames": "276781"}
    assert places["Beirut"].mentions[0].field == "dateline"
    assert places["Syria"].code == "SY"
    assert places["Syria"].relevance > 0.8
    for name in ("Iraq", "Albu Kamal", "Mosul", "Euphrates"):
        assert name in places
    first = places["Syria"].mentions[0]
    assert seed_story.body[first.paragraph][first.start : first.end] == "Syria"


def test_dateline_qualifier_picks_paris_texas():
    story = story_from("PARIS, Texas (AP) — Police in Paris said a tornado hit the town.")
    places = _places(story)
    assert places["Paris"].code == "US"
    assert places["Paris"].ids == {"geonames": "4717560"}
    assert "Texas" in places


def test_paris_defaults_to_france():
    story = story_from("PARIS (Reuters) - Police in Paris said on Monday the museum was closed.")
    assert _places(story)["Paris"].code == "FR"


def test_georgia_beside_atlanta_is_the_us_state():
    story = story_from("ATLANTA (AP) — Georgia Gov. Ellen Whitcomb signed the bill Tuesday.")
    assert _places(story)["Georgia"].code == "US"
    tbilisi = story_from("TBILISI (AFP) - Thousands rallied in Georgia's capital on Tuesday.")
    assert _places(tbilisi)["Georgia"].code == "GE"


def test_dateline_place_leads_and_person_origin_is_no_place():
    story = story_from(
        "NEW YORK (AP) — The Basel-based firm hired Ilona Varga, a Hungarian-born engineer, to run "
        "its new lab in Missouri."
    )
    tags = [t for t in tag_story(story) if t.type == TagType.place]
    assert tags[0].name == "New York"
    names = {t.name for t in tags}
    assert "Hungary" not in names
    assert {"Missouri", "Basel"} <= names


def test_umlaut_spelling_and_regions():
    story = story_from(
        "STOCKHOLM (AFP) - The district court of Joenkoeping ruled on Friday. Fires burned in "
        "Andalusia and the Catalan government met."
    )
    names = _places(story)
    assert names["Jönköping"].code == "SE"
    assert {"Andalusia", "Catalonia"} <= set(names)


def test_ap_state_abbreviation_qualifies_the_dateline():
    places = _places(story_from("RICHMOND, Va. (AP) — Lawmakers met on Wednesday."))
    assert places["Richmond"].code == "US"
    assert "Virginia" in places


def test_small_dateline_town_is_placed_by_its_qualifier():
    places = _places(story_from("MILLHAVEN, South Dakota (AP) _ Farmers planted corn on Monday."))
    assert places["Millhaven"].code == "US"
    assert "South Dakota" in places
