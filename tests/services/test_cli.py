"""The wiredesk command, run as a user runs it, against the real stack."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.harness import Stack


def wiredesk(stack: Stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "--api", stack.api_url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=stack.env,
    )


def test_ingest_then_receipt_then_stories(stack: Stack, tmp_path) -> None:
    copy = tmp_path / "story.txt"
    copy.write_text(
        "Vote count begins\n\nACCRA (Reuters) - Ghana began counting votes on Sunday.\n"
    )
    pushed = wiredesk(stack, "ingest", "reuters", str(copy))
    assert pushed.returncode == 0, pushed.stderr
    receipt_id = pushed.stdout.split("\t")[1]
    stack.wait_receipt(receipt_id)

    shown = wiredesk(stack, "receipt", receipt_id)
    assert '"state": "published"' in shown.stdout

    listed = wiredesk(stack, "stories", "--limit", "50")
    assert listed.returncode == 0
    assert "Vote count begins" in listed.stdout and "Accra" in listed.stdout


def test_unreachable_api_is_a_clear_error(stack: Stack) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "--api", "http://127.0.0.1:9", "stories"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "cannot reach the wiredesk API" in result.stderr


def test_copy_that_looks_like_markup_prints_as_it_is(stack: Stack) -> None:
    # rich reads "[/x]" as a closing tag that opens nothing (an error) and "[bold]" as style;
    # copy is neither, and ":fire:" is no emoji code either.
    headline = "[/x] Port [bold]strike[/bold] talks :fire: [link=http://x.example]end[/link]"
    story = json.dumps(
        {
            "uri": "urn:newsml:example.com:markup-headline-1",
            "headline": headline,
            "located": "Rotterdam [red]",
            "body_text": "ROTTERDAM (Reuters) - Talks over the [i]port strike[/i] ended on "
            "Friday [/] without a deal, the union said.",
        }
    ).encode()
    answer = stack.ingest("reuters", story, headers={"Content-Type": "application/json"})
    receipt = stack.wait_receipt(answer.json()["receipt_id"])
    assert receipt["state"] == "published", receipt

    listed = wiredesk(stack, "stories", "--limit", "200", "--q", "strike talks")
    assert listed.returncode == 0, listed.stderr
    assert "[/x] Port [bold]strike[/bold] talks :fire:" in listed.stdout

    shown = wiredesk(stack, "stories", "show", receipt["story_id"])
    assert shown.returncode == 0, shown.stderr
    assert headline in shown.stdout
    assert "the [i]port strike[/i] ended on Friday [/] without" in shown.stdout
