"""Archive fixtures: every engine, real. SQLite in a temporary file; PostgreSQL on the server
``WIREDESK_TEST_POSTGRES_URL`` names (e.g. postgresql://postgres@127.0.0.1:5432/test), in a
schema of its own per archive, dropped afterwards; without that variable its tests skip and
say why."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from schemas import TaggedStory
from services.archive.engine import ArchiveEngine
from services.archive.postgres import PostgresArchive
from services.archive.sqlite import SqliteArchive
from tests.services.archive.corpus import CORPUS, make

ENGINES = ["sqlite", "postgres"]
POSTGRES_URL = os.environ.get("WIREDESK_TEST_POSTGRES_URL")


def _open(kind: str, where: Path, **options: object) -> ArchiveEngine:
    if kind == "sqlite":
        return SqliteArchive(where / f"archive-{secrets.token_hex(4)}.db")
    if not POSTGRES_URL:
        pytest.skip("WIREDESK_TEST_POSTGRES_URL is not set: no PostgreSQL to test against")
    schema = f"wdtest_{os.getpid()}_{secrets.token_hex(4)}"
    return PostgresArchive(POSTGRES_URL, schema=schema, **options)  # type: ignore[arg-type]


def _close(archive: ArchiveEngine) -> None:
    if isinstance(archive, PostgresArchive):
        archive.drop()
    archive.close()


@pytest.fixture(scope="session")
def corpus() -> dict[str, TaggedStory]:
    """The shared stories, made once (the tagger takes a few seconds to load)."""
    return {key: make(key, **fields) for key, fields in CORPUS.items()}


@pytest.fixture(params=ENGINES)
def open_archive(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., ArchiveEngine]]:
    """Opens empty archives of the test's engine (options go to the engine), closed and
    dropped after the test."""
    opened: list[ArchiveEngine] = []

    def opener(**options: object) -> ArchiveEngine:
        archive = _open(request.param, tmp_path, **options)
        opened.append(archive)
        return archive

    yield opener
    for archive in opened:
        _close(archive)


@pytest.fixture
def archive(open_archive: Callable[..., ArchiveEngine]) -> ArchiveEngine:
    """An empty archive of each engine."""
    return open_archive()


@pytest.fixture(scope="module", params=ENGINES)
def loaded(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    corpus: dict[str, TaggedStory],
) -> Iterator[ArchiveEngine]:
    """An archive of each engine holding the corpus, shared by a module's read-only tests."""
    archive = _open(request.param, tmp_path_factory.mktemp("archive"))
    archive.upsert_many(list(corpus.values()))
    yield archive
    _close(archive)
