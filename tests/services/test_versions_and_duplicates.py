"""Versions, kills and near-duplicates through the real stack: HTTP in, real Celery workers,
Redis stream out, and the editors' read side."""

from __future__ import annotations

import random
import threading
import uuid

from tests.harness import Stack
from workers.synthetic import WORDS

NITF = """<?xml version="1.0" encoding="UTF-8"?>
<nitf version="-//IPTC//DTD NITF 3.5//EN" xml:lang="en">
  <head>
    <docdata management-status="{status}">
      <doc-id regsrc="REUTERS" id-string="{item}"/>
      <date.issue norm="20240312T134000Z"/>
      <du-key key="HARBOUR/FIRE" version="{version}"/>
    </docdata>
  </head>
  <body>
    <body.head><hedline><hl1>{headline}</hl1></hedline></body.head>
    <body.content>{paragraphs}</body.content>
  </body>
</nitf>
"""

PARAS = [
    "A fire broke out in a warehouse at the harbour of Gdansk on Tuesday, sending thick smoke "
    "over the old town, the city's fire service said.",
    "About forty firefighters were at the scene and two nearby terminals were evacuated as a "
    "precaution. No one was reported hurt.",
    "The cause of the fire was not immediately known.",
]


def nitf(item: str, version: int, paragraphs: list[str], *, status: str = "usable") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return NITF.format(
        item=item,
        version=version,
        status=status,
        headline=f"Fire at Gdansk harbour, version {version}",
        paragraphs=body,
    ).encode()


def send(stack: Stack, feed: str, raw: bytes) -> dict:
    answer = stack.ingest(feed, raw)
    assert answer.status_code == 202, answer.text
    return stack.wait_receipt(answer.json()["receipt_id"])


def test_versions_out_of_order_then_kill(stack: Stack) -> None:
    item = f"RTR-HARBOUR-FIRE-{uuid.uuid4().hex[:6]}"
    v1 = send(stack, "reuters", nitf(item, 1, PARAS))
    story_id = v1["story_id"]
    v3_paras = [*PARAS[:2], "Police said they suspected arson and had detained a man."]
    v3 = send(stack, "reuters", nitf(item, 3, v3_paras))
    v2 = send(stack, "reuters", nitf(item, 2, [*PARAS, "Smoke could be seen from Sopot."]))
    # The same version again, as other bytes (the front door would fold identical bytes).
    again = send(stack, "reuters", nitf(item, 3, v3_paras) + b"\n")
    assert v3["story_id"] == v2["story_id"] == story_id
    assert (v3["state"], v2["state"], again["state"]) == ("published", "published", "duplicate")

    [e3] = stack.events_for(v3["receipt_id"])
    assert e3["type"] == "story.updated" and e3["verdict"]["verdict"] == "update"
    assert e3["story"]["version"] == 3
    [e2] = stack.events_for(v2["receipt_id"])
    assert e2["type"] == "story.updated" and e2["verdict"]["shown"] is False
    assert e2["story"] is None and "older version 2" in e2["verdict"]["reason"]
    [e_again] = stack.events_for(again["receipt_id"])
    assert e_again["verdict"]["verdict"] == "resend"

    # Editors see version 3; the chain keeps 1, 2 and 3.
    shown = stack.http.get(f"{stack.api_url}/v1/stories/{story_id}").json()["story"]
    assert shown["version"] == 3 and shown["body"][-1].startswith("Police said")
    versions = stack.http.get(f"{stack.api_url}/v1/stories/{story_id}/versions").json()
    assert [v["version"] for v in versions["versions"]] == [1, 2, 3]

    kill = send(
        stack,
        "reuters",
        nitf(item, 4, ["Editors: the story is withdrawn."], status="canceled"),
    )
    [ek] = stack.events_for(kill["receipt_id"])
    assert ek["type"] == "story.killed"
    assert ek["verdict"]["verdict"] == "kill" and ek["verdict"]["of_story"] == story_id
    detail = stack.http.get(f"{stack.api_url}/v1/stories/{story_id}").json()
    assert detail["story"]["status"] == "canceled"
    assert detail["killed_by"] == kill["receipt_id"]
    assert detail["story"]["version"] == 3  # the text editors had, marked killed


