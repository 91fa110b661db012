"""A killed story through a real stack: the kill's own copy (the agency's kill notice) is in
the story detail and in ``wiredesk stories show``, and the status has one name, ``canceled``,
in the story, the filter (``killed`` still read as an alias), the facets and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

from tests.harness import Stack

KILL_TEXT = "Editors: the story on the Kiel lock closure is withdrawn. It named the wrong canal."
KILL_NOTE_HEADLINE = "KILL: Kiel canal lock closure"


def ninjs(uri: str, *, version: int, pubstatus: str, headline: str, body: str) -> bytes:
    return json.dumps(
        {
            "uri": f"urn:newsml:kill.example:{uri}",
            "version": str(version),
            "pubstatus": pubstatus,
            "language": "en",
            "headline": headline,
            "located": "Kiel",
            "body_text": body,
        }
    ).encode()


def send(stack: Stack, raw: bytes) -> dict:
    answer = stack.ingest("dpa", raw)
    assert answer.status_code == 202, answer.text
    return stack.wait_receipt(answer.json()["receipt_id"], timeout=60)


def cli(stack: Stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "--api", stack.api_url, "stories", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=stack.env,
    )


def test_kill_notice_and_one_status_name(stack: Stack) -> None:
    item = f"kiel-{uuid.uuid4().hex[:8]}"
    first = send(stack, ninjs(item, version=1, pubstatus="usable",
                              headline="Kiel canal lock closes for repairs",
                              body="Kiel (dpa) - The main lock of the Kiel canal closed on "
                              "Monday for two weeks of repairs, the waterways office said."))  # fmt: skip
    story_id = first["story_id"]
    kill = send(stack, ninjs(item, version=2, pubstatus="canceled",
                             headline=KILL_NOTE_HEADLINE, body=KILL_TEXT))  # fmt: skip
    assert kill["story_id"] == story_id

    detail = stack.http.get(f"{stack.api_url}/v1/stories/{story_id}").json()
    assert detail["story"]["status"] == "canceled"
    assert detail["killed_by"] == kill["receipt_id"]
    notice = detail["kill_notice"]
    assert notice["receipt_id"] == kill["receipt_id"]
    assert notice["headline"] == KILL_NOTE_HEADLINE
    assert KILL_TEXT in " ".join(notice["body"])
    assert notice["feed"] == "dpa" and notice["received_at"]
    # A story that was never killed has none.
    other = send(stack, ninjs(f"kiel-other-{uuid.uuid4().hex[:8]}", version=1,
                              pubstatus="usable", headline="Kiel ferry timetable changes",
                              body="Kiel (dpa) - Ferries to Oslo leave an hour earlier from "
                              "Monday, the operator said."))  # fmt: skip
    plain = stack.http.get(f"{stack.api_url}/v1/stories/{other['story_id']}").json()
    assert plain["kill_notice"] is None and plain["killed_by"] is None

    # One name: `canceled` filters, `killed` is its alias; an unknown status names `canceled`.
    def listed(status: str) -> list[str]:
        page = stack.http.get(
            f"{stack.api_url}/v1/stories", params={"status": status, "limit": 200}
        ).json()
        return [s["story_id"] for s in page["stories"]]

    assert story_id in listed("canceled") and story_id in listed("killed")
    assert other["story_id"] not in listed("canceled")
    assert story_id not in listed("usable")
    facets = stack.http.get(
        f"{stack.api_url}/v1/stories/facets", params={"status": "canceled", "place": "Kiel"}
    ).json()
    assert facets["counted"] >= 1
    refused = stack.http.get(f"{stack.api_url}/v1/stories", params={"status": "dead"})
    assert refused.status_code == 400
    assert "usable, embargoed, withheld, canceled" in refused.json()["detail"]

    shown = cli(stack, "show", story_id)
    assert shown.returncode == 0, shown.stderr
    assert f"CANCELED: withdrawn by {kill['receipt_id']}" in shown.stdout
    assert KILL_NOTE_HEADLINE in shown.stdout and "It named the wrong canal." in shown.stdout
    table = cli(stack, "--status", "canceled", "--place", "Kiel")
    assert table.returncode == 0, table.stderr
    assert "canceled" in table.stdout and "killed" not in table.stdout
