from __future__ import annotations

from datetime import UTC, datetime

from schemas import Verdict
from workers.stages.dedupe import judge_exact
from workers.stages.normalise import normalise


def story(receipt: str):
    return normalise(
        b"DAKAR (Reuters) - Senegal opened its new port on Monday.",
        receipt_id=receipt,
        feed="reuters",
        received_at=datetime.now(UTC),
    )


def test_first_carrier_is_new_even_when_redelivered() -> None:
    s = story("rc_a")
    assert (
        judge_exact(s, first_receipt="rc_a", first_story=s.story_id).verdict.verdict is Verdict.new
    )


def test_later_carrier_is_a_resend_of_the_first_story() -> None:
    s = story("rc_b")
    checked = judge_exact(s, first_receipt="rc_a", first_story="st_a")
    assert checked.verdict.verdict is Verdict.resend
    assert checked.verdict.of_story == "st_a"
    assert "rc_a" in checked.verdict.reason
