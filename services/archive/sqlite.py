"""The embedded archive engine: SQLite FTS5, from the standard library, in one file.

Why SQLite: no server to run (``make run`` and a laptop get a real archive), FTS5 ranks by
BM25, does phrases, prefixes, column filters and boolean queries in its own index, and the
file is a backup. What FTS5 cannot do is stem per language from Python (its tokenizers are C
plug-ins), so the analysis is done in Python (``analysis.py``) and FTS5 is handed words:

* One FTS5 table, contentless (``content=''``): it keeps the index, not the text; the story's
  JSON (zlib-compressed) in ``versions`` is the one copy, and snippets are made from it
  (``highlight.py``). Sixteen columns: each field's folded words (``headline`` ... ``topic``:
  what phrases and prefixes match, exactly as written but for case and accents) and the same
  words' stems (``headline_s`` ... : what words match), each stem carrying its language as a
  two-letter head (``en`` + ``eleph``, ``de`` + ``haus``; ``xx`` unstemmed). A query word is
  looked up as the OR of its stems in the languages that can match: the ``language`` filter's
  if given, else every language the archive holds (the ``langs`` table). So a word matches a
  story only by the stem it has *in that story's language*: English ``gift`` never meets
  German ``Gift`` through some third language's stemmer, and the index is no bigger for it.
  Columns are always named in the match (``{headline_s body_s ...} : ...``), so a stem token
  can never meet a word that happens to be spelt like it.
* Boolean queries compile to one FTS5 expression (NOT as FTS5's binary ``a NOT b``, by De
  Morgan where needed); a query that only excludes is ``id NOT IN (matches)``.
* Filters use ``terms`` (the terms of ``workers.indexing``: ``place:lb``, ``feed:reuters``),
  facets ``facets``; both keyed by the story's row id, which is also its FTS5 rowid.
* A contentless table forgets a row only when told the exact words it was given, so a
  replaced version's old words are rebuilt from its stored JSON with the same analyser. The
  analyser's version is kept in ``meta``; an index built by another one is rebuilt with
  ``reindex()`` (writes wait, as ``ArchiveUnavailableError``, until it is done; it resumes
  where it stopped).

Writes take SQLite's write lock for a batch (``BEGIN IMMEDIATE``); readers never wait (WAL).
Each thread has its own connection.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from schemas import TaggedStory
from services.archive import highlight
from services.archive.analysis import (
    ANALYSER_VERSION,
    UNSTEMMED,
    folded_words,
    language_key,
    pieces,
    stem,
    words_of,
)
from services.archive.engine import (
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
from services.archive.query import (
    And,
    Field,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Word,
    positive_leaves,
)

__all__ = ["SqliteArchive", "compile_match"]

_FIELDS = list(Field)
_SURFACE = [f.value for f in _FIELDS]
_STEMS = [f"{f.value}_s" for f in _FIELDS]
# BM25 weights, surface then stem columns: a match in the headline counts most, the body
# least (it is long), tags and the slug between.
_WEIGHT = {"headline": 4.0, "slug": 2.0, "byline": 1.0, "body": 1.0,
           "place": 2.0, "person": 2.0, "org": 2.0, "topic": 2.0}  # fmt: skip
_BM25 = ", ".join(str(_WEIGHT[c]) for c in _SURFACE * 2)
_CHUNK = 400  # bound variables per IN (...)

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (
    id INTEGER PRIMARY KEY,
    story_id TEXT NOT NULL UNIQUE,
    receipt_id TEXT NOT NULL,
    ord REAL NOT NULL,
    ord_received REAL NOT NULL,
    is_kill INTEGER NOT NULL DEFAULT 0,
    killed_by TEXT,
    lead TEXT,
    lang TEXT NOT NULL,
    status TEXT NOT NULL,
    embargoed_until REAL,
    received REAL NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_received ON stories (received, id);
CREATE INDEX IF NOT EXISTS stories_created ON stories (created, id);
CREATE INDEX IF NOT EXISTS stories_lead ON stories (lead) WHERE lead IS NOT NULL;
CREATE TABLE IF NOT EXISTS versions (
    vid INTEGER PRIMARY KEY,
    receipt_id TEXT NOT NULL UNIQUE,
    story_id TEXT NOT NULL,
    ord REAL NOT NULL,
    ord_received REAL NOT NULL,
    hash TEXT NOT NULL,
    doc BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_story ON versions (story_id);
CREATE TABLE IF NOT EXISTS terms (
    term TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (term, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS terms_id ON terms (id);
CREATE TABLE IF NOT EXISTS facets (
    id INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL, label TEXT NOT NULL,
    PRIMARY KEY (id, facet, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS langs (lang TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    {", ".join(_SURFACE + _STEMS)},
    content='', tokenize='unicode61 remove_diacritics 2'
);
"""


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode(), 1)  # level 6 cost 3x the time for 20% less


