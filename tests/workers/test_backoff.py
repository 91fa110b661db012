"""Backoff as pure functions: the ceiling doubles up to the cap, each delay is drawn at random
below it (full jitter), and Retry-After is read in both of its forms."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from statistics import mean

from workers.backoff import backoff_ceiling, backoff_delay, retry_after_seconds


def test_ceiling_doubles_then_caps() -> None:
    ceilings = [backoff_ceiling(n, base=1.0, cap=30.0) for n in range(0, 9)]
    assert ceilings == [0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    assert backoff_ceiling(10_000, base=2.0, cap=900.0) == 900.0


def test_delays_are_jittered_within_bounds_and_grow() -> None:
    rng = random.Random(20240503)
    samples = {
        n: [backoff_delay(n, base=1.0, cap=30.0, rng=rng) for _ in range(400)] for n in range(1, 9)
    }
    for n, delays in samples.items():
        ceiling = backoff_ceiling(n, base=1.0, cap=30.0)
        assert all(0.0 <= d <= ceiling for d in delays)
        assert len(set(delays)) == len(delays)  # jittered: no two alike
        # Full jitter: spread over the whole range, not bunched near the ceiling.
        assert min(delays) < ceiling * 0.1 and max(delays) > ceiling * 0.9
    means = [mean(samples[n]) for n in range(1, 7)]
    assert means == sorted(means) and means[-1] > 4 * means[0]
    # Past the cap the distribution stops growing.
    assert abs(mean(samples[8]) - mean(samples[7])) < 3.0


def test_retry_after_seconds_and_dates() -> None:
    now = datetime(2024, 5, 3, 9, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Fri, 03 May 2024 09:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Fri, 03 May 2024 08:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_equal_jitter_stays_in_the_upper_half_and_none_is_the_ceiling():
    rng = random.Random(7)
    delays = [backoff_delay(3, base=1.0, cap=60.0, jitter="equal", rng=rng) for _ in range(200)]
    assert min(delays) >= 2.0 and max(delays) <= 4.0
    assert backoff_delay(3, base=1.0, cap=60.0, jitter="none") == 4.0
