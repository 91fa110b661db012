"""The fault suite, small: 1,000 stories pushed at both doors of the real stack while one fault
of each kind hits it (``bench.soak``, which `make soak` runs with 10,000 and 20 faults). Its own
embedded Valkey, whatever REDIS_URL says: the suite kills it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.soak import SoakConfig, render, run
from bench.soak.faults import FAULT_KINDS
from bench.soak.items import build_corpus, bulk_request
from services.ingest import batch_items, receipt_id_for


# About a minute and a half on a quiet 2-core machine; on one busy with other work the stack's
# boots and the pipeline slow down several times over, and the suite waits for them.
@pytest.mark.timeout(600)
def test_no_accepted_story_is_stuck_lost_or_published_twice_through_every_fault(
    tmp_path: Path,
) -> None:
    results = run(
        SoakConfig(stories=1000, faults=len(FAULT_KINDS), rate=40, hold=2, down=0.5, gap=1,
                   extend=30, log_dir=tmp_path / "logs"),
        progress=True,
    )  # fmt: skip
    print(render(results))  # shown when the test fails: the table, and what is stuck where
    assert [f["kind"] for f in results["faults"]] == list(FAULT_KINDS)
    expected = results["expected"]
    # Every item pushed got its 202 in the end (the feeds retried through every fault).
    assert results["accepted"] == expected["accepted"]
    assert results["unanswered"] == results["refused"] == 0
    assert results["oddities"] == []
    assert results["stuck"] == 0, results["stuck_by_state"]
    assert results["lost"] == 0, results["lost_items"]
    assert results["published_twice"] == 0, (results["twice_receipts"], results["twice_versions"])
    assert results["unplanned_exits"] == 0, results["exits"]
    # Nothing ended other than it should: the bad items in quarantine, the rest published or
    # duplicate (resends, and the dedupe's near-duplicates among the synthetic stories).
    assert results["quarantined"] == expected["quarantined"], results["unexpected_quarantine"]
    assert results["published"] + results["duplicate"] == expected["published_or_duplicate"]


def test_the_corpus_is_what_the_count_expects() -> None:
    # The count takes each item's receipt to be the one the front door makes of it, through
    # either door: checked here against the door's own splitting, with no stack.
    corpus = build_corpus(200, burst_sizes={1: ("single", 10), 3: ("bulk", 40)}, segments=5)
    items = corpus.items
    assert corpus.count("story") == 200 and corpus.count("bad") == 2
    assert {len(corpus.bursts[1]), len(corpus.bursts[3])} == {10, 40}
    assert {i.segment for i in corpus.flow} == set(range(5))
    stories = {i.n: i for i in items if i.kind == "story"}
    for item in items:
        if item.kind == "repeat":
            assert item.receipt_id == stories[item.of].receipt_id  # the same bytes again
        if item.kind == "resend":
            assert item.receipt_id != stories[item.of].receipt_id  # other bytes, same story
    bad = [i for i in items if i.kind == "bad"]
    ordered, body = bulk_request([bad[0], *items[:3], bad[1]])
    assert ordered[0].kind != "bad"
    assert [receipt_id_for("ap", raw) for raw in batch_items(body)] == [
        receipt_id_for("ap", i.body) for i in ordered
    ]
    # A request made only of bad items still reads as NDJSON: its first line is a JSON string.
    ordered, body = bulk_request(bad)
    assert [receipt_id_for("ap", raw) for raw in batch_items(body)] == [
        receipt_id_for("ap", i.body) for i in ordered
    ]
