"""services.archive.connect: what an archive URL opens."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from services.archive.connect import _split_schema, archive_location, open_archive
from services.archive.postgres import PostgresArchive
from services.archive.sqlite import SqliteArchive
from workers.errors import ConfigurationError
from workers.settings import Settings


def test_default_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert archive_location(settings) == f"sqlite:///{(tmp_path / 'archive.db').resolve()}"
    with open_archive(settings) as archive:
        assert isinstance(archive, SqliteArchive)
    assert (tmp_path / "archive.db").exists()


def test_sqlite_url_makes_its_folder(tmp_path: Path) -> None:
    where = tmp_path / "deep" / "er" / "a.db"
    with open_archive(url=f"sqlite:///{where}") as archive:
        assert archive.count() == 0
    assert where.exists()


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite:", "elastic://host:9200", "nonsense"])
def test_bad_urls_are_configuration_errors(url: str) -> None:
    with pytest.raises(ConfigurationError):
        open_archive(url=url)


def test_schema_parameter_is_ours_and_taken_off() -> None:
    dsn, schema = _split_schema("postgresql://u@h:5432/db?schema=news&sslmode=disable")
    assert (dsn, schema) == ("postgresql://u@h:5432/db?sslmode=disable", "news")
    assert _split_schema("postgresql://u@h/db") == ("postgresql://u@h/db", None)


@pytest.mark.skipif(
    not os.environ.get("WIREDESK_TEST_POSTGRES_URL"),
    reason="WIREDESK_TEST_POSTGRES_URL is not set: no PostgreSQL to test against",
)
def test_postgres_url_opens_the_named_schema() -> None:
    schema = f"wdtest_connect_{secrets.token_hex(4)}"
    base = os.environ["WIREDESK_TEST_POSTGRES_URL"]
    sep = "&" if "?" in base else "?"
    archive = open_archive(url=f"{base}{sep}schema={schema}")
    try:
        assert isinstance(archive, PostgresArchive)
        assert archive.schema == schema
        assert archive.count() == 0
    finally:
        archive.drop()
        archive.close()
