from __future__ import annotations

from datetime import UTC, datetime

from schemas import DedupeFinding, PubStatus, Signal, Verdict
from workers.dedupe.judge import similarity
from workers.stages.dedupe import fingerprint, is_kill, judge
from workers.stages.normalise import normalise


def story(receipt: str, text: bytes = b"DAKAR (Reuters) - Senegal opened its new port on Monday."):
    return normalise(text, receipt_id=receipt, feed="reuters", received_at=datetime.now(UTC))


def test_new_finding_is_a_new_verdict() -> None:
    s = story("rc_a")
    checked = judge(s, DedupeFinding("new", None, None, "not seen", s.story_id))
    assert checked.verdict.verdict is Verdict.new and checked.verdict.shown


def test_resend_points_at_the_first_story_and_its_cluster() -> None:
    checked = judge(story("rc_b"), DedupeFinding("resend", "st_a", 1.0, "same body", "st_a"))
    assert checked.verdict.verdict is Verdict.resend
    assert (checked.verdict.of_story, checked.verdict.cluster) == ("st_a", "st_a")


def test_older_late_version_is_an_update_not_shown() -> None:
    checked = judge(story("rc_c"), DedupeFinding("update_older", "st_c", None, "older", "st_c"))
    assert checked.verdict.verdict is Verdict.update
    assert checked.verdict.shown is False


def test_kill_is_read_from_status_or_signal() -> None:
    s = story("rc_d")
    assert not is_kill(s)
    assert is_kill(s.model_copy(update={"signals": [Signal.kill]}))
    assert is_kill(s.model_copy(update={"status": PubStatus.canceled}))


def test_dateline_and_credit_lines_do_not_change_the_fingerprint() -> None:
    a = story(
        "rc_e",
        b"DAKAR (Reuters) - Senegal opened its new deep-water port on Monday, the transport "
        b"minister said, calling it the largest project in the country's history.\n\n"
        b"(Reporting by Aminata Diallo; Editing by Jon Ross)",
    )
    b = story(
        "rc_f",
        b"DAKAR, Senegal (AP) - Senegal opened its new deep-water port on Monday, the transport "
        b"minister said, calling it the largest project in the country's history.\n\n"
        b"Associated Press writer Ama Kofi contributed to this report.",
    )
    assert similarity(fingerprint(a), fingerprint(b)).jaccard == 1.0


def test_non_latin_and_tiny_bodies_fingerprint_without_matching_everything() -> None:
    zh = story("rc_g", "北京（新华社）- 中国政府今天宣布新的经济刺激计划，以支持制造业。".encode())
    th = story("rc_h", "กรุงเทพฯ - รัฐบาลไทยประกาศมาตรการใหม่เพื่อช่วยเหลือเกษตรกร".encode())
    one = story("rc_i", b"Flash")
    assert fingerprint(zh).size > 5 and fingerprint(th).size > 5
    assert fingerprint(one).size == 1
    assert similarity(fingerprint(zh), fingerprint(th)).jaccard < 0.2
