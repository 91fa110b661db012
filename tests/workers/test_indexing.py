"""The pure side of the story indexes: which terms a story is findable by, how searches are
tokenised, and the filter predicate the live feed shares with the query path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas import Dateline, DedupeVerdict, PubStatus, Signal, Subject, Tag, TaggedStory, TagType
from schemas.dedupe import Verdict
from workers.indexing import (
    StoryFilter,
    facet_lines,
    is_held,
    matches,
    search_tokens,
    status_of,
    story_terms,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def story(**extra) -> TaggedStory:
    base = dict(
        story_id="st_1",
        receipt_id="rc_1",
        feed="reuters",
        format="ninjs",
        agency="Reuters",
        urgency=2,
        language="en",
        headline="Ceasefire talks resume in Beirut",
        slugline="LEBANON-TALKS",
        lede="Negotiators met on Monday.",
        dateline=Dateline(text="BEIRUT (Reuters)", place="Beirut"),
        subjects=[Subject(scheme="medtop", code="16000000", name="conflict, war and peace")],
        tags=[
            Tag(type=TagType.place, name="Lebanon", code="LB", relevance=0.9),
            Tag(type=TagType.person, name="Nabih Berri", relevance=0.5),
            Tag(type=TagType.organisation, name="United Nations", code="Q1065", relevance=0.4),
        ],
        received_at=NOW,
        body_hash="x",
        verdict=DedupeVerdict(verdict=Verdict.new, reason="first"),
    )
    return TaggedStory(**{**base, **extra})


def test_terms_cover_every_filter_family_by_name_and_code() -> None:
    terms = set(story_terms(story()))
    assert {
        "feed:reuters",
        "agency:reuters",
        "urgency:2",
        "lang:en",
        "place:beirut",
        "place:lebanon",
        "place:lb",
        "person:nabih berri",
        "org:united nations",
        "org:q1065",
        "topic:16000000",
        "topic:medtop:16000000",
        "topic:conflict, war and peace",
    } <= terms
    words = {t[3:] for t in terms if t.startswith("kw:")}
    assert {"ceasefire", "talks", "beirut", "lebanon", "negotiators", "berri"} <= words
    assert not words & {"in", "the", "on"}  # stop words


def test_status_kill_and_embargo() -> None:
    assert status_of(story()) == "usable"
    assert status_of(story(status=PubStatus.canceled)) == "killed"
    assert status_of(story(signals=[Signal.kill])) == "killed"
    assert status_of(story(), killed=True) == "killed"
    later = story(status=PubStatus.embargoed, embargoed_until=NOW + timedelta(hours=1))
    assert is_held(later, NOW) and not is_held(later, NOW + timedelta(hours=2))
    assert is_held(story(status=PubStatus.embargoed), NOW)  # no release time: held


def test_search_is_words_only_and_capped() -> None:
    assert search_tokens("Ceasefire'); redis.call('FLUSHALL') --", 200) == [
        "ceasefire",
        "redis",
        "call",
        "flushall",
    ]
    for bad in ("", "the and of", "*** ;;", "a" * 201):
        with pytest.raises(ValueError):
            search_tokens(bad, 200)
    with pytest.raises(ValueError, match="8 words"):
        search_tokens("one two three four five six seven eight nine", 200)


def test_filter_predicate_matches_like_the_indexes() -> None:
    s = story()
    build = StoryFilter.build
    assert matches(s, build({}), NOW)
    assert matches(s, build({"place": ["Sy", "LB"]}), NOW)  # any of a family
    assert not matches(s, build({"place": ["LB"], "lang": ["fr"]}), NOW)  # all families
    assert matches(s, build({"priority": ["2"], "status": ["usable"]}, search=["talks"]), NOW)
    assert not matches(s, build({"status": ["usable"]}), NOW, killed=True)
    assert matches(s, build({}, since=NOW, until=NOW), NOW)
    assert not matches(s, build({}, since=NOW + timedelta(seconds=1)), NOW)
    held = story(status=PubStatus.embargoed, embargoed_until=NOW + timedelta(hours=1))
    assert not matches(held, build({}), NOW)
    assert matches(held, build({}, include_embargoed=True), NOW)
    assert matches(held, build({"status": ["embargoed"]}), NOW)  # asking by status shows it
    with pytest.raises(ValueError):
        build({"priority": ["0"]})
    with pytest.raises(ValueError):
        build({"status": ["gone"]})


def test_facet_lines_have_filter_values_and_labels() -> None:
    lines = facet_lines(story()).splitlines()
    assert "feed\treuters\treuters" in lines
    assert "place\tlebanon\tLebanon" in lines
    assert "topic\tmedtop:16000000\tconflict, war and peace" in lines
