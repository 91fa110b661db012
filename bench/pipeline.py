"""The pipeline beside its own ceiling, in one run.

- ceiling: the four stage functions (normalise, dedupe, tag, publish with their Redis calls)
  in one process on one core, over the realistic corpus of ``bench.corpus``;
- single-story latency: stories pushed one by one over HTTP at a steady rate through the real
  API and workers, from the request to the event on the stream;
- resident memory of the worker and API processes after the run.

Every run counts events per receipt: a story lost or published twice fails the benchmark.
Run: ``python -m bench.pipeline [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import redis

from bench.corpus import FORMATS, make_corpus, make_story
from bench.report import RESULTS, percentile, rss_of_tree, spread, table
from services.localstack import LocalStack
from services.redis_server import EmbeddedValkey
from workers.settings import Settings
from workers.stages.dedupe import dedupe
from workers.stages.normalise import normalise
from workers.stages.publish import build_event
from workers.stages.tag import tag
from workers.store import Store, connect
from workers.tagging import warm_up

__all__ = ["ceiling", "latency", "main"]


@contextmanager
def redis_server() -> Iterator[str]:
    """REDIS_URL when set, else an embedded Valkey for the length of the benchmark."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    with EmbeddedValkey(Path(tempfile.mkdtemp(prefix="wd-bench-")), persist=False) as server:
        yield server.url


