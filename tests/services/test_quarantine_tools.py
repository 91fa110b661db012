"""The quarantine tools ops work with, over real HTTP and the real CLI: filters and paging,
the raw bytes as received, discard with its audit, and replay's --dry-run, --feed and --since.

Items reach the quarantine as they do in use: copy that is not text stops at normalise, and a
fault drill makes the tag stage fail for one feed's stories (``WIREDESK_FAULT_RAISE_*``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.cli import main
from tests.harness import Stack
from tests.services.ops.helpers import OPS

FAULTY_TAG = {
    "WIREDESK_FAULT_RAISE_STAGE": "tag",
    "WIREDESK_FAULT_RAISE_FEED": "ap",
}
INVALID_UTF8 = b"PARIS (Reuters) - Caf\xc3\x28 \xff\xfe broken bytes.\n"


def binary(n: int) -> bytes:
    """Control bytes, not text (quarantined at normalise); distinct per n, so no two are the
    same bytes from one feed (which the front door would answer as a resend)."""
    return bytes([7, 8, 14, 15, 16, 127, 27]) + bytes([1 + n % 6]) * (n + 1)


def good(n: int) -> bytes:
    return (
        f"LIMA (AP) - Story number {n} about harbour dredging reached the desk on Tuesday, "
        f"item {n * 31} of the quarantine tool tests.\n"
    ).encode()


@dataclass
class Seeded:
    stack: Stack
    afp: dict  # a binary body, normalise, sent as text/plain
    reuters: dict  # invalid UTF-8, normalise
    ap: list[dict]  # two good stories, stopped at tag by the fault
    mid: datetime  # after afp and reuters were quarantined, before the ap stories
    end: datetime  # after the ap stories were quarantined


def _quarantined(stack: Stack, feed: str, body: bytes, **headers: str) -> dict:
    answer = stack.ingest(feed, body, headers=headers)
    assert answer.status_code == 202, answer.text
    receipt = stack.wait_receipt(answer.json()["receipt_id"])
    assert receipt["state"] == "quarantined", receipt
    entry = _entry_of(stack, receipt["receipt_id"])
    return {"receipt": receipt, "entry_id": entry["entry_id"], "body": body, **headers}


def _entry_of(stack: Stack, receipt_id: str) -> dict:
    everything = _walk(stack, {})
    [entry] = [e for e in everything if e["receipt_id"] == receipt_id]
    return entry


@pytest.fixture(scope="module")
def seeded(redis_url: str, log_dir: Path) -> Iterator[Seeded]:
    stack = Stack(redis_url=redis_url, log_dir=log_dir, env_overrides=FAULTY_TAG).start()
    try:
        afp = _quarantined(stack, "afp", binary(0), **{"Content-Type": "text/plain"})
        reuters = _quarantined(
            stack, "reuters", INVALID_UTF8, **{"Content-Type": "text/plain; charset=utf-8"}
        )
        mid = datetime.now(UTC)
        ap = [_quarantined(stack, "ap", good(n)) for n in (1, 2)]
        end = datetime.now(UTC)
        yield Seeded(stack, afp, reuters, ap, mid, end)
    finally:
        stack.stop()


def _get(stack: Stack, path: str, params: dict | None = None, **kwargs):
    return stack.http.get(f"{stack.api_url}{path}", params=params, **kwargs)


def _page(stack: Stack, params: dict) -> dict:
    response = _get(stack, "/v1/quarantine", params)
    assert response.status_code == 200, response.text
    return response.json()


def _walk(stack: Stack, params: dict, limit: int = 50) -> list[dict]:
    """Every entry a filter matches, by following next_cursor."""
    out: list[dict] = []
    cursor = None
    for _ in range(100):
        page = _page(stack, {**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        out += page["entries"]
        cursor = page["next_cursor"]
        if cursor is None:
            return out
    raise AssertionError("paging did not end")


def _receipts(entries: list[dict]) -> list[str]:
    return [e["receipt_id"] for e in entries]


def _rid(item: dict) -> str:
    return item["receipt"]["receipt_id"]


def _discard(stack: Stack, entry_id: str, body: dict, headers: dict | None = None):
    return stack.http.post(
        f"{stack.api_url}/v1/quarantine/{entry_id}/discard",
        json=body,
        headers=OPS if headers is None else headers,
    )


def _replay(stack: Stack, body: dict) -> dict:
    response = stack.http.post(f"{stack.api_url}/v1/ops/replay", json=body, headers=OPS)
    assert response.status_code == 200, response.text
    return response.json()


def test_each_filter_narrows(seeded: Seeded) -> None:
    s = seeded.stack
    afp, reuters, (ap1, ap2) = seeded.afp, seeded.reuters, seeded.ap
    assert _receipts(_walk(s, {"feed": "afp"})) == [_rid(afp)]
    assert _receipts(_walk(s, {"feed": "ap"})) == [_rid(ap2), _rid(ap1)]
    tagged = _walk(s, {"stage": "tag"})
    assert _receipts(tagged) == [_rid(ap2), _rid(ap1)]
    assert all(e["reason"].startswith("unexpected InjectedFault in tag") for e in tagged)
    normalised = set(_receipts(_walk(s, {"stage": "normalise"})))
    assert {_rid(afp), _rid(reuters)} <= normalised
    assert not normalised & {_rid(ap1), _rid(ap2)}
    # Reason: a substring, any case.
    assert _receipts(_walk(s, {"reason": "BINARY DATA", "feed": "afp"})) == [_rid(afp)]
    assert _rid(afp) not in _receipts(_walk(s, {"reason": "injectedfault"}))
    assert _receipts(_walk(s, {"reason": "injectedfault"}))[:2] == [_rid(ap2), _rid(ap1)]
    # Time: since/until bound when it was quarantined.
    window = {"since": seeded.mid.isoformat(), "until": seeded.end.isoformat()}
    assert _receipts(_walk(s, window)) == [_rid(ap2), _rid(ap1)]
    before = {"until": seeded.mid.isoformat(), "feed": "reuters"}
    assert _receipts(_walk(s, before)) == [_rid(reuters)]
    naive = {"since": seeded.mid.replace(tzinfo=None).isoformat(), "feed": "afp"}
    assert _walk(s, naive) == []  # a time without an offset is UTC
    assert _walk(s, {"feed": "ap", "stage": "normalise"}) == []


def test_paging_walks_every_entry_once(seeded: Seeded) -> None:
    s = seeded.stack
    truth = [i.decode() for i, _ in s.redis.xrevrange(s.keys.quarantine_stream)]
    for limit in (1, 2, 3):
        ids = [e["entry_id"] for e in _walk(s, {}, limit=limit)]
        assert ids == truth, limit
    first = _page(s, {"limit": 1})
    assert len(first["entries"]) == 1 and first["next_cursor"]
    assert _page(s, {"limit": len(truth)})["next_cursor"] is None
    # A filtered walk pages too.
    assert _receipts(_walk(s, {"feed": "ap"}, limit=1)) == [_rid(seeded.ap[1]), _rid(seeded.ap[0])]


def test_bad_parameters_are_422_with_a_message(seeded: Seeded) -> None:
    s = seeded.stack
    cases = [
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-45T00:00:00"}, "until"),
        ({"since": "2026-03-02T00:00:00Z", "until": "2026-03-01T00:00:00Z"}, "'since' is after"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
    ]
    for params, says in cases:
        response = _get(s, "/v1/quarantine", params)
        assert response.status_code == 422, (params, response.text)
        assert says in response.text, (params, response.text)
    assert (
        _get(s, "/v1/quarantine", headers={"Authorization": "Bearer dev-ap-token"}).status_code
        == 401
    )


def test_raw_bytes_are_what_was_posted(seeded: Seeded) -> None:
    s = seeded.stack
    for item in (seeded.afp, seeded.reuters, seeded.ap[0]):
        response = _get(s, f"/v1/quarantine/{item['entry_id']}/raw")
        assert response.status_code == 200
        assert response.content == item["body"]
        sent = item.get("Content-Type", "application/octet-stream")
        assert response.headers["content-type"] == sent
        assert response.headers["x-wiredesk-receipt"] == _rid(item)
    raw = _get(s, f"/v1/quarantine/{seeded.afp['entry_id']}/raw", headers=OPS)
    assert raw.status_code == 200
    for unknown in ("1-1", "nonsense", "99999999999999-0"):
        assert _get(s, f"/v1/quarantine/{unknown}/raw").status_code == 404
    assert (
        _get(
            s,
            f"/v1/quarantine/{seeded.afp['entry_id']}/raw",
            headers={"Authorization": "Bearer dev-afp-token"},
        ).status_code
        == 401
    )


def test_discard_removes_audits_and_answers_once(seeded: Seeded) -> None:
    s = seeded.stack
    item = _quarantined(s, "kyodo", binary(3))
    entry_id, rid = item["entry_id"], _rid(item)
    length = s.redis.xlen(s.keys.quarantine_stream)

    # Ops only, and a reason is required.
    assert _discard(s, entry_id, {"reason": "x"}, headers={}).status_code == 401
    assert _discard(s, entry_id, {"reason": "x"}, headers=dict(s.http.headers)).status_code == 401
    assert _discard(s, entry_id, {}).status_code == 422
    blank = _discard(s, entry_id, {"reason": "   "})
    assert blank.status_code == 422 and "reason" in blank.text
    assert s.redis.xlen(s.keys.quarantine_stream) == length

    done = _discard(s, entry_id, {"reason": "agency withdrew the file"})
    assert done.status_code == 200, done.text
    assert done.json() == {"entry_id": entry_id, "receipt_id": rid, "discarded": True}
    assert s.redis.xlen(s.keys.quarantine_stream) == length - 1
    assert _walk(s, {"feed": "kyodo"}) == []
    assert _get(s, f"/v1/quarantine/{entry_id}/raw").status_code == 404
    assert s.receipt(rid)["state"] == "discarded"

    [audit] = [
        r for r in _get(s, "/v1/quarantine/audit").json()["records"] if r["receipt_id"] == rid
    ]
    assert audit["entry_id"] == entry_id and audit["by"] == "ops"
    assert audit["reason"] == "agency withdrew the file"
    assert "binary data" in audit["reason_was"] and audit["stage"] == "normalise"
    assert any(
        fields[b"receipt_id"].decode() == rid
        for _, fields in s.redis.xrange(s.keys.quarantine_audit)
    )
    history = s.http.get(f"{s.api_url}/v1/ops/receipts/{rid}/history", headers=OPS).json()
    assert [h["event"] for h in history["history"]] == ["quarantined", "discarded"]
    assert history["history"][1]["reason"] == "agency withdrew the file"

    again = _discard(s, entry_id, {"reason": "again"})
    assert again.status_code == 404
    # A discarded item is not replayed.
    answer = _replay(s, {"ids": [rid]})
    assert answer["replayed"] == 0
    assert answer["results"][0]["detail"] == "not in quarantine (state discarded)"


def test_cli_lists_filters_pages_shows_raw_and_discards(
    seeded: Seeded, capsys, tmp_path: Path
) -> None:
    s = seeded.stack
    api = ["--api", s.api_url]
    assert main([*api, "quarantine", "--feed", "ap", "--stage", "tag"]) == 0
    out = capsys.readouterr().out
    assert _rid(seeded.ap[0]) in out and _rid(seeded.ap[1]) in out
    assert _rid(seeded.afp) not in out and "no matches" not in out

    assert main([*api, "quarantine", "--feed", "nosuchfeed"]) == 0
    assert capsys.readouterr().out.strip() == "no matches"

    assert main([*api, "quarantine", "--feed", "ap", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    cursor = out.split("more: --cursor ")[1].strip()
    assert _rid(seeded.ap[1]) in out
    assert main([*api, "quarantine", "--feed", "ap", "--limit", "1", "--cursor", cursor]) == 0
    out = capsys.readouterr().out
    assert _rid(seeded.ap[0]) in out and "more:" not in out

    window = ["--since", seeded.mid.isoformat(), "--until", seeded.end.isoformat()]
    assert main([*api, "quarantine", *window, "--reason", "INJECTED"]) == 0
    out = capsys.readouterr().out
    assert out.count("unexpected InjectedFault in tag") == 2

    assert main([*api, "quarantine", "--since", "soon"]) == 1
    assert "422" in capsys.readouterr().err

    target = tmp_path / "raw.bin"
    assert main([*api, "quarantine", "raw", seeded.reuters["entry_id"], "-o", str(target)]) == 0
    assert target.read_bytes() == INVALID_UTF8
    assert main([*api, "quarantine", "raw", "1-1"]) == 1
    assert "404" in capsys.readouterr().err

    item = _quarantined(s, "ansa", binary(4))
    discard = [*api, "quarantine", "discard", item["entry_id"], "--reason", "test copy"]
    assert main(discard) == 0
    assert capsys.readouterr().out.strip().endswith("discarded")
    assert s.receipt(_rid(item))["state"] == "discarded"
    assert main(discard) == 1
    assert "404" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # --reason is required
        main([*api, "quarantine", "discard", item["entry_id"]])


def _state(s: Stack) -> tuple[list[str], list[str]]:
    """The quarantine stream's ids and every quarantined receipt's state."""
    ids = [i.decode() for i, _ in s.redis.xrange(s.keys.quarantine_stream)]
    rids = [f[b"receipt_id"].decode() for _, f in s.redis.xrange(s.keys.quarantine_stream)]
    return ids, [s.receipt(r)["state"] for r in rids]


def _would(answer: dict) -> set[str]:
    return {r["receipt_id"] for r in answer["results"] if r["would_replay"]}


def test_replay_dry_run_feed_and_since(seeded: Seeded, capsys) -> None:
    s = seeded.stack
    old = _quarantined(s, "dpa", binary(5))
    since = datetime.now(UTC)
    new = _quarantined(s, "dpa", binary(6))
    other = _quarantined(s, "efe", binary(7))
    before = _state(s)

    answer = _replay(s, {"all": True, "feed": "dpa", "dry_run": True})
    assert _would(answer) == {_rid(old), _rid(new)}
    assert answer["dry_run"] is True and answer["would_replay"] == 2 and answer["replayed"] == 0
    answer = _replay(s, {"all": True, "since": since.isoformat(), "dry_run": True})
    assert _would(answer) == {_rid(new), _rid(other)}
    answer = _replay(s, {"all": True, "since": since.isoformat(), "feed": "dpa", "dry_run": True})
    assert _would(answer) == {_rid(new)}
    answer = _replay(s, {"all": True, "stage": "tag", "dry_run": True})
    assert _would(answer) == {_rid(a) for a in seeded.ap}
    # Named items that the filters leave out say why.
    answer = _replay(s, {"ids": [_rid(old)], "since": since.isoformat(), "dry_run": True})
    assert answer["results"] == [
        {
            "receipt_id": _rid(old),
            "replayed": False,
            "detail": "not quarantined between since and until",
            "would_replay": False,
        }
    ]
    answer = _replay(s, {"ids": [other["entry_id"]], "feed": "dpa", "dry_run": True})
    assert answer["results"][0]["detail"] == "not from feed 'dpa'"

    argv = ["--api", s.api_url, "ops", "replay", "--all", "--feed", "dpa"]
    assert main([*argv, "--since", since.isoformat(), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"{_rid(new)}\twould replay" in out and _rid(old) not in out
    assert "1 would be replayed (dry run: nothing changed)" in out
    # Nothing changed: the same entries, the same states.
    assert _state(s) == before

    bad = s.http.post(
        f"{s.api_url}/v1/ops/replay",
        json={"all": True, "since": "2026-03-02T00:00:00", "until": "2026-03-01T00:00:00"},
        headers=OPS,
    )
    assert bad.status_code == 422 and "'since' is after 'until'" in bad.text

    # The real replay takes only what the filters chose; the copy is still bad, so it comes
    # back to quarantine under a new entry, and the others keep theirs.
    assert main([*argv, "--since", since.isoformat()]) == 0
    out = capsys.readouterr().out
    assert f"{_rid(new)}\treplayed" in out and "1 replayed" in out
    receipt = s.wait_receipt(_rid(new), states=("quarantined",))
    assert receipt["state"] == "quarantined"
    ids_after, _ = _state(s)
    assert new["entry_id"] not in ids_after
    assert old["entry_id"] in ids_after and other["entry_id"] in ids_after
    assert _entry_of(s, _rid(new))["entry_id"] != new["entry_id"]
