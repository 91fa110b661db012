"""The archive's promises, run against every engine (``conftest.ENGINES``): what a query
finds, how filters, facets, sorting and paging combine with it, and what writes do (versions,
kills, copies, replays, redelivery, deletes)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from schemas import PubStatus, TaggedStory, Verdict
from services.archive.engine import (
    ArchiveEngine,
    ArchiveUnavailableError,
    SearchFilters,
    SearchRequest,
    SearchResult,
    Sort,
    TimeField,
    UpsertOutcome,
)
from services.archive.query import QuerySyntaxError, SearchRequestError
from tests.services.archive.corpus import BASE, make

# -- helpers -------------------------------------------------------------------------------


def find(
    archive: ArchiveEngine, q: str | None, corpus: dict[str, TaggedStory], **options: object
) -> set[str]:
    """The corpus keys a search finds (all of them: the page is as large as the corpus)."""
    filters = options.pop("filters", SearchFilters())
    result = archive.search(
        SearchRequest(query=q, filters=filters, limit=200, **options)  # type: ignore[arg-type]
    )
    by_id = {s.story_id: key for key, s in corpus.items()}
    found = {by_id.get(h.story.story_id, h.story.story_id) for h in result.hits}
    assert result.total == len(result.hits)
    return found


def keys(result: SearchResult, corpus: dict[str, TaggedStory]) -> list[str]:
    by_id = {s.story_id: key for key, s in corpus.items()}
    return [by_id[h.story.story_id] for h in result.hits]


# -- search semantics (the shared corpus) -------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # every word must match; stemmed (English: elephants, quarries)
        ("elephants drought", {"zambia"}),
        ("quarry", {"quarry"}),
        ("QUARRY landslide", {"quarry"}),
        # French stems "elephant" like "éléphants": the French story is found too
        ("elephant", {"zambia", "kenya", "fr_elephants"}),
        # phrases: adjacent, in order, exact (not stemmed)
        ('"central bank"', {"bank"}),
        ('"bank central"', set()),
        ('"central banks"', set()),
        ('"crossed the zambezi"', {"zambia"}),
        # OR, and OR binding tighter than AND
        ("quarries OR ferry", {"quarry", "ferry"}),
        ("quarries | ferry", {"quarry", "ferry"}),
        ("ferry OR quarry strike", {"ferry"}),
        ("(drought OR tourism) elephants", {"zambia", "kenya"}),
        # NOT
        ("elephants -drought", {"kenya", "fr_elephants"}),
        ("elephants NOT (drought OR botswana)", {"kenya"}),
        ("central -heating", {"bank"}),
        # prefixes: folded, not stemmed
        ("quarr*", {"quarry"}),
        ("eleph*", {"zambia", "kenya", "fr_elephants"}),
        ("ebou*", {"fr_greve"}),
        ("EBOU*", {"fr_greve"}),
        # fields
        ("headline:elephants", {"zambia", "fr_elephants"}),
        ("headline:eleph*", {"zambia", "fr_elephants"}),
        ("body:elephant", {"zambia", "kenya", "fr_elephants"}),
        ('headline:"central bank"', {"bank"}),
        ("headline:(drought OR tourism)", {"zambia", "kenya"}),
        ("byline:mensah", {"zambia"}),
        ("slug:wildlife", {"zambia"}),
        ("slug:rates", {"bank"}),
        ("place:chile", {"quarry"}),
        ("place:antofagasta", {"quarry"}),
        ("place:(zambia OR kenya)", {"zambia", "kenya"}),
        ("person:okafor", {"bank"}),
        ('org:"bank of canada"', {"bank"}),
        ("topic:economy", {"bank", "heating"}),
        ("topic:economy -place:ottawa", {"heating"}),
        # a word in one field is not in another
        ("headline:zambezi", set()),
        ("person:canada", set()),
        ("byline:elephants", set()),
    ],
)
def test_query_semantics(
    loaded: ArchiveEngine, corpus: dict[str, TaggedStory], q: str, expected: set[str]
) -> None:
    assert find(loaded, q, corpus) == expected


@pytest.mark.parametrize(
    ("q", "language", "expected"),
    [
        # German: Häuser and Haus share a stem; accents and case folded
        ("Haus", "de", {"de_streik"}),
        ("hauser", "de", {"de_streik"}),
        ("Streik", "de", {"de_streik"}),
        # French: grèves / grève, with or without the accent
        ("grève", "fr", {"fr_greve"}),
        ("greve", "fr", {"fr_greve"}),
        ("ÉBOUEUR", "fr", {"fr_greve"}),
        # Spanish: huelgas / huelga, estibadores / estibador
        ("huelga", "es", {"es_huelga"}),
        ("estibador", "es", {"es_huelga"}),
        # Italian: scioperi / sciopero
        ("sciopero", "it", {"it_sciopero"}),
        # Nordic: Norwegian streiken / streik, ferger / ferge; Swedish strejken / strejk;
        # Finnish lakossa / lakko
        # (the story is Bokmål, ``nb``: the stemmer is Norwegian's)
        ("streik", "nb", {"no_streik"}),
        ("ferge", "nb", {"no_streik"}),
        ("strejk", "sv", {"sv_strejk"}),
        ("lakko", "fi", {"fi_lakko"}),
    ],
)
def test_stemming_per_language(
    loaded: ArchiveEngine,
    corpus: dict[str, TaggedStory],
    q: str,
    language: str,
    expected: set[str],
) -> None:
    # In the story's language alone, and among every language the archive holds.
    assert find(loaded, q, corpus, filters=SearchFilters(language=(language,))) == expected
    assert expected <= find(loaded, q, corpus)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ZURICH", {"de_zurich"}),
        ("zürich mieten", {"de_zurich"}),
        ("Sao Paulo", {"es_sao_paulo"}),
        ('"SAO PAULO"', {"es_sao_paulo"}),
        ('"são paulo"', {"es_sao_paulo"}),
        ("malmo", {"sv_strejk"}),
        ("MALMÖ hamn", {"sv_strejk"}),
        ("munchen", {"de_streik"}),
    ],
)
def test_accents_and_case_fold(
    loaded: ArchiveEngine, corpus: dict[str, TaggedStory], q: str, expected: set[str]
) -> None:
    assert find(loaded, q, corpus) == expected


def test_pure_exclusion_is_every_story_the_filters_allow_but_those(
    loaded: ArchiveEngine, corpus: dict[str, TaggedStory]
) -> None:
    afp = SearchFilters(feed=("afp",))
    assert find(loaded, None, corpus, filters=afp) == {"fr_greve", "fr_elephants"}
    assert find(loaded, "-elephants", corpus, filters=afp) == {"fr_greve"}
    everything = find(loaded, None, corpus)
    assert find(loaded, "-elephant -streik", corpus) == everything - {
        "zambia", "kenya", "fr_elephants", "de_streik", "no_streik"
    }  # fmt: skip
    # OR with an exclusion: Zambia, or anything without elephants
    assert find(loaded, "zambia OR -elephant", corpus) == everything - {"kenya", "fr_elephants"}


def test_filters_combine_with_the_query(
    loaded: ArchiveEngine, corpus: dict[str, TaggedStory]
) -> None:
    def q(text: str | None, **filters: object) -> set[str]:
        return find(loaded, text, corpus, filters=SearchFilters(**filters))  # type: ignore[arg-type]

    assert q("elephant", feed=("afp",)) == {"fr_elephants"}
    assert q("elephant", feed=("afp", "reuters")) == {"zambia", "kenya", "fr_elephants"}
    assert q("elephant", agency=("reuters",)) == {"zambia", "kenya"}
    assert q("elephant", priority=(4,)) == {"zambia"}
    assert q("elephant", place=("Zambia",)) == {"zambia"}
    assert q("elephant", place=("ke",)) == {"kenya"}  # by code, case-folded
    assert q("strike OR streik", place=("bergen",)) == {"ferry", "no_streik"}
    assert q(None, person=("Marta Okafor",)) == {"bank"}
    assert q("rate", org=("bank of canada",)) == {"bank"}
    assert q(None, topic=("04000000",), place=("toronto",)) == {"heating"}
    assert q(None, topic=("medtop:04000000",)) == {"bank", "heating"}
    assert q("elephant", language=("fr",)) == {"fr_elephants"}
    assert q("elephant", status=("usable",)) == {"zambia", "kenya", "fr_elephants"}
    assert q("elephant", status=("canceled",)) == set()
    # received time: each story an hour after the one before
    assert q("elephant", since=BASE + timedelta(minutes=30)) == {"kenya", "fr_elephants"}
    assert q("elephant", until=BASE + timedelta(hours=1)) == {"zambia", "kenya"}
    # the agency's own time: the rates story was made a month before it was received
    month_ago = BASE - timedelta(days=1)
    assert "bank" in q("rate", since=month_ago)
    assert q("rate", since=month_ago, time=TimeField.created) == set()
    assert q("rate", until=month_ago, time=TimeField.created) == {"bank"}


def test_facets_count_every_match_not_the_page(
    loaded: ArchiveEngine, corpus: dict[str, TaggedStory]
) -> None:
    result = loaded.search(
        SearchRequest(
            query="elephant", limit=1, facets=("feed", "agency", "place", "language", "topic")
        )
    )
    assert len(result.hits) == 1 and result.total == 3
    counts = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
    assert counts["feed"] == {"reuters": 2, "afp": 1}
    assert counts["language"] == {"en": 2, "fr": 1}
    assert counts["place"]["zambia"] == 1 and counts["place"]["botswana"] == 1
    labels = {v.value: v.label for v in result.facets["place"]}
    assert labels["botswana"] == "Botswana"
    # filters narrow the facets as they narrow the hits
    narrowed = loaded.search(
        SearchRequest(query="elephant", filters=SearchFilters(feed=("reuters",)), facets=("feed",))
    )
    assert [(v.value, v.count) for v in narrowed.facets["feed"]] == [("reuters", 2)]
    # people and organisations
    people = loaded.search(SearchRequest(query="rate", facets=("person", "org")))
    assert [(v.label, v.count) for v in people.facets["person"]] == [("Marta Okafor", 1)]
    assert [(v.label, v.count) for v in people.facets["org"]] == [("Bank of Canada", 1)]
    # over the whole archive, ordered by count then value, cut at facet_top
    top = loaded.search(SearchRequest(facets=("feed",), facet_top=2, limit=1))
    assert [(v.value, v.count) for v in top.facets["feed"]] == [("reuters", 5), ("wire", 3)]


def test_sort_by_relevance_and_newest(
    loaded: ArchiveEngine, corpus: dict[str, TaggedStory]
) -> None:
    # Relevance is the default with words to score: the headline match ranks first.
    ranked = loaded.search(SearchRequest(query="elephants"))
    order = keys(ranked, corpus)
    assert order.index("zambia") < order.index("kenya")
    assert all(h.score is not None for h in ranked.hits)
    scores = [h.score for h in ranked.hits]
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
    newest = loaded.search(SearchRequest(query="elephants", sort=Sort.newest))
    assert keys(newest, corpus) == ["fr_elephants", "kenya", "zambia"]
    assert all(h.score is None for h in newest.hits)
    # Without words, newest is the default; by the agency's time the rates story (made a
    # month before it came in) goes last.
    everything = keys(loaded.search(SearchRequest(limit=200)), corpus)
    assert everything[0] == "it_sciopero" and everything[-1] == "zambia"
    created = keys(
        loaded.search(
            SearchRequest(
                query="canada", filters=SearchFilters(time=TimeField.created), sort=Sort.newest
            )
        ),
        corpus,
    )
    assert created == ["heating", "bank"]


@pytest.mark.parametrize("sort", [Sort.newest, Sort.relevance])
def test_cursor_pages_through_every_match_once(
    loaded: ArchiveEngine, corpus: dict[str, TaggedStory], sort: Sort
) -> None:
    query = "strike OR streik OR strejk OR lakko OR huelga OR greve OR sciopero OR elephant"
    total = loaded.search(SearchRequest(query=query, limit=200, sort=sort)).total
    assert total == 11
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = loaded.search(SearchRequest(query=query, limit=3, sort=sort, cursor=cursor))
        assert page.total == total
        seen += [h.story.story_id for h in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == total == len(set(seen))
    with pytest.raises(SearchRequestError, match="another search"):
        first = loaded.search(SearchRequest(query=query, limit=3, sort=sort))
        loaded.search(SearchRequest(query="elephant", limit=3, sort=sort, cursor=first.next_cursor))


@pytest.mark.parametrize("cursor", ["nope", "bmFufHg", "W10", "WyJ4Il0", "!!"])
def test_malformed_cursors_are_request_errors(loaded: ArchiveEngine, cursor: str) -> None:
    with pytest.raises(SearchRequestError):
        loaded.search(SearchRequest(query="elephant", cursor=cursor))


def test_snippets_mark_the_matches(loaded: ArchiveEngine, corpus: dict[str, TaggedStory]) -> None:
    (hit,) = loaded.search(SearchRequest(query="drought herds")).hits
    assert "<mark>drought</mark>" in hit.snippet
    assert "<mark>Herds</mark>" in hit.snippet
    assert hit.headline == "Elephants cross into Zambia as <mark>drought</mark> bites"
    (french,) = loaded.search(
        SearchRequest(query="greve", filters=SearchFilters(feed=("afp",)))
    ).hits
    assert "<mark>grèves</mark>" in french.snippet
    assert french.headline.startswith("<mark>Grève</mark>")
    (prefix,) = loaded.search(SearchRequest(query="quarr*")).hits
    assert "<mark>quarries</mark>" in prefix.snippet
    (kenya,) = loaded.search(SearchRequest(query="amboseli")).hits
    assert "<mark>Amboseli</mark>" in kenya.snippet
    # Without words, the body's opening.
    (plain,) = loaded.search(SearchRequest(filters=SearchFilters(person=("marta okafor",)))).hits
    assert plain.snippet.startswith("The Bank of Canada") and "<mark>" not in plain.snippet


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(query='"unclosed'),
        SearchRequest(query="headline:"),
        SearchRequest(limit=0),
        SearchRequest(limit=201),
        SearchRequest(facets=("colour",)),
        SearchRequest(filters=SearchFilters(priority=(10,))),
        SearchRequest(filters=SearchFilters(status=("lost",))),
        SearchRequest(filters=SearchFilters(since=BASE, until=BASE - timedelta(hours=1))),
    ],
)
def test_bad_requests_are_request_errors(loaded: ArchiveEngine, request_: SearchRequest) -> None:
    with pytest.raises(SearchRequestError):
        loaded.search(request_)


def test_query_syntax_error_says_where(loaded: ArchiveEngine) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        loaded.search(SearchRequest(query="ferry (strike"))
    assert caught.value.offset == 6


# -- writes (an empty archive per test) --------------------------------------------------------


def story(key: str, **fields: object) -> TaggedStory:
    base: dict[str, object] = {
        "headline": "Tanker runs aground off Gotland",
        "body": [
            "VISBY (Reuters) - A tanker ran aground off Gotland on Sunday, the coast guard said."
        ],
    }
    return make(key, **{**base, **fields})  # type: ignore[arg-type]


def shown(archive: ArchiveEngine, q: str) -> list[str]:
    return [h.story.receipt_id for h in archive.search(SearchRequest(query=q)).hits]


def test_same_story_twice_writes_nothing(archive: ArchiveEngine) -> None:
    first = story("gotland")
    assert archive.upsert(first) is UpsertOutcome.created
    assert archive.upsert(first) is UpsertOutcome.unchanged
    assert archive.upsert_many([first, first]) == [UpsertOutcome.unchanged] * 2
    assert archive.count() == 1
    assert len(archive.versions(first.story_id)) == 1
    assert shown(archive, "tanker") == [first.receipt_id]


def test_newer_version_replaces_and_older_never_does(archive: ArchiveEngine) -> None:
    v1 = story("gotland", version=1, created=BASE)
    v2 = story(
        "gotland",
        version=2,
        created=BASE + timedelta(hours=1),
        headline="Freighter refloated off Gotland",
        body=["VISBY (Reuters) - Salvage crews refloated the freighter on Monday."],
        kind=Verdict.update,
        hour=1,
    )
    assert v1.story_id == v2.story_id
    assert archive.upsert(v1) is UpsertOutcome.created
    assert archive.upsert(v2) is UpsertOutcome.replaced
    assert archive.upsert(v1) is UpsertOutcome.unchanged  # redelivered: nothing changes
    got = archive.get(v1.story_id)
    assert got is not None and got.story.receipt_id == v2.receipt_id
    # The old version's words are gone from the index; the new ones are in.
    assert shown(archive, "tanker") == []
    assert shown(archive, "freighter salvage") == [v2.receipt_id]
    assert [v.receipt_id for v in archive.versions(v1.story_id)] == [v1.receipt_id, v2.receipt_id]


def test_a_late_older_version_is_kept_not_shown(archive: ArchiveEngine) -> None:
    v1 = story("gotland", version=1, created=BASE)
    v2 = story("gotland", version=2, created=BASE + timedelta(hours=1), kind=Verdict.update,
               headline="Freighter refloated off Gotland", hour=1)  # fmt: skip
    late_v1 = v1.model_copy(update={"verdict": v1.verdict.model_copy(update={"shown": False})})
    assert archive.upsert(v2) is UpsertOutcome.created
    assert archive.upsert(late_v1) is UpsertOutcome.kept
    got = archive.get(v1.story_id)
    assert got is not None and got.story.receipt_id == v2.receipt_id
    assert shown(archive, "headline:tanker") == []
    assert [v.receipt_id for v in archive.versions(v1.story_id)] == [v1.receipt_id, v2.receipt_id]


def test_snippets_are_escaped_html(archive: ArchiveEngine) -> None:
    archive.upsert(
        story("profits", headline="Profits <5% & falling",
              body=["OSLO (Reuters) - Profits rose <5% & margins fell, the <b>company</b> said."])
    )  # fmt: skip
    (hit,) = archive.search(SearchRequest(query="margins")).hits
    assert "&lt;5% &amp;" in hit.snippet and "<mark>margins</mark>" in hit.snippet
    assert "<b>" not in hit.snippet
    assert hit.headline == "Profits &lt;5% &amp; falling"


def test_versions_in_any_order_end_the_same(open_archive: Callable[..., ArchiveEngine]) -> None:
    versions = [
        story("gotland", version=n, created=BASE + timedelta(minutes=n), hour=n,
              headline=f"Tanker salvage, day {n}",
              kind=Verdict.new if n == 1 else Verdict.update)
        for n in range(1, 6)
    ]  # fmt: skip
    rng = random.Random(4)
    for _ in range(3):
        archive = open_archive()
        order = versions[:]
        rng.shuffle(order)
        archive.upsert_many(order[:2])
        for v in order[2:]:
            archive.upsert(v)
        got = archive.get(versions[0].story_id)
        assert got is not None and got.story.receipt_id == versions[-1].receipt_id
        assert [v.receipt_id for v in archive.versions(versions[0].story_id)] == [
            v.receipt_id for v in versions
        ]
        assert archive.search(SearchRequest(query="salvage")).total == 1


def test_concurrent_writers_agree_on_the_newest_version(
    open_archive: Callable[..., ArchiveEngine],
) -> None:
    versions = [
        story("gotland", version=n, created=BASE + timedelta(minutes=n), hour=n,
              headline=f"Tanker salvage, day {n}", kind=Verdict.update)
        for n in range(1, 13)
    ]  # fmt: skip
    archive = open_archive()
    errors: list[BaseException] = []

    def write(mine: list[TaggedStory]) -> None:
        try:
            for v in mine:
                for _attempt in range(50):
                    try:
                        archive.upsert(v)
                        break
                    except ArchiveUnavailableError:  # SQLite busy: the consumer's retry
                        continue
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(versions[i::3][::-1],)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    got = archive.get(versions[0].story_id)
    assert got is not None and got.story.receipt_id == versions[-1].receipt_id
    assert len(archive.versions(versions[0].story_id)) == 12
    assert archive.search(SearchRequest(query="salvage")).total == 1


def test_kill_marks_the_story_canceled_and_keeps_its_text(archive: ArchiveEngine) -> None:
    original = story("gotland")
    kill = story(
        "gotland",
        version=2,
        headline="KILL - Tanker story",
        body=["Editors: the story is withdrawn. It will not be replaced."],
        kind=Verdict.kill,
        hour=1,
        pubstatus="canceled",
    )
    archive.upsert(original)
    assert archive.upsert(kill) is UpsertOutcome.killed
    assert archive.upsert(kill) is UpsertOutcome.unchanged
    got = archive.get(original.story_id)
    assert got is not None
    assert got.story.status is PubStatus.canceled
    assert got.killed_by == kill.receipt_id
    assert got.story.headline == original.headline
    usable = SearchFilters(status=("usable",))
    assert archive.search(SearchRequest(query="tanker", filters=usable)).total == 0
    (hit,) = archive.search(
        SearchRequest(query="tanker", filters=SearchFilters(status=("killed",)))
    ).hits
    assert hit.story.status is PubStatus.canceled and hit.killed_by == kill.receipt_id
    assert [v.receipt_id for v in archive.versions(original.story_id)] == [
        original.receipt_id,
        kill.receipt_id,
    ]


def test_kill_before_the_story_shows_the_notice_until_the_text_comes(
    archive: ArchiveEngine,
) -> None:
    original = story("gotland")
    kill = story(
        "gotland", version=2, headline="KILL - Tanker story", body=["Withdrawn."],
        kind=Verdict.kill, hour=1, pubstatus="canceled",
    )  # fmt: skip
    assert archive.upsert(kill) is UpsertOutcome.killed
    got = archive.get(kill.story_id)
    assert got is not None and got.story.headline == "KILL - Tanker story"
    assert archive.upsert(original) is UpsertOutcome.replaced
    got = archive.get(kill.story_id)
    assert got is not None and got.story.headline == original.headline
    assert got.story.status is PubStatus.canceled and got.killed_by == kill.receipt_id


def test_copies_are_kept_apart_from_searches(archive: ArchiveEngine) -> None:
    lead = story("gotland")
    copy = story("gotland-copy", kind=Verdict.near_duplicate, of=lead.story_id, hour=1)
    resend = story("gotland", receipt="rc_gotland_resend", kind=Verdict.resend, of=lead.story_id)
    archive.upsert(lead)
    assert archive.upsert(copy) is UpsertOutcome.duplicate
    assert archive.upsert(resend) is UpsertOutcome.unchanged  # its id holds the story already
    assert shown(archive, "tanker") == [lead.receipt_id]
    everything = archive.search(
        SearchRequest(query="tanker", filters=SearchFilters(include_duplicates=True))
    )
    assert {h.story.story_id for h in everything.hits} == {lead.story_id, copy.story_id}
    assert {h.duplicate_of for h in everything.hits} == {None, lead.story_id}
    cluster = archive.cluster(copy.story_id)
    assert cluster is not None
    assert cluster[0] == lead.story_id
    assert [s.story_id for s in cluster[1]] == [copy.story_id]
    got = archive.get(copy.story_id)
    assert got is not None and got.duplicate_of == lead.story_id
    assert archive.cluster("st_unknown") is None


def test_replay_with_new_content_is_revised(archive: ArchiveEngine) -> None:
    first = story("gotland")
    archive.upsert(first)
    replayed = first.model_copy(update={"headline": "Tanker aground off Gotland, crew safe"})
    assert archive.upsert(replayed) is UpsertOutcome.revised
    assert archive.upsert(replayed) is UpsertOutcome.unchanged
    assert shown(archive, "headline:crew") == [first.receipt_id]
    assert shown(archive, "headline:runs") == []
    assert len(archive.versions(first.story_id)) == 1


def test_embargoed_stories_are_held_until_their_time(archive: ArchiveEngine) -> None:
    release = BASE + timedelta(hours=2)
    held = story("budget", headline="Budget embargoed", pubstatus="embargoed",
                 embargoed=release.isoformat())  # fmt: skip
    assert held.status is PubStatus.embargoed and held.embargoed_until == release
    archive.upsert(held)
    before, after = BASE + timedelta(hours=1), BASE + timedelta(hours=3)
    assert archive.search(SearchRequest(query="budget", now=before)).total == 0
    assert archive.search(SearchRequest(query="budget", now=after)).total == 1
    shown_anyway = SearchFilters(include_embargoed=True)
    assert (
        archive.search(SearchRequest(query="budget", filters=shown_anyway, now=before)).total == 1
    )
    by_status = SearchFilters(status=("embargoed",))
    assert archive.search(SearchRequest(query="budget", filters=by_status, now=before)).total == 1


def test_delete_and_expire(archive: ArchiveEngine) -> None:
    old = story("old", hour=0)
    new = story("new", hour=10)
    archive.upsert_many([old, new])
    assert archive.count() == 2
    assert archive.expire(BASE + timedelta(hours=5)) == 1
    assert archive.get(old.story_id) is None and archive.versions(old.story_id) == []
    assert shown(archive, "tanker") == [new.receipt_id]
    assert archive.delete(new.story_id) is True
    assert archive.delete(new.story_id) is False
    assert archive.count() == 0
    assert archive.search(SearchRequest(query="tanker")).total == 0
    # What was deleted can be written again.
    assert archive.upsert(new) is UpsertOutcome.created
    assert shown(archive, "tanker") == [new.receipt_id]


def test_reindex_rebuilds_the_same_answers(archive: ArchiveEngine) -> None:
    stories = [story(f"s{n}", hour=n, headline=f"Tanker {n} aground") for n in range(5)]
    archive.upsert_many(stories)
    before = shown(archive, "tanker")
    seen: list[tuple[int, int]] = []
    assert archive.reindex(batch=2, progress=lambda d, t: seen.append((d, t))) == 5  # type: ignore[attr-defined]
    assert seen[-1] == (5, 5)
    assert shown(archive, "tanker") == before
    assert archive.upsert(story("s9", hour=9)) is UpsertOutcome.created


def test_disk_bytes_grow_with_the_archive(archive: ArchiveEngine) -> None:
    empty = archive.disk_bytes()
    archive.upsert_many([story(f"s{n}", hour=n) for n in range(50)])
    assert archive.disk_bytes() > empty
