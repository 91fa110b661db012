"""Wire copy in over HTTP, through the real worker's chain, out on the Redis stream."""

from __future__ import annotations

from tests.harness import SEEDS, Stack

SEED = SEEDS / "reuters-2017-11-10-syria-islamic-state.txt"


def test_seed_story_comes_out_on_the_stream(stack: Stack) -> None:
    response = stack.ingest("reuters", SEED.read_bytes(), headers={"Content-Type": "text/plain"})
    assert response.status_code == 202, response.text
    answer = response.json()
    assert answer["status_url"].endswith(f"/v1/receipts/{answer['receipt_id']}")

    receipt = stack.wait_receipt(answer["receipt_id"])
    assert receipt["state"] == "published", receipt

    [event] = [e for e in stack.events_for(answer["receipt_id"]) if e["type"] == "story.published"]
    assert event["schema_version"] == 1
    story = event["story"]
    assert story["dateline"]["place"] == "Beirut"
    assert story["dateline"]["date"] == "2017-11-10"
    assert story["agency"] == "Reuters"
    assert story["language"] == "en"
    assert story["truncated"] is True
    assert story["headline"] is None  # the copy has none, and none is invented
    # Body paragraphs intact, no 'date' header or dateline left in the text.
    assert len(story["body"]) == 14
    assert story["body"][0].startswith("Syria’s army declared victory over Islamic State")
    assert not any(p.lstrip().startswith(("date", "BEIRUT")) for p in story["body"])
    assert story["body"][5].startswith("“There’s some fighters left")
    assert story["lede"] == story["body"][0]
    assert 400 < story["word_count"] < 500

    places = {t["name"]: t for t in story["tags"] if t["type"] == "place"}
    assert places["Beirut"]["code"] == "LB"
    assert places["Lebanon"]["code"] == "LB" if "Lebanon" in places else True
    assert places["Syria"]["code"] == "SY"
    assert all(0 < t["relevance"] <= 1 for t in story["tags"])

    stored = stack.http.get(f"{stack.api_url}/v1/stories/{story['story_id']}").json()
    assert stored["story"]["body"] == story["body"]


def test_same_bytes_from_same_feed_get_the_same_receipt_once(stack: Stack) -> None:
    body = b"LONDON (Reuters) - A receipt test story, sent twice by an impatient feed.\n"
    first = stack.ingest("reuters", body).json()
    second = stack.ingest("reuters", body).json()
    assert first["receipt_id"] == second["receipt_id"]
    assert second["duplicate_receipt"] is True
    stack.wait_receipt(first["receipt_id"])
    assert len(stack.events_for(first["receipt_id"])) == 1


def test_resend_gives_one_published_and_one_duplicate(stack: Stack) -> None:
    original = (
        "Storm closes ports along the Adriatic\n\n"
        "ZAGREB (Reuters) - Croatia closed three ports on Tuesday as gale-force winds "
        "swept the Adriatic coast, the maritime ministry said.\n\n"
        "Ferries to the islands were cancelled until Wednesday morning.\n"
    )
    # The feed re-sends it with other line endings and spacing: other bytes, same story.
    resend = original.replace("\n", "\r\n").replace("ministry said.", "ministry  said.")
    a = stack.ingest("reuters", original.encode()).json()
    stack.wait_receipt(a["receipt_id"])
    b = stack.ingest("reuters", resend.encode()).json()
    assert a["receipt_id"] != b["receipt_id"]
    receipt_b = stack.wait_receipt(b["receipt_id"])
    assert receipt_b["state"] == "duplicate"

    kinds = [
        e["type"] for e in stack.events_for(a["receipt_id"]) + stack.events_for(b["receipt_id"])
    ]
    assert sorted(kinds) == ["story.duplicate", "story.published"]
    [dup] = stack.events_for(b["receipt_id"])
    first_story = stack.events_for(a["receipt_id"])[0]["story_id"]
    assert dup["verdict"]["verdict"] == "resend"
    assert dup["verdict"]["of_story"] == first_story
    assert receipt_b["duplicate_of"] == first_story
    detail = stack.http.get(f"{stack.api_url}/v1/stories/{first_story}").json()
    assert dup["story_id"] in detail["duplicates"]


def test_stories_are_listed_latest_first_with_cursor_paging(stack: Stack) -> None:
    receipts = []
    for n in range(5):
        body = f"OSLO (NTB) - Paging story number {n} reports item {n * 7} of the series.\n"
        receipts.append(stack.ingest("wire", body.encode()).json()["receipt_id"])
    for r in receipts:
        stack.wait_receipt(r)
    seen = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = stack.http.get(f"{stack.api_url}/v1/stories", params=params).json()
        seen += page["stories"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    ids = [s["receipt_id"] for s in seen]
    assert len(ids) == len(set(ids)), "paging repeated a story"
    ours = [i for i in ids if i in receipts]
    assert ours == list(reversed(receipts))
    times = [s["received_at"] for s in seen]
    assert times == sorted(times, reverse=True)
    bad = stack.http.get(f"{stack.api_url}/v1/stories", params={"cursor": "!!not-a-cursor"})
    assert bad.status_code == 400
