"""The links the API hands out start with the configured public base URL: what the request's
Host (or a proxy's X-Forwarded-Host) header says never makes it into them."""

from __future__ import annotations

from tests.harness import Stack
from tests.services.api.conftest import PUBLIC_BASE_URL


def test_status_url_is_built_from_the_public_base_url(guarded: Stack) -> None:
    answer = guarded.ingest(
        "reuters",
        b"QUITO (Reuters) - A story pushed through a proxy, with a forged Host header.\n",
        headers={"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"},
    )
    assert answer.status_code == 202, answer.text
    receipt_id = answer.json()["receipt_id"]
    # The base's own path is kept, and its trailing slash is not doubled.
    assert PUBLIC_BASE_URL == "https://wires.example.org/desk/"
    expected = f"https://wires.example.org/desk/v1/receipts/{receipt_id}"
    assert answer.json()["status_url"] == expected
    assert [r["status_url"] for r in answer.json()["receipts"]] == [expected]
