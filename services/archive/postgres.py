"""The production archive engine: PostgreSQL full-text search, through psycopg 3.

Why PostgreSQL: a newsroom already runs one (backups, replicas, monitoring), its text search
stems with the same Snowball algorithms per language, ranks, and makes snippets
(``ts_headline``), and its GIN indexes keep a search on millions of stories in milliseconds.

How the analysis is split: words are cut in Python (``analysis.py``, so both engines agree on
what a word is) and handed to PostgreSQL space-separated; PostgreSQL does the rest, per row,
with the row's own text search configuration (the ``cfg`` regconfig column, from the story's
language): one ``wd_<language>`` configuration per Snowball language, created in the archive's
schema, mapping words through ``unaccent`` (when the extension can be had: ``CREATE EXTENSION
IF NOT EXISTS unaccent`` at setup) and a Snowball stemmer *without* a stop-word list, and
``wd_simple`` (folded, unstemmed) for stories in other languages and for exact matching. When
``unaccent`` cannot be installed, accents are folded in Python before the words are handed
over (``analysis.fold``, the same rules) and the configurations do without; which of the two
an archive uses is recorded in its ``meta`` table at creation and kept.

No stop words: the SQLite engine has none either, and an editor's query word is meant.

Each story row holds two tsvectors, each with weights for ranking and for fields: ``tsv``
(stems: what query words match) and ``tsv_exact`` (folded words, ``wd_simple``: what phrases
and prefixes match); weight A is the headline, B the slug and byline, C the place, person,
org and topic names, D the body. A field that shares its weight (``slug:``, ``place:`` ...)
is checked again on its own text (``f_slug`` ...), only for the rows the index found. A query
word is matched as ``tsv @@ (its stems in every language the archive holds, ORed)``: one
constant tsquery the GIN index answers without touching the rows (an exact answer, so no
recheck and no detoasting of tsvectors). Unlike the SQLite engine, whose stems carry their
language, a word can so match a story through another language's stem of it when the two
coincide (French ``elephant`` and English ``elephants`` are both ``eleph``); with a
``language`` filter only that language's stem is used. Checking each row against its own
configuration as well was measured: it made every search detoast every candidate's vector,
several times slower, for collisions that are almost always the same word anyway.
Filters are a ``text[]`` of ``workers.indexing`` terms with
a GIN index (``terms && ARRAY[...]``), facets a ``text[]`` counted with ``unnest``.

Writes lock the batch's story ids (transaction-scoped advisory locks, in sorted order), so
several consumers can write at once without interleaving two versions of one story. Each
thread has its own connection; a broken one is dropped and the call raises
``ArchiveUnavailableError``.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg

from schemas import TaggedStory
from services.archive import highlight
from services.archive.analysis import (
    LANGUAGES,
    UNSTEMMED,
    folded_words,
    language_key,
    plain_words,
)
from services.archive.engine import (
    MARK_CLOSE,
    MARK_OPEN,
    ArchivedStory,
    ArchiveEngine,
    ArchiveUnavailableError,
    Current,
    FacetValue,
    Hit,
    RowChange,
    SearchRequest,
    SearchResult,
    Sort,
    TimeField,
    UpsertOutcome,
    archive_status,
    as_shown,
    created_time,
    decode_cursor,
    encode_cursor,
    facet_rows,
    filter_terms,
    mark,
    plan_batch,
    story_texts,
    version_key,
)
from services.archive.query import And, Field, Node, Not, Or, Phrase, Prefix, Word, positive_leaves

__all__ = ["PostgresArchive"]

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_TOKEN_TYPES = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"
_WEIGHT = {
    Field.headline: "A", Field.slug: "B", Field.byline: "B", Field.place: "C",
    Field.person: "C", Field.org: "C", Field.topic: "C", Field.body: "D",
}  # fmt: skip
_RECHECK = {f for f in Field if f not in (Field.headline, Field.body)}
_RANK_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"  # D, C, B, A
_BODY_HEADLINE = "StartSel=\ue000, StopSel=\ue001, MaxWords=30, MinWords=15, ShortWord=0"
_HEAD_HEADLINE = "StartSel=\ue000, StopSel=\ue001, HighlightAll=true"
_MAX_HEADLINE_CHARS = 12_000  # as highlight.py scans


def _tsq_word(word: str, weight: str = "") -> str:
    return f"'{word}'" + (f":{weight}" if weight else "")


class PostgresArchive(ArchiveEngine):
    """The archive in a PostgreSQL schema (created with its tables and text search
    configurations on first use). ``unaccent``: None uses the extension when it can be had,
    False never does (accents folded in Python); an existing archive keeps its own choice."""

    name = "postgres"

    def __init__(
        self,
        url: str,
        *,
        schema: str = "wiredesk_archive",
        unaccent: bool | None = None,
        connect_timeout: float = 5.0,
    ) -> None:
        if not _SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"schema {schema!r} is not a plain lower-case SQL name")
        self.url = url
        self.schema = schema
        self.connect_timeout = connect_timeout
        self._local = threading.local()
        self._connections: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self.fold_in_python = self._setup(unaccent)

    # -- connections ---------------------------------------------------------------------

    def _conn(self) -> psycopg.Connection[Any]:
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            try:
                conn = psycopg.connect(
                    self.url, autocommit=True, connect_timeout=int(self.connect_timeout)
                )
            except psycopg.OperationalError as exc:
                raise ArchiveUnavailableError(f"postgres archive unreachable: {exc}") from exc
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _cursor(self, write: bool = False) -> Iterator[psycopg.Cursor[Any]]:
        conn = self._conn()
        try:
            if write:
                with conn.transaction(), conn.cursor() as cur:
                    yield cur
            else:
                with conn.cursor() as cur:
                    yield cur
        except psycopg.OperationalError as exc:
            self._local.conn = None
            conn.close()
            raise ArchiveUnavailableError(f"postgres archive: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def drop(self) -> None:
        """Remove the whole archive (its schema): for tests and benchmarks."""
        with self._cursor(write=True) as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")

    # -- setup ---------------------------------------------------------------------------

    def cfg(self, key: str) -> str:
        """The text search configuration of a language key."""
        if key == UNSTEMMED or key not in self._stemmed:
            return f"{self.schema}.wd_simple"
        return f"{self.schema}.wd_{LANGUAGES[key]}"

    def _setup(self, unaccent: bool | None) -> bool:
        s = self.schema
        with self._cursor(write=True) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"wiredesk-archive:{s}",))
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
            cur.execute(f"CREATE TABLE IF NOT EXISTS {s}.meta (key text PRIMARY KEY, value text)")
            cur.execute(f"SELECT key, value FROM {s}.meta")
            meta = dict(cur.fetchall())
            if "fold" not in meta:
                meta = self._create(cur, unaccent)
        self._stemmed = set(meta["stemmed"].split(",")) - {""}
        return meta["fold"] == "python"

    def _create(self, cur: psycopg.Cursor[Any], unaccent: bool | None) -> dict[str, str]:
        s = self.schema
        dictionary = None
        if unaccent is not False:
            try:
                with cur.connection.transaction():
                    cur.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
            except psycopg.Error:
                pass  # not installed on the server, or not ours to install: fold in Python
            cur.execute(
                "SELECT n.nspname FROM pg_ts_dict d JOIN pg_namespace n"
                " ON n.oid = d.dictnamespace WHERE d.dictname = 'unaccent'"
            )
            found = cur.fetchone()
            dictionary = f"{found[0]}.unaccent" if found else None
        chain = f"{dictionary}, " if dictionary else ""
        cur.execute(f"CREATE TEXT SEARCH CONFIGURATION {s}.wd_simple (COPY = pg_catalog.simple)")
        cur.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {s}.wd_simple ALTER MAPPING FOR {_TOKEN_TYPES}"
            f" WITH {chain}simple"
        )
        stemmed = []
        for key, language in LANGUAGES.items():
            try:
                with cur.connection.transaction():
                    cur.execute(
                        f"CREATE TEXT SEARCH DICTIONARY {s}.wd_{language}_stem"
                        f" (TEMPLATE = snowball, Language = {language})"
                    )
                    cur.execute(
                        f"CREATE TEXT SEARCH CONFIGURATION {s}.wd_{language}"
                        " (COPY = pg_catalog.simple)"
                    )
                    cur.execute(
                        f"ALTER TEXT SEARCH CONFIGURATION {s}.wd_{language} ALTER MAPPING FOR"
                        f" {_TOKEN_TYPES} WITH {chain}{s}.wd_{language}_stem"
                    )
                stemmed.append(key)
            except psycopg.Error:
                continue  # a server without this language's stemmer: its stories go unstemmed
        cur.execute(
            f"""
            CREATE TABLE {s}.stories (
                id bigserial PRIMARY KEY,
                story_id text NOT NULL UNIQUE,
                receipt_id text NOT NULL,
                ord double precision NOT NULL,
                ord_received double precision NOT NULL,
                is_kill boolean NOT NULL DEFAULT false,
                killed_by text,
                lead text,
                lang text NOT NULL,
                cfg regconfig NOT NULL,
                status text NOT NULL,
                embargoed_until double precision,
                received double precision NOT NULL,
                created double precision NOT NULL,
                terms text[] NOT NULL,
                facets text[] NOT NULL,
                f_slug text NOT NULL, f_byline text NOT NULL, f_place text NOT NULL,
                f_person text NOT NULL, f_org text NOT NULL, f_topic text NOT NULL,
                tsv tsvector NOT NULL,
                tsv_exact tsvector NOT NULL
            );
            CREATE INDEX stories_tsv ON {s}.stories USING gin (tsv);
            CREATE INDEX stories_exact ON {s}.stories USING gin (tsv_exact);
            CREATE INDEX stories_terms ON {s}.stories USING gin (terms);
            CREATE INDEX stories_received ON {s}.stories (received, id);
            CREATE INDEX stories_created ON {s}.stories (created, id);
            CREATE INDEX stories_lead ON {s}.stories (lead) WHERE lead IS NOT NULL;
            CREATE TABLE {s}.versions (
                receipt_id text PRIMARY KEY,
                story_id text NOT NULL,
                ord double precision NOT NULL,
                ord_received double precision NOT NULL,
                hash text NOT NULL,
                doc text NOT NULL
            );
            CREATE INDEX versions_story ON {s}.versions (story_id);
            CREATE TABLE {s}.langs (lang text PRIMARY KEY);
            """
        )
        meta = {"fold": "unaccent" if dictionary else "python", "stemmed": ",".join(stemmed)}
        cur.executemany(f"INSERT INTO {s}.meta VALUES (%s, %s)", list(meta.items()))
        return meta

    # -- writes --------------------------------------------------------------------------

    def _words(self, text: str) -> str:
        return " ".join(folded_words(text) if self.fold_in_python else plain_words(text))

    def _row_params(self, row: RowChange) -> dict[str, Any]:
        story = row.shown
        assert story is not None
        after = row.after
        key = language_key(story.language)
        texts = {f.value: self._words(t) for f, t in story_texts(story).items()}
        return {
            "story_id": row.story_id,
            "receipt_id": after.receipt_id,
            "ord": after.order[0],
            "ord_received": after.order[1],
            "is_kill": after.is_kill,
            "killed_by": after.killed_by,
            "lead": after.lead,
            "lang": key,
            "cfg": self.cfg(key),
            "simple": f"{self.schema}.wd_simple",
            "status": archive_status(story, after.killed_by is not None),
            "embargoed_until": story.embargoed_until.timestamp() if story.embargoed_until else None,
            "received": story.received_at.timestamp(),
            "created": created_time(story).timestamp(),
            "terms": filter_terms(story),
            "facets": ["\t".join(f) for f in facet_rows(story)],
            **texts,
        }

    def _vector(self, cfg: str) -> str:
        parts = [
            f"setweight(to_tsvector(%({cfg})s::regconfig, %({f.value})s), '{_WEIGHT[f]}')"
            for f in Field
        ]
        return " || ".join(parts)

    def _upsert_sql(self) -> str:
        s = self.schema
        columns = (
            "story_id, receipt_id, ord, ord_received, is_kill, killed_by, lead, lang, cfg,"
            " status, embargoed_until, received, created, terms, facets, f_slug, f_byline,"
            " f_place, f_person, f_org, f_topic, tsv, tsv_exact"
        )
        values = (
            "%(story_id)s, %(receipt_id)s, %(ord)s, %(ord_received)s, %(is_kill)s,"
            " %(killed_by)s, %(lead)s, %(lang)s, %(cfg)s::regconfig, %(status)s,"
            " %(embargoed_until)s, %(received)s, %(created)s, %(terms)s, %(facets)s, %(slug)s,"
            " %(byline)s, %(place)s, %(person)s, %(org)s, %(topic)s,"
            f" {self._vector('cfg')}, {self._vector('simple')}"
        )
        updates = ", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in columns.split(",")[1:])
        return (
            f"INSERT INTO {s}.stories ({columns}) VALUES ({values})"
            f" ON CONFLICT (story_id) DO UPDATE SET {updates}"
        )

    def upsert_many(self, stories: Sequence[TaggedStory]) -> list[UpsertOutcome]:
        if not stories:
            return []
        s = self.schema
        ids = sorted({st.story_id for st in stories})
        receipts = list({st.receipt_id for st in stories})
        with self._cursor(write=True) as cur:
            cur.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(id, 0))"
                " FROM unnest(%s::text[]) WITH ORDINALITY AS x(id, n) ORDER BY n",
                (ids,),
            )
            cur.execute(
                "SELECT story_id, receipt_id, ord, ord_received, is_kill, killed_by, lead"
                f" FROM {s}.stories WHERE story_id = ANY(%s)",
                (ids,),
            )
            held = {
                r[0]: Current(r[1], (r[2], r[3], r[1]), r[4], r[5], r[6]) for r in cur.fetchall()
            }
            cur.execute(
                f"SELECT receipt_id, hash FROM {s}.versions WHERE receipt_id = ANY(%s)",
                (receipts,),
            )
            known = dict(cur.fetchall())
            plan = plan_batch(held, known, stories)
            if plan.versions:
                cur.executemany(
                    f"INSERT INTO {s}.versions (receipt_id, story_id, ord, ord_received, hash, doc)"
                    " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (receipt_id) DO UPDATE SET"
                    " story_id = excluded.story_id, ord = excluded.ord,"
                    " ord_received = excluded.ord_received, hash = excluded.hash,"
                    " doc = excluded.doc",
                    [
                        (
                            v.story.receipt_id,
                            v.story.story_id,
                            *version_key(v.story)[:2],
                            v.hash,
                            v.json,
                        )
                        for v in plan.versions
                    ],
                )
            shown = [self._row_params(r) for r in plan.rows.values() if r.shown is not None]
            if shown:
                cur.executemany(self._upsert_sql(), shown)
                cur.executemany(
                    f"INSERT INTO {s}.langs VALUES (%s) ON CONFLICT DO NOTHING",
                    [(k,) for k in sorted({p["lang"] for p in shown})],
                )
            killed = [
                (r.after.killed_by, r.story_id)
                for r in plan.rows.values()
                if r.shown is None and r.status_changed
            ]
            if killed:
                cur.executemany(
                    f"UPDATE {s}.stories SET killed_by = %s, status = 'canceled'"
                    " WHERE story_id = %s",
                    killed,
                )
        return plan.outcomes

    def delete(self, story_id: str) -> bool:
        s = self.schema
        with self._cursor(write=True) as cur:
            cur.execute(f"DELETE FROM {s}.stories WHERE story_id = %s", (story_id,))
            gone = cur.rowcount > 0
            cur.execute(f"DELETE FROM {s}.versions WHERE story_id = %s", (story_id,))
            return gone

    def expire(self, before: datetime, *, time: TimeField = TimeField.received) -> int:
        s = self.schema
        column = "received" if time is TimeField.received else "created"
        with self._cursor(write=True) as cur:
            cur.execute(
                f"WITH gone AS (DELETE FROM {s}.stories WHERE {column} < %s RETURNING story_id),"
                f" v AS (DELETE FROM {s}.versions x USING gone WHERE x.story_id = gone.story_id)"
                " SELECT count(*) FROM gone",
                (before.timestamp(),),
            )
            row = cur.fetchone()
            return int(row[0]) if row else 0

    def reindex(
        self, *, batch: int = 1000, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Recompute every story's vectors, terms and facets from its stored version (after
        an analyser change), ``batch`` stories per transaction. Writes go on meanwhile: each
        recomputes its own row. Returns how many stories were reindexed."""
        s = self.schema
        with self._cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {s}.stories")
            total = int(cur.fetchone()[0])  # type: ignore[index]
        last, done = 0, 0
        while True:
            with self._cursor(write=True) as cur:
                cur.execute(
                    "SELECT s.id, s.story_id, s.receipt_id, s.ord, s.ord_received, s.is_kill,"
                    f" s.killed_by, s.lead, v.doc FROM {s}.stories s JOIN {s}.versions v"
                    " ON v.receipt_id = s.receipt_id WHERE s.id > %s ORDER BY s.id LIMIT %s"
                    " FOR UPDATE OF s",
                    (last, batch),
                )
                rows = cur.fetchall()
                params = []
                for _id, sid, rid, o1, o2, is_kill, killed_by, lead, doc in rows:
                    cur_state = Current(rid, (o1, o2, rid), is_kill, killed_by, lead)
                    story = TaggedStory.model_validate_json(doc)
                    params.append(self._row_params(RowChange(sid, cur_state, cur_state, story)))
                if params:
                    cur.executemany(self._upsert_sql(), params)
                    cur.executemany(
                        f"INSERT INTO {s}.langs VALUES (%s) ON CONFLICT DO NOTHING",
                        [(k,) for k in sorted({p["lang"] for p in params})],
                    )
            if not rows:
                return done
            last = rows[-1][0]
            done += len(rows)
            if progress:
                progress(done, total)

    # -- reads ---------------------------------------------------------------------------

    def get(self, story_id: str) -> ArchivedStory | None:
        s = self.schema
        with self._cursor() as cur:
            cur.execute(
                f"SELECT v.doc, s.killed_by, s.lead FROM {s}.stories s JOIN {s}.versions v"
                " ON v.receipt_id = s.receipt_id WHERE s.story_id = %s",
                (story_id,),
            )
            row = cur.fetchone()
        if row is None:
            return None
        story = TaggedStory.model_validate_json(row[0])
        return ArchivedStory(as_shown(story, row[1]), row[1], row[2])

    def versions(self, story_id: str) -> list[TaggedStory]:
        with self._cursor() as cur:
            cur.execute(
                f"SELECT doc FROM {self.schema}.versions WHERE story_id = %s"
                " ORDER BY ord, ord_received, receipt_id",
                (story_id,),
            )
            return [TaggedStory.model_validate_json(r[0]) for r in cur.fetchall()]

    def cluster(self, story_id: str) -> tuple[str, list[TaggedStory]] | None:
        s = self.schema
        with self._cursor() as cur:
            cur.execute(f"SELECT lead FROM {s}.stories WHERE story_id = %s", (story_id,))
            row = cur.fetchone()
            if row is None:
                return None
            lead = row[0] or story_id
            cur.execute(
                f"SELECT v.doc FROM {s}.stories s JOIN {s}.versions v"
                " ON v.receipt_id = s.receipt_id WHERE s.lead = %s ORDER BY s.received, s.story_id",
                (lead,),
            )
            return lead, [TaggedStory.model_validate_json(r[0]) for r in cur.fetchall()]

    def count(self) -> int:
        with self._cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {self.schema}.stories")
            return int(cur.fetchone()[0])  # type: ignore[index]

    def disk_bytes(self) -> int:
        with self._cursor() as cur:
            cur.execute(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s AND c.relkind = 'r'",
                (self.schema,),
            )
            return int(cur.fetchone()[0])  # type: ignore[index]

    def languages(self) -> list[str]:
        with self._cursor() as cur:
            cur.execute(f"SELECT lang FROM {self.schema}.langs ORDER BY lang")
            return [r[0] for r in cur.fetchall()]

    def search(self, request: SearchRequest) -> SearchResult:
        tree, sort = request.checked()
        f = request.filters
        s = self.schema
        keys = sorted({language_key(v) for v in f.language}) or self.languages() or [UNSTEMMED]
        compiler = _Compiler(self, sorted({self.cfg(k) for k in keys}))
        clauses: list[str] = []
        params: list[Any] = []
        if tree is not None:
            clauses.append(compiler.node(tree))
            params += compiler.params
        scored = tree is not None and not isinstance(tree, Not) and bool(positive_leaves(tree))
        if sort is Sort.relevance and not scored:
            sort = Sort.newest
        time_col = "s.received" if f.time is TimeField.received else "s.created"
        for group in f.term_groups():
            clauses.append("s.terms && %s::text[]")
            params.append(list(group))
        statuses = f.statuses()
        if statuses:
            clauses.append("s.status = ANY(%s)")
            params.append(list(statuses))
        if not f.shows_embargoed():
            clauses.append(
                "NOT (s.status = 'embargoed' AND"
                " (s.embargoed_until IS NULL OR s.embargoed_until > %s))"
            )
            params.append(request.at().timestamp())
        if not f.include_duplicates:
            clauses.append("s.lead IS NULL")
        if f.since:
            clauses.append(f"{time_col} >= %s")
            params.append(f.since.timestamp())
        if f.until:
            clauses.append(f"{time_col} <= %s")
            params.append(f.until.timestamp())
        where = " AND ".join(clauses) or "true"
        fingerprint = request.fingerprint(tree, sort)
        page_where, page_params = where, list(params)
        offset = 0
        score_sql, score_params = "NULL::float8", list[Any]()
        if sort is Sort.relevance:
            assert tree is not None
            score_sql, score_params = compiler.rank(tree)
            if request.cursor:
                (offset,) = decode_cursor(request.cursor, fingerprint, (int,))
            order = "score DESC, s.id DESC"
        else:
            if request.cursor:
                at, rowid = decode_cursor(request.cursor, fingerprint, (float, int))
                page_where += f" AND ({time_col} < %s OR ({time_col} = %s AND s.id < %s))"
                page_params += [at, at, rowid]
            order = f"{time_col} DESC, s.id DESC"
        with self._cursor(write=True) as cur:
            if scored:
                # The planner does not count the detoasting of every row's tsvector that a
                # sequential scan costs, and picks one up to mid-sized archives where the GIN
                # index is several times faster: for this transaction, the index.
                cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute(
                "SELECT p.id, p.t, p.score, s.killed_by, s.lead, s.lang, v.doc FROM"
                f" (SELECT s.id AS id, {time_col} AS t, {score_sql} AS score FROM {s}.stories s"
                f" WHERE {page_where} ORDER BY {order} LIMIT %s OFFSET %s) p"
                f" JOIN {s}.stories s ON s.id = p.id"
                f" JOIN {s}.versions v ON v.receipt_id = s.receipt_id"
                f" ORDER BY {order.replace('s.id', 'p.id').replace(time_col, 'p.t')}",
                (*score_params, *page_params, request.limit + 1, offset),
            )
            rows = cur.fetchall()
            cur.execute(f"SELECT count(*) FROM {s}.stories s WHERE {where}", params)
            total = int(cur.fetchone()[0])  # type: ignore[index]
            facets = self._facets(cur, where, params, request) if request.facets else {}
            more = len(rows) > request.limit
            rows = rows[: request.limit]
            stories = [as_shown(TaggedStory.model_validate_json(r[6]), r[3]) for r in rows]
            marked = self._headlines(cur, tree, [r[5] for r in rows], stories)
        next_cursor = None
        if more:
            last = rows[-1]
            position: list[float | int | str] = (
                [offset + len(rows)] if sort is Sort.relevance else [last[1], last[0]]
            )
            next_cursor = encode_cursor(fingerprint, position)
        hits = [
            Hit(
                story=story,
                score=None if sort is Sort.newest else float(row[2]),
                headline=head,
                snippet=snip,
                killed_by=row[3],
                duplicate_of=row[4],
            )
            for row, story, (head, snip) in zip(rows, stories, marked, strict=True)
        ]
        return SearchResult(hits=hits, total=total, next_cursor=next_cursor, facets=facets)

    def _facets(
        self, cur: psycopg.Cursor[Any], where: str, params: list[Any], request: SearchRequest
    ) -> dict[str, list[FacetValue]]:
        cur.execute(
            f"SELECT f, count(*) FROM {self.schema}.stories s, unnest(s.facets) AS f"
            f" WHERE {where} AND split_part(f, E'\\t', 1) = ANY(%s) GROUP BY f",
            (*params, list(request.facets)),
        )
        merged: dict[tuple[str, str], list[Any]] = {}
        for line, n in cur.fetchall():
            facet, value, label = line.split("\t", 2)
            entry = merged.setdefault((facet, value), [label, 0])
            entry[0] = min(entry[0], label)
            entry[1] += int(n)
        out: dict[str, list[FacetValue]] = {name: [] for name in request.facets}
        for (facet, value), (label, n) in merged.items():
            out[facet].append(FacetValue(value, label, n))
        for name, values in out.items():
            values.sort(key=lambda v: (-v.count, v.value))
            out[name] = values[: request.facet_top]
        return out

    def _headlines(
        self,
        cur: psycopg.Cursor[Any],
        tree: Node | None,
        keys: list[str],
        stories: list[TaggedStory],
    ) -> list[tuple[str, str]]:
        """(headline, body passage) per hit, marked by ts_headline in the story's own
        configuration; the body's opening, unmarked, when nothing in it can match."""
        leaves = positive_leaves(tree) if tree is not None else []
        body_q = _highlight_query(leaves, Field.body, self.fold_in_python)
        head_q = _highlight_query(leaves, Field.headline, self.fold_in_python)
        opening = highlight.Matcher.build([], UNSTEMMED, Field.body)
        out = [
            (mark(st.headline or ""), highlight.snippet(story_texts(st)[Field.body], opening))
            for st in stories
        ]
        if not stories or not (body_q or head_q):
            return out
        heads = [html.escape(st.headline or "", quote=False) for st in stories]
        bodies = [html.escape(_opening(story_texts(st)[Field.body]), quote=False) for st in stories]
        cur.execute(
            "SELECT CASE WHEN %s = '' THEN NULL ELSE ts_headline(c, h, to_tsquery(c, %s), %s) END,"
            " CASE WHEN %s = '' THEN NULL ELSE ts_headline(c, t, to_tsquery(c, %s), %s) END"
            " FROM unnest(%s::regconfig[], %s::text[], %s::text[]) WITH ORDINALITY"
            " AS x(c, h, t, n) ORDER BY n",
            (head_q, head_q, _HEAD_HEADLINE, body_q, body_q, _BODY_HEADLINE,
             [self.cfg(k) for k in keys], heads, bodies),
        )  # fmt: skip
        for i, (head, body) in enumerate(cur.fetchall()):
            out[i] = (
                _marked(head) if head is not None else out[i][0],
                _marked(body) if body is not None else out[i][1],
            )
        return out