def _clear(client: redis.Redis, prefix: str) -> None:
    for batch in _chunks(list(client.scan_iter(match=f"{prefix}*", count=5000)), 5000):
        client.delete(*batch)


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def ceiling(redis_url: str, *, stories: int, runs: int) -> dict:
    """Stories per second through the four stages in this one process, with a stage split."""
    warm_up()
    corpus = list(make_corpus(stories))
    rates: list[float] = []
    redis_ms: list[float] = []
    per_stage: dict[str, list[float]] = {"normalise": [], "dedupe": [], "tag": [], "publish": []}
    verdicts: dict[str, int] = {}
    for run in range(runs):
        settings = Settings(redis_url=redis_url, key_prefix=f"wdb{uuid.uuid4().hex[:8]}")
        # The benchmark reads Redis's own counters beside the store, on the same client.
        client = connect(redis_url)
        store = Store(client, settings)
        now = datetime.now(UTC)
        spent = dict.fromkeys(per_stage, 0.0)
        scripts_before = _script_usec(client)
        started = time.perf_counter()
        for i, (_, raw) in enumerate(corpus):
            t0 = time.perf_counter()
            story = normalise(raw, receipt_id=f"rc_c{run}x{i}", feed="wire", received_at=now)
            t1 = time.perf_counter()
            checked = dedupe(story, store=store, settings=settings)
            t2 = time.perf_counter()
            verdicts[checked.verdict.verdict.value] = (
                verdicts.get(checked.verdict.verdict.value, 0) + 1
            )
            tagged = tag(checked)
            t3 = time.perf_counter()
            store.publish(tagged, build_event(tagged))
            t4 = time.perf_counter()
            for name, cost in zip(per_stage, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                spent[name] += cost
        rates.append(len(corpus) / (time.perf_counter() - started))
        redis_ms.append((_script_usec(client) - scripts_before) / len(corpus) / 1000)
        for name in per_stage:
            per_stage[name].append(spent[name] / len(corpus) * 1000)
        events = client.xlen(store.keys.stories_stream)
        if events != len(corpus):
            raise AssertionError(f"ceiling run {run}: {events} events for {len(corpus)} stories")
        _clear(client, settings.key_prefix)
        client.close()
    return {
        "stories": len(corpus),
        "runs": runs,
        "stories_per_second": spread(rates),
        "stage_ms": {name: spread(values) for name, values in per_stage.items()},
        # Of the dedupe and publish times, what Redis spent running their scripts.
        "redis_script_ms": spread(redis_ms),
        # All 'new' says the corpus is what it claims: distinct stories, full dedupe work.
        "verdicts": verdicts,
    }


def _script_usec(client: redis.Redis) -> int:
    """Microseconds Redis has spent in EVALSHA since it started (INFO commandstats)."""
    return int(client.info("commandstats").get("cmdstat_evalsha", {}).get("usec", 0))


_RECEIPT = re.compile(rb'"receipt_id":\s*"([^"]+)"')


def _stream_end(stack: LocalStack) -> bytes:
    """The id after which this run's events will be written."""
    if not stack.redis.exists(stack.keys.stories_stream):
        return b"0-0"
    return stack.redis.xinfo_stream(stack.keys.stories_stream)["last-generated-id"]


def _events_added(stack: LocalStack) -> int:
    """Events ever written to the stories stream (trimming does not lower it)."""
    if not stack.redis.exists(stack.keys.stories_stream):
        return 0
    return int(stack.redis.xinfo_stream(stack.keys.stories_stream)["entries-added"])


def wait_published(stack: LocalStack, receipts: list[str], *, timeout: float) -> dict[str, float]:
    """When each receipt's event was written, read after the fact from its publish guard (which
    holds the stream entry id, stamped by Redis in milliseconds): nothing reads the stream while
    the run is being timed, so the measurement adds no load to the Redis it measures."""
    written: dict[str, float] = {}
    deadline = time.perf_counter() + timeout
    waiting = list(receipts)
    while waiting and time.perf_counter() < deadline:
        for start in range(0, len(waiting), 5000):
            chunk = waiting[start : start + 5000]
            guards = stack.redis.mget([stack.keys.published_guard(r) for r in chunk])
            for receipt, guard in zip(chunk, guards, strict=True):
                if guard:
                    written[receipt] = int(guard.split(b"-")[0]) / 1000
        waiting = [r for r in waiting if r not in written]
        if waiting:
            time.sleep(1)
    return written


def events_per_receipt(stack: LocalStack, after: bytes) -> dict[str, int]:
    """Events on the stream since ``after``, counted per receipt (a story published twice
    would count 2), read once the run is over."""
    counts: dict[str, int] = {}
    last = after
    while True:
        entries = stack.redis.xrange(stack.keys.stories_stream, min=b"(" + last, count=5000)
        if not entries:
            return counts
        for entry_id, fields in entries:
            last = entry_id
            found = _RECEIPT.search(fields[b"data"])
            if found:
                receipt = found[1].decode()
                counts[receipt] = counts.get(receipt, 0) + 1


def latency(stack: LocalStack, *, rate: float, seconds: float, first_serial: int) -> dict:
    """Push ``rate`` stories a second for ``seconds``; time request -> event for each."""
    after = _stream_end(stack)
    sent: dict[str, float] = {}
    count = int(rate * seconds)
    start = time.perf_counter()
    for n in range(count):
        due = start + n / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        body = make_story(first_serial + n, "plaintext")
        t0 = time.time()  # wall clock, as the stream entry ids are
        answer = stack.ingest("reuters", body)
        answer.raise_for_status()
        sent[answer.json()["receipt_id"]] = t0
    written = wait_published(stack, list(sent), timeout=120)
    time.sleep(1)  # a late second event would show here
    counts = events_per_receipt(stack, after)
    lost = [r for r in sent if r not in written]
    twice = [r for r in sent if counts.get(r, 0) > 1]
    samples = [(written[r] - t0) * 1000 for r, t0 in sent.items() if r in written]
    return {
        "stories": count,
        "rate": rate,
        "lost": len(lost),
        "published_twice": len(twice),
        "p50_ms": percentile(samples, 50),
        "p95_ms": percentile(samples, 95),
        "p99_ms": percentile(samples, 99),
        "max_ms": max(samples) if samples else None,
    }


def _ndjson(first: int, count: int) -> bytes:
    """NDJSON of ``count`` stories in the corpus's formats in turn, one JSON string a line."""
    return "\n".join(
        json.dumps(make_story(first + n, FORMATS[n % len(FORMATS)]).decode("utf-8", "replace"))
        for n in range(count)
    ).encode()


def _backfill(
    api_url: str, stories: int, first_serial: int, ready, per_request: int = 2000
) -> None:
    """Post a backfill; run in a child process. The bodies are built before ``ready`` is set:
    making 20,000 stories costs CPU that belongs to the load generator, not to the system
    measured, and on a 2-core machine it would otherwise be taken from the workers."""
    import httpx

    bodies = [
        _ndjson(first_serial + start, min(per_request, stories - start))
        for start in range(0, stories, per_request)
    ]
    ready.set()
    with httpx.Client(base_url=api_url, timeout=300) as client:
        for body in bodies:
            client.post(
                "/v1/ingest/wire/batch", content=body,
                headers={"Authorization": "Bearer dev-wire-token"},
            ).raise_for_status()  # fmt: skip


def bulk(stack: LocalStack, *, stories: int, first_serial: int, per_request: int = 2000) -> dict:
    """A backfill through ``/v1/ingest/{feed}/batch``: stories per second from the first
    request until the last event is on the stream."""
    bodies = [
        _ndjson(first_serial + start, min(per_request, stories - start))
        for start in range(0, stories, per_request)
    ]
    after = _stream_end(stack)
    started = time.time()
    receipts: list[str] = []
    for body in bodies:
        answer = stack.http.post(
            f"{stack.api_url}/v1/ingest/wire/batch", content=body,
            headers={"Authorization": "Bearer dev-wire-token"}, timeout=300,
        )  # fmt: skip
        answer.raise_for_status()
        receipts += [r["receipt_id"] for r in answer.json()["receipts"]]
    accepted = time.time()
    written = wait_published(stack, receipts, timeout=900)
    time.sleep(1)
    counts = events_per_receipt(stack, after)
    finished = max(written.values(), default=time.time())
    lost = sum(1 for r in receipts if r not in written)
    twice = sum(1 for r in receipts if counts.get(r, 0) > 1)
    return {
        "stories": len(receipts),
        "seconds": finished - started,
        "accept_seconds": accepted - started,
        "stories_per_second": len(receipts) / (finished - started),
        "lost": lost,
        "published_twice": twice,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small numbers, for a smoke run")
    args = parser.parse_args(argv)
    q = args.quick
    results: dict = {"when": datetime.now(UTC).isoformat(), "cpus": os.cpu_count()}
    with redis_server() as url:
        results["ceiling"] = ceiling(url, stories=200 if q else 1000, runs=3 if q else 5)
        log_dir = Path(tempfile.mkdtemp(prefix="wd-bench-logs-"))
        # The processes `make run` starts, with its settings' pool sizes.
        stack = LocalStack(redis_url=url, log_dir=log_dir)
        stack.start_worker(concurrency=Settings().worker_concurrency)
        stack.start(worker=False, bulk=True)
        try:
            stack.ingest("reuters", make_story(10_000_000, "plaintext"))  # warm the workers
            time.sleep(1)
            results["latency"] = latency(
                stack, rate=50, seconds=5 if q else 60, first_serial=1_000_000
            )
            runs = [
                bulk(stack, stories=2000 if q else 20_000, first_serial=2_000_000 + n * 100_000)
                for n in range(2 if q else 3)
            ]
            bulk_rate = spread([r["stories_per_second"] for r in runs])
            results["bulk"] = {
                "runs": runs,
                "stories_per_second": bulk_rate,
                "ratio_to_ceiling": bulk_rate["median"]
                / results["ceiling"]["stories_per_second"]["median"],
            }
            # A flash while a backfill runs. The backfill is sent from a process of its own, so
            # building its bodies does not hold this process's GIL while latency is timed.
            fork = multiprocessing.get_context("fork")
            ready = fork.Event()
            backfill = fork.Process(
                target=_backfill,
                args=(stack.api_url, 2000 if q else 20_000, 3_000_000, ready),
                daemon=True,
            )
            backfill.start()
            ready.wait(timeout=300)
            time.sleep(3)  # the bulk worker busy before the first flash
            added, started = _events_added(stack), time.time()
            results["latency_under_bulk"] = latency(
                stack, rate=50, seconds=5 if q else 20, first_serial=4_000_000
            )
            # What the backfill still got done meanwhile: bulk work yields to single stories.
            during = results["latency_under_bulk"]
            backfilled = _events_added(stack) - added - during["stories"]
            during["backfill_stories_per_second"] = backfilled / (time.time() - started)
            backfill.join(timeout=900)
            results["memory_mb"] = {
                "worker": rss_of_tree(stack.worker.pid),
                "bulk_worker": rss_of_tree(stack.bulk_worker.pid),
                "api": rss_of_tree(stack.api.pid),
                "worker_pool": Settings().worker_concurrency,
                "bulk_pool": Settings().bulk_concurrency,
            }
        finally:
            stack.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pipeline.json").write_text(json.dumps(results, indent=2))
    print(render(results))
    return results


def render(r: dict) -> str:
    c = r["ceiling"]
    rows = [
        ["ceiling, 4 stages in one process", f"{c['stories_per_second']['median']:,.0f} stories/s",
         f"{c['stories_per_second']['min']:,.0f}-{c['stories_per_second']['max']:,.0f}"],
    ]  # fmt: skip
    for stage, s in c["stage_ms"].items():
        rows.append([f"  {stage}", f"{s['median']:.2f} ms/story", f"{s['min']:.2f}-{s['max']:.2f}"])
    if "redis_script_ms" in c:
        rs = c["redis_script_ms"]
        rows.append(["  of which Redis running the dedupe and publish scripts",
                     f"{rs['median']:.2f} ms/story", f"{rs['min']:.2f}-{rs['max']:.2f}"])  # fmt: skip
    lat = r["latency"]
    rows.append([f"single story at {lat['rate']:.0f}/s, p50 / p95 / p99",
                 f"{lat['p50_ms']:.0f} / {lat['p95_ms']:.0f} / {lat['p99_ms']:.0f} ms",
                 f"max {lat['max_ms']:.0f} ms; {lat['stories']} stories, {lat['lost']} lost, "
                 f"{lat['published_twice']} twice"])  # fmt: skip
    b = r["bulk"]
    sps = b["stories_per_second"]
    rows.append([f"bulk end to end, {b['runs'][0]['stories']:,} stories via /batch",
                 f"{sps['median']:,.0f} stories/s",
                 f"{sps['min']:,.0f}-{sps['max']:,.0f}; {b['ratio_to_ceiling']:.2f}x the ceiling; "
                 f"{sum(x['lost'] for x in b['runs'])} lost, "
                 f"{sum(x['published_twice'] for x in b['runs'])} twice"])  # fmt: skip
    lb = r["latency_under_bulk"]
    rows.append([f"single story at {lb['rate']:.0f}/s during a bulk run, p50 / p95 / p99",
                 f"{lb['p50_ms']:.0f} / {lb['p95_ms']:.0f} / {lb['p99_ms']:.0f} ms",
                 f"max {lb['max_ms']:.0f} ms; {lb['lost']} lost, {lb['published_twice']} twice; "
                 f"backfill meanwhile {lb.get('backfill_stories_per_second', 0):.0f} stories/s"])  # fmt: skip
    mem = r["memory_mb"]
    rows.append(["resident memory after the run",
                 f"worker {mem['worker']:.0f} MB, bulk worker {mem['bulk_worker']:.0f} MB, "
                 f"API {mem['api']:.0f} MB",
                 f"parent + {mem.get('worker_pool', '?')} / + {mem.get('bulk_pool', '?')} pool "
                 "processes"])  # fmt: skip
    return table(["measure", "median of runs", "min-max / notes"], rows)


if __name__ == "__main__":
    main()
