"""The live feed under an audience: many SSE clients on one API process while stories arrive.

``--clients`` live clients (raw asyncio sockets, spread over a few processes so the readers are
not the bottleneck) hold ``GET /v1/stories/live`` open with no filter, so each receives every
story; stories are posted over HTTP at ``--rate`` a second for ``--seconds``. Measured per run:
delivery latency (the POST sent -> the event read by a client, every client and story), the
deliveries that never came, and the API process's CPU seconds per story posted (user + system,
from /proc), beside a run with no live clients, whose CPU is the ingest alone.

Run: ``python -m bench.live [--clients 500 --rate 50 --seconds 20 --runs 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench.pipeline import redis_server
from bench.report import RESULTS, percentile, spread, table
from services.localstack import LocalStack
from workers.settings import DEV_EDITOR_TOKEN, Settings
from workers.synthetic import make_story

__all__ = ["main", "render", "run_once"]

_RECEIPT = re.compile(rb'"receipt_id": "(rc_[0-9a-f]+)"')
_READERS = 4  # processes holding the clients' sockets


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _client(host: str, port: int, seen: dict[bytes, list[float]], opened: list) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"GET /v1/stories/live HTTP/1.0\r\nHost: {host}\r\n"
        f"Authorization: Bearer {DEV_EDITOR_TOKEN}\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    opened.append(head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200"))
    buffer = b""
    try:
        while chunk := await reader.read(65536):
            now = time.time()
            buffer += chunk
            complete, _, buffer = buffer.rpartition(b"\n\n")
            # The first receipt id of an event is its story's (the payload's story object).
            for event in complete.split(b"\n\n"):
                found = _RECEIPT.search(event)
                if found:
                    seen.setdefault(found.group(1), []).append(now)
    finally:
        writer.close()


def _reader_process(url: str, clients: int, ready, stop, out) -> None:
    """Hold ``clients`` live connections until ``stop``; send back what each saw and when."""
    parts = urlsplit(url)

    async def run() -> None:
        seen: dict[bytes, list[float]] = {}
        opened: list[bool] = []
        tasks = []
        for _ in range(clients):
            tasks.append(asyncio.create_task(_client(parts.hostname, parts.port, seen, opened)))
            await asyncio.sleep(0.002)  # no thundering herd at connect
        while len(opened) < clients:
            await asyncio.sleep(0.05)
        ready.put(sum(opened))
        while not stop.is_set():
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        out.put({k.decode(): v for k, v in seen.items()})

    asyncio.run(run())


def run_once(stack: LocalStack, *, clients: int, rate: float, seconds: float, first: int) -> dict:
    fork = multiprocessing.get_context("fork")
    ready, out, stop = fork.Queue(), fork.Queue(), fork.Event()
    shares = [clients // _READERS + (i < clients % _READERS) for i in range(_READERS)]
    readers = [
        fork.Process(target=_reader_process, args=(stack.api_url, n, ready, stop, out))
        for n in shares
        if n
    ]
    for proc in readers:
        proc.start()
    connected = sum(ready.get(timeout=120) for _ in readers)
    time.sleep(1)
    assert stack.api is not None
    cpu_before = _cpu_seconds(stack.api.pid)
    sent: dict[str, float] = {}
    count = int(rate * seconds)
    start = time.perf_counter()
    for n in range(count):
        pause = start + n / rate - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        t0 = time.time()
        answer = stack.ingest("reuters", make_story(first + n, "plaintext"))
        answer.raise_for_status()
        sent[answer.json()["receipt_id"]] = t0
    # Every story published (read from Redis: polling the API would count in its CPU), and a
    # little longer for the last deliveries.
    deadline = time.monotonic() + 120
    for receipt_id in sent:
        key = stack.keys.receipt(receipt_id)
        while stack.redis.hget(key, "state") not in (b"published", b"duplicate", b"quarantined"):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
    time.sleep(2)
    cpu = _cpu_seconds(stack.api.pid) - cpu_before
    # Only stories editors see reach the live feed: a synthetic story the dedupe stage judged
    # a duplicate of an earlier one is not owed to anyone.
    shown = [r for r in sent if stack.redis.hget(stack.keys.receipt(r), "state") == b"published"]
    stop.set()
    seen: dict[str, list[float]] = {}
    for _ in readers:
        for receipt_id, times in out.get(timeout=120).items():
            seen.setdefault(receipt_id, []).extend(times)
    for proc in readers:
        proc.join(timeout=30)
    samples = [(t - t0) * 1000 for receipt_id, t0 in sent.items() for t in seen.get(receipt_id, [])]
    # The live feed's own share: the event on the stream (its id's time) -> a client read it.
    on_stream = _event_times(stack, set(sent))
    fanout = [(t - on_stream[r]) * 1000 for r in sent if r in on_stream for t in seen.get(r, [])]
    return {
        "clients": clients,
        "connected": connected,
        "stories": count,
        "rate": rate,
        "deliveries": len(samples),
        "shown": len(shown),
        "missed": len(shown) * connected - sum(len(seen.get(r, [])) for r in shown),
        "p50_ms": percentile(samples, 50),
        "p99_ms": percentile(samples, 99),
        "max_ms": max(samples) if samples else None,
        "fanout_p50_ms": percentile(fanout, 50),
        "fanout_p99_ms": percentile(fanout, 99),
        "api_cpu_seconds": cpu,
        "api_cpu_ms_per_story": cpu / count * 1000,
    }


def _event_times(stack: LocalStack, receipts: set[str]) -> dict[str, float]:
    """Receipt -> when its event went on the stream (the entry id's milliseconds)."""
    times = {}
    for entry_id, fields in stack.redis.xrevrange(stack.keys.stories_stream, count=50_000):
        receipt_id = json.loads(fields[b"data"]).get("receipt_id")
        if receipt_id in receipts:
            times[receipt_id] = int(entry_id.split(b"-")[0]) / 1000
    return times


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    results: dict = {"when": datetime.now(UTC).isoformat(), "cpus": os.cpu_count()}
    with redis_server() as url:
        stack = LocalStack(redis_url=url, log_dir=Path(tempfile.mkdtemp(prefix="wd-bench-")))
        stack.start_worker(concurrency=Settings().worker_concurrency)
        stack.start(worker=False)
        try:
            stack.ingest("reuters", make_story(90_000_000, "plaintext"))  # warm the workers
            time.sleep(1)
            serial = 91_000_000
            baseline = run_once(
                stack, clients=0, rate=args.rate, seconds=args.seconds, first=serial
            )
            runs = []
            for _ in range(args.runs):
                serial += 100_000
                runs.append(
                    run_once(
                        stack, clients=args.clients, rate=args.rate, seconds=args.seconds,
                        first=serial,
                    )
                )  # fmt: skip
                print(json.dumps(runs[-1]), flush=True)
        finally:
            stack.stop()
    results["baseline"] = baseline
    results["runs"] = runs
    results["summary"] = {
        key: spread([r[key] for r in runs])
        for key in (
            "p50_ms",
            "p99_ms",
            "max_ms",
            "fanout_p50_ms",
            "fanout_p99_ms",
            "api_cpu_ms_per_story",
            "missed",
        )
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "live.json").write_text(json.dumps(results, indent=2))
    print(render(results))
    return results


def render(r: dict) -> str:
    s, b, first = r["summary"], r["baseline"], r["runs"][0]

    def cell(key: str, fmt: str) -> list[str]:
        return [fmt.format(s[key]["median"]), f"{fmt.format(s[key]['min'])}-{fmt.format(s[key]['max'])}"]  # fmt: skip

    rows = [
        [f"delivery p50, {first['clients']} clients x {first['rate']:.0f} stories/s",
         *cell("p50_ms", "{:.0f} ms")],
        ["delivery p99", *cell("p99_ms", "{:.0f} ms")],
        ["delivery max", *cell("max_ms", "{:.0f} ms")],
        ["fan-out p50 (event on the stream -> client)", *cell("fanout_p50_ms", "{:.0f} ms")],
        ["fan-out p99", *cell("fanout_p99_ms", "{:.0f} ms")],
        ["deliveries missed (of clients x stories shown)", *cell("missed", "{:.0f}")],
        ["API CPU per story, with the clients", *cell("api_cpu_ms_per_story", "{:.2f} ms")],
        ["API CPU per story, no live clients (ingest only)",
         f"{b['api_cpu_ms_per_story']:.2f} ms", "one run"],
    ]  # fmt: skip
    return table(["measure", "median of runs", "min-max"], rows)


if __name__ == "__main__":
    main()
