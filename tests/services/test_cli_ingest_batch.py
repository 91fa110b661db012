"""`wiredesk ingest --batch`: folders and files through the bulk door, counted per outcome."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from services.bulkpush import Item, chunks
from tests.harness import Stack
from workers.synthetic import make_story


@pytest.fixture(scope="module")
def bulk_stack(redis_url, log_dir):
    stack = Stack(redis_url=redis_url, log_dir=log_dir).start(bulk=True)
    yield stack
    stack.stop()


def wiredesk(stack: Stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.cli", "--api", stack.api_url, *args],
                          capture_output=True, text=True, timeout=120, env=stack.env)  # fmt: skip


def test_a_folder_goes_in_chunks_and_again_as_duplicate_receipts(
    bulk_stack: Stack, tmp_path
) -> None:
    folder = tmp_path / "backfill"
    (folder / "sub").mkdir(parents=True)
    for n in range(7):
        (folder / ("sub" if n % 2 else ".") / f"story-{n}.txt").write_bytes(
            make_story(9_100 + n, "plaintext")
        )
    (folder / "latin1.txt").write_bytes(
        "ZÜRICH (Reuters) - Der Schnee fällt früh.\n".encode("latin-1")
    )
    (folder / ".hidden").write_bytes(b"not copy")

    first = wiredesk(bulk_stack, "ingest", "--batch", "--chunk", "3", "reuters", str(folder))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "8 accepted, 0 duplicate receipt(s), 0 refused"
    again = wiredesk(bulk_stack, "ingest", "--batch", "reuters", str(folder))
    assert again.stdout.strip() == "0 accepted, 8 duplicate receipt(s), 0 refused"
    # The same receipts as the single door gives the same bytes.
    single = wiredesk(bulk_stack, "ingest", "reuters", str(folder / "latin1.txt"))
    assert single.stdout.rstrip().endswith("duplicate receipt"), single.stdout


def test_refusals_are_counted_with_reasons_and_exit_non_zero(bulk_stack: Stack, tmp_path) -> None:
    copy = tmp_path / "one.txt"
    copy.write_bytes(make_story(9_200, "plaintext"))
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    wrong = wiredesk(bulk_stack, "ingest", "--batch", "--token", "wrong", "reuters", str(copy))
    assert wrong.returncode == 1
    assert wrong.stdout.strip() == "0 accepted, 0 duplicate receipt(s), 1 refused"
    assert "401" in wrong.stderr
    empty = wiredesk(bulk_stack, "ingest", "--batch", "reuters", str(tmp_path))
    assert empty.returncode == 1
    assert "empty file" in empty.stderr and "1 accepted" in empty.stdout


def test_chunks_never_leave_a_line_alone_and_send_non_utf8_raw() -> None:
    items = [Item(f"f{n}", f"copy {n}".encode()) for n in range(7)] + [Item("x", b"\xff\xfe")]
    sent = list(chunks(items, max_items=3))
    assert [len(batch) for batch, _, _ in sent] == [1, 3, 4]
    assert sent[0] == ([items[-1]], b"\xff\xfe", "/batch")
    assert [json.loads(line) for line in sent[1][1].splitlines()] == ["copy 0", "copy 1", "copy 2"]
    # A lone pretty-printed JSON item would be read as NDJSON at the bulk door: single door.
    lone = Item("j", b'{\n  "uri": "a"\n}')
    assert list(chunks([lone], max_items=3)) == [([lone], lone.raw, "")]
