"""`wiredesk inspect`: the real command in a subprocess, on a throwaway store of its own (an
embedded Valkey, or a key prefix on REDIS_URL when the run has one), judged through its
published contract (``schemas.InspectLine``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import redis

from schemas import InspectLine

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def inspect(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "inspect", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def lines_of(proc: subprocess.CompletedProcess) -> list[InspectLine]:
    assert proc.returncode == 0, proc.stderr
    return [InspectLine.model_validate_json(x) for x in proc.stdout.splitlines() if x.strip()]


def test_each_item_one_contract_line_judged_in_order(tmp_path: Path) -> None:
    first = SEEDS / "reuters-2026-02-09-bank-of-canada-a.txt"
    resend = SEEDS / "reuters-2026-02-09-bank-of-canada-b-resend.txt"
    missing = tmp_path / "nowhere.txt"
    proc = inspect("--json", str(first), str(resend), str(first), str(missing))
    lines = lines_of(proc)
    assert [ln.file for ln in lines] == [str(first), str(resend), str(first), str(missing)]
    a, b, again, gone = lines
    assert a.index == 0 and a.error is None and a.story is not None
    assert a.format == "plaintext" and a.story.verdict.verdict == "new"
    assert a.story.agency == "Reuters" and a.story.tags
    # The rewrapped resend and the same file again are both repeats of the first.
    assert b.story.verdict.verdict == "resend"
    assert b.story.verdict.of_story == a.story.story_id
    assert again.story.verdict.verdict == "resend"
    assert gone.index is None and gone.story is None and gone.error.stage == "read"
    # Every story line carries version_label, even when null.
    assert all("version_label" in json.loads(x)["story"] for x in proc.stdout.splitlines()[:3])


def test_file_level_failures_say_where(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    binary = tmp_path / "noise.bin"
    binary.write_bytes(bytes(range(0, 9)) * 3)
    lines = lines_of(inspect("--json", str(empty), str(binary)))
    assert lines[0].error.stage == "read" and lines[0].index is None
    assert lines[1].story is None and lines[1].error is not None
    assert lines[1].error.stage in ("detect", "normalise")


def test_readable_summary_names_the_verdict() -> None:
    first = SEEDS / "reuters-2026-02-09-bank-of-canada-a.txt"
    proc = inspect(str(first), str(first))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("== ") == 2
    assert "verdict        new" in proc.stdout and "verdict        resend of st_" in proc.stdout
    assert "headline" in proc.stdout and "place tags" in proc.stdout


def test_leaves_nothing_behind_on_a_given_redis(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    before = {k for k in client.scan_iter(match="wdinspect*")}
    sample = str(SEEDS / "ap-2026-03-14-wildfire-evacuations.txt")
    lines = lines_of(inspect("--json", sample, env={"REDIS_URL": redis_url}))
    assert lines[0].story is not None
    assert {k for k in client.scan_iter(match="wdinspect*")} == before
