"""Fix and replay: a worker whose tag stage runs past its soft time limit quarantines two
items; a worker without that fault replaces it; replay puts the items back through the
pipeline, they publish, and their receipts keep the quarantine in their history."""

from __future__ import annotations

from tests.services.ops.helpers import OPS, eventually, ops, story

SLOW_TAG = {
    "WIREDESK_FAULT_DELAY_STAGE": "tag",
    "WIREDESK_FAULT_DELAY_SECONDS": "3",
    "WIREDESK_TASK_SOFT_TIME_LIMIT": "1",
}

OTHER = (
    b"NAIROBI (AFP) - Kenya's wildlife service counted forty new elephant calves in Amboseli "
    b"this season, rangers said on Friday, crediting two wet years and fewer poachers.\n"
)


def _replay(stack, body: dict) -> dict:
    response = stack.http.post(f"{stack.api_url}/v1/ops/replay", json=body, headers=OPS)
    response.raise_for_status()
    return response.json()


def test_quarantined_items_publish_after_the_fix_and_replay(make_stack) -> None:
    stack = make_stack(**SLOW_TAG).start()
    first = stack.ingest("afp", story(1, "slow tag")).json()["receipt_id"]

    # While the slow stage runs, the worker says what it is running.
    def running_tag():
        return [
            task
            for worker in ops(stack, "/workers")
            for task in worker["running"]
            if task["receipt_id"] == first and task["stage"] == "tag"
        ]

    eventually(running_tag, every=0.05)
    second = stack.ingest("afp", OTHER).json()["receipt_id"]
    for rid in (first, second):
        receipt = stack.wait_receipt(rid)
        assert receipt["state"] == "quarantined" and receipt["stage"] == "tag"

    quarantine = ops(stack, "/quarantine")
    assert quarantine["size"] == 2
    assert [e["receipt_id"] for e in quarantine["newest"]] == [second, first]
    assert all("took longer than 1.0s" in e["reason"] for e in quarantine["newest"])
    stages = {s["stage"]: s for s in ops(stack, "/stages")["stages"]}
    assert stages["tag"]["totals"]["quarantined"] == 2
    assert stages["tag"]["failures_5m"] == 2
    assert stages["publish"]["totals"]["ok"] == 0
    [afp] = [f for f in ops(stack, "/feeds") if f["feed"] == "afp"]
    assert afp["errors_total"] == 2 and afp["errors_last_hour"] == 2

    # The fix: a worker without the fault.
    stack.worker.stop()
    for name in SLOW_TAG:
        stack.env.pop(name)
    stack.start_worker("w2")

    # Items quarantined by another stage are not touched.
    answer = _replay(stack, {"all": True, "stage": "normalise"})
    assert answer == {"replayed": 0, "results": []}

    answer = _replay(stack, {"ids": [first]})
    assert answer["replayed"] == 1
    assert stack.wait_receipt(first)["state"] == "published"
    answer = _replay(stack, {"all": True, "stage": "tag"})
    assert [r["receipt_id"] for r in answer["results"]] == [second]
    assert stack.wait_receipt(second)["state"] == "published"

    for rid in (first, second):
        types = [e["type"] for e in stack.events_for(rid)]
        assert types == ["story.quarantined", "story.published"], types
        response = stack.http.get(f"{stack.api_url}/v1/ops/receipts/{rid}/history", headers=OPS)
        doc = response.json()
        assert doc["receipt"]["state"] == "published"
        assert [h["event"] for h in doc["history"]] == ["quarantined", "replayed"]
        assert doc["history"][0]["stage"] == "tag"
        assert "took longer than" in doc["history"][1]["reason_was"]

    # Replaying again changes nothing: the items are no longer in quarantine.
    again = _replay(stack, {"ids": [first]})
    assert again["replayed"] == 0
    assert again["results"][0]["detail"] == "not in quarantine (state published)"
    assert ops(stack, "/quarantine")["size"] == 0
    stages = {s["stage"]: s for s in ops(stack, "/stages")["stages"]}
    assert stages["publish"]["totals"]["ok"] == 2


def test_ops_endpoints_want_an_ops_token(stack) -> None:
    for headers in ({}, {"Authorization": "Bearer dev-reuters-token"}):
        response = stack.http.get(f"{stack.api_url}/v1/ops", headers=headers)
        assert response.status_code == 401
        response = stack.http.post(
            f"{stack.api_url}/v1/ops/replay", json={"all": True}, headers=headers
        )
        assert response.status_code == 401
    response = stack.http.post(f"{stack.api_url}/v1/ops/replay", json={}, headers=OPS)
    assert response.status_code == 422
