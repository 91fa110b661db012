"""Which engine an archive URL means, opened: the one place that maps settings to an engine.

``None`` is the embedded default, SQLite in ``data_dir/archive.db``; ``sqlite:///PATH`` (or
``sqlite:PATH``) a file of one's own; ``postgresql://`` / ``postgres://`` the production engine, in the schema ``?schema=NAME`` names
(default ``wiredesk_archive``; the parameter is ours, so it is taken off before psycopg sees the
URL: several archives, a test's or a second newsroom's, can share one database).
An engine of a newsroom's own (OpenSearch, Elasticsearch) is added here by its scheme.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from services.archive.engine import ArchiveEngine
from workers.errors import ConfigurationError
from workers.settings import Settings

__all__ = ["archive_location", "open_archive"]


def archive_location(settings: Settings) -> str:
    """The URL the archive lives at, with the embedded default spelled out (for logs and ops)."""
    if settings.archive_url:
        return settings.archive_url
    return f"sqlite:///{(settings.data_dir / 'archive.db').resolve()}"


def open_archive(settings: Settings | None = None, url: str | None = None) -> ArchiveEngine:
    """The engine for ``url`` (default: the settings' archive), created with its schema if new."""
    settings = settings or Settings()
    url = url or archive_location(settings)
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("postgresql", "postgres"):
        from services.archive.postgres import PostgresArchive

        dsn, schema = _split_schema(url)
        return PostgresArchive(dsn, schema=schema) if schema else PostgresArchive(dsn)
    if scheme == "sqlite":
        path = url.split(":", 1)[1]
        path = path[2:] if path.startswith("//") else path
        if not path or path == "/":
            raise ConfigurationError(f"archive URL {url!r} names no file")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        from services.archive.sqlite import SqliteArchive

        return SqliteArchive(path)
    raise ConfigurationError(
        f"archive URL {url!r}: unknown engine {scheme!r} (sqlite:///PATH or postgresql://...)"
    )


def _split_schema(url: str) -> tuple[str, str | None]:
    """``url`` without its ``schema`` query parameter, and that parameter's value."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((value for key, value in query if key == "schema"), None)
    rest = urlencode([(key, value) for key, value in query if key != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema
