"""bench.query: the editors' queries on a full retention window.

Loads a window of invented stories (default 100,000) through the real ``Store.publish_many``
(the publish script, pipelined), so the indexes are the ones publish maintains, then asks the
running API over HTTP, as editors do, for each kind of query: the latest page, one filter,
two or three filters combined, a keyword search, and facet counts. Prints p50/p99 per kind
(medians of several runs, with min-max) and writes bench/results/query.json.

Run: ``python -m bench.query [--stories N] [--runs R] [--queries Q]``. Uses REDIS_URL when
set, else an embedded Valkey.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.pipeline import redis_server
from bench.report import RESULTS, percentile, spread, table
from schemas import (
    Dateline,
    DedupeVerdict,
    EventType,
    PubStatus,
    StoryEvent,
    Subject,
    Tag,
    TaggedStory,
    TagType,
    Verdict,
)
from services.localstack import LocalStack, editor_auth
from workers.settings import Settings
from workers.store import Store, connect

__all__ = ["main"]

OUT = RESULTS / "query.json"
FEEDS = ["reuters", "ap", "afp", "dpa", "efe", "ansa", "kyodo", "upi", "wire"]
LANGS = ["en"] * 14 + ["fr", "fr", "de", "de", "es", "it", "ja"]
TOPICS = [f"{n:02d}000000" for n in range(1, 18)]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    letters = "abcdefghiklmnoprstuvwy"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(size)]


class Corpus:
    """Invented stories with skewed tags, as a desk's week looks: a few places, people and
    topics in most stories, a long tail of rare ones; English most of the time."""

    def __init__(self, seed: int = 6) -> None:
        rng = random.Random(seed)
        self.rng = rng
        self.words = _vocabulary(rng, 4000)
        self.places = [(w.title(), w[:2].upper()) for w in _vocabulary(rng, 300)]
        self.people = [f"{a.title()} {b.title()}" for a, b in zip(
            _vocabulary(rng, 800), _vocabulary(rng, 800), strict=True)]  # fmt: skip
        self.orgs = [f"{w.title()} Group" for w in _vocabulary(rng, 300)]

    def pick(self, items: list, skew: float = 1.2):
        """Zipf-like: low indexes are common."""
        index = min(len(items) - 1, int(self.rng.paretovariate(skew)) - 1)
        return items[index]

    def text(self, n: int) -> str:
        return " ".join(self.pick(self.words, 0.9) for _ in range(n))

    def story(self, n: int, received: datetime) -> TaggedStory:
        r = self.rng
        place, code = self.pick(self.places)
        tags = [Tag(type=TagType.place, name=place, code=code, relevance=0.9)]
        tags += [
            Tag(type=TagType.person, name=self.pick(self.people), relevance=0.5)
            for _ in range(r.randint(0, 3))
        ]
        tags += [
            Tag(type=TagType.organisation, name=self.pick(self.orgs), relevance=0.4)
            for _ in range(r.randint(0, 2))
        ]
        topic = self.pick(TOPICS, 0.8)
        tags.append(Tag(type=TagType.topic, name=f"topic {topic}", scheme="medtop",
                        code=topic, relevance=0.7))  # fmt: skip
        status, until = PubStatus.usable, None
        if r.random() < 0.03:
            status = PubStatus.embargoed
            until = received + timedelta(hours=r.choice([-30, 30]))
        feed = self.pick(FEEDS, 1.5)
        return TaggedStory(
            story_id=f"st_bench{n:08d}",
            receipt_id=f"rc_bench{n:08d}",
            feed=feed,
            format="ninjs",
            agency=feed.upper(),
            urgency=min(9, int(r.paretovariate(1.0)) + 1),
            status=status,
            embargoed_until=until,
            headline=self.text(8),
            slugline=self.text(2).upper(),
            lede=self.text(30),
            body=[self.text(40)],
            language=r.choice(LANGS),
            dateline=Dateline(text=f"{place.upper()} ({feed})", place=place),
            subjects=[Subject(scheme="medtop", code=topic)],
            tags=tags,
            received_at=received,
            body_hash=f"{n:032x}",
            verdict=DedupeVerdict(verdict=Verdict.new, reason="bench"),
        )


def load(store: Store, corpus: Corpus, stories: int, batch: int = 500) -> dict:
    """Publish the window oldest first over six days, then kill 3% of it."""
    now = datetime.now(UTC)
    span = timedelta(days=6).total_seconds()
    started = time.perf_counter()
    sample: list[TaggedStory] = []
    for first in range(0, stories, batch):
        items = []
        for n in range(first, min(stories, first + batch)):
            received = now - timedelta(seconds=span * (1 - n / stories))
            story = corpus.story(n, received)
            event = StoryEvent(type=EventType.published, story_id=story.story_id, version=1,
                               receipt_id=story.receipt_id, feed=story.feed,
                               occurred_at=received, story=story)  # fmt: skip
            items.append((story, event))
            if n % 97 == 0:
                sample.append(story)
        store.publish_many(items)
    kills = []
    for story in corpus.rng.sample(sample, k=min(len(sample), max(1, stories * 3 // 100 // 1))):
        kill = story.model_copy(update={
            "receipt_id": f"{story.receipt_id}k", "version": 2, "status": PubStatus.canceled,
            "verdict": DedupeVerdict(verdict=Verdict.kill, of_story=story.story_id, reason="k"),
        })  # fmt: skip
        kills.append((kill, StoryEvent(type=EventType.killed, story_id=kill.story_id, version=2,
                                       receipt_id=kill.receipt_id, feed=kill.feed,
                                       occurred_at=now, story=kill)))  # fmt: skip
    store.publish_many(kills)
    return {"stories": stories, "killed": len(kills), "seconds": time.perf_counter() - started}


def query_kinds(corpus: Corpus) -> dict[str, Callable[[random.Random], dict]]:
    """Each kind makes a random query of its sort, with values drawn like editors would."""

    def single(r: random.Random) -> dict:
        family = r.choice(["place", "topic", "feed", "lang", "priority", "person", "org"])
        value = {
            "place": lambda: corpus.pick(corpus.places)[0],
            "topic": lambda: "medtop:" + corpus.pick(TOPICS, 0.8),
            "feed": lambda: r.choice(FEEDS),
            "lang": lambda: r.choice(LANGS),
            "priority": lambda: str(r.randint(1, 5)),
            "person": lambda: corpus.pick(corpus.people),
            "org": lambda: corpus.pick(corpus.orgs),
        }[family]()
        return {family: value}

    def combined(r: random.Random) -> dict:
        params: dict = {}
        while len(params) < r.choice([2, 3]):
            params.update(single(r))
        return params

    def search(r: random.Random) -> dict:
        words = [corpus.pick(corpus.words, 0.9) for _ in range(r.choice([1, 1, 2]))]
        return {"q": " ".join(words)}

    return {
        "latest": lambda r: {},
        "single filter": single,
        "combined filters": combined,
        "keyword search": search,
        "facets": lambda r: r.choice([{}, single(r), combined(r)]),
    }


def measure(api: str, kinds: dict, queries: int, seed: int) -> dict[str, dict]:
    r = random.Random(seed)
    out = {}
    with httpx.Client(base_url=api, headers=editor_auth(), timeout=30) as client:
        for kind, make in kinds.items():
            path = "/v1/stories/facets" if kind == "facets" else "/v1/stories"
            times, returned = [], []
            for _ in range(queries):
                params = make(r)
                if kind != "facets":
                    params["limit"] = 20
                started = time.perf_counter()
                response = client.get(path, params=params)
                times.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                body = response.json()
                returned.append(body["counted"] if kind == "facets" else len(body["stories"]))
            out[kind] = {
                "p50_ms": percentile(times, 50),
                "p99_ms": percentile(times, 99),
                "mean_returned": sum(returned) / len(returned),
            }
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=300, help="per kind and run")
    args = parser.parse_args(argv)
    corpus = Corpus()
    with redis_server() as url:
        stack = LocalStack(redis_url=url, log_dir=Path(tempfile.mkdtemp(prefix="wd-bench-")))
        stack.start()  # /readyz waits for a worker; the load goes through Store directly
        try:
            client = connect(url)
            before = client.info("memory")["used_memory"]
            store = Store(client, Settings(redis_url=url, key_prefix=stack.prefix))
            loaded = load(store, corpus, args.stories)
            loaded["redis_bytes_per_story"] = (client.info("memory")["used_memory"] - before) / (
                args.stories
            )
            kinds = query_kinds(corpus)
            measure(stack.api_url, kinds, 20, seed=0)  # warm the API and the script cache
            runs = [
                measure(stack.api_url, kinds, args.queries, seed=1 + i) for i in range(args.runs)
            ]
            client.close()
        finally:
            stack.stop()
    result: dict = {"when": datetime.now(UTC).isoformat(), "load": loaded, "kinds": {}}
    rows = []
    for kind in runs[0]:
        p50 = spread([run[kind]["p50_ms"] for run in runs])
        p99 = spread([run[kind]["p99_ms"] for run in runs])
        got = spread([run[kind]["mean_returned"] for run in runs])
        result["kinds"][kind] = {"p50_ms": p50, "p99_ms": p99, "mean_returned": got}
        rows.append([
            kind,
            f"{p50['median']:.1f} ({p50['min']:.1f}-{p50['max']:.1f})",
            f"{p99['median']:.1f} ({p99['min']:.1f}-{p99['max']:.1f})",
            f"{got['median']:.0f}",
        ])  # fmt: skip
    result["settings"] = {"runs": args.runs, "queries_per_kind": args.queries, "page": 20}
    print(
        f"{args.stories:,} stories loaded through Store.publish_many in {loaded['seconds']:.0f} s "
        f"({loaded['redis_bytes_per_story']:.0f} B of Redis each); "
        f"{args.runs} runs x {args.queries} HTTP queries per kind; ms, median (min-max) of runs"
    )
    header = ["query", "p50 ms", "p99 ms", "stories (facets: counted)"]
    print(table(header, rows))
    RESULTS.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
