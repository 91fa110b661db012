"""Who may open which door: feed tokens push copy and read their own receipts, editor tokens
read stories, receipts and the quarantine, ops tokens open /v1/ops. Checked over real HTTP."""

from __future__ import annotations

import pytest

from tests.harness import Stack, auth, editor_auth
from workers.settings import DEV_EDITOR_TOKEN, DEV_OPS_TOKEN, Settings

OPS = {"Authorization": f"Bearer {DEV_OPS_TOKEN}"}
NONE = {"Authorization": ""}
WRONG = {"Authorization": "Bearer not-a-token"}


@pytest.fixture(scope="module")
def published(stack: Stack) -> tuple[str, str]:
    answer = stack.ingest(
        "reuters", b"OSLO (Reuters) - An access test story for the editors' door.\n"
    ).json()
    receipt = stack.wait_receipt(answer["receipt_id"])
    return receipt["receipt_id"], receipt["story_id"]


@pytest.mark.parametrize("path", ["/v1/stories", "/v1/stories/{sid}", "/v1/stories/{sid}/versions"])
@pytest.mark.parametrize("headers", [NONE, WRONG, auth("reuters"), OPS])
def test_only_editors_read_stories(stack: Stack, published, path: str, headers: dict) -> None:
    _, story_id = published
    url = stack.api_url + path.format(sid=story_id)
    refused = stack.http.get(url, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert stack.http.get(url, headers=editor_auth()).status_code == 200


def test_an_editor_token_cannot_ingest(stack: Stack) -> None:
    url = f"{stack.api_url}/v1/ingest/reuters"
    answer = stack.http.post(
        url, content=b"ROME (Reuters) - Not from a feed.\n", headers=editor_auth()
    )
    assert answer.status_code == 401
    batch = stack.http.post(f"{url}/batch", content=b"{}", headers=editor_auth())
    assert batch.status_code == 401


def test_receipts_are_read_by_their_feed_or_an_editor(stack: Stack, published) -> None:
    receipt_id, _ = published
    url = f"{stack.api_url}/v1/receipts/{receipt_id}"
    assert stack.http.get(url, headers=auth("reuters")).json()["receipt_id"] == receipt_id
    assert stack.http.get(url, headers=editor_auth()).status_code == 200
    # Another feed's token learns nothing: the same 404 as an unknown receipt.
    assert stack.http.get(url, headers=auth("ap")).status_code == 404
    assert stack.http.get(url, headers=NONE).status_code == 401
    assert stack.http.get(url, headers=WRONG).status_code == 401
    assert stack.http.get(url, headers=OPS).status_code == 401


def test_quarantine_needs_an_editor_or_ops_token(stack: Stack) -> None:
    url = f"{stack.api_url}/v1/quarantine"
    assert stack.http.get(url, headers=editor_auth()).status_code == 200
    assert stack.http.get(url, headers=OPS).status_code == 200
    assert stack.http.get(url, headers=auth("reuters")).status_code == 401
    assert stack.http.get(url, headers=NONE).status_code == 401


def test_editor_tokens_are_refused_in_production_when_weak_or_dev() -> None:
    strong = {
        "environment": "production",
        "redis_url": "redis://db:6379/0",
        "feed_tokens": {"reuters": "r" * 20},
        "ops_tokens": ["o" * 20],
    }
    with pytest.raises(ValueError, match="editor tokens"):
        Settings(**strong)  # the dev editor token by default
    with pytest.raises(ValueError, match="editor tokens"):
        Settings(**strong, editor_tokens=["short"])
    assert Settings(**strong, editor_tokens=["e" * 20]).editor_tokens == ["e" * 20]
    assert Settings().editor_tokens == [DEV_EDITOR_TOKEN]
