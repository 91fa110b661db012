"""``wiredesk stories``: the desk's stories from the API, with the same filters.

``wiredesk stories [--place Beirut --topic medtop:16000000 --q ceasefire ...]`` prints a table
newest first; ``wiredesk stories show ID`` the story's text and tags; ``wiredesk stories
facets`` the counts per place, topic, feed and agency. ``--json`` prints what the API answered,
for scripts. An editor token comes from ``--token``, ``$WIREDESK_EDITOR_TOKEN``, or (in
development) the dev token.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

import httpx

__all__ = ["add_parser", "cmd_stories"]

# Repeatable filters: option -> API parameter.
_LISTS = {
    "feed": "feed",
    "agency": "agency",
    "priority": "priority",
    "place": "place",
    "person": "person",
    "org": "org",
    "topic": "topic",
    "lang": "lang",
    "status": "status",
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stories", help="stories with filters; `stories show ID`; `stories facets`")
    p.add_argument(
        "action",
        nargs="*",
        metavar="show ID | facets",
        help="nothing for the list, `show ID` for one story, `facets` for counts",
    )
    for option in _LISTS:
        p.add_argument(f"--{option}", action="append", default=[], help="repeat for any of several")
    p.add_argument("--q", help="words that must all be in headline, slugline, lede or tags")
    p.add_argument("--since", help="received at or after (ISO 8601)")
    p.add_argument("--until", help="received at or before (ISO 8601)")
    p.add_argument("--include-embargoed", action="store_true", help="also stories still held")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--cursor", help="the next_cursor of a previous page")
    p.add_argument("--json", action="store_true", help="print the API's answer as JSON")
    p.add_argument(
        "--token", help="an editor token (default: $WIREDESK_EDITOR_TOKEN, else the dev token)"
    )


def _token(args: argparse.Namespace) -> str:
    """--token, $WIREDESK_EDITOR_TOKEN, the running `make run`'s, else the configured one."""
    from services import stackfile
    from workers.settings import get_settings

    return stackfile.editor_token(args.token, get_settings(), getattr(args, "stack", None))


def _params(args: argparse.Namespace, *, paging: bool) -> httpx.QueryParams:
    params = [(api, v) for option, api in _LISTS.items() for v in getattr(args, option)]
    for name in ("q", "since", "until"):
        if getattr(args, name):
            params.append((name, getattr(args, name)))
    if args.include_embargoed:
        params.append(("include_embargoed", "true"))
    if paging:
        params.append(("limit", str(args.limit)))
        if args.cursor:
            params.append(("cursor", args.cursor))
    return httpx.QueryParams(params)


def _tags_of(story: dict) -> str:
    names = [t["name"] for t in story.get("tags", []) if t["type"] in ("place", "topic")]
    return ", ".join(dict.fromkeys(names))[:40]


def _console():
    """A console as wide as the terminal, or wide enough not to fold rows when piped.

    Every string it is given is printed as it is: markup (``[bold]``, ``[/x]``), emoji codes
    (``:fire:``) and rich's highlighting are off, because headlines, datelines, body and tags
    are agency copy, and copy that looks like markup must neither crash the command nor come
    out styled. Our own styling is passed as ``Text`` objects with a style."""
    from rich.console import Console

    plain = {"markup": False, "emoji": False, "highlight": False}
    return Console(**plain) if sys.stdout.isatty() else Console(width=200, **plain)


def _styled(text: str, style: str) -> Any:
    """Our own words in a style (the console parses no markup)."""
    from rich.text import Text

    return Text(text, style=style)


def _render_list(page: dict) -> None:
    from rich.table import Table

    if not page["stories"]:
        # An empty table is easily taken for a broken command: say it.
        _console().print("no matches")
        return
    held = {h["story_id"]: h["embargoed_until"] for h in page.get("held", [])}
    table = Table(show_lines=False, header_style="bold")
    for column in ("received (UTC)", "feed", "pri", "status", "place", "headline", "tags", "id"):
        table.add_column(column, overflow="fold")
    for s in page["stories"]:
        status = s["status"]
        if s["story_id"] in held:
            status = _styled(f"HELD to {(held[s['story_id']] or '?')[:16]}", "bold red")
        elif status == "canceled":
            status = _styled("canceled", "red")
        table.add_row(
            s["received_at"][:19].replace("T", " "),
            s["feed"],
            str(s.get("urgency") or "-"),
            status,
            (s.get("dateline") or {}).get("place") or "-",
            s.get("headline") or (s.get("lede") or "")[:70],
            _tags_of(s),
            s["story_id"],
        )
    console = _console()
    console.print(table)
    if page.get("next_cursor"):
        console.print(f"more: --cursor {page['next_cursor']}")