def _unpack(blob: bytes) -> TaggedStory:
    return TaggedStory.model_validate_json(zlib.decompress(blob))


# Per language: a word as written -> its folded word(s), and -> their stems with the language
# head: once the vocabulary is known a field's values are two C-speed joins over dict lookups.
_SURFACE_OF: dict[str, dict[str, str]] = {}
_STEMS_OF: dict[str, dict[str, str]] = {}
_TOKENS_LIMIT = 1 << 19


def _tokens(text: str, key: str) -> tuple[str, str]:
    """A field's two FTS5 values: its folded words, and their stems with the language head."""
    surface = _SURFACE_OF.setdefault(key, {})
    stems = _STEMS_OF.setdefault(key, {})
    words = words_of(text)
    new = set(words).difference(surface)
    if new:
        if len(surface) + len(new) > _TOKENS_LIMIT:
            surface.clear()
            stems.clear()
            new = set(words)
        for word in new:
            folded = pieces(word)  # none for a word over MAX_WORD: an empty value, skipped
            surface[word] = " ".join(folded)
            stems[word] = " ".join(key + stem(key, p) for p in folded)
    return " ".join(map(surface.__getitem__, words)), " ".join(map(stems.__getitem__, words))


def _index_values(story: TaggedStory, key: str) -> list[str]:
    """The sixteen FTS5 column values of a story: folded words, then stems with their head."""
    texts = story_texts(story)
    values = [_tokens(texts[f], key) for f in _FIELDS]
    return [v[0] for v in values] + [v[1] for v in values]


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _columns(field: Field | None, stemmed: bool) -> str:
    names = _STEMS if stemmed else _SURFACE
    if field is not None:
        names = [names[_FIELDS.index(field)]]
    return "{" + " ".join(names) + "}"


def _leaf(leaf: Word | Phrase | Prefix, keys: list[str]) -> str:
    if isinstance(leaf, Word):
        words = folded_words(leaf.text)
        if len(words) == 1:
            stems = sorted({k + stem(k, words[0]) for k in keys})
            return f"{_columns(leaf.field, True)} : ({' OR '.join(map(_quote, stems))})"
        return f"{_columns(leaf.field, False)} : {_quote(' '.join(words) or '_')}"
    if isinstance(leaf, Prefix):
        return f"{_columns(leaf.field, False)} : {_quote(''.join(folded_words(leaf.text)))} *"
    words = [w for word in leaf.words for w in folded_words(word)]
    return f"{_columns(leaf.field, False)} : {_quote(' '.join(words) or '_')}"


def _join(op: str, exprs: list[str]) -> str:
    return exprs[0] if len(exprs) == 1 else f" {op} ".join(f"({e})" for e in exprs)


def compile_match(node: Node, keys: list[str]) -> tuple[str, bool]:
    """(FTS5 expression, negated): the rows that match the tree are those that match the
    expression, or (negated) those that do not. FTS5's NOT is binary (``a NOT b``), so a NOT
    is carried up and folded into its parent by De Morgan."""
    if isinstance(node, Not):
        expr, negated = compile_match(node.item, keys)
        return expr, not negated
    if isinstance(node, And | Or):
        parts = [compile_match(item, keys) for item in node.items]
        pos = [e for e, n in parts if not n]
        neg = [e for e, n in parts if n]
        if isinstance(node, And):
            if not pos:  # ¬a ∧ ¬b = ¬(a ∨ b)
                return _join("OR", neg), True
            expr = _join("AND", pos)
            return (f"({expr}) NOT ({_join('OR', neg)})" if neg else expr), False
        if not neg:
            return _join("OR", pos), False
        # p ∨ ¬n1 ∨ ¬n2 = ¬(n1 ∧ n2 ∧ ¬p)
        expr = _join("AND", neg)
        return (f"({expr}) NOT ({_join('OR', pos)})" if pos else expr), True
    return _leaf(node, keys), False


