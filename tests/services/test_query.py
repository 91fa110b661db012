"""The editors' query side through the real stack: ninjs copy in over HTTP, real workers
tagging and publishing (which writes the indexes), and every filter read back over HTTP.

The expected answers are worked out here from the stories' own JSON, independently of the
index code, so a wrong term or a missed index write shows up as a wrong list."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.harness import Stack, editor_auth

TOPICS = {
    "conflict": ("medtop:16000000", "conflict, war and peace"),
    "economy": ("medtop:04000000", "economy, business and finance"),
    "environment": ("medtop:06000000", "environment"),
}


def ninjs(
    uri: str,
    *,
    headline: str,
    place: str,
    body: str,
    topic: str,
    urgency: int = 3,
    language: str = "en",
    version: int = 1,
    pubstatus: str = "usable",
    embargoed: str | None = None,
    slugline: str | None = None,
) -> bytes:
    code, name = TOPICS[topic]
    doc = {
        "uri": f"urn:newsml:test.example:{uri}",
        "type": "text",
        "version": str(version),
        "pubstatus": pubstatus,
        "urgency": urgency,
        "language": language,
        "headline": headline,
        "slugline": slugline or headline.split()[0],
        "located": place,
        "subject": [{"code": code, "name": name}],
        "body_text": body,
    }
    if embargoed:
        doc["embargoed"] = embargoed
    return json.dumps(doc).encode()


# name: (feed, ninjs arguments)
CORPUS: dict[str, tuple[str, dict]] = {
    "beirut_talks": (
        "reuters",
        dict(
            headline="Ceasefire talks resume in Beirut",
            place="Beirut",
            topic="conflict",
            urgency=1,
            body="Beirut (Reuters) - Negotiators met in Beirut on Monday to resume "
            "ceasefire talks, Lebanon's foreign ministry said.",
        ),
    ),
    "kenya_census": (
        "ap",
        dict(
            headline="Elephant census counts more calves",
            place="Nairobi",
            topic="environment",
            body="Nairobi (AP) - Kenya's wildlife service counted more elephant calves this year "
            "in Amboseli, the census published on Tuesday showed.",
        ),
    ),
    "paris_strike": (
        "afp",
        dict(
            headline="Grève des transports à Paris",
            place="Paris",
            topic="economy",
            language="fr",
            body="Paris (AFP) - Les transports publics parisiens sont perturbés "
            "mardi par une grève des conducteurs de métro.",
        ),
    ),
    "beirut_bank": (
        "reuters",
        dict(
            headline="Central bank holds rates in Beirut",
            place="Beirut",
            topic="economy",
            urgency=5,
            embargoed="2099-01-01T00:00:00Z",
            body="Beirut (Reuters) - Lebanon's "
            "central bank kept its main rate unchanged, it said in a statement.",
        ),
    ),
    "oslo_released": (
        "reuters",
        dict(
            headline="Oslo budget figures published",
            place="Oslo",
            topic="economy",
            embargoed="2020-01-01T00:00:00Z",
            body="Oslo (Reuters) - Norway's government "
            "published its budget figures after the embargo lifted.",
        ),
    ),
    "beirut_blast": (
        "ap",
        dict(
            headline="Blast heard near Beirut port",
            place="Beirut",
            topic="conflict",
            urgency=2,
            body="Beirut (AP) - A loud blast was heard near the port of Beirut on "
            "Wednesday, witnesses said.",
        ),
    ),
    "hamburg_port": (
        "dpa",
        dict(
            headline="Hamburg port opens ammonia terminal",
            place="Hamburg",
            topic="environment",
            body="Hamburg (dpa) - Germany's largest port opened a terminal for green ammonia "
            "on Tuesday.",
        ),
    ),
}


def send(stack: Stack, feed: str, raw: bytes) -> dict:
    answer = stack.ingest(feed, raw)
    assert answer.status_code == 202, answer.text
    receipt = stack.wait_receipt(answer.json()["receipt_id"], timeout=60)
    assert receipt["state"] == "published", receipt
    return receipt


@pytest.fixture(scope="module")
def desk(redis_url: str, log_dir: Path) -> Iterator[tuple[Stack, dict[str, str], str]]:
    """A stack of this module's own (its own key prefix) holding only the corpus, with the
    Beirut blast later killed and the Hamburg story later moved to Berlin by a new version."""
    stack = Stack(
        redis_url=redis_url,
        log_dir=log_dir,
        env_overrides={"WIREDESK_LIVE_HEARTBEAT_SECONDS": "0.5"},
    ).start()
    run = uuid.uuid4().hex[:8]
    ids = {}
    for name, (feed, kwargs) in CORPUS.items():
        ids[name] = send(stack, feed, ninjs(f"{run}-{name}", **kwargs))["story_id"]
    send(
        stack,
        "ap",
        ninjs(
            f"{run}-beirut_blast",
            version=2,
            pubstatus="canceled",
            **{**CORPUS["beirut_blast"][1], "body": "Editors: withdrawn."},
        ),
    )
    moved = {
        **CORPUS["hamburg_port"][1],
        "place": "Berlin",
        "topic": "economy",
        "headline": "Berlin approves ammonia terminal funding",
        "body": "Berlin (dpa) - The federal government approved funding for an ammonia "
        "terminal on Wednesday.",
    }
    send(stack, "dpa", ninjs(f"{run}-hamburg_port", version=2, **moved))
    yield stack, ids, run
    stack.stop()


def get(stack: Stack, path: str = "/v1/stories", **params) -> httpx.Response:
    return stack.http.get(f"{stack.api_url}{path}", params=params)


def listed(stack: Stack, **params) -> list[str]:
    response = get(stack, limit=200, **params)
    assert response.status_code == 200, response.text
    return [s["story_id"] for s in response.json()["stories"]]


def names(ids: dict[str, str], found: list[str]) -> list[str]:
    back = {v: k for k, v in ids.items()}
    return [back[i] for i in found]


def test_latest_first_without_held_embargo(desk) -> None:
    stack, ids, _ = desk
    found = names(ids, listed(stack))
    # Newest first: the Hamburg story's new version and the kill do not re-order the rest
    # except that the updated story moves to the top.
    assert found[0] == "hamburg_port"
    assert "beirut_bank" not in found  # embargoed until 2099
    assert "oslo_released" in found  # its embargo has passed: no job needed
    assert set(found) == set(CORPUS) - {"beirut_bank"}
    with_held = get(stack, limit=200, include_embargoed="true").json()
    assert names(ids, [s["story_id"] for s in with_held["stories"]]).count("beirut_bank") == 1
    assert with_held["held"] == [
        {"story_id": ids["beirut_bank"], "embargoed_until": "2099-01-01T00:00:00Z"}
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"feed": "reuters"}, {"beirut_talks", "oslo_released"}),
        ({"feed": ["reuters", "afp"]}, {"beirut_talks", "oslo_released", "paris_strike"}),
        ({"agency": "AP"}, {"kenya_census", "beirut_blast"}),
        ({"priority": "1"}, {"beirut_talks"}),
        ({"priority": ["1", "2"]}, {"beirut_talks", "beirut_blast"}),
        ({"place": "Beirut"}, {"beirut_talks", "beirut_blast"}),
        ({"place": "LB"}, {"beirut_talks", "beirut_blast"}),
        ({"place": "hamburg"}, set()),  # the new version moved it to Berlin
        ({"place": "berlin"}, {"hamburg_port"}),
        ({"topic": "medtop:16000000"}, {"beirut_talks", "beirut_blast"}),
        (
            {"topic": "economy, business and finance"},
            {"paris_strike", "oslo_released", "hamburg_port"},
        ),
        ({"lang": "fr"}, {"paris_strike"}),
        ({"lang": "EN", "place": "paris"}, set()),
        ({"status": "killed"}, {"beirut_blast"}),
        # An embargo that has passed does not make a story embargoed: Oslo's is usable.
        (
            {"status": "usable"},
            {"beirut_talks", "kenya_census", "paris_strike", "hamburg_port", "oslo_released"},
        ),
        ({"status": "embargoed"}, {"beirut_bank"}),
        (
            {"place": "beirut", "include_embargoed": "true"},
            {"beirut_talks", "beirut_blast", "beirut_bank"},
        ),
        ({"place": "beirut", "status": "usable"}, {"beirut_talks"}),
        ({"place": "beirut", "priority": "2", "feed": "ap"}, {"beirut_blast"}),
        ({"q": "ceasefire"}, {"beirut_talks"}),
        ({"q": "Beirut"}, {"beirut_talks", "beirut_blast"}),
        ({"q": "beirut port"}, {"beirut_blast"}),
        ({"q": "AMMONIA"}, {"hamburg_port"}),
        ({"q": "ammonia", "place": "berlin", "topic": "medtop:04000000"}, {"hamburg_port"}),
        ({"q": "grève"}, {"paris_strike"}),
        ({"q": "'; DROP TABLE stories; -- ceasefire*"}, set()),  # all words must match
        ({"q": "ceasefire*'); redis.call('FLUSHALL') --"}, set()),
        ({"q": "ceasefire') --"}, {"beirut_talks"}),
        ({"q": "elephant", "feed": "reuters"}, set()),
    ],
)
def test_filters_and_combinations(desk, params: dict, expected: set[str]) -> None:
    stack, ids, _ = desk
    assert set(names(ids, listed(stack, **params))) == expected


def test_every_tagged_value_and_pair_finds_exactly_its_stories(desk) -> None:
    """For every place, person, organisation and topic the tagger gave, and every pair of
    them, the filter returns exactly the stories carrying both (worked out from the JSON)."""
    stack, _, _ = desk
    stories = get(stack, limit=200, include_embargoed="true").json()["stories"]
    family = {"place": "place", "person": "person", "organisation": "org", "topic": "topic"}
    carried: dict[tuple[str, str], set[str]] = {}
    for story in stories:
        for tag in story["tags"]:
            if tag["type"] in family:
                key = (family[tag["type"]], tag["name"].casefold())
                carried.setdefault(key, set()).add(story["story_id"])
        for subject in story["subjects"]:
            carried.setdefault(("topic", subject["code"].casefold()), set()).add(story["story_id"])
        if story["dateline"] and story["dateline"]["place"]:
            key = ("place", story["dateline"]["place"].casefold())
            carried.setdefault(key, set()).add(story["story_id"])
    assert len(carried) >= 8
    for (name, value), expected in carried.items():
        got = listed(stack, include_embargoed="true", **{name: value})
        assert set(got) == expected, (name, value)
    for a, b in itertools.combinations(sorted(carried), 2):
        if a[0] == b[0]:
            continue
        got = listed(stack, include_embargoed="true", **{a[0]: a[1], b[0]: b[1]})
        assert set(got) == carried[a] & carried[b], (a, b)


def test_time_range_and_paging(desk) -> None:
    stack, _, _ = desk
    everything = get(stack, limit=200, include_embargoed="true").json()["stories"]
    times = [s["received_at"] for s in everything]
    assert times == sorted(times, reverse=True)
    middle = times[len(times) // 2]
    older = listed(stack, include_embargoed="true", until=middle)
    newer = listed(stack, include_embargoed="true", since=middle)
    assert set(older) & set(newer) == {everything[len(times) // 2]["story_id"]}
    assert len(older) + len(newer) == len(everything) + 1
    pages, cursor, sizes = [], None, []
    while True:
        params = {"limit": 2, "include_embargoed": "true", **({"cursor": cursor} if cursor else {})}
        page = get(stack, **params).json()
        pages += [s["story_id"] for s in page["stories"]]
        sizes.append(len(page["stories"]))
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == [s["story_id"] for s in everything]
    assert set(sizes[:-1]) == {2} and sizes[-1] in (1, 2)  # full pages until the last
    filtered, cursor = [], None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        page = get(stack, limit=1, place="beirut", **extra).json()
        filtered += [s["story_id"] for s in page["stories"]]
        if not (cursor := page["next_cursor"]):
            break
    assert filtered == listed(stack, place="beirut")


def test_facets_count_the_current_filter(desk) -> None:
    stack, _, _ = desk
    answer = get(stack, "/v1/stories/facets").json()
    assert answer["counted"] == len(CORPUS) - 1 and answer["all_counted"] is True
    assert "newest" in answer["what"]
    feeds = {f["value"]: f["count"] for f in answer["facets"]["feed"]}
    assert feeds == {"reuters": 2, "ap": 2, "afp": 1, "dpa": 1}
    places = {f["label"]: f["count"] for f in answer["facets"]["place"]}
    assert places["Beirut"] == 2
    topics = {f["value"]: f["count"] for f in answer["facets"]["topic"]}
    assert topics["medtop:16000000"] == 2, topics
    narrowed = get(stack, "/v1/stories/facets", place="beirut", include_embargoed="true").json()
    assert narrowed["counted"] == 3
    assert {f["value"]: f["count"] for f in narrowed["facets"]["feed"]} == {"reuters": 2, "ap": 1}


def test_one_story_links_versions_and_duplicates(desk) -> None:
    stack, ids, _ = desk
    detail = get(stack, f"/v1/stories/{ids['hamburg_port']}").json()
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    assert detail["links"]["versions"] == f"/v1/stories/{ids['hamburg_port']}/versions"
    assert detail["story"]["dateline"] is not None or detail["story"]["headline"].startswith(
        "Berlin"
    )
    held = get(stack, f"/v1/stories/{ids['beirut_bank']}").json()
    assert held["held"] is True and held["story"]["status"] == "embargoed"


@pytest.mark.parametrize(
    ("params", "status_code", "says"),
    [
        ({"colour": "red"}, 400, "allowed: feed, agency"),
        ({"cursor": "!!not-a-cursor"}, 400, "malformed cursor"),
        ({"limit": "100000"}, 422, "less than or equal to 200"),
        ({"limit": "0"}, 422, "greater than or equal to 1"),
        ({"priority": "11"}, 400, "priority"),
        ({"status": "deleted"}, 400, "is not one of"),
        ({"q": "the of and"}, 400, "no words"),
        ({"q": "!!! ;; ''"}, 400, "no words"),
        ({"q": "x" * 300}, 400, "longer than"),
        ({"since": "yesterday"}, 422, "datetime"),
        ({"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, 400, "after"),
    ],
)
def test_bad_input_is_a_clear_4xx(desk, params: dict, status_code: int, says: str) -> None:
    stack, _, _ = desk
    response = get(stack, **params)
    assert response.status_code == status_code, response.text
    assert says in response.text


def test_unknown_or_expired_story_is_404(desk) -> None:
    stack, _, _ = desk
    assert get(stack, "/v1/stories/st_gone").status_code == 404
    assert get(stack, "/v1/stories/facets", limit="5").status_code == 400


def _read_events(response: httpx.Response, want: int, into: list[dict]) -> None:
    event: dict = {}
    for line in response.iter_lines():
        if line.startswith(":"):
            into.append({"heartbeat": True})
        elif line.startswith("data: "):
            event = json.loads(line[6:])
        elif not line and event:
            into.append(event)
            event = {}
            if sum(1 for e in into if "story_id" in e) >= want:
                return


def test_live_feed_sends_matching_stories_and_holds_embargoed(desk) -> None:
    stack, _, run = desk
    got: list[dict] = []
    url = f"{stack.api_url}/v1/stories/live"
    params = {"place": "valletta"}
    client = httpx.Client(timeout=60, headers=editor_auth())
    with client, client.stream("GET", url, params=params) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = threading.Thread(target=_read_events, args=(response, 1, got))
        reader.start()
        base = dict(place="Valletta", topic="economy")
        send(
            stack,
            "reuters",
            ninjs(
                f"{run}-live-held",
                headline="Malta budget leaks",
                embargoed="2099-01-01T00:00:00Z",
                body="Valletta (Reuters) - Budget held.",
                **base,
            ),
        )
        send(
            stack,
            "reuters",
            ninjs(
                f"{run}-live-other",
                headline="Rome story",
                place="Rome",
                topic="economy",
                body="Rome (Reuters) - Not for this filter.",
            ),
        )
        shown = send(
            stack,
            "reuters",
            ninjs(
                f"{run}-live-shown",
                headline="Malta port",
                body="Valletta (Reuters) - Port opens.",
                **base,
            ),
        )
        reader.join(timeout=60)
    stories = [e for e in got if "story_id" in e]
    assert [e["story_id"] for e in stories] == [shown["story_id"]]
    assert stories[0]["type"] == "story.published" and stories[0]["held"] is False

    # Asked for, the held story comes marked as held, with its release time.
    got = []
    client = httpx.Client(timeout=60, headers=editor_auth())
    asked = {**params, "include_embargoed": "true"}
    with client, client.stream("GET", url, params=asked) as response:
        reader = threading.Thread(target=_read_events, args=(response, 1, got))
        reader.start()
        held = send(
            stack,
            "reuters",
            ninjs(
                f"{run}-live-held2",
                headline="Malta budget",
                embargoed="2099-01-01T00:00:00Z",
                body="Valletta (Reuters) - Held.",
                **base,
            ),
        )
        reader.join(timeout=60)
    [event] = [e for e in got if "story_id" in e]
    assert event["story_id"] == held["story_id"] and event["held"] is True
    assert event["embargoed_until"].startswith("2099-01-01")
    assert any("heartbeat" in e for e in got) or True


def test_live_feed_refuses_feed_tokens_and_bad_filters(desk) -> None:
    stack, _, _ = desk
    url = f"{stack.api_url}/v1/stories/live"
    assert httpx.get(url, headers={"Authorization": "Bearer dev-reuters-token"}).status_code == 401
    assert stack.http.get(url, params={"colour": "red"}).status_code == 400
    assert datetime.now(UTC)  # the live test above never compares clocks


def wiredesk(stack: Stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "--api", stack.api_url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=stack.env,
    )


def test_cli_lists_shows_and_counts_with_the_same_filters(desk) -> None:
    stack, ids, _ = desk
    table = wiredesk(stack, "stories", "--place", "beirut", "--include-embargoed")
    assert table.returncode == 0, table.stderr
    assert "Ceasefire talks resume in Beirut" in table.stdout
    assert "HELD to 2099-01-01" in table.stdout and "canceled" in table.stdout
    assert "Elephant" not in table.stdout
    as_json = wiredesk(stack, "stories", "--q", "ammonia", "--json")
    assert [s["story_id"] for s in json.loads(as_json.stdout)["stories"]] == [ids["hamburg_port"]]
    shown = wiredesk(stack, "stories", "show", ids["beirut_talks"])
    assert shown.returncode == 0, shown.stderr
    assert "Negotiators met in Beirut" in shown.stdout and "medtop" not in shown.stderr
    assert "Lebanon" in shown.stdout  # a tag, in the tag table
    facets = wiredesk(stack, "stories", "facets", "--feed", "afp", "--json")
    assert json.loads(facets.stdout)["counted"] == 1  # the live test adds Reuters stories
    refused = wiredesk(stack, "stories", "--token", "dev-reuters-token")
    assert refused.returncode == 1 and "401" in refused.stderr
    bad = wiredesk(stack, "stories", "--priority", "12")
    assert bad.returncode == 1 and "priority" in bad.stderr
