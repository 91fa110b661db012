"""The store's quarantine tools on a real Redis: filtered pages that walk the stream once, the
raw bytes as received, discard with its audit, and the dry run's check that writes nothing."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from schemas import QuarantineEntry
from workers.store import Cursor, Store
from workers.store import quarantine as part
from workers.store.quarantine import QuarantineCursor, QuarantineFilter

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)

# (feed, stage, reason, minutes after T0)
ITEMS = [
    ("afp", "normalise", "binary data, not text", 0),
    ("reuters", "normalise", "not utf-8 at offset 12", 1),
    ("ap", "tag", "unexpected InjectedFault in tag: boom", 2),
    ("ap", "dedupe", "Took longer than 1.0s", 3),
    ("afp", "tag", "unexpected InjectedFault in tag: BOOM again", 4),
]


def _quarantine(store: Store, i: int, feed: str, stage: str, reason: str, minutes: int) -> str:
    receipt_id = f"rc_{i}"
    raw = f"copy {i} \x00\xff".encode("latin-1")
    store.create_receipt(
        receipt_id=receipt_id,
        feed=feed,
        raw=raw,
        content_type="text/plain; charset=latin-1" if i % 2 else None,
        received_at=T0,
    )
    entry = QuarantineEntry(
        receipt_id=receipt_id,
        feed=feed,
        stage=stage,
        reason=reason,
        error_type="PermanentError",
        quarantined_at=T0 + timedelta(minutes=minutes),
    )
    return store.quarantine(entry, raw)


@pytest.fixture
def entries(store: Store) -> list[str]:
    """Entry ids of ITEMS, oldest first."""
    return [_quarantine(store, i, *item) for i, item in enumerate(ITEMS)]


def _ids(store: Store, flt: QuarantineFilter, limit: int = 50) -> list[str]:
    return [e.entry_id or "" for e in store.page_quarantine(flt, limit=limit).entries]


def test_each_filter_narrows(store: Store, entries: list[str]) -> None:
    newest_first = entries[::-1]
    assert _ids(store, QuarantineFilter()) == newest_first
    assert _ids(store, QuarantineFilter(feed="afp")) == [entries[4], entries[0]]
    assert _ids(store, QuarantineFilter(stage="tag")) == [entries[4], entries[2]]
    assert _ids(store, QuarantineFilter(feed="ap", stage="tag")) == [entries[2]]
    # Reason: a substring, any case.
    assert _ids(store, QuarantineFilter(reason="injectedfault IN TAG")) == [entries[4], entries[2]]
    assert _ids(store, QuarantineFilter(reason="took longer")) == [entries[3]]
    # Times bound quarantined_at, both ends included; a naive time is UTC.
    since = T0 + timedelta(minutes=1)
    until = (T0 + timedelta(minutes=3)).replace(tzinfo=None)
    assert _ids(store, QuarantineFilter(since=since)) == newest_first[:4]
    assert _ids(store, QuarantineFilter(since=since, until=until)) == [
        entries[3],
        entries[2],
        entries[1],
    ]
    assert _ids(store, QuarantineFilter(feed="nosuch")) == []


def test_paging_walks_every_entry_once(store: Store, entries: list[str]) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = store.page_quarantine(QuarantineFilter(), limit=2, cursor=cursor)
        seen += [e.entry_id or "" for e in page.entries]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == entries[::-1]
    # The last page is full and says there is nothing after it.
    last = store.page_quarantine(QuarantineFilter(), limit=5)
    assert len(last.entries) == 5 and last.next_cursor is None


def test_a_filtered_page_stops_at_its_budget_and_goes_on(
    store: Store, entries: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a scan budget of two entries a filter that matches the oldest and the newest needs
    several short pages; following the cursor still finds each match once."""
    monkeypatch.setattr(part, "_SCAN_BUDGET", 2)
    monkeypatch.setattr(part, "_BATCH", 1)
    seen: list[str] = []
    cursor, pages = None, 0
    while True:
        page = store.page_quarantine(QuarantineFilter(feed="afp"), limit=5, cursor=cursor)
        seen += [e.entry_id or "" for e in page.entries]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [entries[4], entries[0]]
    assert pages == 3


