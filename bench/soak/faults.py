"""The faults the soak injects into a running stack, and the supervisor that brings back
whatever dies without being told to.

Each fault is a function of the ``Rig`` (the embedded Valkey, the stack and the feeds) that
returns once the fault is over; its end is the moment it was undone:

    worker_kill      SIGKILL one pool process of the single-story worker and one of the bulk
                     worker, each the busiest (most CPU in the last 0.2 s), so each dies
                     mid-stage; Celery's parent starts new ones. Ends at the kill.
    group_kill       SIGKILL a worker's whole process group (parent and pool), the
                     single-story worker and the bulk worker in turn; started again after
                     ``down`` seconds. Ends when it is started (its boot counts as recovery).
    api_kill_single  a burst of concurrent single-door posts, the API SIGKILLed as soon as a
                     quarter of the burst's receipts are in Redis (so requests are between
                     storing and queuing), started again on the same port after ``down``
                     seconds. Ends when it answers /readyz.
    api_kill_bulk    the same with a burst of bulk requests (one per feed), killed as soon as
                     the first receipt of the burst is in Redis.
    valkey_kill      SIGKILL Valkey (AOF on), started again on the same port from the same
                     data after ``down`` seconds. Ends when it answers PING.
    maxmemory        CONFIG SET maxmemory to the memory in use (noeviction: writes refused as
                     out of memory), held ``hold`` seconds, then set back. Ends when set back.

The supervisor stands for what runs the processes in production (Kubernetes, systemd): a
process that exits while no fault is acting on it is written down as an unplanned exit, with
its exit code and the last lines of its log, and started again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from bench.soak.feed import Ledger, push_bulk, push_single
from bench.soak.items import Item
from services.localstack import LocalStack
from services.processes import ManagedProcess
from services.redis_server import EmbeddedValkey

__all__ = ["FAULT_KINDS", "FaultRecord", "Rig", "Supervisor", "inject"]

FAULT_KINDS = (
    "worker_kill",
    "api_kill_single",
    "group_kill",
    "api_kill_bulk",
    "maxmemory",
    "valkey_kill",
)


@dataclass
class FaultRecord:
    index: int
    kind: str
    target: str
    started: float
    ended: float
    note: str = ""


@dataclass
class Rig:
    valkey: EmbeddedValkey
    stack: LocalStack
    ledger: Ledger
    down: float
    hold: float
    give_up_after: float
    # Held by a fault while it acts, so the supervisor leaves its processes alone.
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Threads a fault started (its burst's posts), joined before the count.
    threads: list[threading.Thread] = field(default_factory=list)
    group_kills: int = 0

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.valkey.url, socket_timeout=5, socket_connect_timeout=2)


@contextlib.contextmanager
def _acting(rig: Rig) -> Iterator[None]:
    with rig.lock:
        yield


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1
    return int(fields[11]) + int(fields[12])  # utime + stime


def _busiest_child(proc: ManagedProcess, *, tries: int = 10) -> tuple[int | None, int]:
    """The pool process that used the most CPU over 0.2 s, and how many ticks; looked at again
    (up to ``tries`` times) while all are idle, since a busy one is the one mid-stage."""
    pid, ticks = None, 0
    for _ in range(tries):
        before = {child: _cpu_ticks(child) for child in proc.children()}
        time.sleep(0.2)
        used = {child: _cpu_ticks(child) - t for child, t in before.items() if t >= 0}
        if used:
            pid = max(used, key=lambda child: used[child])
            ticks = used[pid]
            if ticks:
                break
    return pid, ticks


def worker_kill(rig: Rig, index: int) -> FaultRecord:
    started = time.monotonic()
    notes = []
    for name, proc in (("pipeline", rig.stack.worker), ("bulk", rig.stack.bulk_worker)):
        assert proc is not None
        pid, ticks = _busiest_child(proc)
        if pid is None:
            notes.append(f"{name}: no pool process")
            continue
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        notes.append(f"{name} pool pid {pid} ({'busy' if ticks else 'idle'})")
    return FaultRecord(index, "worker_kill", "pool process of each worker", started,
                       time.monotonic(), "; ".join(notes))  # fmt: skip


def group_kill(rig: Rig, index: int) -> FaultRecord:
    which = ("pipeline", rig.stack.worker) if rig.group_kills % 2 == 0 else (
        "bulk", rig.stack.bulk_worker)  # fmt: skip
    rig.group_kills += 1
    name, proc = which
    assert proc is not None
    with _acting(rig):
        started = time.monotonic()
        proc.kill(signal.SIGKILL)
        proc.proc.wait(timeout=10)
        time.sleep(rig.down)
        proc.restart()
        ended = time.monotonic()
    return FaultRecord(index, "group_kill", f"{name} worker", started, ended,
                       f"parent and pool SIGKILLed, restarted after {rig.down:g} s")  # fmt: skip


def _stored(client: redis.Redis, rig: Rig, items: list[Item]) -> int:
    """How many of ``items`` have a receipt in Redis already."""
    with client.pipeline(transaction=False) as pipe:
        for item in items:
            pipe.exists(rig.stack.keys.receipt(item.receipt_id))
        return sum(pipe.execute())


def _burst(rig: Rig, groups: list[Callable[[httpx.Client], None]]) -> None:
    """Start each push of a burst in a thread of its own, all at once."""
    start = threading.Barrier(len(groups))

    def one(work: Callable[[httpx.Client], None]) -> None:
        with httpx.Client(timeout=30) as client:
            start.wait()
            work(client)

    for work in groups:
        thread = threading.Thread(target=one, args=(work,), daemon=True)
        thread.start()
        rig.threads.append(thread)


def _kill_api_when(rig: Rig, items: list[Item], enough: int) -> tuple[int, bool]:
    """SIGKILL the API once ``enough`` of ``items`` are stored (or after 5 s); how many were
    stored at the kill and whether the kill came before all were."""
    assert rig.stack.api is not None
    client = rig.client()
    deadline = time.monotonic() + 5
    stored = 0
    try:
        while time.monotonic() < deadline:
            stored = _stored(client, rig, items)
            if stored >= enough:
                break
            time.sleep(0.002)
    finally:
        client.close()
    rig.stack.api.kill(signal.SIGKILL)
    return stored, stored < len(items)


def api_kill_single(rig: Rig, index: int, burst: list[Item]) -> FaultRecord:
    ledger, give_up = rig.ledger, rig.give_up_after

    def post(item: Item) -> Callable[[httpx.Client], None]:
        return lambda client: push_single(
            client, rig.stack.api_url, item, ledger, give_up_at=time.monotonic() + give_up
        )

    with _acting(rig):
        started = time.monotonic()
        _burst(rig, [post(item) for item in burst])
        stored, midway = _kill_api_when(rig, burst, max(1, len(burst) // 4))
        assert rig.stack.api is not None
        rig.stack.api.proc.wait(timeout=10)
        time.sleep(rig.down)
        rig.stack.restart_api()
        ended = time.monotonic()
    return FaultRecord(index, "api_kill_single", "API, single door", started, ended,
                       f"{len(burst)} concurrent posts, killed with {stored} stored"
                       + ("" if midway else " (all stored: late)"))  # fmt: skip


def api_kill_bulk(rig: Rig, index: int, burst: list[Item]) -> FaultRecord:
    ledger, give_up = rig.ledger, rig.give_up_after
    by_feed: dict[str, list[Item]] = {}
    for item in burst:
        by_feed.setdefault(item.feed, []).append(item)

    def post(items: list[Item]) -> Callable[[httpx.Client], None]:
        return lambda client: push_bulk(
            client, rig.stack.api_url, items, ledger, give_up_at=time.monotonic() + give_up
        )

    with _acting(rig):
        started = time.monotonic()
        _burst(rig, [post(items) for items in by_feed.values()])
        stored, midway = _kill_api_when(rig, burst, 1)
        assert rig.stack.api is not None
        rig.stack.api.proc.wait(timeout=10)
        time.sleep(rig.down)
        rig.stack.restart_api()
        ended = time.monotonic()
    return FaultRecord(index, "api_kill_bulk", "API, bulk door", started, ended,
                       f"{len(by_feed)} concurrent batches of {len(burst)} items, killed with "
                       f"{stored} stored" + ("" if midway else " (all stored: late)"))  # fmt: skip


def valkey_kill(rig: Rig, index: int) -> FaultRecord:
    with _acting(rig):
        started = time.monotonic()
        rig.valkey.kill()
        time.sleep(rig.down)
        rig.valkey.start()
        ended = time.monotonic()
    return FaultRecord(index, "valkey_kill", "Valkey (AOF)", started, ended,
                       f"SIGKILL, restarted on the same port after {rig.down:g} s")  # fmt: skip


def maxmemory(rig: Rig, index: int) -> FaultRecord:
    client = rig.client()
    try:
        with _acting(rig):
            before = str(client.config_get("maxmemory").get("maxmemory") or "0")
            used = int(client.info("memory")["used_memory"])
            started = time.monotonic()
            client.config_set("maxmemory", used)
            time.sleep(rig.hold)
            client.config_set("maxmemory", before)
            ended = time.monotonic()
    finally:
        client.close()
    return FaultRecord(index, "maxmemory", "Valkey memory", started, ended,
                       f"maxmemory {used / 1e6:.1f} MB (in use) for {rig.hold:g} s, then "
                       f"{before}")  # fmt: skip


def inject(rig: Rig, kind: str, index: int, burst: list[Item]) -> FaultRecord:
    if kind == "api_kill_single":
        return api_kill_single(rig, index, burst)
    if kind == "api_kill_bulk":
        return api_kill_bulk(rig, index, burst)
    plain: dict[str, Callable[[Rig, int], FaultRecord]] = {
        "worker_kill": worker_kill,
        "group_kill": group_kill,
        "valkey_kill": valkey_kill,
        "maxmemory": maxmemory,
    }
    return plain[kind](rig, index)


@dataclass
class Exit:
    name: str
    at: float
    code: int | None
    last_lines: list[str]


class Supervisor:
    """Brings back any process that exited while no fault was acting, noting each exit."""

    def __init__(self, rig: Rig, logs: dict[str, Path], *, interval: float = 0.5):
        self._rig = rig
        self._logs = logs
        self._interval = interval
        self._stop = threading.Event()
        self.exits: list[Exit] = []
        self._thread = threading.Thread(target=self._run, name="soak-supervisor", daemon=True)

    def start(self) -> Supervisor:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _tail(self, name: str) -> list[str]:
        path = self._logs.get(name)
        if path is None or not path.exists():
            return []
        with open(path, "rb") as log:
            log.seek(max(0, path.stat().st_size - 4000))
            return [line.decode(errors="replace") for line in log.read().splitlines()[-3:]]

    def check(self) -> None:
        rig = self._rig
        if not rig.lock.acquire(blocking=False):
            return
        try:
            stack = rig.stack
            for name, proc in (("api", stack.api), ("pipeline worker", stack.worker),
                               ("bulk worker", stack.bulk_worker)):  # fmt: skip
                if proc is not None and not proc.alive():
                    code = proc.proc.returncode
                    self.exits.append(Exit(name, time.monotonic(), code, self._tail(name)))
                    if name == "api":
                        stack.restart_api()
                    else:
                        proc.restart()
            if not rig.valkey.alive():
                self.exits.append(Exit("valkey", time.monotonic(), None, []))
                rig.valkey.start()
        finally:
            rig.lock.release()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.check()
            except Exception as exc:  # the supervisor must outlive what it watches
                self.exits.append(Exit("supervisor", time.monotonic(), None, [repr(exc)]))