def _render_story(detail: dict) -> None:
    from rich.table import Table

    s = detail["story"]
    console = _console()
    console.print(_styled(s.get("headline") or "(no headline)", "bold"))
    meta = [s["story_id"], s["feed"], s.get("agency") or "-", f"v{s['version']}", s["status"]]
    meta.append(s["received_at"][:19])
    console.print(" · ".join(meta))
    if detail.get("held"):
        console.print(
            _styled(f"EMBARGOED until {s.get('embargoed_until') or 'further notice'}", "bold red")
        )
    if detail.get("killed_by"):
        _render_kill_notice(console, detail.get("kill_notice") or {}, detail["killed_by"])
    if s.get("dateline"):
        console.print(s["dateline"]["text"])
    console.print()
    for paragraph in s.get("body", []):
        console.print(paragraph)
        console.print()
    tags = Table("type", "name", "code", "relevance", header_style="bold")
    for t in s.get("tags", []):
        tags.add_row(t["type"], t["name"], t.get("code") or "-", f"{t['relevance']:.2f}")
    console.print(tags)
    versions = ", ".join(f"v{v['version']} {v['receipt_id']}" for v in detail.get("versions", []))
    console.print(f"versions: {versions or '-'}")
    console.print(f"duplicates: {', '.join(detail.get('duplicates', [])) or '-'}")


def _render_kill_notice(console: Any, notice: dict, killed_by: str) -> None:
    """The agency's kill, first and in red: the story is withdrawn, and the kill says why
    and what to do (its headline, text and notes as the agency sent them)."""
    from rich.text import Text

    when = (notice.get("received_at") or "")[:19].replace("T", " ")
    console.print(
        Text.assemble(
            (f"CANCELED: withdrawn by {killed_by}", "bold red"), f" {when}" if when else ""
        )
    )
    if notice.get("headline"):
        console.print(_styled(notice["headline"], "red"))
    for line in [*notice.get("body", []), *notice.get("notes", [])]:
        console.print(_styled(f"  {line}", "red"))


def _render_facets(answer: dict) -> None:
    from rich.table import Table

    console = _console()
    console.print(answer["what"])
    for facet, rows in answer["facets"].items():
        if not rows:
            console.print(f"{facet}: no matches")
            continue
        table = Table(facet, "value", "stories", header_style="bold")
        for row in rows:
            table.add_row(row["label"], row["value"], str(row["count"]))
        console.print(table)


def cmd_stories(args: argparse.Namespace) -> int:
    action = args.action
    headers = {"Authorization": f"Bearer {_token(args)}"}
    with httpx.Client(base_url=args.api, timeout=30, headers=headers) as client:
        # `stories show ID`, or plain `stories ID` as before.
        render: Callable[[dict[str, Any]], None]
        one = action[-1] if action[:1] == ["show"] and len(action) == 2 else None
        if len(action) == 1 and action[0] not in ("show", "facets"):
            one = action[0]
        if one:
            response = client.get(f"/v1/stories/{one}")
            render = _render_story
        elif action == ["facets"]:
            response = client.get("/v1/stories/facets", params=_params(args, paging=False))
            render = _render_facets
        elif not action:
            response = client.get("/v1/stories", params=_params(args, paging=True))
            render = _render_list
        else:
            print("usage: wiredesk stories [show ID | facets] [filters]", file=sys.stderr)
            return 2
    if response.status_code != 200:
        print(f"{response.status_code}: {response.json().get('detail')}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(response.json(), indent=2, ensure_ascii=False))
    else:
        render(response.json())
    return 0
