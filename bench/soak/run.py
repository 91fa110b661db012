"""One soak run, start to end: an embedded Valkey of its own, the stack `make run` starts (a
single-story worker, a bulk worker, the API), the feeds at both doors, the faults one after
another, then the wait until every accepted receipt is terminal or the settle time is out,
and the count."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from bench.soak.faults import FAULT_KINDS, FaultRecord, Rig, Supervisor, inject
from bench.soak.feed import Feeder, Ledger, sender
from bench.soak.items import FEEDS, Door, build_corpus
from bench.soak.tally import count
from bench.soak.watch import Watcher
from services.localstack import LocalStack
from services.processes import free_port
from services.redis_server import EmbeddedValkey
from workers.settings import Settings

__all__ = ["SoakConfig", "run"]


@dataclass
class SoakConfig:
    stories: int = 10_000
    faults: int = 20
    # Items a second over both doors; below what the pipeline keeps up with here, so what is
    # left at the end is what the faults left, not a backlog.
    rate: float = 50.0
    # Bulk work yields to single stories (the urgent mark), so while single stories flow the
    # bulk worker does a few dozen a second here: its share stays below that.
    bulk_share: float = 0.4
    # After the last fault (and the last push), how long everything gets to end.
    settle: float = 60.0
    # A killed process stays down this long before it is started again; Valkey's memory is
    # held full this long.
    down: float = 1.0
    hold: float = 5.0
    # Past the settle time, the wait goes on (``extend`` seconds at most) while receipts
    # still ended in the last ``stall`` seconds: a backlog draining.
    stall: float = 10.0
    extend: float = 60.0
    # At least this long between one fault's end and the next one's start.
    gap: float = 3.0
    # Valkey's AOF fsync policy (see bench.soak's docstring for why "always").
    appendfsync: str = "always"
    # The feeds pause while the receipts accepted in the last minute and not terminal yet
    # are more than the pipeline ends in this many seconds (and more than min_backlog): a
    # machine slower than the pace, or busy with other work, then takes longer instead of
    # piling up a queue that would read as slow recovery.
    backlog_seconds: float = 5.0
    min_backlog: int = 50
    batch: int = 50
    single_senders: int = 4
    bulk_senders: int = 2
    # A feed gives up on an item after retrying it this long (counted as never answered).
    give_up_after: float = 120.0
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int = 7
    # Settings for the stack's processes (WIREDESK_*), on top of the defaults.
    env: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None


def _burst_sizes(config: SoakConfig, schedule: list[str]) -> dict[int, tuple[Door, int]]:
    """Stories each API fault pushes itself: a burst of concurrent single posts, or one bulk
    request per feed; together at most a third of the stories."""
    single = [i for i, k in enumerate(schedule) if k == "api_kill_single"]
    bulk = [i for i, k in enumerate(schedule) if k == "api_kill_bulk"]
    want_single, want_bulk = 30, 100 * len(FEEDS)
    total = want_single * len(single) + want_bulk * len(bulk)
    scale = min(1.0, config.stories / 3 / total) if total else 1.0
    sizes: dict[int, tuple[Door, int]] = {
        i: ("single", max(4, int(want_single * scale))) for i in single
    }
    sizes.update({i: ("bulk", max(2 * len(FEEDS), int(want_bulk * scale))) for i in bulk})
    return sizes


def _memory_dir() -> str | None:
    """/dev/shm when it has room (a gigabyte: the AOF of 10,000 stories is a few hundred
    megabytes before a rewrite), else the usual temporary directory. On tmpfs an fsync costs
    nothing, so ``appendfsync always`` does not slow the pipeline down (on this machine's disk
    it made every write about 5 ms), and what it guarantees against a SIGKILL of the server,
    every answered write already handed to the kernel, holds the same."""
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 2**30:
            return str(shm)
    except OSError:
        pass
    return None


def _settings_of(env: dict[str, str]) -> dict[str, Any]:
    """The WIREDESK_* settings among ``env``, as keyword arguments of Settings."""
    return {k.removeprefix("WIREDESK_").lower(): v for k, v in env.items()
            if k.startswith("WIREDESK_")}  # fmt: skip


def _wait_for_workers(client: redis.Redis, stack: LocalStack, count: int, timeout: float) -> None:
    """Until ``count`` workers have said they are ready (the ops view's worker list)."""
    deadline = time.monotonic() + timeout
    while client.zcard(stack.keys.metrics.workers) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workers were not ready within {timeout:.0f} s")
        time.sleep(0.2)


def run(config: SoakConfig, *, progress: bool = False) -> dict[str, Any]:
    """Run the soak; every figure as a dict (``bench.soak.tally.count`` plus the run's own)."""

    def say(text: str) -> None:
        if progress:
            print(text, flush=True)

    data_dir = Path(tempfile.mkdtemp(prefix="wd-soak-valkey-", dir=_memory_dir()))
    log_dir = config.log_dir or Path(tempfile.mkdtemp(prefix="wd-soak-logs-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    valkey = EmbeddedValkey(data_dir, persist=True, port=free_port(),
                            config={"appendfsync": config.appendfsync})  # fmt: skip
    valkey.start()
    redis_url = valkey.url
    stack = LocalStack(redis_url=redis_url, log_dir=log_dir, env_overrides=config.env)
    client = redis.Redis.from_url(redis_url, socket_timeout=30, socket_connect_timeout=5)
    supervisor: Supervisor | None = None
    watcher: Watcher | None = None
    booted = time.monotonic()
    try:
        # The pool sizes `make run` uses, with the run's settings on top.
        settings = Settings(**_settings_of(config.env))
        stack.start_worker(concurrency=settings.worker_concurrency)
        stack.start_bulk_worker(concurrency=settings.bulk_concurrency)
        stack.start(worker=False)
        # Generous: on a machine busy with other work the bulk worker, at lower CPU priority,
        # can take a minute to boot.
        _wait_for_workers(client, stack, 2, timeout=180)
        say(f"stack up in {time.monotonic() - booted:.1f} s: API {stack.api_url}, Valkey "
            f"{redis_url}, logs in {log_dir}")  # fmt: skip

        schedule = [config.kinds[i % len(config.kinds)] for i in range(config.faults)]
        corpus = build_corpus(
            config.stories,
            burst_sizes=_burst_sizes(config, schedule),
            segments=config.faults + 1,
            bulk_share=config.bulk_share,
            seed=config.seed,
        )
        ledger = Ledger()
        watcher = Watcher(redis_url, stack.keys, ledger)
        rates: dict[Door, float] = {"single": config.rate * (1 - config.bulk_share),
                                    "bulk": config.rate * config.bulk_share}  # fmt: skip
        feeder = Feeder(corpus.flow, rates, held=lambda: watcher.backlog > max(
            config.min_backlog, watcher.pace * config.backlog_seconds))  # fmt: skip
        rig = Rig(valkey, stack, ledger, config.down, config.hold, config.give_up_after)
        logs = {
            "api": log_dir / f"{stack.prefix}-api.log",
            "pipeline worker": log_dir / f"{stack.prefix}-worker-w1.log",
            "bulk worker": log_dir / f"{stack.prefix}-worker-b1.log",
        }
        supervisor = Supervisor(rig, logs).start()
        watcher.start()

        started = time.monotonic()
        senders = [
            threading.Thread(
                target=sender,
                args=(door, feeder, lambda: stack.api_url, ledger),
                kwargs={"batch": config.batch, "give_up_after": config.give_up_after},
                daemon=True,
            )
            for door, n in (("single", config.single_senders), ("bulk", config.bulk_senders))
            for _ in range(n)
        ]
        for thread in senders:
            thread.start()

        records: list[FaultRecord] = []
        last_end = started
        for index, kind in enumerate(schedule):
            while not feeder.segment_taken(index) or time.monotonic() < last_end + config.gap:
                time.sleep(0.05)
            feeder.open_segment(index + 1)
            record = inject(rig, kind, index, corpus.bursts.get(index, []))
            records.append(record)
            last_end = record.ended
            say(f"fault {index + 1}/{len(schedule)} {kind} ({record.target}) at "
                f"{record.started - started:.1f} s, took {record.ended - record.started:.1f} s: "
                f"{record.note}")  # fmt: skip
        feeder.open_segment(config.faults + 1)
        for thread in senders + rig.threads:
            thread.join(timeout=config.give_up_after + 60)
        pushed = time.monotonic()
        say(f"all pushed at {pushed - started:.1f} s: {len(ledger.accepted):,} receipts "
            "accepted; waiting for them to end")  # fmt: skip

        # Until nothing is waiting, or the settle time is out. A pipeline still working
        # through a backlog (receipts ending in the last few seconds) gets up to ``extend``
        # seconds more: what is stuck is what no longer moves, not what is slow.
        quiet = max(pushed, last_end)
        deadline = quiet + config.settle
        cap = deadline + config.extend
        polls = watcher.polls
        while True:
            time.sleep(0.25)
            now = time.monotonic()
            # A look taken after the last push that found nothing waiting.
            if watcher.polls > polls + 1 and watcher.waiting == 0:
                break
            if now >= deadline and (now >= cap or watcher.last_progress < now - config.stall):
                break
        ended = time.monotonic()
        say(f"settled {ended - quiet:.1f} s after the last fault and push")
        watcher.stop()
        supervisor.stop()
        results = count(client, stack.keys, corpus, ledger, watcher.terminal_at, records,
                        supervisor.exits, started=started)  # fmt: skip
        results.update({
            "stories": config.stories,
            "seconds": round(ended - started, 1),
            "settled_in": round(ended - quiet, 1),
            "appendfsync": config.appendfsync,
            "rate": config.rate,
            "feeds_held_seconds": round(feeder.held_seconds, 1),
            "settle": config.settle,
            "env": config.env,
            "log_dir": str(log_dir),
        })  # fmt: skip
        return results
    finally:
        if watcher is not None:
            watcher.stop()
        if supervisor is not None:
            supervisor.stop()
        client.close()
        # The run's data is thrown away with its Valkey: no warm shutdown to wait for.
        for proc in [stack.api, *stack.workers]:
            if proc is not None:
                proc.kill(signal.SIGKILL)
        stack.stop(keep_data=True)
        valkey.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
