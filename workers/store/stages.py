"""Stage bookkeeping: attempt counts, the receipt's state while a stage runs, and the urgent
mark that makes bulk work yield to single stories."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

from workers.store.base import StorePart, now
from workers.store.client import OUTAGES, REFUSALS, translated
from workers.store.scripts import ScriptCall, StoreScript, arg, key

__all__ = ["BeginStageCall", "MarkUrgentCall", "StageStore"]


@dataclass(frozen=True, kw_only=True)
class BeginStageCall(ScriptCall):
    """``begin_stage.lua``: count a start of a stage and mark the receipt as in it."""

    script = "begin_stage.lua"
    receipt: str = key()
    attempts: str = key()
    urgent: str = key()
    inflight: str = key()
    receipt_id: str = arg()
    stage: str = arg()
    now: str = arg()  # ISO time
    progress_at: float = arg()  # the same moment in epoch seconds: the in-flight score
    ttl: int = arg()
    urgent_ms: int = arg()  # 0: leave the urgent mark alone (a batch)


@dataclass(frozen=True, kw_only=True)
class MarkUrgentCall(ScriptCall):
    """``mark_urgent.lua``: make the urgent mark last at least ``ms`` from now."""

    script = "mark_urgent.lua"
    urgent: str = key()
    ms: int = arg()


class StageStore(StorePart):
    @functools.cached_property
    def _begin_stage(self) -> StoreScript[BeginStageCall]:
        return StoreScript(self._redis, BeginStageCall)

    def _begin_call(self, receipt_id: str, stage: str, urgent_ms: int) -> BeginStageCall:
        at = now()
        return BeginStageCall(
            receipt=self.keys.receipt(receipt_id),
            attempts=self.keys.attempts(receipt_id, stage),
            urgent=self.keys.urgent,
            inflight=self.keys.inflight,
            receipt_id=receipt_id,
            stage=stage,
            now=at.isoformat(),
            progress_at=at.timestamp(),
            ttl=self.settings.retention_seconds,
            urgent_ms=urgent_ms,
        )

    @translated
    def begin_stages(self, receipt_ids: list[str], stage: str) -> list[int]:
        """``begin_stage`` for many receipts in one round trip (a batch task's items); a batch
        does not mark urgent work."""
        with self._redis.pipeline(transaction=False) as pipe:
            for receipt_id in receipt_ids:
                self._begin_stage(self._begin_call(receipt_id, stage, 0), client=pipe)
            return [int(n) for n in pipe.execute()]

    @translated
    def begin_stage(self, receipt_id: str, stage: str) -> int:
        """Count one more start of ``stage`` for this receipt, mark the receipt as in it, and
        renew the urgent mark bulk tasks yield to. Returns the attempt number (redeliveries
        after a crash included)."""
        call = self._begin_call(receipt_id, stage, self.settings.bulk_yield_ms)
        return int(self._begin_stage(call))

    def accepts_writes(self) -> bool:
        """Whether Redis takes a write now (a tiny one, gone in a second): a full or read-only
        Redis still answers reads, so only a write tells."""
        try:
            return bool(self._redis.set(self.keys.write_probe, b"1", px=1000))
        except (*OUTAGES, *REFUSALS):
            return False

    @translated
    def yield_to_urgent(self, budget_ms: int) -> float:
        """Wait while single-story work is under way (the urgent mark is set), for at most
        ``budget_ms``. Returns the seconds waited. An idle urgent path costs one PTTL per
        call; a waiting bulk task looks again every 25 ms at most, so it goes on soon after
        the mark goes, however long it was set for."""
        started = time.monotonic()
        waited = 0.0
        while waited * 1000 < budget_ms:
            left_ms = self._redis.pttl(self.keys.urgent)
            if left_ms <= 0:
                break
            time.sleep(min(left_ms, budget_ms - waited * 1000, 25) / 1000)
            # The clock, not the sum of the pauses asked for: a busy machine oversleeps.
            waited = time.monotonic() - started
        return waited
