"""tag_story on bad input: sensible output, no crash, no runaway time."""

import time

from schemas import TagType
from workers.tagging import entities, gazetteer, lexicon, ner, tag_story, taxonomy, topics, warm_up

from .conftest import story_from


def _loaded() -> dict[str, object]:
    """Every table warm_up builds, by name: the objects, not copies, so identity can be checked."""
    return {
        "gazetteer": gazetteer.load_gazetteer(),
        "lexicon": lexicon.load_lexicon(),
        "model": ner.load_model(),
        "taxonomy": taxonomy.load_taxonomy(),
        "cues": topics.load_cues(),
        "place_starts": entities._PLACE_STARTS,
        "country_keys": entities._COUNTRY_KEYS,
    }


def test_warm_up_is_idempotent():
    # Idempotent means the second call loads nothing again: every table is the very object
    # the first call built (a rebuild would be equal but new), and the call costs nothing
    # next to the seconds the first load takes.
    warm_up()
    first = _loaded()
    assert first["place_starts"] and first["country_keys"]
    started = time.perf_counter()
    warm_up()
    assert time.perf_counter() - started < 0.1
    again = _loaded()
    assert again.keys() == first.keys()
    for name, table in first.items():
        assert again[name] is table, name


def test_headline_only_story():
    story = story_from("Quake hits Syria\n\nBEIRUT (Reuters) - .")
    tags = tag_story(story)
    # The places still come from the headline and the dateline, with offsets into them.
    places = {(t.name, t.code, t.mentions[0].field) for t in tags if t.type == TagType.place}
    assert places == {("Syria", "SY", "headline"), ("Beirut", "LB", "dateline")}
    [syria] = [t for t in tags if t.name == "Syria"]
    assert [story.headline[m.start : m.end] for m in syria.mentions] == ["Syria"]
    assert "quake" in {t.name for t in tags if t.type == TagType.keyword}
    # The agency in the dateline is no organisation, and there is no one to name.
    assert not [t for t in tags if t.type in (TagType.person, TagType.organisation)]


def test_empty_body_gives_no_tags():
    story = story_from("Nothing here today at all").model_copy(update={"body": [], "headline": ""})
    assert tag_story(story) == []


def test_text_without_capitals():
    story = story_from("the army said fighting went on near the border all week long.")
    tags = tag_story(story)
    assert not [t for t in tags if t.type in (TagType.person, TagType.organisation)]


def test_all_caps_copy_uses_known_names_only():
    story = story_from(
        "BEIRUT (REUTERS) - SYRIA'S ARMY SAID ON THURSDAY IT HAD TAKEN ALBU KAMAL FROM "
        "ISLAMIC STATE, WHICH IT CALLS DAESH. THE ARMY SAID IT WAS A GREAT VICTORY."
    )
    tags = tag_story(story)
    names = {t.name for t in tags}
    assert {"Syria", "Albu Kamal", "Islamic State", "Beirut"} <= names
    assert not [t for t in tags if t.type == TagType.person]


def test_non_english_copy():
    story = story_from(
        "Berlin (dpa) - Bundeskanzler Olaf Scholz ist am Montag nach Paris gereist. "
        "Deutschland und Frankreich wollen die Ukraine weiter unterstützen."
    )
    names = {t.name for t in tag_story(story)}
    assert {"Olaf Scholz", "Germany", "France", "Ukraine", "Berlin"} <= names


def test_very_long_text_is_bounded():
    paragraph = (
        "The committee met in Geneva on Monday and said talks with Iraq would go on, "
        "officials from the United Nations told Reuters after the session ended. " * 8
    )
    story = story_from("GENEVA (Reuters) - " + "\n\n".join([paragraph] * 2000))
    assert story.word_count > 200_000
    started = time.perf_counter()
    tags = tag_story(story)
    assert time.perf_counter() - started < 10
    assert any(t.name == "Geneva" for t in tags)


def test_relevance_and_offsets_are_valid(seed_story):
    for tag in tag_story(seed_story):
        assert 0 <= tag.relevance <= 1
        for m in tag.mentions:
            assert m.end > m.start