def test_a_cursor_not_made_here_is_refused(store: Store, entries: list[str]) -> None:
    assert QuarantineCursor.decode(QuarantineCursor.encode("5-1")) == "5-1"
    wrong_tag = base64.urlsafe_b64encode(b"s|1-1").decode()
    not_an_id = base64.urlsafe_b64encode(b"q|1-1 junk").decode()
    for bad in ("nonsense!", wrong_tag, not_an_id, Cursor.encode(1.0, "st_1")):
        with pytest.raises(ValueError, match="malformed cursor"):
            store.page_quarantine(QuarantineFilter(), cursor=bad)


def test_raw_bytes_and_content_type_as_received(store: Store, entries: list[str]) -> None:
    first = store.quarantine_raw(entries[1])
    assert first is not None
    assert first.raw == "copy 1 \x00\xff".encode("latin-1")
    assert first.content_type == "text/plain; charset=latin-1"
    assert first.receipt_id == "rc_1"
    assert store.quarantine_raw(entries[0]).content_type is None  # none was sent
    assert store.quarantine_raw("1-1") is None
    assert store.quarantine_raw("not-an-id") is None


def test_discard_removes_audits_and_answers_once(store: Store, entries: list[str]) -> None:
    outcome = store.discard_quarantined(entries[2], reason="agency resent it fixed", by="ops")
    assert (outcome.discarded, outcome.found, outcome.receipt_id) == (True, True, "rc_2")
    assert entries[2] not in _ids(store, QuarantineFilter())
    assert store.quarantine_length() == 4
    receipt = store.receipt("rc_2")
    assert receipt is not None and receipt.state == "discarded"
    [audit] = store.quarantine_audit()
    assert audit["entry_id"] == entries[2] and audit["receipt_id"] == "rc_2"
    assert audit["reason"] == "agency resent it fixed" and audit["by"] == "ops"
    assert audit["reason_was"] == ITEMS[2][2] and audit["feed"] == "ap"
    history = store.history("rc_2")
    assert [h["event"] for h in history] == ["quarantined", "discarded"]
    assert history[1]["reason"] == "agency resent it fixed"

    again = store.discard_quarantined(entries[2], reason="twice", by="ops")
    assert (again.discarded, again.found) == (False, False)
    assert len(store.quarantine_audit()) == 1
    assert store.discard_quarantined("junk", reason="x", by="ops").found is False


def test_discard_leaves_an_item_back_in_the_pipeline(
    store: Store, client, entries: list[str]
) -> None:
    client.hset(store.keys.receipt("rc_3"), "state", "queued")
    outcome = store.discard_quarantined(entries[3], reason="no", by="ops")
    assert (outcome.discarded, outcome.found) == (False, True)
    assert "back in the pipeline (state queued)" in outcome.detail
    assert entries[3] in _ids(store, QuarantineFilter())
    assert store.quarantine_audit() == []


def test_replay_check_writes_nothing(store: Store, client, entries: list[str]) -> None:
    before = {k: client.dump(k) for k in client.scan_iter(match=f"{store.keys.prefix}*")}
    assert store.replay_check("rc_0").reopened is True
    client.hset(store.keys.receipt("rc_1"), "state", "published")
    before[store.keys.receipt("rc_1").encode()] = client.dump(store.keys.receipt("rc_1"))
    check = store.replay_check("rc_1")
    assert (check.reopened, check.detail) == (False, "not in quarantine (state published)")
    assert store.replay_check("rc_none").detail == "no such receipt (expired?)"
    after = {k: client.dump(k) for k in client.scan_iter(match=f"{store.keys.prefix}*")}
    assert after == before


def test_discard_of_an_expired_receipt_makes_no_receipt(
    store: Store, client, entries: list[str]
) -> None:
    client.delete(store.keys.receipt("rc_4"))
    outcome = store.discard_quarantined(entries[4], reason="long gone", by="ops")
    assert outcome.discarded is True
    assert store.receipt("rc_4") is None
    assert store.quarantine_audit()[0]["receipt_id"] == "rc_4"


def test_racing_discards_of_one_entry_discard_it_once(store: Store, entries: list[str]) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(
            pool.map(
                lambda n: store.discard_quarantined(entries[0], reason=f"r{n}", by="ops"),
                range(8),
            )
        )
    assert sum(o.discarded for o in outcomes) == 1
    assert all(o.found is False for o in outcomes if not o.discarded)
    assert len(store.quarantine_audit()) == 1
    assert [h["event"] for h in store.history("rc_0")] == ["quarantined", "discarded"]
