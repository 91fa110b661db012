"""The editors' query language: what each construct parses to, and where a malformed query
is said to be wrong."""

from __future__ import annotations

import pytest

from services.archive.query import (
    MAX_QUERY_TERMS,
    And,
    Field,
    Not,
    Or,
    Phrase,
    Prefix,
    QuerySyntaxError,
    SearchRequestError,
    Word,
    leaves,
    parse,
    positive_leaves,
    render,
)
from workers.errors import PermanentError


def shape(query: str) -> str:
    return render(parse(query))


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("elephant", "elephant"),
        ("central bank governor", "(central AND bank AND governor)"),
        ("central AND bank", "(central AND bank)"),
        ('"central bank"', '"central bank"'),
        ("“central bank”", '"central bank"'),  # the quotes a Mac types
        ("strike OR walkout", "(strike OR walkout)"),
        ("strike | walkout", "(strike OR walkout)"),
        ("strike|walkout", "(strike OR walkout)"),
        ("ceasefire -gaza", "(ceasefire AND NOT gaza)"),
        ("ceasefire NOT gaza", "(ceasefire AND NOT gaza)"),
        ('-"world cup" football', '(NOT "world cup" AND football)'),
        ("-(a OR b) c", "(NOT (a OR b) AND c)"),
        ("(ferry OR rail) strike", "((ferry OR rail) AND strike)"),
        ("elephan*", "elephan*"),
        ("headline:quake", "headline:quake"),
        ('headline:"central bank"', 'headline:"central bank"'),
        ("person:(lagarde OR powell)", "(person:lagarde OR person:powell)"),
        ("place:(chile peru)", "(place:chile AND place:peru)"),
        ("slug:rates* byline:mensah", "(slug:rates* AND byline:mensah)"),
        ("body:x org:y topic:z", "(body:x AND org:y AND topic:z)"),
        ("Headline:Quake", "headline:Quake"),  # field names in any case; words as typed
        ("-headline:quake", "NOT headline:quake"),
        ("NOT NOT x", "NOT NOT x"),
    ],
)
def test_constructs(query: str, tree: str) -> None:
    assert shape(query) == tree
    # What render prints parses back to the same tree.
    assert shape(tree) == tree


def test_or_binds_tighter_than_and_as_in_web_search() -> None:
    assert parse("ceasefire gaza OR lebanon") == And(
        (Word("ceasefire", None, 0), Or((Word("gaza", None, 10), Word("lebanon", None, 18))))
    )


def test_operators_are_operators_only_in_capitals() -> None:
    # ``or`` is a word (French gold), ``not`` too.
    assert shape("gold or silver") == "(gold AND or AND silver)"
    assert shape("not guilty") == "(not AND guilty)"


def test_terms_of_several_words_are_phrases() -> None:
    assert parse("covid-19") == Phrase(("covid", "19"), None, 0)
    assert shape("U.S. tariffs") == '("U S" AND tariffs)'
    assert shape("10:30") == '"10 30"'  # digits before a colon are no field
    assert shape("headline:covid-19") == 'headline:"covid 19"'


def test_punctuation_alone_is_skipped() -> None:
    assert shape("ferry - strike & walkout") == "(ferry AND strike AND walkout)"
    assert shape("ferry – strike") == "(ferry AND strike)"


def test_hyphen_inside_a_word_is_no_exclusion() -> None:
    assert shape("two-day strike") == '("two day" AND strike)'


def test_leaves_carry_their_field_and_offset() -> None:
    tree = parse('quake headline:"central bank" place:(chile OR peru*)')
    assert leaves(tree) == [
        Word("quake", None, 0),
        Phrase(("central", "bank"), Field.headline, 15),
        Word("chile", Field.place, 37),
        Prefix("peru", Field.place, 46),
    ]


def test_positive_leaves_leave_out_what_is_excluded() -> None:
    tree = parse("a -b NOT (c OR -d)")
    assert [leaf.text for leaf in positive_leaves(tree)] == ["a", "d"]  # type: ignore[union-attr]


