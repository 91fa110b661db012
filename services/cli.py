"""The ``wiredesk`` command: run the service, push copy, and look at what came out.

Every subcommand except ``run`` and ``inspect`` talks to a running stack: the API at ``--api``,
else ``$WIREDESK_API_URL``, else the one `make run` wrote to ``.wiredesk/stack.json``
(services/stackfile.py), else http://127.0.0.1:8000; tokens and the Redis URL are found the
same way. So the CLI works the same against a laptop and a cluster.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import httpx

from services import stackfile
from services.consumer.command import add_parser as add_consume_parser
from services.consumer.command import cmd_consume
from services.desk.command import add_parser as add_stories_parser
from services.desk.command import cmd_stories

__all__ = [
    "build_parser",
    "cmd_ingest",
    "cmd_inspect",
    "cmd_ops",
    "cmd_quarantine",
    "cmd_receipt",
    "cmd_replay",
    "cmd_run",
    "main",
]


def _client(args: argparse.Namespace, headers: dict[str, str] | None = None) -> httpx.Client:
    return httpx.Client(base_url=args.api, timeout=30, headers=headers)


def _show(data: object) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def cmd_run(args: argparse.Namespace) -> int:
    from services.runner import main as run

    return run()


def _settings():
    from workers.settings import get_settings

    return get_settings()


def cmd_ingest(args: argparse.Namespace) -> int:
    token = stackfile.feed_token(args.feed, args.token, _settings(), args.stack)
    if not token:
        print(f"no token for feed {args.feed!r}: pass --token", file=sys.stderr)
        return 2
    if args.batch:
        return _ingest_batch(args, token)
    failed = 0
    with _client(args) as client:
        for path in args.files:
            response = client.post(
                f"/v1/ingest/{args.feed}",
                content=Path(path).read_bytes(),
                headers={"Authorization": f"Bearer {token}"},
            )
            body = response.json()
            if response.status_code == 202:
                for receipt in body["receipts"]:
                    seen = "\tduplicate receipt" if receipt["duplicate_receipt"] else ""
                    print(f"{path}\t{receipt['receipt_id']}\t{receipt['status_url']}{seen}")
            else:
                failed += 1
                print(f"{path}\t{response.status_code}\t{body.get('detail')}", file=sys.stderr)
    return 1 if failed else 0


def _ingest_batch(args: argparse.Namespace, token: str) -> int:
    """The bulk door, in chunks, with a progress bar on stderr; exit 1 if anything was refused."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from services import bulkpush

    tally = bulkpush.Tally()
    items = bulkpush.collect(args.files, tally)
    progress = Progress(
        TextColumn(f"{args.feed} batch", markup=False), BarColumn(), MofNCompleteColumn(),
        console=Console(stderr=True), transient=True,
    )  # fmt: skip
    with progress, _client(args) as client:
        bar = progress.add_task("items", total=len(items))
        bulkpush.push(
            client, args.feed, token, items, tally, max_items=args.chunk,
            advance=lambda n: progress.advance(bar, n),
        )  # fmt: skip
    for source, reason in tally.refused:
        print(f"refused\t{source}\t{reason}", file=sys.stderr)
    print(tally.summary())
    return 1 if tally.refused else 0


def _editor_headers(args: argparse.Namespace) -> dict[str, str]:
    """An editor's Authorization header: --token, $WIREDESK_EDITOR_TOKEN, the stack file's, or
    the configured (in development, the dev) token."""
    token = stackfile.editor_token(getattr(args, "token", None), _settings(), args.stack)
    return {"Authorization": f"Bearer {token}"}


def cmd_receipt(args: argparse.Namespace) -> int:
    with _client(args, _editor_headers(args)) as client:
        response = client.get(f"/v1/receipts/{args.receipt_id}")
    _show(response.json())
    return 0 if response.status_code == 200 else 1


