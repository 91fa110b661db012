"""What is particular to the PostgreSQL engine: folding accents in Python where ``unaccent``
cannot be had, an archive keeping its choice, an unreachable server."""

from __future__ import annotations

import os
import secrets

import pytest

from services.archive.engine import ArchiveUnavailableError, SearchRequest
from services.archive.postgres import PostgresArchive
from tests.services.archive.corpus import make

URL = os.environ.get("WIREDESK_TEST_POSTGRES_URL")
needs_server = pytest.mark.skipif(
    not URL, reason="WIREDESK_TEST_POSTGRES_URL is not set: no PostgreSQL to test against"
)


@needs_server
def test_without_unaccent_accents_are_folded_in_python() -> None:
    assert URL
    schema = f"wdtest_{os.getpid()}_{secrets.token_hex(4)}"
    archive = PostgresArchive(URL, schema=schema, unaccent=False)
    try:
        assert archive.fold_in_python
        archive.upsert_many(
            [
                make("z", headline="Zürich erhöht die Mieten", body=["Die Stadt Zürich."],
                     language="de"),
                make("f", headline="Grève des éboueurs", body=["Les grèves continuent."],
                     language="fr"),
            ]
        )  # fmt: skip
        for q in ("zurich", "ZÜRICH", '"zurich erhoht"', "greve", "éboueur", "ebou*"):
            assert archive.search(SearchRequest(query=q)).total == 1, q
        # Reopened with the other choice, the archive keeps the one it was made with.
        again = PostgresArchive(URL, schema=schema)
        assert again.fold_in_python
        again.close()
    finally:
        archive.drop()
        archive.close()


@needs_server
def test_with_unaccent_where_the_server_has_it() -> None:
    assert URL
    archive = PostgresArchive(URL, schema=f"wdtest_{os.getpid()}_{secrets.token_hex(4)}")
    try:
        with archive._cursor() as cur:
            cur.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
            available = cur.fetchone() is not None
        if not available:
            pytest.skip("this PostgreSQL server does not ship the unaccent extension")
        assert not archive.fold_in_python
    finally:
        archive.drop()
        archive.close()


def test_unreachable_server_is_retryable() -> None:
    with pytest.raises(ArchiveUnavailableError):
        PostgresArchive("postgresql://nobody@127.0.0.1:1/none", connect_timeout=2)
