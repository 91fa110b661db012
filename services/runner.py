"""`make run`: the whole service on one machine, for development and demonstration.

Starts an embedded Valkey (unless REDIS_URL is set), the API under uvicorn and a Celery worker
as real processes, pushes every story in ``seeds/`` through the HTTP ingest API, writes where
the stack is to ``<data_dir>/stack.json`` for the CLI (services/stackfile.py), prints where to
look, and stops everything it started on Ctrl-C (removing the stack file).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx
import redis

from services import stackfile
from services.pollers.runner import start_pollers
from services.processes import ManagedProcess, free_port, start_api, start_worker, wait_for_http
from services.redis_server import EmbeddedValkey
from services.webhooks.dispatcher import start_dispatcher
from workers.errors import StoreUnavailableError
from workers.keys import Keys
from workers.settings import Settings, get_settings
from workers.store.client import connect, redis_errors

__all__ = ["feed_for_seed", "main", "push_seeds", "wait_for_receipts"]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def feed_for_seed(path: Path, settings: Settings) -> str:
    """Seeds are named ``<agency>-<date>-<slug>.<ext>``; the agency names the feed."""
    agency = path.name.split("-", 1)[0].lower()
    return agency if agency in settings.feed_tokens else next(iter(settings.feed_tokens))


def push_seeds(api_url: str, settings: Settings, seeds: Path = SEEDS) -> list[dict]:
    results = []
    with httpx.Client(base_url=api_url, timeout=30) as client:
        for path in sorted(
            p for p in seeds.iterdir() if p.is_file() and not p.name.startswith(".")
        ):
            feed = feed_for_seed(path, settings)
            response = client.post(
                f"/v1/ingest/{feed}",
                content=path.read_bytes(),
                headers={"Authorization": f"Bearer {settings.feed_tokens[feed]}"},
            )
            results.append(
                {
                    "seed": path.name,
                    "feed": feed,
                    "status": response.status_code,
                    "answer": response.json(),
                }
            )
    return results


def wait_for_receipts(
    api_url: str, receipt_ids: list[str], timeout: float = 60.0
) -> dict[str, str]:
    """Poll the receipts until each has left the pipeline; return receipt id -> state."""
    settled = {"published", "duplicate", "quarantined"}
    states: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    editors = get_settings().editor_tokens
    headers = {"Authorization": f"Bearer {editors[0]}"} if editors else {}
    with httpx.Client(base_url=api_url, timeout=10, headers=headers) as client:
        while time.monotonic() < deadline:
            for rid in receipt_ids:
                if states.get(rid) not in settled:
                    states[rid] = client.get(f"/v1/receipts/{rid}").json().get("state", "?")
            if all(s in settled for s in states.values()):
                break
            time.sleep(0.2)
    return states


def _say(message: str = "") -> None:
    print(message, flush=True)


def main() -> int:
    """Run the whole service until Ctrl-C (0) or a child's death (1); 2 without Redis."""
    settings = get_settings()
    # SIGTERM ends the run as Ctrl-C does, from the start: whatever started is stopped and the
    # stack file removed, even when it comes while the seeds are still going in.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    logs = _make_dirs(settings)
    valkey, redis_url = _start_redis(settings)
    problem = _unreachable(redis_url)
    if problem is not None:
        _say(f"error: cannot reach Redis at {redis_url}: {problem}")
        if valkey:
            valkey.stop()
        return 2

    port = _api_port(settings)
    env = {**os.environ, "REDIS_URL": redis_url, "WIREDESK_LOG_JSON": "true"}
    # Filled as each child starts, so that whatever started is stopped, however main ends.
    children: list[ManagedProcess] = []
    try:
        _start_workers(children, env, settings, logs)
        api_url = _start_api(children, env, settings, port, logs)
        # Written as soon as the API answers, so the CLI finds this stack while seeds go in.
        stackfile.write(settings, api_url=api_url, redis_url=redis_url)
        _start_pollers(children, env, settings, logs)
        _push_and_report(api_url, settings)
        _say_where_to_look(api_url, redis_url, settings, logs)
        return _watch(children, logs)
    except KeyboardInterrupt:
        return 0
    except SystemExit:
        return 0
    finally:
        stackfile.remove(_stack_file(settings))
        _stop_all(children, valkey)


