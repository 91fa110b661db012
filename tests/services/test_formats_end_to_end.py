"""Every wire format through the running service: HTTP in, real worker, stream out."""

from __future__ import annotations

import pytest

from tests.harness import SEEDS, Stack
from tests.workers.formats.samplefiles import read_sample


@pytest.mark.parametrize(
    ("fmt", "name", "feed"),
    [
        ("anpa1312", "new.anpa", "ap"),
        ("iptc7901", "new.7901", "afp"),
        ("nitf", "new-story.xml", "reuters"),
        ("newsml_g2", "new-story.xml", "reuters"),
        ("ninjs", "new-v1.json", "dpa"),
        ("rss", "new-story.xml", "wire"),
        ("atom", "new-story.xml", "wire"),
        ("anpa1312", "cp1252.anpa", "ap"),
        ("newsml_g2", "windows-1252.xml", "reuters"),
    ],
)
def test_each_format_is_published(stack: Stack, fmt: str, name: str, feed: str) -> None:
    answer = stack.ingest(feed, read_sample(fmt, name))
    assert answer.status_code == 202, answer.text
    for ref in answer.json()["receipts"]:
        receipt = stack.wait_receipt(ref["receipt_id"])
        assert receipt["state"] in ("published", "duplicate"), receipt
    [first] = answer.json()["receipts"][:1]
    events = stack.events_for(first["receipt_id"])
    published = [e for e in events if e["type"] in ("story.published", "story.updated")]
    if published:
        story = published[0]["story"]
        assert story["format"] == fmt
        assert story["body"] and all(p.strip() for p in story["body"])
        assert "\ufffd" not in " ".join(story["body"])  # no replacement characters


def test_a_newsml_message_of_three_items_gets_three_receipts(stack: Stack) -> None:
    answer = stack.ingest("reuters", read_sample("newsml_g2", "news-message-3.xml")).json()
    receipts = answer["receipts"]
    assert len(receipts) == 3
    assert len({r["receipt_id"] for r in receipts}) == 3
    states = [stack.wait_receipt(r["receipt_id"])["state"] for r in receipts]
    assert all(s in ("published", "duplicate") for s in states), states


def test_an_rss_feed_document_is_split_into_its_items(stack: Stack) -> None:
    answer = stack.ingest("wire", read_sample("rss", "feed-several.xml")).json()
    assert len(answer["receipts"]) > 1
    for r in answer["receipts"]:
        assert stack.wait_receipt(r["receipt_id"])["state"] in ("published", "duplicate")


@pytest.mark.parametrize(
    ("fmt", "name", "reason_has"),
    [
        ("xml", "billion-laughs.xml", "billion laughs"),
        ("xml", "xxe-file.xml", "external entity"),
        ("nitf", "malformed.xml", "nitf"),
        ("anpa1312", "truncated-no-etx.anpa", "anpa1312"),
        ("ninjs", "malformed.json", "line"),
    ],
)
def test_bad_and_hostile_copy_is_quarantined_and_the_next_item_still_goes(
    stack: Stack, fmt: str, name: str, reason_has: str
) -> None:
    answer = stack.ingest("reuters", read_sample(fmt, name)).json()
    receipt = stack.wait_receipt(answer["receipt_id"])
    assert receipt["state"] == "quarantined", receipt
    assert reason_has in receipt["reason"], receipt["reason"]
    good = stack.ingest(
        "reuters", (SEEDS / "reuters-2026-02-09-bank-of-canada-a.txt").read_bytes() + name.encode()
    )
    assert stack.wait_receipt(good.json()["receipt_id"])["state"] in ("published", "duplicate")
