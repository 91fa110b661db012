from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.services.streamkit import ScratchStream


@pytest.fixture
def stream(redis_url: str) -> Iterator[ScratchStream]:
    s = ScratchStream(redis_url)
    yield s
    s.drop()