STORM = (
    "KINGSTON (Reuters) - Hurricane Delia strengthened to a category three storm on Sunday as "
    "it moved towards Jamaica's south coast, forecasters said, and the government ordered "
    "schools closed for Monday.\n\n"
    "The storm was carrying sustained winds of 185 km per hour and was expected to bring up to "
    "30 cm of rain to the Blue Mountains, where landslides are common.\n\n"
    "Prime Minister Andrew Campbell urged families in low-lying areas of Kingston to move to "
    "shelters before nightfall.\n\n"
    "(Reporting by Dana Whyte; Editing by Mark Price)\n"
)
# Another feed's rewrite: other dateline and credit, light edits, one paragraph added.
STORM_EDITED = (
    "KINGSTON, Jamaica (AP) — Hurricane Delia strengthened to a category three storm on Sunday "
    "as it moved toward Jamaica's south coast, forecasters said, and the government ordered "
    "schools closed on Monday.\n\n"
    "The storm was carrying sustained winds of 185 km per hour and was expected to bring up to "
    "30 cm of rain to the Blue Mountains, where landslides are common.\n\n"
    "Prime Minister Andrew Campbell urged families in low-lying areas of Kingston to move to "
    "shelters before nightfall.\n\n"
    "Airlines cancelled most flights out of Norman Manley airport for Monday.\n"
)


def test_near_duplicate_from_another_feed_joins_the_cluster(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6]
    first = send(stack, "reuters", STORM.replace("Delia", f"Delia{tag}").encode())
    second = send(stack, "ap", STORM_EDITED.replace("Delia", f"Delia{tag}").encode())
    assert (first["state"], second["state"]) == ("published", "duplicate")
    [event] = stack.events_for(second["receipt_id"])
    assert event["type"] == "story.duplicate"
    assert event["verdict"]["verdict"] == "near_duplicate"
    assert event["verdict"]["of_story"] == first["story_id"]
    assert 0.5 <= event["verdict"]["score"] <= 1.0
    for asked in (first["story_id"], second["story_id"]):
        cluster = stack.http.get(f"{stack.api_url}/v1/stories/{asked}/duplicates").json()
        assert cluster["lead"] == first["story_id"]
        assert [s["story_id"] for s in cluster["duplicates"]] == [second["story_id"]]
    latest = stack.http.get(f"{stack.api_url}/v1/stories", params={"limit": 50}).json()
    ids = [s["story_id"] for s in latest["stories"]]
    assert first["story_id"] in ids and second["story_id"] not in ids


# The content words of the bank the dedupe benchmark builds its stories from (its first 50;
# the rest are function words).
VOCABULARY = WORDS[:50]


def test_concurrent_near_duplicates_on_two_workers_find_each_other(make_stack) -> None:
    """Pairs of near-duplicates pushed at the same moment to two workers (two processes each):
    whichever dedupe runs second sees the first, so every pair is one story and one duplicate."""
    stack: Stack = make_stack().start()
    stack.start_worker(name="w2", concurrency=2)
    pairs = 6
    rng = random.Random(4)
    bodies = []
    for _ in range(pairs):
        # Every pair its own story (random words), the second copy lightly edited.
        words = [rng.choice(VOCABULARY) for _ in range(70)]
        edited = [*words]
        edited[10], edited[40] = "reportedly", "officials"
        first = "BERLIN (Reuters) - " + " ".join(words) + "."
        second = "BERLIN (dpa) - " + " ".join(edited) + ". Further details were not given."
        bodies.append((first, second))
    barrier = threading.Barrier(pairs * 2)
    answers: dict[tuple[int, int], str] = {}

    def push(n: int, side: int) -> None:
        feed = "reuters" if side == 0 else "dpa"
        barrier.wait()
        answers[n, side] = stack.ingest(feed, bodies[n][side].encode()).json()["receipt_id"]

    threads = [threading.Thread(target=push, args=(n, s)) for n in range(pairs) for s in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n in range(pairs):
        receipts = [stack.wait_receipt(answers[n, s], timeout=60) for s in (0, 1)]
        states = sorted(r["state"] for r in receipts)
        assert states == ["duplicate", "published"], (n, receipts)
        lead = next(r for r in receipts if r["state"] == "published")
        dup = next(r for r in receipts if r["state"] == "duplicate")
        assert dup["duplicate_of"] == lead["story_id"]
