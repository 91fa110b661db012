"""What ``wiredesk ops`` shows: the ``/v1/ops`` snapshot as rich tables, one per concern.

Takes the JSON the API answers with (not the models), so the CLI needs nothing but HTTP.
"""

from __future__ import annotations

import time
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

__all__ = ["render_snapshot"]


def _secs(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    if value < 7200:
        return f"{value / 60:.1f} min"
    return f"{value / 3600:.1f} h"


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", expand=False, pad_edge=False)
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    return table


def render_snapshot(snap: dict[str, Any]) -> Group:
    queues = _table("Queues", "queue", "depth", "unacked", "reserved", "oldest waiting")
    for q in snap["queues"]:
        queues.add_row(
            q["queue"],
            str(q["depth"]),
            "-" if q["unacked"] is None else str(q["unacked"]),
            "-" if q["reserved"] is None else str(q["reserved"]),
            _secs(q["oldest_age_seconds"]),
        )

    stages = _table(
        "Stages", "stage", "/s 1m", "/s 5m", "p50", "p95", "p99", "fail 5m", "retry 5m", "ok total"
    )
    for s in snap["stages"]:
        lat = s["latency_5m"]
        stages.add_row(
            s["stage"],
            f"{s['rate_1m']:.2f}",
            f"{s['rate_5m']:.2f}",
            _secs(lat["p50"]),
            _secs(lat["p95"]),
            _secs(lat["p99"]),
            str(s["failures_5m"]),
            str(s["retries_5m"]),
            str(s["totals"]["ok"]),
        )
    e2e = snap["end_to_end_5m"]
    stages.add_row(
        Text("ingest→publish", style="bold"),
        "",
        "",
        _secs(e2e["p50"]),
        _secs(e2e["p95"]),
        _secs(e2e["p99"]),
        "",
        "",
        str(e2e["count"]),
    )

    groups = _table("Consumer groups", "group", "consumers", "pending", "lag", "dead-lettered")
    for g in snap["consumer_groups"]:
        lag = "?" if g["lag"] is None else str(g["lag"])
        groups.add_row(
            g["group"], str(g["consumers"]), str(g["pending"]), lag, str(g["dead_lettered"])
        )

    now = snap["taken_at"]
    feeds = _table("Feeds", "feed", "last item", "items 1h", "errors 1h", "errors", "idle after")
    for f in snap["feeds"]:
        last = "never" if f["last_item_at"] is None else f"{_secs(now - f['last_item_at'])} ago"
        feeds.add_row(
            Text(f["feed"] + (" IDLE" if f["idle"] else ""), style="bold red" if f["idle"] else ""),
            last,
            str(f["items_last_hour"]),
            str(f["errors_last_hour"]),
            str(f["errors_total"]),
            _secs(f["idle_after_seconds"]),
        )

    quarantine = snap["quarantine"]
    held = _table(
        f"Quarantine: {quarantine['size']} held", "when", "feed", "stage", "receipt", "reason"
    )
    for e in quarantine["newest"]:
        held.add_row(e["quarantined_at"][:19], e["feed"], e["stage"], e["receipt_id"], e["reason"])

    workers = _table(f"Workers: {len(snap['workers'])} alive", "worker", "heard", "running")
    for w in snap["workers"]:
        running = ", ".join(
            f"{t['stage']} {t['receipt_id']} ({_secs(t['running_seconds'])})" for t in w["running"]
        )
        workers.add_row(w["hostname"], f"{_secs(w['last_seen_seconds'])} ago", running or "idle")

    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
    return Group(
        Text(f"wiredesk ops at {stamp}", style="bold"), queues, stages, groups, feeds, held, workers
    )
