"""The stage hooks as plain functions: the loop's order, and the hooks that decide without
Redis or a broker (reasons, backoff, the attempts cap, the fault drills, the tagger drill)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from schemas import CheckedStory, DedupeVerdict, Verdict
from workers.errors import (
    AttemptsExhaustedError,
    ParseError,
    RetryableError,
    StoreUnavailableError,
)
from workers.hooks import (
    STAGE_HOOKS,
    AttemptCap,
    AttemptCounter,
    FaultInjection,
    InjectedFault,
    InjectedPassingFault,
    Quarantine,
    Retry,
    StageCall,
    StageHook,
    StageTimer,
    inject_fault,
    quarantine_reason,
    retry_delay,
    run_stage,
    tagger_for,
)
from workers.settings import Settings
from workers.stages.normalise import normalise
from workers.stages.tag import tag
from workers.tagging import tag_story


def call(settings: Settings | None = None, *, stage: str = "dedupe", attempts: int = 0,
         feed: str | None = "reuters") -> StageCall:  # fmt: skip
    # No task and no store: the hooks tested with it touch neither.
    return StageCall(
        task=None,  # type: ignore[arg-type]
        stage=stage,
        receipt_id="rc_test",
        feed=feed,
        store=None,  # type: ignore[arg-type]
        settings=settings or Settings(),
        attempts=attempts,
    )


class Recorder(StageHook):
    """Writes down when it was called, and settles failures when told to."""

    def __init__(self, name: str, seen: list[str], *, settles: bool = False,
                 fails_before: bool = False) -> None:  # fmt: skip
        self.name, self.seen, self.settles, self.fails_before = name, seen, settles, fails_before

    def before_stage(self, call: StageCall) -> None:
        self.seen.append(f"before {self.name}")
        if self.fails_before:
            raise AttemptsExhaustedError(f"{self.name} refused")

    def after_stage(self, call: StageCall, result: Any) -> None:
        self.seen.append(f"after {self.name} {result}")

    def after_failure(self, call: StageCall, exc: Exception) -> bool:
        self.seen.append(f"failure {self.name} {exc}")
        return self.settles


def test_hooks_run_down_the_list_before_and_back_up_it_after() -> None:
    seen: list[str] = []
    hooks = [Recorder("outer", seen), Recorder("inner", seen)]
    result = run_stage(call(), hooks, lambda: seen.append("stage") or "ok")
    assert result == "ok"
    assert seen == ["before outer", "before inner", "stage", "after inner ok", "after outer ok"]


def test_the_first_hook_up_the_list_that_settles_a_failure_ends_the_run() -> None:
    seen: list[str] = []
    hooks = [Recorder("outer", seen, settles=True), Recorder("middle", seen, settles=True),
             Recorder("inner", seen)]  # fmt: skip

    def broken() -> None:
        raise ValueError("boom")

    assert run_stage(call(), hooks, broken) is None
    # The outer hook never hears of it: the middle one settled it.
    assert seen[-2:] == ["failure inner boom", "failure middle boom"]
    assert not any(line.startswith("after") for line in seen)


def test_a_failure_no_hook_settles_is_raised_again() -> None:
    seen: list[str] = []
    with pytest.raises(ValueError, match="boom"):
        run_stage(call(), [Recorder("only", seen)], lambda: int("boom"))
    assert seen[-1].startswith("failure only")


def test_a_hook_failing_before_the_stage_stops_the_stage_and_the_hooks_after_it() -> None:
    seen: list[str] = []
    ran: list[str] = []
    hooks = [Recorder("outer", seen, settles=True), Recorder("cap", seen, fails_before=True),
             Recorder("inner", seen)]  # fmt: skip
    assert run_stage(call(), hooks, lambda: ran.append("stage")) is None
    assert ran == []
    assert seen == ["before outer", "before cap", "failure inner cap refused",
                    "failure cap cap refused", "failure outer cap refused"]  # fmt: skip


def test_the_stage_hooks_are_in_the_order_the_tasks_rely_on() -> None:
    # Quarantine outermost (it settles whatever is left), retry inside it, the timer around the
    # counted start, and the cap after the count it reads; the drills innermost, so a drilled
    # stage is counted and timed like a real one.
    kinds = [type(hook) for hook in STAGE_HOOKS]
    assert kinds == [Quarantine, Retry, StageTimer, AttemptCounter, AttemptCap, FaultInjection]


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (ParseError("no closing tag", format="nitf"), "nitf: no closing tag"),
        (StoreUnavailableError("Redis unreachable"), "Redis unreachable"),
        (AttemptsExhaustedError("tag was started 5 times"), "tag was started 5 times"),
        (KeyError("headline"), "unexpected KeyError in tag: 'headline'"),
        (ZeroDivisionError(), "unexpected ZeroDivisionError in tag: ZeroDivisionError"),
        (InjectedFault("fault drill"), "unexpected InjectedFault in tag: fault drill"),
    ],
)
def test_quarantine_reason_says_what_is_wrong_or_that_it_is_a_bug(exc, reason) -> None:
    assert quarantine_reason(exc, "tag") == reason


def test_retry_delay_doubles_from_the_base_up_to_the_cap() -> None:
    settings = Settings(retry_backoff_seconds=0.5, retry_backoff_max_seconds=3)
    assert [retry_delay(n, settings) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    # A start Redis could not count (attempt 0) waits as long as a first failure, not zero.
    assert retry_delay(0, settings) == 0.5
    assert retry_delay(40, Settings()) == 300.0


def test_the_cap_lets_the_last_allowed_attempt_run_and_refuses_the_next() -> None:
    settings = Settings(max_attempts=3)
    AttemptCap().before_stage(call(settings, attempts=3))
    with pytest.raises(AttemptsExhaustedError, match="dedupe was started 3 times"):
        AttemptCap().before_stage(call(settings, attempts=4))


def test_retry_leaves_permanent_faults_and_the_last_attempt_to_quarantine() -> None:
    settings = Settings(max_attempts=3)
    # Neither case touches the task (there is none here): nothing is retried.
    assert Retry().after_failure(call(settings, attempts=1), ValueError("bug")) is False
    last = call(settings, attempts=3)
    assert Retry().after_failure(last, StoreUnavailableError("away")) is False


def test_no_drill_is_set_by_default() -> None:
    settings = Settings()
    assert (settings.fault_delay_stage, settings.fault_raise_stage) == (None, None)
    for stage in ("normalise", "dedupe", "tag", "publish", "tagger"):
        inject_fault(settings, stage, "reuters")
    assert tagger_for(settings) is tag_story


def test_a_raise_drill_fails_only_its_stage_and_feed() -> None:
    settings = Settings(fault_raise_stage="dedupe", fault_raise_feed="afp")
    inject_fault(settings, "tag", "afp")
    inject_fault(settings, "dedupe", "reuters")
    with pytest.raises(InjectedFault, match="fault drill: dedupe failed on purpose"):
        inject_fault(settings, "dedupe", "afp")
    with pytest.raises(InjectedFault):
        FaultInjection().before_stage(call(settings, feed="afp"))
    FaultInjection().before_stage(call(settings, feed="reuters"))


def test_a_retryable_drill_is_a_passing_fault() -> None:
    settings = Settings(fault_raise_stage="publish", fault_raise_kind="retryable")
    with pytest.raises(InjectedPassingFault) as raised:
        inject_fault(settings, "publish", None)
    assert isinstance(raised.value, RetryableError)
    assert quarantine_reason(raised.value, "publish") == "fault drill: publish failed on purpose"


def checked(feed: str) -> CheckedStory:
    story = normalise(
        b"BERLIN (Reuters) - Germany's parliament in Berlin passed the budget on Friday.\n",
        receipt_id="rc_tag",
        feed=feed,
        received_at=datetime.now(UTC),
    )
    return CheckedStory(**story.model_dump(), verdict=DedupeVerdict(verdict=Verdict.new,
                                                                    reason="new"))  # fmt: skip


def test_a_tagger_drill_is_caught_by_the_tag_stage_and_the_story_goes_on_untagged() -> None:
    settings = Settings(fault_raise_stage="tagger", fault_raise_feed="afp")
    drilled = tagger_for(settings)
    failed = tag(checked("afp"), tagger=drilled)
    assert failed.tags == []
    assert failed.tag_error == "InjectedFault: fault drill: tagger failed on purpose"
    # The same drilled tagger on another feed's story tags it: the drill is aimed, and the
    # empty tags above are the drill's doing, not a story with nothing to tag.
    other = tag(checked("reuters"), tagger=drilled)
    assert other.tag_error is None and other.tags