def _opening(text: str) -> str:
    """The text up to the highlighter's limit: ts_headline's cost grows with the text."""
    return text[:_MAX_HEADLINE_CHARS]


def _marked(text: str) -> str:
    return text.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def _highlight_query(leaves: list[Word | Phrase | Prefix], part: Field, folded: bool) -> str:
    """A tsquery (text) of the leaves that apply to a part of the story, for ts_headline."""
    terms = []
    for leaf in leaves:
        if leaf.field not in (None, part):
            continue
        if isinstance(leaf, Prefix):
            terms += [_tsq_word(w) + ":*" for w in folded_words(leaf.text)[:1]]
            continue
        words = folded_words(leaf.text) if isinstance(leaf, Word) else [
            w for word in leaf.words for w in folded_words(word)
        ]  # fmt: skip
        if words:
            terms.append(" <-> ".join(_tsq_word(w) for w in words))
    return " | ".join(f"({t})" for t in terms)


class _Compiler:
    """A query tree as a SQL condition on ``s`` (the stories row), with its parameters."""

    def __init__(self, engine: PostgresArchive, cfgs: list[str]) -> None:
        self.engine = engine
        self.cfgs = cfgs
        self.simple = f"{engine.schema}.wd_simple"
        self.params: list[Any] = []

    def _p(self, value: Any) -> str:
        self.params.append(value)
        return "%s"

    def node(self, node: Node) -> str:
        if isinstance(node, And):
            return "(" + " AND ".join(self.node(i) for i in node.items) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.node(i) for i in node.items) + ")"
        if isinstance(node, Not):
            return f"(NOT {self.node(node.item)})"
        if isinstance(node, Word):
            words = folded_words(node.text)
            if len(words) == 1:
                return self._word(words[0], node.field)
            return self._exact(words, node.field, prefix=False)
        if isinstance(node, Prefix):
            return self._exact(folded_words(node.text)[:1], node.field, prefix=True)
        words = [w for word in node.words for w in folded_words(word)]
        return self._exact(words, node.field, prefix=False)

    def _any(self, query: str) -> str:
        """A tsquery of the query text in every configuration that can match (the language
        filter's, else every language the archive holds), ORed: a constant, so the GIN index
        answers it."""
        return (
            "("
            + " || ".join(
                f"to_tsquery({self._p(cfg)}::regconfig, {self._p(query)})" for cfg in self.cfgs
            )
            + ")"
        )

    def _word(self, word: str, field: Field | None) -> str:
        weight = _WEIGHT[field] if field else ""
        cond = f"(s.tsv @@ {self._any(_tsq_word(word, weight))}"
        if field in _RECHECK:
            cond += (
                f" AND to_tsvector(s.cfg, s.f_{field.value})"  # type: ignore[union-attr]
                f" @@ {self._any(_tsq_word(word))}"
            )
        return cond + ")"

    def _exact(self, words: list[str], field: Field | None, *, prefix: bool) -> str:
        if not words:
            return "false"
        weight = _WEIGHT[field] if field else ""
        star = ":*" if prefix else ""
        weighted = " <-> ".join(
            f"'{w}'" + (f":{star[1:]}{weight}" if (weight or star) else "") for w in words
        )
        plain = " <-> ".join(f"'{w}'{star}" for w in words)
        cond = f"(s.tsv_exact @@ to_tsquery({self._p(self.simple)}::regconfig, {self._p(weighted)})"
        if field in _RECHECK:
            cond += (
                f" AND to_tsvector({self._p(self.simple)}::regconfig,"
                f" s.f_{field.value})"  # type: ignore[union-attr]
                f" @@ to_tsquery({self._p(self.simple)}::regconfig, {self._p(plain)})"
            )
        return cond + ")"

    def rank(self, tree: Node) -> tuple[str, list[Any]]:
        """The relevance of a row: ts_rank of its stems and of its exact words against the
        positive leaves, headline matches weighing most."""
        stems, exact = [], []
        for leaf in positive_leaves(tree):
            if isinstance(leaf, Word) and len(folded_words(leaf.text)) == 1:
                stems.append(_tsq_word(folded_words(leaf.text)[0]))
            elif isinstance(leaf, Prefix):
                exact += [_tsq_word(w) + ":*" for w in folded_words(leaf.text)[:1]]
            else:
                words = folded_words(leaf.text) if isinstance(leaf, Word) else [
                    w for word in leaf.words for w in folded_words(word)
                ]  # fmt: skip
                if words:
                    exact.append("(" + " <-> ".join(_tsq_word(w) for w in words) + ")")
        parts, params = [], []
        if stems:
            mark = len(self.params)
            anyq = self._any(" | ".join(stems))
            parts.append(f"ts_rank(%s::float4[], s.tsv, {anyq})")
            params += [_RANK_WEIGHTS, *self.params[mark:]]
            del self.params[mark:]
        if exact:
            parts.append("ts_rank(%s::float4[], s.tsv_exact, to_tsquery(%s::regconfig, %s))")
            params += [_RANK_WEIGHTS, self.simple, " | ".join(exact)]
        return (" + ".join(parts) or "0"), params
