"""What is particular to the SQLite engine: FTS5 in this Python, the compiled MATCH
expressions, a contentless index that forgets replaced words, and the analyser guard."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from services.archive.engine import ArchiveUnavailableError, SearchRequest, UpsertOutcome
from services.archive.query import parse
from services.archive.sqlite import SqliteArchive, compile_match
from tests.services.archive.corpus import make


def test_this_python_has_fts5() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61 remove_diacritics 2')")
    assert tuple(int(p) for p in sqlite3.sqlite_version.split(".")) >= (3, 35)


@pytest.mark.parametrize(
    ("query", "negated", "shape"),
    [
        ("a", False, "A"),
        ("-a", True, "A"),
        ("a -b", False, "(A) NOT (B)"),
        ("-a -b", True, "(A) OR (B)"),
        ("a OR -b", True, "(B) NOT (A)"),
        ("-a OR -b", True, "(A) AND (B)"),
        ("NOT -a", False, "A"),
    ],
)
def test_not_is_folded_by_de_morgan(query: str, negated: bool, shape: str) -> None:
    expr, neg = compile_match(parse(query), ["en"])
    for word in "ab":
        expr = expr.replace(
            f'{{headline_s byline_s slug_s body_s place_s person_s org_s topic_s}} : ("en{word}")',
            word.upper(),
        )
    assert (expr, neg) == (shape, negated)


def test_replaced_words_leave_the_index(tmp_path: Path) -> None:
    archive = SqliteArchive(tmp_path / "a.db")
    v1 = make("x", headline="Tanker aground", body=["A tanker ran aground."])
    v2 = make(
        "x", version=2, headline="Freighter refloated", body=["The freighter floats."], hour=1
    )
    archive.upsert(v1)
    assert archive.upsert(v2) is UpsertOutcome.replaced
    db = sqlite3.connect(tmp_path / "a.db")
    db.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, fts, 'row')")
    terms = {row[0] for row in db.execute("SELECT term FROM temp.vocab")}
    assert "freighter" in terms and "enfreighter" in terms
    assert "tanker" not in terms and "entanker" not in terms
    archive.close()


def test_an_index_from_another_analyser_is_rebuilt_before_writes(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    archive = SqliteArchive(path)
    archive.upsert(make("x", headline="Tanker aground", body=["A tanker ran aground."]))
    sqlite3.connect(path, isolation_level=None).execute(
        "UPDATE meta SET value = 'old' WHERE key = 'analyser'"
    )
    with pytest.raises(ArchiveUnavailableError, match="reindex"):
        archive.upsert(make("y", headline="Ferry strike", body=["Crews strike."]))
    assert archive.reindex() == 1
    assert archive.upsert(make("y", headline="Ferry strike", body=["Crews strike."])) is (
        UpsertOutcome.created
    )
    assert archive.search(SearchRequest(query="tanker OR ferry")).total == 2
    archive.close()
