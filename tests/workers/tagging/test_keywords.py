from schemas import TagType
from workers.tagging import tag_story

from .conftest import story_from


def test_keywords_are_salient_and_exclude_names(seed_story):
    keywords = [t.name for t in tag_story(seed_story) if t.type == TagType.keyword]
    assert 1 <= len(keywords) <= 6
    assert "said" not in keywords
    assert "syria" not in keywords
    assert any(k.startswith("fight") for k in keywords)


def test_no_keywords_from_function_words_only():
    story = story_from("LONDON (Reuters) - It was what it was, and they said so.")
    assert [t for t in tag_story(story) if t.type == TagType.keyword] == []
