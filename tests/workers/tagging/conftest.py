"""Shared helpers: stories are built with the real normalise stage, as the pipeline builds them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import Story
from workers.stages.normalise import normalise

SEED = Path(__file__).resolve().parents[3] / "seeds" / "reuters-2017-11-10-syria-islamic-state.txt"


def story_from(text: str, feed: str = "wire") -> Story:
    return normalise(
        text.encode("utf-8"),
        receipt_id="rc_x",
        feed=feed,
        received_at=datetime(2024, 1, 1, tzinfo=UTC),
    )


@pytest.fixture(scope="session")
def seed_story() -> Story:
    return story_from(SEED.read_text(encoding="utf-8"), feed="reuters")
