"""bench.archive: the search archive's engines, loaded and queried in process.

For each engine (SQLite in a temporary file; PostgreSQL when ``--postgres URL``,
``WIREDESK_ARCHIVE_URL`` or ``WIREDESK_TEST_POSTGRES_URL`` names a server, in a schema of its
own, dropped afterwards), each run makes a fresh archive, writes ``--stories`` invented stories
to it in batches of ``--batch`` (``upsert_many``, timed: stories/s), measures its size on disk
per story, then times ``--queries`` searches of each typical kind (p50/p99 in ms, with the
mean number of matches). The table shows medians of ``--runs`` runs with their min-max.
``--large N`` adds one run at N stories on SQLite (``--large-postgres`` on PostgreSQL too).

The stories are ``workers.synthetic``'s 400-600-word English copy (real sentences with names,
places and figures varied per story), with tags drawn Zipf-like from lists (places, people,
organisations, IPTC topics), received over 30 days; one in five is labelled German, French,
Spanish, Swedish or Norwegian, so stemming runs in several languages and query words are
looked up in every language the archive holds, as in a real multilingual archive.

Run: ``python -m bench.archive [--stories 10000] [--runs 3] [--queries 100] [--large 100000]
[--engines sqlite,postgres] [--postgres URL]``; writes bench/results/archive.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import RESULTS, percentile, spread, table
from schemas import Dateline, DedupeVerdict, Subject, Tag, TaggedStory, TagType, Verdict
from services.archive.engine import ArchiveEngine, SearchFilters, SearchRequest, Sort
from services.archive.postgres import PostgresArchive
from services.archive.sqlite import SqliteArchive
from workers.synthetic import make_story

__all__ = ["main", "make_stories"]

OUT = RESULTS / "archive.json"
END = datetime(2026, 12, 1, tzinfo=UTC)
FEEDS = ["reuters", "ap", "afp", "dpa", "efe", "ansa", "kyodo", "upi", "wire"]
LANGS = ["en"] * 16 + ["de", "fr", "es", "sv", "nb"]
TOPICS = [f"{n:02d}000000" for n in range(1, 18)]
_LEDE = re.compile(r"([A-Z][\w ]*?) \((\w+)\) \S ")


def _pick(rng: random.Random, items: list[Any], skew: float = 1.2) -> Any:
    """Zipf-like: the first items are common, the rest a long tail."""
    return items[min(len(items) - 1, int(rng.paretovariate(skew)) - 1)]


def make_stories(count: int, *, seed: int = 11) -> list[TaggedStory]:
    rng = random.Random(seed)
    first = ["Maria", "Ahmed", "Lena", "Tomasz", "Grace", "Kenji", "Amara", "Pablo", "Ingrid"]
    last = ["Okafor", "Lindqvist", "Haddad", "Moreno", "Kowalczyk", "Tanaka", "Mensah", "Duarte"]
    people = [f"{a} {b}" for a in first for b in last]
    orgs = [f"{w} Group" for w in ("Atlas", "Boreal", "Cobalt", "Delta", "Ember", "Fjord")] + [
        "the World Health Organization", "the United Nations", "the European Union",
    ]  # fmt: skip
    places = ["Beirut", "Nairobi", "Lima", "Manila", "Warsaw", "Ankara", "Hanoi", "Dakar", "Oslo",
              "Quito", "Accra", "Tunis", "Santiago", "Budapest", "Amman", "Canberra"]  # fmt: skip
    span = timedelta(days=30).total_seconds()
    stories = []
    for n in range(count):
        item = json.loads(make_story(n, "ninjs", seed=seed))
        paragraphs = item["body_text"].split("\n\n")
        found = _LEDE.match(paragraphs[0])
        city = found.group(1).title() if found else _pick(rng, places)
        tags = [Tag(type=TagType.place, name=city, relevance=0.9)]
        tags += [
            Tag(type=TagType.place, name=_pick(rng, places), relevance=0.5)
            for _ in range(rng.randint(0, 2))
        ]
        tags += [
            Tag(type=TagType.person, name=_pick(rng, people), relevance=0.6)
            for _ in range(rng.randint(0, 3))
        ]
        tags += [
            Tag(type=TagType.organisation, name=_pick(rng, orgs), relevance=0.4)
            for _ in range(rng.randint(0, 2))
        ]
        topic = _pick(rng, TOPICS, 0.8)
        tags.append(
            Tag(
                type=TagType.topic,
                name=f"topic {topic}",
                scheme="medtop",
                code=topic,
                relevance=0.7,
            )
        )
        received = END - timedelta(seconds=span * (1 - n / count))
        feed = _pick(rng, FEEDS, 1.5)
        stories.append(
            TaggedStory(
                story_id=f"st_bench{n:09d}",
                receipt_id=f"rc_bench{n:09d}",
                feed=feed,
                format="ninjs",
                agency=feed.upper(),
                urgency=min(9, int(rng.paretovariate(1.0)) + 1),
                headline=item["headline"],
                slugline=f"BENCH-{topic}",
                body=paragraphs,
                lede=paragraphs[0],
                language=rng.choice(LANGS),
                dateline=Dateline(text=f"{city.upper()} ({feed})", place=city),
                subjects=[Subject(scheme="medtop", code=topic)],
                tags=tags,
                received_at=received,
                version_created=received - timedelta(hours=rng.randint(0, 48)),
                body_hash=f"{n:032x}",
                verdict=DedupeVerdict(verdict=Verdict.new, reason="bench"),
            )
        )
    return stories


def query_kinds() -> dict[str, list[SearchRequest]]:
    """Typical searches, a few variants of each kind (cycled, so no one answer is cached)."""
    words = ["budget", "drought", "election", "strike", "vaccine", "pipeline", "ceasefire",
             "harvest", "tariff", "earthquake", "refinery", "railway", "protest"]  # fmt: skip
    since = SearchFilters(since=END - timedelta(days=7))
    return {
        # Each story's lede holds its serial ("Report 1234:"): a word in one story only.
        "rare word": [SearchRequest(query=str(n)) for n in (1234, 2345, 3456, 4567, 5678, 6789)],
        "one word": [SearchRequest(query=w) for w in words],
        "two words": [
            SearchRequest(query=q)
            for q in (
                "harbour reopened",
                "bridge repaired",
                "clinic funded",
                "dam inspected",
                "school closed",
                "mine sold",
                "airport expanded",
            )
        ],
        "phrase": [
            SearchRequest(query=f'"{p}"')
            for p in (
                "central bank",
                "power plant",
                "border crossing",
                "finance ministry",
                "supreme court",
                "news conference",
            )
        ],
        "boolean": [
            SearchRequest(query=q)
            for q in (
                "(drought OR harvest) -election",
                "strike OR protest -budget",
                "ceasefire -(talks OR leaders)",
                "tariff OR refinery OR pipeline",
            )
        ],
        "prefix": [SearchRequest(query=q) for q in ("refin*", "harb*", "vacc*", "earthq*")],
        "field": [
            SearchRequest(query=q)
            for q in (
                "headline:strike",
                "headline:(budget OR election)",
                "place:lima",
                "person:okafor",
            )
        ],
        "word + filters, newest": [
            SearchRequest(
                query=w, sort=Sort.newest, filters=SearchFilters(place=("lima",), since=since.since)
            )
            for w in words
        ],
        "filters only, newest": [
            SearchRequest(filters=SearchFilters(place=(p,), topic=("medtop:01000000",)))
            for p in ("lima", "oslo", "beirut", "nairobi")
        ],
        "facets, broad word": [
            SearchRequest(query=w, facets=("place", "topic", "feed", "agency"))
            for w in ("officials", "government", "percent", "region")
        ],
    }


def measure(archive: ArchiveEngine, queries: int) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
    for kind, variants in query_kinds().items():
        for request in variants:  # warm: the first search of a kind pays for page faults
            archive.search(request)
        times, totals = [], []
        for i in range(queries):
            request = variants[i % len(variants)]
            started = time.perf_counter()
            result = archive.search(request)
            times.append((time.perf_counter() - started) * 1000)
            totals.append(result.total)
        out[kind] = {
            "p50_ms": percentile(times, 50),
            "p99_ms": percentile(times, 99),
            "mean_matches": statistics.mean(totals),
        }
    return out


@contextmanager
def engine(kind: str, url: str | None) -> Iterator[ArchiveEngine]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="wd-archive-") as where:
            archive: ArchiveEngine = SqliteArchive(Path(where) / "archive.db")
            try:
                yield archive
            finally:
                archive.close()
        return
    assert url
    pg = PostgresArchive(url, schema=f"wdbench_{os.getpid()}_{secrets.token_hex(3)}")
    try:
        yield pg
    finally:
        pg.drop()
        pg.close()


def one_run(
    kind: str, url: str | None, stories: list[TaggedStory], batch: int, queries: int
) -> dict[str, Any]:
    with engine(kind, url) as archive:
        started = time.perf_counter()
        for i in range(0, len(stories), batch):
            archive.upsert_many(stories[i : i + batch])
        seconds = time.perf_counter() - started
        if isinstance(archive, PostgresArchive):
            # What autovacuum does after a bulk load: statistics, and the GIN pending lists
            # merged into the indexes.
            with archive._cursor() as cur:
                cur.execute(f"VACUUM ANALYZE {archive.schema}.stories")
        size = archive.disk_bytes()
        queried = measure(archive, queries)
    return {
        "stories": len(stories),
        "ingest_per_s": len(stories) / seconds,
        "disk_bytes_per_story": size / len(stories),
        "queries": queried,
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "runs": len(runs),
        "stories": runs[0]["stories"],
        "ingest_per_s": spread([r["ingest_per_s"] for r in runs]),
        "disk_bytes_per_story": spread([r["disk_bytes_per_story"] for r in runs]),
        "queries": {},
    }
    for kind in runs[0]["queries"]:
        out["queries"][kind] = {
            key: spread([r["queries"][kind][key] for r in runs])
            for key in ("p50_ms", "p99_ms", "mean_matches")
        }
    return out


def _cell(s: dict[str, float], digits: int = 1) -> str:
    if s["min"] == s["max"]:
        return f"{s['median']:,.{digits}f}"
    return f"{s['median']:,.{digits}f} ({s['min']:,.{digits}f}-{s['max']:,.{digits}f})"


def print_tables(results: dict[str, dict[str, Any]]) -> None:
    labels = list(results)
    rows = [
        ["ingest, stories/s (batched)"] + [_cell(results[k]["ingest_per_s"], 0) for k in labels],
        ["disk bytes per story"] + [_cell(results[k]["disk_bytes_per_story"], 0) for k in labels],
    ]
    print(table(["measure", *labels], rows))
    print()
    kinds = list(next(iter(results.values()))["queries"])
    rows = []
    for kind in kinds:
        row = [kind]
        for k in labels:
            q = results[k]["queries"][kind]
            row.append(
                f"{_cell(q['p50_ms'])} / {_cell(q['p99_ms'])} ms, {q['mean_matches']['median']:,.0f}"
            )
        rows.append(row)
    print(table(["search: p50 / p99, matches", *labels], rows))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=100, help="per kind and run")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--large", type=int, default=0, help="one more run at N stories")
    parser.add_argument("--large-postgres", action="store_true")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL")
    args = parser.parse_args(argv)
    url = (
        args.postgres
        or os.environ.get("WIREDESK_ARCHIVE_URL")
        or os.environ.get("WIREDESK_TEST_POSTGRES_URL")
    )
    kinds = [k for k in args.engines.split(",") if k and (k != "postgres" or url)]
    if "postgres" in args.engines and not url:
        print(
            "PostgreSQL skipped: no --postgres, WIREDESK_ARCHIVE_URL or WIREDESK_TEST_POSTGRES_URL"
        )
    made = time.perf_counter()
    stories = make_stories(max(args.stories, args.large))
    print(f"{len(stories):,} stories made in {time.perf_counter() - made:.0f} s")
    results: dict[str, dict[str, Any]] = {}
    sets: list[tuple[str, int, int]] = [(k, args.stories, args.runs) for k in kinds]
    if args.large:
        sets += [(k, args.large, 1) for k in kinds if k == "sqlite" or args.large_postgres]
    for kind, count, runs in sets:
        label = f"{kind} {count // 1000}k"
        per_run = []
        for i in range(runs):
            per_run.append(one_run(kind, url, stories[:count], args.batch, args.queries))
            print(
                f"  {label} run {i + 1}: {per_run[-1]['ingest_per_s']:,.0f} stories/s", flush=True
            )
        results[label] = summarise(per_run)
    print(
        f"\nmedians of runs (min-max); {args.queries} searches per kind and run, "
        f"page of 20, batches of {args.batch}\n"
    )
    print_tables(results)
    report = {"when": datetime.now(UTC).isoformat(), "settings": vars(args), "results": results}
    RESULTS.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
