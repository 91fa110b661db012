"""Dedupe benchmark: the labelled evaluation table, and the stage's cost on a full window.

Run: ``python -m bench.dedupe [--stories N]`` (default 1,000,000). Uses REDIS_URL when set,
else starts an embedded Valkey. Writes bench/results/dedupe.json.

The window is loaded through the real ``dedupe.lua`` (pipelined, so loading is fast) with
random signatures and body hashes: the index's memory depends on how many stories it holds,
not on their words. Every loaded story is an agency item with a version chain, as wire copy
is. Then the whole stage (fingerprint of a ~400-word story + the atomic lookup-and-record) is
timed per story on stories that are new, resends and near-duplicates of one another.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import redis

from services.redis_server import EmbeddedValkey
from workers.dedupe import Signature
from workers.dedupe.evaluation import evaluate, markdown
from workers.dedupe.evidence import Evidence
from workers.settings import Settings
from workers.stages.dedupe import dedupe
from workers.stages.normalise import normalise
from workers.store import Store
from workers.synthetic import WORDS

__all__ = ["main"]

OUT = Path(__file__).resolve().parent / "results" / "dedupe.json"
SETTINGS_SHOWN = (
    "dedupe_window_seconds",
    "dedupe_buckets",
    "minhash_perm",
    "lsh_bands",
    "lsh_rows",
    "near_dup_jaccard",
    "near_dup_containment",
    "near_dup_min_matches",
    "near_dup_min_shingles",
)
BATCH = 2000
TIMED = 2000


def _sorted16(rng: random.Random, n: int) -> bytes:
    return b"".join(v.to_bytes(2, "big") for v in sorted(rng.sample(range(65536), n)))


def _load(store: Store, n: int) -> float:
    """Fill the window with ``n`` stories through the real script. Returns seconds taken."""
    st = store.settings
    bucket_seconds = max(1, st.dedupe_window_seconds // st.dedupe_buckets)
    bucket = int(time.time() // bucket_seconds)
    rng = random.Random(7)
    started = time.perf_counter()
    for start in range(0, n, BATCH):
        calls = [
            store.dedupe_call(
                receipt_id=f"rc_{i:026x}",
                story_id=f"st_{i:024x}",
                version=1,
                has_chain=True,
                is_kill=False,
                body_hash=rng.randbytes(16).hex(),
                signature=Signature(rng.randbytes(st.minhash_perm * 2), 300),
                evidence=Evidence(_sorted16(rng, 8), _sorted16(rng, 10)),
                anchors=[],
                families=[rng.randbytes(12)],
                slug_key=rng.randbytes(12),
                now=bucket * bucket_seconds,
            )
            for i in range(start, min(n, start + BATCH))
        ]
        store.run_dedupes(calls)
    return time.perf_counter() - started


def _timed_stories(count: int) -> list:
    """~400-word stories: a third new, a third near-duplicates of those, a third resends."""
    rng = random.Random(11)
    now = datetime.now(UTC)
    out = []
    bases = []
    for n in range(count):
        kind = n % 3
        if kind == 0 or not bases:
            words = [rng.choice(WORDS) for _ in range(400)]
            bases.append(words)
        elif kind == 1:
            words = [*rng.choice(bases)]
            for _ in range(12):
                words[rng.randrange(len(words))] = rng.choice(WORDS)
        else:
            words = rng.choice(bases)
        paras = [" ".join(words[i : i + 50]) + "." for i in range(0, len(words), 50)]
        text = "BERLIN (Reuters) - " + "\n\n".join(paras)
        out.append(normalise(text.encode(), receipt_id=f"rc_t{n}", feed="reuters", received_at=now))
    return out


def _used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def run(url: str, stories: int) -> dict:
    client = redis.Redis.from_url(url)
    settings = Settings(redis_url=url, key_prefix=f"wdbench{uuid.uuid4().hex[:6]}")
    store = Store(client, settings)
    try:
        scores = evaluate(client)
        before = _used_memory(client)
        load_seconds = _load(store, stories)
        after = _used_memory(client)
        timed = _timed_stories(TIMED)
        times = []
        for story in timed:
            t = time.perf_counter()
            dedupe(story, store=store, settings=settings)
            times.append((time.perf_counter() - t) * 1000)
    finally:
        cursor = 0
        while True:
            cursor, keys = client.scan(cursor, match=f"{settings.key_prefix}*", count=5000)
            if keys:
                client.delete(*keys)
            if cursor == 0:
                break
    times.sort()
    return {
        "evaluation": {"cases": scores.cases, "per_verdict": scores.per_verdict},
        "window": {
            "stories": stories,
            "load_seconds": round(load_seconds, 1),
            "memory_bytes_per_story": round((after - before) / stories, 1),
        },
        "stage_ms": {
            "stories_timed": len(times),
            "median": round(statistics.median(times), 3),
            "p99": round(times[int(len(times) * 0.99) - 1], 3),
        },
        "settings": {k: getattr(settings, k) for k in SETTINGS_SHOWN},
        "server": client.info("server").get("server_name", "redis")
        + " "
        + str(
            client.info("server").get("valkey_version") or client.info("server")["redis_version"]
        ),
        "python": platform.python_version(),
    }, scores


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.dedupe")
    parser.add_argument("--stories", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    url = os.environ.get("REDIS_URL")
    if url:
        result, scores = run(url, args.stories)
    else:
        with tempfile.TemporaryDirectory() as tmp, EmbeddedValkey(Path(tmp), persist=False) as v:
            result, scores = run(v.url, args.stories)
    w, s = result["window"], result["stage_ms"]
    print(f"## Dedupe evaluation ({scores.cases} labelled cases)\n")
    print(markdown(scores))
    print(f"\n## Dedupe cost on a window of {w['stories']:,} stories ({result['server']})\n")
    print("| measure | value | goal |\n|---|---:|---:|")
    print(f"| stage time per story, median | {s['median']} ms | < 2 ms |")
    print(f"| stage time per story, p99 | {s['p99']} ms | |")
    print(f"| Redis memory per indexed story | {w['memory_bytes_per_story']} B | < 2048 B |")
    print(f"| window load time (pipelined) | {w['load_seconds']} s | |")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
