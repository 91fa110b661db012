"""The search archive: every story the stories stream carried, kept as long as configured and
searchable with the editors' query language, on an existing engine rather than our own index.

    query.py      the query language: text -> tree, QuerySyntaxError saying where
    analysis.py   words, accent folding, Snowball stems per language (shared by the engines)
    engine.py     the interface (ArchiveEngine), what a write does, what a search asks and gets
    sqlite.py     the embedded default: SQLite FTS5
    postgres.py   production: PostgreSQL full-text search (psycopg 3)
    highlight.py  snippets made in Python (the SQLite engine's)
    connect.py    which engine a URL means (settings.archive_url), opened
"""

__all__: list[str] = []  # a package of modules: import from them (services.archive.engine, ...)