class SqliteArchive(ArchiveEngine):
    """The archive in one SQLite file (``path``; created with its schema if missing)."""

    name = "sqlite"

    def __init__(self, path: str | Path, *, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        db = self._db()
        with self._translated():
            db.executescript(_SCHEMA)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('analyser', ?)", (ANALYSER_VERSION,))

    # -- connections ---------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA cache_size=-65536")
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise ArchiveUnavailableError(f"sqlite archive busy: {exc}") from exc
            raise

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        with self._translated():
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    # -- writes --------------------------------------------------------------------------

    def _check_analyser(self, db: sqlite3.Connection) -> None:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if "reindex_at" in meta or meta.get("analyser") != ANALYSER_VERSION:
            raise ArchiveUnavailableError(
                f"the archive's index was built by analyser {meta.get('analyser')!r} (this is "
                f"{ANALYSER_VERSION!r}) or is being rebuilt: writes wait for reindex()"
            )

    def upsert_many(self, stories: Sequence[TaggedStory]) -> list[UpsertOutcome]:
        if not stories:
            return []
        with self._write() as db:
            self._check_analyser(db)
            ids = list(dict.fromkeys(s.story_id for s in stories))
            held: dict[str, Current] = {}
            rowids: dict[str, int] = {}
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                for row in db.execute(
                    "SELECT story_id, receipt_id, ord, ord_received, is_kill, killed_by, lead, id"
                    f" FROM stories WHERE story_id IN ({marks})",
                    chunk,
                ):
                    held[row[0]] = Current(
                        row[1], (row[2], row[3], row[1]), bool(row[4]), row[5], row[6]
                    )
                    rowids[row[0]] = row[7]
            known: dict[str, str] = {}
            for chunk in _chunks(list(dict.fromkeys(s.receipt_id for s in stories))):
                marks = ",".join("?" * len(chunk))
                known.update(
                    db.execute(
                        f"SELECT receipt_id, hash FROM versions WHERE receipt_id IN ({marks})",
                        chunk,
                    ).fetchall()
                )
            plan = plan_batch(held, known, stories)
            # The words a row was indexed with, read before its version is overwritten.
            old = {
                sid: self._doc(db, row.before.receipt_id)
                for sid, row in plan.rows.items()
                if row.before is not None and row.shown is not None
            }
            db.executemany(
                "INSERT INTO versions (receipt_id, story_id, ord, ord_received, hash, doc)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (receipt_id) DO UPDATE SET"
                " story_id = excluded.story_id, ord = excluded.ord,"
                " ord_received = excluded.ord_received, hash = excluded.hash, doc = excluded.doc",
                [
                    (v.story.receipt_id, v.story.story_id, *_order(v.story), v.hash, _pack(v.json))
                    for v in plan.versions
                ],
            )
            for sid, row in plan.rows.items():
                self._apply(db, row, rowids.get(sid), old.get(sid))
        return plan.outcomes

    def _apply(
        self,
        db: sqlite3.Connection,
        row: RowChange,
        rowid: int | None,
        old: TaggedStory | None,
    ) -> None:
        after = row.after
        if row.shown is None:
            if row.status_changed and rowid is not None:
                db.execute(
                    "UPDATE stories SET killed_by = ?, status = 'canceled' WHERE id = ?",
                    (after.killed_by, rowid),
                )
            return
        story = row.shown
        key = language_key(story.language)
        values = (
            after.receipt_id,
            after.order[0],
            after.order[1],
            int(after.is_kill),
            after.killed_by,
            after.lead,
            key,
            archive_status(story, after.killed_by is not None),
            story.embargoed_until.timestamp() if story.embargoed_until else None,
            story.received_at.timestamp(),
            created_time(story).timestamp(),
        )
        if rowid is None:
            cur = db.execute(
                "INSERT INTO stories (receipt_id, ord, ord_received, is_kill, killed_by, lead,"
                " lang, status, embargoed_until, received, created, story_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, row.story_id),
            )
            rowid = int(cur.lastrowid or 0)
        else:
            if old is not None:
                self._unindex(db, rowid, old)
            db.execute(
                "UPDATE stories SET receipt_id = ?, ord = ?, ord_received = ?, is_kill = ?,"
                " killed_by = ?, lead = ?, lang = ?, status = ?, embargoed_until = ?,"
                " received = ?, created = ? WHERE id = ?",
                (*values, rowid),
            )
        self._index(db, rowid, story, key)

    def _index(self, db: sqlite3.Connection, rowid: int, story: TaggedStory, key: str) -> None:
        values = _index_values(story, key)
        db.execute(
            f"INSERT INTO fts (rowid, {', '.join(_SURFACE + _STEMS)})"
            f" VALUES (?{', ?' * len(values)})",
            (rowid, *values),
        )
        db.executemany(
            "INSERT OR IGNORE INTO terms (term, id) VALUES (?, ?)",
            [(t, rowid) for t in filter_terms(story)],
        )
        db.executemany(
            "INSERT OR IGNORE INTO facets (id, facet, value, label) VALUES (?, ?, ?, ?)",
            [(rowid, *f) for f in facet_rows(story)],
        )
        db.execute("INSERT OR IGNORE INTO langs (lang) VALUES (?)", (key,))

    def _unindex(self, db: sqlite3.Connection, rowid: int, story: TaggedStory) -> None:
        key = language_key(story.language)
        values = _index_values(story, key)
        db.execute(
            f"INSERT INTO fts (fts, rowid, {', '.join(_SURFACE + _STEMS)})"
            f" VALUES ('delete', ?{', ?' * len(values)})",
            (rowid, *values),
        )
        db.execute("DELETE FROM terms WHERE id = ?", (rowid,))
        db.execute("DELETE FROM facets WHERE id = ?", (rowid,))

    def _doc(self, db: sqlite3.Connection, receipt_id: str) -> TaggedStory | None:
        row = db.execute("SELECT doc FROM versions WHERE receipt_id = ?", (receipt_id,)).fetchone()
        return _unpack(row[0]) if row else None

    def delete(self, story_id: str) -> bool:
        with self._write() as db:
            return self._delete(db, story_id)

    def _delete(self, db: sqlite3.Connection, story_id: str) -> bool:
        row = db.execute(
            "SELECT id, receipt_id FROM stories WHERE story_id = ?", (story_id,)
        ).fetchone()
        if row is None:
            return False
        doc = self._doc(db, row[1])
        if doc is not None:
            self._unindex(db, row[0], doc)
        db.execute("DELETE FROM stories WHERE id = ?", (row[0],))
        db.execute("DELETE FROM versions WHERE story_id = ?", (story_id,))
        return True

    def expire(self, before: datetime, *, time: TimeField = TimeField.received) -> int:
        column = "received" if time is TimeField.received else "created"
        gone = 0
        while True:
            with self._write() as db:
                self._check_analyser(db)
                ids = [
                    r[0]
                    for r in db.execute(
                        f"SELECT story_id FROM stories WHERE {column} < ? LIMIT 500",
                        (before.timestamp(),),
                    )
                ]
                for sid in ids:
                    gone += self._delete(db, sid)
            if len(ids) < 500:
                return gone

    def reindex(
        self, *, batch: int = 1000, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Rebuild the full-text index from the stored versions (after an analyser change),
        ``batch`` stories per transaction, resuming where an interrupted run stopped. Returns
        how many stories were indexed; ``progress(done, total)`` is told after each batch."""
        db = self._db()
        with self._write() as w:
            at = w.execute("SELECT value FROM meta WHERE key = 'reindex_at'").fetchone()
            if at is None:
                w.execute("INSERT INTO fts (fts) VALUES ('delete-all')")
                w.execute("DELETE FROM terms")
                w.execute("DELETE FROM facets")
                w.execute("DELETE FROM langs")
                w.execute("INSERT OR REPLACE INTO meta VALUES ('reindex_at', '0')")
                at = ("0",)
        last = int(at[0])
        total = db.execute("SELECT count(*) FROM stories").fetchone()[0]
        done = db.execute("SELECT count(*) FROM stories WHERE id <= ?", (last,)).fetchone()[0]
        while True:
            with self._write() as w:
                rows = w.execute(
                    "SELECT s.id, v.doc FROM stories s JOIN versions v"
                    " ON v.receipt_id = s.receipt_id WHERE s.id > ? ORDER BY s.id LIMIT ?",
                    (last, batch),
                ).fetchall()
                for rowid, blob in rows:
                    story = _unpack(blob)
                    self._index(w, rowid, story, language_key(story.language))
                if rows:
                    last = rows[-1][0]
                    w.execute("UPDATE meta SET value = ? WHERE key = 'reindex_at'", (str(last),))
                else:
                    w.execute("DELETE FROM meta WHERE key = 'reindex_at'")
                    w.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('analyser', ?)", (ANALYSER_VERSION,)
                    )
            done += len(rows)
            if progress:
                progress(done, total)
            if not rows:
                return done

    # -- reads ---------------------------------------------------------------------------

    def get(self, story_id: str) -> ArchivedStory | None:
        row = (
            self._db()
            .execute(
                "SELECT v.doc, s.killed_by, s.lead FROM stories s JOIN versions v"
                " ON v.receipt_id = s.receipt_id WHERE s.story_id = ?",
                (story_id,),
            )
            .fetchone()
        )
        if row is None:
            return None
        return ArchivedStory(as_shown(_unpack(row[0]), row[1]), row[1], row[2])

    def versions(self, story_id: str) -> list[TaggedStory]:
        rows = self._db().execute(
            "SELECT doc FROM versions WHERE story_id = ? ORDER BY ord, ord_received, receipt_id",
            (story_id,),
        )
        return [_unpack(r[0]) for r in rows]

    def cluster(self, story_id: str) -> tuple[str, list[TaggedStory]] | None:
        db = self._db()
        row = db.execute("SELECT lead FROM stories WHERE story_id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        lead = row[0] or story_id
        rows = db.execute(
            "SELECT v.doc FROM stories s JOIN versions v ON v.receipt_id = s.receipt_id"
            " WHERE s.lead = ? ORDER BY s.received, s.story_id",
            (lead,),
        )
        return lead, [_unpack(r[0]) for r in rows]

    def count(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM stories").fetchone()[0])

    def disk_bytes(self) -> int:
        self._db().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(
            os.path.getsize(p) for p in (self.path, Path(f"{self.path}-wal")) if os.path.exists(p)
        )

    def languages(self) -> list[str]:
        return [r[0] for r in self._db().execute("SELECT lang FROM langs ORDER BY lang")]

    def search(self, request: SearchRequest) -> SearchResult:
        tree, sort = request.checked()
        f = request.filters
        db = self._db()
        keys = sorted({language_key(v) for v in f.language}) or self.languages() or [UNSTEMMED]
        source: str = "stories s"
        params: list[object] = []
        score = "NULL"
        if tree is not None:
            expr, negated = compile_match(tree, keys)
            if negated:
                where_match = "s.id NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
            else:
                source = "fts JOIN stories s ON s.id = fts.rowid"
                where_match = "fts MATCH ?"
                score = f"-bm25(fts, {_BM25})"
            clauses, params = [where_match], [expr]
        else:
            clauses = []
            negated = False
        if sort is Sort.relevance and (tree is None or negated):
            sort = Sort.newest  # nothing to score: newest first
        time_col = "s.received" if f.time is TimeField.received else "s.created"
        for group in f.term_groups():
            clauses.append(
                f"s.id IN (SELECT id FROM terms WHERE term IN ({','.join('?' * len(group))}))"
            )
            params += group
        statuses = f.statuses()
        if statuses:
            clauses.append(f"s.status IN ({','.join('?' * len(statuses))})")
            params += statuses
        if not f.shows_embargoed():
            clauses.append(
                "NOT (s.status = 'embargoed' AND"
                " (s.embargoed_until IS NULL OR s.embargoed_until > ?))"
            )
            params.append(request.at().timestamp())
        if not f.include_duplicates:
            clauses.append("s.lead IS NULL")
        if f.since:
            clauses.append(f"{time_col} >= ?")
            params.append(f.since.timestamp())
        if f.until:
            clauses.append(f"{time_col} <= ?")
            params.append(f.until.timestamp())
        where = " AND ".join(clauses) or "1"
        fingerprint = request.fingerprint(tree, sort)
        page_clauses, page_params = [where], list(params)
        offset = 0
        if sort is Sort.relevance:
            if request.cursor:
                (offset,) = decode_cursor(request.cursor, fingerprint, (int,))
            order = "score DESC, s.id DESC"
        else:
            if request.cursor:
                at, rowid = decode_cursor(request.cursor, fingerprint, (float, int))
                page_clauses.append(f"({time_col} < ? OR ({time_col} = ? AND s.id < ?))")
                page_params += [at, at, rowid]
            order = f"{time_col} DESC, s.id DESC"
        with self._translated():
            # The page's ids first, the stories' JSON only for them: sorting every match with
            # its document in tow was most of a broad search's time.
            rows = db.execute(
                "SELECT p.id, p.t, p.score, s.killed_by, s.lead, s.lang, v.doc FROM"
                f" (SELECT s.id AS id, {time_col} AS t, {score} AS score FROM {source}"
                f" WHERE {' AND '.join(page_clauses)} ORDER BY {order} LIMIT ? OFFSET ?) p"
                " JOIN stories s ON s.id = p.id JOIN versions v ON v.receipt_id = s.receipt_id"
                f" ORDER BY {order.replace('s.id', 'p.id').replace(time_col, 'p.t')}",
                (*page_params, request.limit + 1, offset),
            ).fetchall()
            total = db.execute(f"SELECT count(*) FROM {source} WHERE {where}", params).fetchone()[0]
            facets = self._facets(db, source, where, params, request) if request.facets else {}
        more = len(rows) > request.limit
        rows = rows[: request.limit]
        next_cursor = None
        if more:
            last = rows[-1]
            position: list[float | int | str] = (
                [offset + len(rows)] if sort is Sort.relevance else [last[1], last[0]]
            )
            next_cursor = encode_cursor(fingerprint, position)
        leaves = positive_leaves(tree) if tree is not None else []
        matchers: dict[tuple[str, Field], highlight.Matcher] = {}

        def matcher(key: str, part: Field) -> highlight.Matcher:
            if (key, part) not in matchers:
                matchers[key, part] = highlight.Matcher.build(leaves, key, part)
            return matchers[key, part]

        hits = []
        for _rowid, _t, row_score, killed_by, lead, key, blob in rows:
            story = as_shown(_unpack(blob), killed_by)
            body = story_texts(story)[Field.body]
            if leaves:
                head = highlight.highlight_all(story.headline or "", matcher(key, Field.headline))
                snip = highlight.snippet(body, matcher(key, Field.body))
            else:
                head = mark(story.headline or "")
                snip = highlight.snippet(body, matcher(key, Field.body))
            hits.append(
                Hit(
                    story=story,
                    score=None if sort is Sort.newest else row_score,
                    headline=head,
                    snippet=snip,
                    killed_by=killed_by,
                    duplicate_of=lead,
                )
            )
        return SearchResult(hits=hits, total=int(total), next_cursor=next_cursor, facets=facets)

    def _facets(
        self,
        db: sqlite3.Connection,
        source: str,
        where: str,
        params: list[object],
        request: SearchRequest,
    ) -> dict[str, list[FacetValue]]:
        marks = ",".join("?" * len(request.facets))
        rows = db.execute(
            "SELECT facet, value, min(label), count(*) AS n FROM facets"
            f" WHERE facet IN ({marks}) AND id IN (SELECT s.id FROM {source} WHERE {where})"
            " GROUP BY facet, value",
            (*request.facets, *params),
        ).fetchall()
        out: dict[str, list[FacetValue]] = {name: [] for name in request.facets}
        for facet, value, label, n in rows:
            out[facet].append(FacetValue(value, label, int(n)))
        for name, values in out.items():
            values.sort(key=lambda v: (-v.count, v.value))
            out[name] = values[: request.facet_top]
        return out


def _order(story: TaggedStory) -> tuple[float, float]:
    key = version_key(story)
    return key[0], key[1]


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]