def test_pure_exclusion_is_a_query() -> None:
    assert parse("-sport") == Not(Word("sport", None, 1))
    assert shape("-sport -football") == "(NOT sport AND NOT football)"


def test_unicode_words_and_accents_are_kept_as_typed() -> None:
    assert parse("Zürich") == Word("Zürich", None, 0)
    assert parse('"São Paulo"') == Phrase(("São", "Paulo"), None, 0)
    assert parse("грев*") == Prefix("грев", None, 0)


def test_errors_are_permanent_search_request_errors() -> None:
    assert issubclass(QuerySyntaxError, SearchRequestError)
    assert issubclass(SearchRequestError, PermanentError)


@pytest.mark.parametrize(
    ("query", "offset", "problem", "expected"),
    [
        ('"central bank', 0, "unclosed quote", "closing quote"),
        ('ferry "central bank', 6, "unclosed quote", "closing quote"),
        ("(ferry OR rail strike", 0, "unbalanced '('", "')'"),
        ("ferry (rail (bus) strike", 6, "unbalanced '('", "')'"),
        ("ferry rail) strike", 10, "unbalanced ')'", "'('"),
        (")", 0, "unbalanced ')'", "'('"),
        ("ferry OR", 6, "dangling OR", "after OR"),
        ("OR ferry", 0, "dangling OR", "before OR"),
        ("ferry OR OR rail", 6, "dangling OR", "after OR"),
        ("ferry |", 6, "dangling OR", "after OR"),
        ("(ferry OR) rail", 7, "dangling OR", "after OR"),
        ("ferry AND", 6, "dangling AND", "both sides"),
        ("AND ferry", 0, "dangling AND", "both sides"),
        ("ferry NOT", 6, "dangling NOT", "after it"),
        ("ferry -)", 7, "unbalanced ')'", "'('"),
        ("headline:", 0, "empty field headline:", "right after it"),
        ("quake headline: chile", 6, "empty field headline:", "right after it"),
        ("headline:)", 0, "empty field headline:", "right after it"),
        ("headline:-x", 0, "empty field headline:", "right after it"),
        ("headline:&", 0, "empty field headline:", "letters or digits"),
        ("author:smith", 0, "unknown field 'author'", "one of headline, byline, slug"),
        ("quake medtop:04000000", 6, "unknown field 'medtop'", "quote the text"),
        ("headline:(quake body:chile)", 16, "field body:", "do not nest"),
        ('""', 0, "empty phrase", "words between"),
        ('" - "', 0, "empty phrase", "words between"),
        ("()", 0, "empty ( )", "inside"),
        ("e*", 0, "prefix 'e*' is too short", "at least 2"),
        ("el*ph", 2, "'*' inside a word", "at the end"),
        ("*", 0, "prefix '*' is not a single word", "letters or digits"),
        ("covid-1*", 0, "prefix 'covid-1*' is not a single word", "letters or digits"),
        ("", 0, "nothing to search for", "a word"),
        ("   ", 3, "nothing to search for", "a word"),
        ("- & –", 5, "nothing to search for", "a word"),
    ],
)
def test_malformed_queries_say_where_and_what(
    query: str, offset: int, problem: str, expected: str
) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    error = caught.value
    assert error.offset == offset, str(error)
    assert error.problem.startswith(problem), str(error)
    assert expected in error.expected, str(error)
    assert str(error) == f"{error.problem} at offset {offset}: expected {error.expected}"


def test_limits() -> None:
    with pytest.raises(QuerySyntaxError, match="too many terms"):
        parse(" ".join(f"w{i}" for i in range(MAX_QUERY_TERMS + 1)))
    parse(" ".join(f"w{i}" for i in range(MAX_QUERY_TERMS)))
    with pytest.raises(QuerySyntaxError, match="too long"):
        parse("x" * 1001)
    with pytest.raises(QuerySyntaxError, match="too deeply nested"):
        parse("(" * 40 + "x" + ")" * 40)
    with pytest.raises(QuerySyntaxError, match="too deeply nested"):
        parse("NOT " * 40 + "x")