def _refused(response: httpx.Response) -> int:
    """Print an error answer's status and detail; the exit status for it."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = response.text
    print(f"{response.status_code}: {detail}", file=sys.stderr)
    return 1


def cmd_quarantine(args: argparse.Namespace) -> int:
    """The quarantine, filtered and paged; ``raw`` an entry's bytes; ``discard`` one entry."""
    command = getattr(args, "quarantine_command", None)
    if command == "raw":
        return _quarantine_raw(args)
    if command == "discard":
        return _quarantine_discard(args)
    wanted = {
        "feed": args.feed,
        "stage": args.stage,
        "reason": args.reason,
        "since": args.since,
        "until": args.until,
        "limit": args.limit,
        "cursor": args.cursor,
    }
    params = {k: v for k, v in wanted.items() if v is not None}
    with _client(args, _editor_headers(args)) as client:
        response = client.get("/v1/quarantine", params=params)
    if response.status_code != 200:
        return _refused(response)
    page = response.json()
    if args.json:
        _show(page)
        return 0
    if not page["entries"]:
        print("no matches")
    for e in page["entries"]:
        print(
            f"{e['entry_id']}  {e['quarantined_at'][:19]}  {e['feed']:<8} {e['stage']:<10} "
            f"{e['receipt_id']}  {e['reason']}"
        )
    if page.get("next_cursor"):
        print(f"more: --cursor {page['next_cursor']}")
    return 0


