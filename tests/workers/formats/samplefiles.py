"""Shared helpers for the format tests: sample bytes by name, and normalise() over them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from schemas import Story
from workers.stages.normalise import normalise

SAMPLES = Path(__file__).parent / "samples"
RECEIVED = datetime(2024, 11, 12, 9, 0, tzinfo=UTC)


def read_sample(fmt: str, name: str) -> bytes:
    return (SAMPLES / fmt / name).read_bytes()


def normalised(raw: bytes, *, feed: str = "test-feed", hint: str | None = None) -> Story:
    return normalise(raw, receipt_id="rc_test0001", feed=feed, received_at=RECEIVED,
                     format_hint=hint)  # fmt: skip
