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
    assert "Reuters" in orgs
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
