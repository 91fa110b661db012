"""Every wire format through the running service: HTTP in, real worker, stream out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness import Stack
from tests.workers.formats.samplefiles import read_sample


@pytest.fixture(scope="module")
def formats_stack(redis_url, log_dir) -> Iterator[Stack]:
    """A stack of this module's own: whether a sample is new or a resend then depends only on
    what this module sent, not on what other tests sent the shared stack before."""
    stack = Stack(redis_url=redis_url, log_dir=log_dir).start()
    yield stack
    stack.stop()


def published_once(stack: Stack, receipt_id: str) -> dict:
    """The story of a receipt that was published: exactly one event, a story.published."""
    receipt = stack.wait_receipt(receipt_id)
    assert receipt["state"] == "published", receipt
    events = stack.events_for(receipt_id)
    assert [e["type"] for e in events] == ["story.published"], events
    return events[0]["story"]


# Every sample is a story of its own: each is published, whatever ran before it.
@pytest.mark.parametrize(
    ("fmt", "name", "feed", "headline"),
    [
        ("anpa1312", "new.anpa", "ap", "Levee holds as Wapsie River nears crest in Iowa town"),
        ("iptc7901", "new.7901", "afp", "Lisbon to double tram network by 2032"),
        ("nitf", "new-story.xml", "reuters", "Rotterdam dock workers walk out over automation plan"),
        ("newsml_g2", "new-story.xml", "reuters",
         "Kenya moves 50 elephants to ease pressure on crowded park"),
        ("ninjs", "new-v1.json", "dpa", "Hamburg opens first terminal for green ammonia imports"),
        ("rss", "new-story.xml", "wire", "Strong quake shakes northern Chile, no damage reported"),
        ("atom", "new-story.xml", "wire", "New Zealand counts record number of kiwi chicks"),
        # Not UTF-8: the characters must come through as themselves.
        ("anpa1312", "cp1252.anpa", "ap", "Café reopens after flood with “thank you” menu"),
        ("newsml_g2", "windows-1252.xml", "reuters",
         "Vélo : Paris ouvre une piste cyclable « express » le long de la Seine"),
    ],
)  # fmt: skip
def test_each_format_is_published(
    formats_stack: Stack, fmt: str, name: str, feed: str, headline: str
) -> None:
    answer = formats_stack.ingest(feed, read_sample(fmt, name))
    assert answer.status_code == 202, answer.text
    [ref] = answer.json()["receipts"]
    story = published_once(formats_stack, ref["receipt_id"])
    assert story["format"] == fmt
    assert story["headline"] == headline
    assert story["body"] and all(p.strip() for p in story["body"])
    assert "\ufffd" not in " ".join(story["body"])  # no replacement characters


def test_a_newsml_message_of_three_items_gets_three_receipts(formats_stack: Stack) -> None:
    answer = formats_stack.ingest("reuters", read_sample("newsml_g2", "news-message-3.xml")).json()
    receipts = answer["receipts"]
    assert len(receipts) == 3
    assert len({r["receipt_id"] for r in receipts}) == 3
    # Three stories of their own: each published once, none a duplicate of another.
    stories = [published_once(formats_stack, r["receipt_id"]) for r in receipts]
    assert {s["format"] for s in stories} == {"newsml_g2"}
    assert len({s["story_id"] for s in stories}) == 3


def test_an_rss_feed_document_is_split_into_its_items(formats_stack: Stack) -> None:
    # The feed's first two items carry the guid of rss/new-story.xml. That one is sent first,
    # so both are resends of a story already out (RSS has no versions: same guid, version 1),
    # whichever of them a worker takes first.
    single = formats_stack.ingest("wire", read_sample("rss", "new-story.xml")).json()
    chile = published_once(formats_stack, single["receipt_id"])
    answer = formats_stack.ingest("wire", read_sample("rss", "feed-several.xml")).json()
    receipts = [r["receipt_id"] for r in answer["receipts"]]
    assert len(receipts) == 5
    for receipt_id in receipts[:2]:
        receipt = formats_stack.wait_receipt(receipt_id)
        assert receipt["state"] == "duplicate", receipt
        assert receipt["duplicate_of"] == chile["story_id"], receipt
    headlines = [published_once(formats_stack, r)["headline"] for r in receipts[2:]]
    assert headlines == [
        "Yen steadies after sharp overnight fall",
        "Heavy rain cuts roads in western Kenya",
        "Moose wanders into Anchorage school parking lot",
    ]


# After each bad sample, a good story of its own (so none is a duplicate of another case's).
@pytest.mark.parametrize(
    ("fmt", "name", "reason_has", "next_story"),
    [
        ("xml", "billion-laughs.xml", "billion laughs",
         "OTTAWA (Reuters) - Canada's central bank held its key rate on Wednesday and said "
         "wage growth was slowing."),
        ("xml", "xxe-file.xml", "external entity",
         "PERTH (Reuters) - A cargo ship ran aground off Western Australia's coast overnight; "
         "the crew of nineteen were safe, the port authority said."),
        ("nitf", "malformed.xml", "nitf",
         "REYKJAVIK (Reuters) - Iceland reopened the road to its southern fishing town after "
         "lava stopped flowing toward it, the civil protection agency said."),
        ("anpa1312", "truncated-no-etx.anpa", "anpa1312",
         "NAIROBI (Reuters) - Kenyan tea exporters expect a record harvest this year after "
         "heavy spring rains in the highlands, their association said on Friday."),
        ("ninjs", "malformed.json", "line",
         "LIMA (Reuters) - Peru's copper output rose for a third month in March as a large "
         "mine in the south returned to full production, the ministry said."),
    ],
)  # fmt: skip
def test_bad_and_hostile_copy_is_quarantined_and_the_next_item_still_goes(
    formats_stack: Stack, fmt: str, name: str, reason_has: str, next_story: str
) -> None:
    answer = formats_stack.ingest("reuters", read_sample(fmt, name)).json()
    receipt = formats_stack.wait_receipt(answer["receipt_id"])
    assert receipt["state"] == "quarantined", receipt
    assert reason_has in receipt["reason"], receipt["reason"]
    # Consumers hear of it once, as quarantined, and never as a story.
    events = formats_stack.events_for(answer["receipt_id"])
    assert [e["type"] for e in events] == ["story.quarantined"], events
    good = formats_stack.ingest("reuters", next_story.encode())
    story = published_once(formats_stack, good.json()["receipt_id"])
    assert story["body"] == [next_story.split(" - ", 1)[1]]  # all of it, after the dateline
