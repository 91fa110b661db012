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