def _quarantine_raw(args: argparse.Namespace) -> int:
    with _client(args, _editor_headers(args)) as client:
        response = client.get(f"/v1/quarantine/{args.entry_id}/raw")
    if response.status_code != 200:
        return _refused(response)
    if args.output:
        Path(args.output).write_bytes(response.content)
        print(f"{len(response.content)} bytes to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(response.content)
        sys.stdout.buffer.flush()
    return 0


def _quarantine_discard(args: argparse.Namespace) -> int:
    headers = {"Authorization": f"Bearer {_ops_token(args)}"}
    with _client(args, headers) as client:
        response = client.post(
            f"/v1/quarantine/{args.entry_id}/discard", json={"reason": args.reason}
        )
    if response.status_code != 200:
        return _refused(response)
    answer = response.json()
    print(f"{answer['entry_id']}\t{answer['receipt_id']}\tdiscarded")
    return 0


def _ops_token(args: argparse.Namespace) -> str:
    return stackfile.ops_token(args.token, _settings(), args.stack)


def cmd_ops(args: argparse.Namespace) -> int:
    """The operations view, once or live (``--watch``), or a quarantine replay."""
    headers = {"Authorization": f"Bearer {_ops_token(args)}"}
    with _client(args) as client:
        if args.ops_command == "replay":
            return _ops_replay(args, client, headers)

        def fetch() -> dict | None:
            response = client.get("/v1/ops", params={"newest": args.newest}, headers=headers)
            if response.status_code != 200:
                print(f"{response.status_code}: {response.json().get('detail')}", file=sys.stderr)
                return None
            return response.json()

        if args.json:
            snap = fetch()
            if snap is not None:
                _show(snap)
            return 0 if snap is not None else 1

        from rich.console import Console
        from rich.live import Live

        from services.ops.view import render_snapshot

        # Feed names, hosts and quarantine reasons (which may quote copy) print as they are:
        # no markup or emoji codes are read from them.
        console = Console(markup=False, emoji=False, highlight=False)
        snap = fetch()
        if snap is None:
            return 1
        if not args.watch:
            console.print(render_snapshot(snap))
            return 0
        shown = 1
        try:
            with Live(render_snapshot(snap), console=console, auto_refresh=False) as live:
                while args.count is None or shown < args.count:
                    time.sleep(args.interval)
                    snap = fetch()
                    if snap is None:
                        return 1
                    live.update(render_snapshot(snap), refresh=True)
                    shown += 1
        except KeyboardInterrupt:
            pass
        return 0


def _ops_replay(args: argparse.Namespace, client: httpx.Client, headers: dict[str, str]) -> int:
    """``ops replay``: ids or --all, narrowed by --stage/--feed/--since/--until; --dry-run
    lists what would be replayed and changes nothing."""
    if not args.ids and not args.all:
        print("name receipt or quarantine entry ids, or pass --all", file=sys.stderr)
        return 2
    body = {
        "ids": args.ids,
        "all": args.all,
        "stage": args.stage,
        "feed": args.feed,
        "since": args.since,
        "until": args.until,
        "dry_run": args.dry_run,
    }
    response = client.post("/v1/ops/replay", json=body, headers=headers)
    if response.status_code != 200:
        return _refused(response)
    answer = response.json()
    for r in answer["results"]:
        if args.dry_run:
            verdict = "would replay" if r.get("would_replay") else "skipped"
        else:
            verdict = "replayed" if r["replayed"] else "skipped"
        print(f"{r['receipt_id']}\t{verdict}\t{r['detail']}")
    if args.dry_run:
        print(f"{answer.get('would_replay', 0)} would be replayed (dry run: nothing changed)")
    else:
        print(f"{answer['replayed']} replayed")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    """Sample files through normalise, dedupe and tag against a throwaway store."""
    from services.inspector import inspect_files, render_line, throwaway_store
    from workers.logs import configure_logging
    from workers.settings import get_settings

    settings = get_settings()
    # stdout carries the answer (NDJSON with --json); the pipeline's log lines go to stderr.
    configure_logging(json=settings.log_json, level=args.log_level, stream=sys.stderr)
    with throwaway_store(settings) as store:
        lines = inspect_files(
            args.files, store=store, settings=settings, feed=args.feed, format_hint=args.format
        )
        for line in lines:
            if args.json:
                print(line.model_dump_json(), flush=True)
            else:
                print(render_line(line), end="\n\n", flush=True)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wiredesk", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--api",
        help="API base URL (default: $WIREDESK_API_URL, else the API in .wiredesk/stack.json "
        "that `make run` wrote, else http://127.0.0.1:8000)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("run", help="start the whole service locally (what `make run` does)")

    p = sub.add_parser("ingest", help="push wire copy files to a feed; --batch for a backfill")
    p.add_argument("feed")
    p.add_argument("files", nargs="+", metavar="PATH", help="files (with --batch, folders too)")
    p.add_argument("--token", help="the feed's bearer token (default: $WIREDESK_FEED_TOKEN)")
    p.add_argument(
        "--batch",
        action="store_true",
        help="send through the bulk door in chunks, with a progress bar and counts; "
        "exit 1 if anything was refused",
    )
    p.add_argument("--chunk", type=int, default=500, help="with --batch: items per request")

    add_stories_parser(sub)

    p = sub.add_parser(
        "inspect",
        help="what wiredesk makes of sample files: normalise, dedupe and tag, no stack needed",
        description="Run each file, in order, through the pipeline's stages against a private "
        "store that starts empty (an embedded Valkey, or a throwaway key prefix on REDIS_URL), "
        "so later files are judged against earlier ones. Exit status 0 whenever it ran.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="NDJSON, one line per item (a contract)")
    p.add_argument("--feed", default="inspect", help="feed name the items arrive on")
    p.add_argument("--format", help="the feed's configured format, as a detection hint")
    p.add_argument("--log-level", default="WARNING", help="pipeline log lines on stderr")

    p = sub.add_parser("receipt", help="what became of an item")
    p.add_argument("receipt_id")
    p.add_argument(
        "--token",
        help="an editor token (default: $WIREDESK_EDITOR_TOKEN, else the development token)",
    )

    _add_quarantine_parser(sub)

    p = sub.add_parser(
        "replay", help="run stored stories through the pipeline again (needs REDIS_URL)"
    )
    p.add_argument("--since", required=True, help="ISO 8601 time: stories received from then")
    p.add_argument("--until", help="ISO 8601 time: and up to then (default: now)")
    p.add_argument("--no-wait", action="store_true", help="queue them and return")

    p = sub.add_parser("ops", help="queues, stages, feeds, consumer groups, workers; replay")
    p.add_argument("--token", help="an ops token (default: $WIREDESK_OPS_TOKEN)")
    p.add_argument("--watch", action="store_true", help="keep the view live until Ctrl-C")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between refreshes")
    p.add_argument("--count", type=int, help="with --watch: stop after this many views")
    p.add_argument("--newest", type=int, default=10, help="quarantine entries to show")
    p.add_argument("--json", action="store_true", help="print the raw figures")
    ops_sub = p.add_subparsers(dest="ops_command")
    r = ops_sub.add_parser("replay", help="put quarantined items back through the pipeline")
    r.add_argument("ids", nargs="*", help="receipt ids or quarantine entry ids")
    r.add_argument("--all", action="store_true", help="every quarantined item")
    r.add_argument("--stage", help="only items quarantined by this stage")
    r.add_argument("--feed", help="only items from this feed")
    r.add_argument("--since", help="ISO 8601 time: only items quarantined from then")
    r.add_argument("--until", help="ISO 8601 time: only items quarantined up to then")
    r.add_argument(
        "--dry-run", action="store_true", help="say what would be replayed; change nothing"
    )
    # SUPPRESS: a --token given before `replay` is not overwritten by this one's default.
    r.add_argument(
        "--token", default=argparse.SUPPRESS, help="an ops token (default: $WIREDESK_OPS_TOKEN)"
    )

    # Downstream delivery: reads Redis directly, not the API.
    add_consume_parser(sub)
    return parser


def _add_quarantine_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "quarantine",
        help="items the pipeline could not handle, with reasons; raw bytes; discard",
        description="The quarantine, newest first. Times are ISO 8601 (UTC without an offset).",
    )
    p.add_argument("--feed", help="only items from this feed")
    p.add_argument("--stage", help="only items this stage stopped")
    p.add_argument("--reason", help="only items whose reason holds this text (any case)")
    p.add_argument("--since", help="ISO 8601 time: quarantined at or after")
    p.add_argument("--until", help="ISO 8601 time: quarantined at or before")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--cursor", help="the next page: the cursor an earlier page printed")
    p.add_argument("--json", action="store_true", help="the page as JSON (entries, next_cursor)")
    p.add_argument(
        "--token",
        help="an editor or ops token (default: $WIREDESK_EDITOR_TOKEN, else the development "
        "token); for discard an ops token (default: $WIREDESK_OPS_TOKEN)",
    )
    q_sub = p.add_subparsers(dest="quarantine_command")
    r = q_sub.add_parser("raw", help="an entry's bytes as received")
    r.add_argument("entry_id", metavar="ENTRY")
    r.add_argument("-o", "--output", metavar="FILE", help="write them here (default: stdout)")
    r.add_argument("--token", default=argparse.SUPPRESS, help="an editor or ops token")
    d = q_sub.add_parser("discard", help="take an entry out of quarantine for good (ops)")
    d.add_argument("entry_id", metavar="ENTRY")
    d.add_argument("--reason", required=True, help="why it will never be replayed (audited)")
    d.add_argument("--token", default=argparse.SUPPRESS, help="an ops token")


def cmd_replay(args: argparse.Namespace) -> int:
    from datetime import datetime

    from services.reprocess import reprocess
    from workers.settings import get_settings

    try:
        since = datetime.fromisoformat(args.since)
        until = datetime.fromisoformat(args.until) if args.until else None
    except ValueError as exc:
        print(f"not an ISO 8601 time: {exc}", file=sys.stderr)
        return 2
    settings = stackfile.settings_for(get_settings(), args.stack)
    if not settings.redis_url:
        print(
            "wiredesk replay talks to Redis directly: set REDIS_URL, or start `make run`",
            file=sys.stderr,
        )
        return 2
    counts = reprocess(settings, since=since, until=until, wait=not args.no_wait)
    print(", ".join(f"{n} {state}" for state, n in counts.items()))
    return 0 if counts.get("quarantined", 0) == 0 else 1


COMMANDS = {
    "run": cmd_run,
    "ingest": cmd_ingest,
    "stories": cmd_stories,
    "inspect": cmd_inspect,
    "receipt": cmd_receipt,
    "quarantine": cmd_quarantine,
    "ops": cmd_ops,
    "replay": cmd_replay,
    "consume": cmd_consume,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # `run` starts a stack and `inspect` needs none; everything else looks for the running one
    # (flag > environment > stack file > default).
    needs_stack = args.command not in ("run", "inspect")
    args.stack = stackfile.running(_settings()) if needs_stack else None
    args.api = stackfile.api_url(args.api, _settings(), args.stack)
    try:
        return COMMANDS[args.command](args)
    except httpx.ConnectError:
        print(
            f"cannot reach the wiredesk API at {args.api}: is it running (`make run`)?",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
