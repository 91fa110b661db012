import json

from schemas import Subject, TagType
from workers.tagging import tag_story
from workers.tagging.build_taxonomy import derive
from workers.tagging.taxonomy import load_taxonomy

from .conftest import story_from


def _topics(story):
    return {t.code: t for t in tag_story(story) if t.type == TagType.topic}


def test_seed_story_is_conflict_war_and_peace(seed_story):
    topics = _topics(seed_story)
    assert topics["16000000"].name == "conflict, war and peace"
    assert topics["16000000"].scheme == "medtop"
    assert any(t.relevance > 0.5 for c, t in topics.items() if c != "16000000")


def test_agency_subject_codes_map_through_exact_match():
    story = story_from("LONDON (Reuters) - The committee met on Monday.")
    story = story.model_copy(update={"subjects": [Subject(scheme="subj", code="15054000")]})
    topics = _topics(story)
    assert "15000000" in topics  # soccer's subject code lands under sport


def test_taxonomy_has_parents_levels_and_retired():
    tax = load_taxonomy()
    assert tax.topics["20000056"].parent == "16000000"
    assert tax.topics["16000000"].level == 1
    assert tax.topics["20000064"].retired


def test_loader_reads_a_full_release_shape(tmp_path):
    release = {
        "uri": "http://cv.iptc.org/newscodes/mediatopic/",
        "conceptSet": [
            {"qcode": "medtop:16000000", "prefLabel": {"en-GB": "conflict, war and peace"}},
            {
                "qcode": "medtop:20000056",
                "prefLabel": {"en-GB": "armed conflict"},
                "broader": ["http://cv.iptc.org/newscodes/mediatopic/16000000"],
                "exactMatch": ["http://cv.iptc.org/newscodes/subjectcode/16001000"],
            },
        ],
    }
    path = tmp_path / "release.json"
    path.write_text(json.dumps(release))
    tax = load_taxonomy(path)
    assert tax.topics["20000056"].level == 2
    assert tax.from_subject["16001000"] == "20000056"
    assert derive(release)["topics"]["20000056"]["parent"] == "16000000"


def test_long_agency_code_lists_keep_what_the_text_supports():
    story = story_from(
        "ISLAMABAD (Reuters) - Flash floods after record monsoon rains killed 48 people, and "
        "rescuers evacuated villages as forecasters warned of more heavy rain."
    )
    codes = ["04000000", "03000000", "11000000", "17000000", "06000000", "10000000"]
    story = story.model_copy(update={"subjects": [Subject(scheme="subj", code=c) for c in codes]})
    tops = {c for c in _topics(story) if c.endswith("000000")}
    assert tops == {"03000000", "17000000"}


def test_few_sure_topics_from_text():
    story = story_from(
        "MADRID (AFP) - Real Madrid beat Atletico 2-1 in the derby, the striker scoring the "
        "winner in the 88th minute as the coach celebrated the league title race."
    )
    tops = {c for c in _topics(story) if c.endswith("000000")}
    assert tops == {"15000000"}


def test_non_english_copy_gets_agency_codes_only():
    story = story_from("Berlin (dpa) - Die Koalition streitet über den Haushalt.")
    assert not [c for c in _topics(story) if c.endswith("000000")]
    story = story.model_copy(update={"subjects": [Subject(scheme="subj", code="11000000")]})
    assert "11000000" in _topics(story)
