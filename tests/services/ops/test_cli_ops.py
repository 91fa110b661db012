"""`wiredesk ops` against a running API: the figures as JSON, the table view, the live view
for a few refreshes, and replay's answer."""

from __future__ import annotations

import json
import time

from services.cli import main
from tests.harness import Stack


def test_ops_json_and_views(stack: Stack, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps at 80 columns when not on a terminal
    stack.wait_receipt(
        stack.ingest("upi", b"WASHINGTON (UPI) -- A CLI test story.\n").json()["receipt_id"]
    )
    assert main(["--api", stack.api_url, "ops", "--json"]) == 0
    snap = json.loads(capsys.readouterr().out)
    assert snap["queues"][0]["queue"] == stack.queue
    assert {f["feed"] for f in snap["feeds"]} >= {"upi"}

    assert main(["--api", stack.api_url, "ops"]) == 0
    out = capsys.readouterr().out
    for heading in ("Queues", "Stages", "Consumer groups", "Feeds", "Quarantine", "Workers"):
        assert heading in out
    assert stack.queue in out and "ingest→publish" in out

    # Three views 0.2 s apart: two waits between them, then it stops by itself. Off a terminal
    # rich's Live draws only the last view, once, so a pipe or a log gets one clean table.
    argv = ["--api", stack.api_url, "ops", "--watch", "--interval", "0.2", "--count", "3"]
    started = time.monotonic()
    assert main(argv) == 0
    took = time.monotonic() - started
    assert capsys.readouterr().out.count("wiredesk ops at") == 1
    assert 2 * 0.2 <= took < 10, took


def test_ops_replay_and_a_wrong_token(stack: Stack, capsys) -> None:
    assert main(["--api", stack.api_url, "ops", "replay", "rc_doesnotexist"]) == 0
    assert "rc_doesnotexist\tskipped\tno such receipt" in capsys.readouterr().out
    assert main(["--api", stack.api_url, "ops", "replay"]) == 2
    assert main(["--api", stack.api_url, "ops", "--token", "wrong", "--json"]) == 1
    assert "401" in capsys.readouterr().err