def _make_dirs(settings: Settings) -> Path:
    """The data directory and its logs directory; returns the latter."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    logs = settings.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    return logs


def _start_redis(settings: Settings) -> tuple[EmbeddedValkey | None, str]:
    """The configured Redis, or an embedded Valkey started for this run (returned to stop)."""
    if settings.redis_url is not None:
        return None, settings.redis_url
    valkey = EmbeddedValkey(settings.data_dir / "valkey", persist=True, port=settings.valkey_port)
    redis_url = valkey.start()
    _say(f"embedded Valkey on {redis_url} (data in {settings.data_dir / 'valkey'})")
    return valkey, redis_url


def _unreachable(redis_url: str) -> Exception | None:
    """Why Redis cannot be reached, or None when it answers a PING."""
    try:
        with redis_errors():
            connect(redis_url, connect_timeout=3).ping()
    except StoreUnavailableError as exc:
        return exc
    except redis.RedisError as exc:  # it answered, but refused us (a password, say)
        return exc
    return None


def _api_port(settings: Settings) -> int:
    """The configured port when it is free, else any free one: a second `make run` still starts."""
    try:
        with socket.socket() as sock:
            sock.bind((settings.api_host, settings.api_port))
    except OSError:
        port = free_port(settings.api_host)
        _say(f"port {settings.api_port} is taken; the API uses {port}")
        return port
    return settings.api_port


def _start_workers(
    children: list[ManagedProcess], env: dict[str, str], settings: Settings, logs: Path
) -> None:
    children.append(
        start_worker(
            env,
            queue=settings.pipeline_queue,
            concurrency=settings.worker_concurrency,
            log=logs / "worker.log",
        )
    )
    # Backfills get workers of their own, at lower CPU priority, so a flash never queues
    # behind them.
    children.append(
        start_worker(
            env,
            queue=settings.bulk_queue,
            concurrency=settings.bulk_concurrency,
            name="wiredesk-bulk",
            log=logs / "worker-bulk.log",
            nice=10,
        )
    )
    # Webhooks: the dispatcher runs only when subscribers are configured (services/webhooks).
    if settings.webhooks:
        children.append(start_dispatcher(env, log=logs / "webhooks.log"))
        _say(f"webhooks:    {len(settings.webhooks)} subscriber(s), log {logs}/webhooks.log")


def _start_api(
    children: list[ManagedProcess],
    env: dict[str, str],
    settings: Settings,
    port: int,
    logs: Path,
) -> str:
    """Start the API and wait until it is ready; returns its URL."""
    api_url = f"http://{settings.api_host}:{port}"
    # Links the API hands out (a receipt's status_url) name the port it really took.
    env = {"WIREDESK_PUBLIC_BASE_URL": api_url, **env}
    api = start_api(env, host=settings.api_host, port=port, log=logs / "api.log")
    children.append(api)
    wait_for_http(f"{api_url}/readyz", process=api)
    return api_url


def _start_pollers(
    children: list[ManagedProcess], env: dict[str, str], settings: Settings, logs: Path
) -> None:
    # Pull feeds: only when a feeds file is configured (services/pollers).
    feeds_config = settings.feeds_config or (ROOT / "feeds.toml")
    if feeds_config.is_file() or settings.feeds_config is not None:
        children.append(start_pollers(env, config=feeds_config.resolve(), log=logs / "pollers.log"))
        _say(f"pollers:     feeds from {feeds_config}, logs in {logs}/pollers.log")


def _push_and_report(api_url: str, settings: Settings) -> None:
    """Push the seeds, wait for them to leave the pipeline, and print each item's state."""
    results = push_seeds(api_url, settings)
    receipt_ids = [
        ref["receipt_id"] for r in results if r["status"] == 202 for ref in r["answer"]["receipts"]
    ]
    states = wait_for_receipts(api_url, receipt_ids)
    _say(f"pushed {len(results)} seed files ({len(receipt_ids)} items):")
    for r in results:
        for ref in r["answer"].get("receipts", []):
            state = states.get(ref["receipt_id"], "?")
            _say(f"  {r['feed']:<8} {r['seed']:<52} {ref['receipt_id']}  {state}")
        if r["status"] != 202:
            _say(f"  {r['feed']:<8} {r['seed']:<52} refused {r['status']}: {r['answer']}")
    counts = {s: list(states.values()).count(s) for s in sorted(set(states.values()))}
    _say("  " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    _say()


def _say_where_to_look(api_url: str, redis_url: str, settings: Settings, logs: Path) -> None:
    _say(f"API:         {api_url}   (OpenAPI docs at {api_url}/docs)")
    editor = settings.editor_tokens[0] if settings.editor_tokens else "EDITOR_TOKEN"
    _say(f"stories:     curl -s -H 'Authorization: Bearer {editor}' '{api_url}/v1/stories?limit=5'")
    _say(f"stream:      {Keys(settings.key_prefix).stories_stream}  (XREAD on {redis_url})")
    _say(f"logs:        {logs}/api.log, {logs}/worker.log, {logs}/worker-bulk.log")
    _say(f"CLI:         .venv/bin/wiredesk stories  (finds this stack in {_stack_file(settings)})")
    _say("Ctrl-C stops everything.")


def _stack_file(settings: Settings) -> Path:
    return settings.data_dir / stackfile.FILENAME


def _watch(children: list[ManagedProcess], logs: Path) -> int:
    """Wait until a child dies (1) or SIGTERM/Ctrl-C ends the run (main returns 0; main set
    the SIGTERM handler)."""
    while all(child.alive() for child in children):
        time.sleep(1)
    dead = [c.name for c in children if not c.alive()]
    _say(f"error: {', '.join(dead)} exited; see {logs}")
    return 1


def _stop_all(children: list[ManagedProcess], valkey: EmbeddedValkey | None) -> None:
    _say("\nstopping…")
    for child in reversed(children):
        child.stop()
    if valkey:
        valkey.stop()


if __name__ == "__main__":
    sys.exit(main())
