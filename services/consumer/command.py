"""``wiredesk consume``: print (or hand to a command) every event a consumer group receives.

Each event is acked only after it was printed, or after ``--exec`` exited 0; anything else
leaves it pending, so it comes back after the claim idle time with a higher delivery count,
and lands in the dead-letter stream after the configured number of deliveries. Killing the
command at any point loses nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from dataclasses import asdict
from datetime import datetime

from services.consumer.client import Delivery, StreamConsumer

__all__ = ["add_parser", "cmd_consume", "parse_start"]


def parse_start(value: str) -> str | datetime:
    """``now``, ``beginning``, or an ISO 8601 time (naive times are UTC)."""
    if value in ("now", "beginning"):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"--from takes now, beginning or an ISO time like 2026-03-01T10:00:00Z, not {value!r}"
        ) from exc


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("consume", help="read the stories stream as a consumer group")
    p.add_argument("--group", required=True, help="consumer group; each group gets every event")
    p.add_argument("--consumer", default=None, help="this consumer's name (default: host-pid)")
    p.add_argument("--from", dest="start", type=parse_start, default="now")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--exec", dest="exec_cmd", help="shell command fed each event's JSON on stdin")
    p.add_argument("--count", type=int, default=0, help="exit after this many events")
    p.add_argument(
        "--lag",
        action="store_true",
        help="print the group's position, lag and events lost to the trim as JSON, and exit",
    )
    p.add_argument("--claim-idle-ms", type=int, default=None)
    p.add_argument("--max-deliveries", type=int, default=None)
    p.add_argument("--batch", type=int, default=None)


def _line(delivery: Delivery, as_json: bool) -> str:
    event = delivery.event
    if as_json:
        return json.dumps(
            {
                "entry_id": delivery.entry_id,
                "delivery_count": delivery.delivery_count,
                "event": json.loads(delivery.data),
            },
            ensure_ascii=False,
        )
    headline = (event.story.headline or "") if event.story else ""
    return (
        f"{delivery.entry_id}\t{delivery.delivery_count}\t{event.type.value}\t"
        f"{event.story_id or '-'}\t{event.receipt_id}\t{headline}"
    )


def _run(cmd: str, delivery: Delivery) -> bool:
    env = {
        **os.environ,
        "WIREDESK_ENTRY_ID": delivery.entry_id,
        "WIREDESK_DELIVERY_COUNT": str(delivery.delivery_count),
        "WIREDESK_EVENT_TYPE": delivery.event.type.value,
    }
    done = subprocess.run(cmd, shell=True, input=delivery.data.encode(), env=env, check=False)
    if done.returncode != 0:
        print(
            f"--exec exited {done.returncode} for {delivery.entry_id}; left unacked",
            file=sys.stderr,
        )
    return done.returncode == 0


def cmd_consume(args: argparse.Namespace) -> int:
    from services import stackfile
    from workers.settings import get_settings

    # REDIS_URL, else the Redis of the running `make run` (its stack file), with its prefix.
    settings = stackfile.settings_for(get_settings(), getattr(args, "stack", None))
    if not settings.redis_url:
        print(
            "consume needs the Redis the service publishes to: set REDIS_URL, or start `make run`",
            file=sys.stderr,
        )
        return 2
    consumer = StreamConsumer(
        settings.redis_url,
        prefix=settings.key_prefix,
        group=args.group,
        consumer=args.consumer,
        start=args.start,
        claim_idle_ms=args.claim_idle_ms
        if args.claim_idle_ms is not None
        else settings.consumer_claim_idle_ms,
        max_deliveries=args.max_deliveries or settings.consumer_max_deliveries,
        batch=args.batch or settings.consumer_batch,
        dead_letter_maxlen=settings.dead_letter_maxlen,
    )
    if args.lag:
        measured = consumer.lag()
        print(json.dumps({**asdict(measured), "behind_trim": measured.behind_trim}))
        consumer.close()
        return 1 if measured.behind_trim else 0
    signal.signal(signal.SIGTERM, lambda *_: consumer.stop())
    seen_notices, handled = 0, 0
    try:
        for delivery in consumer.read():
            while seen_notices < len(consumer.trim_notices):
                notice = consumer.trim_notices[seen_notices]
                print(f"warning: {notice.describe()}", file=sys.stderr, flush=True)
                seen_notices += 1
            if args.exec_cmd:
                ok = _run(args.exec_cmd, delivery)
            else:
                print(_line(delivery, args.json), flush=True)
                ok = True
            if ok:
                consumer.ack(delivery.entry_id)
            handled += 1
            if args.count and handled >= args.count:
                break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    return 0
