"""The labelled evaluation: every verdict's precision and recall on 230 invented cases, judged
by the real stage against a real Redis (``bench.dedupe`` prints the same table)."""

from __future__ import annotations

import redis

from workers.dedupe.cases import all_cases
from workers.dedupe.evaluation import evaluate, markdown

FLOOR = 0.95


def test_the_set_is_big_enough_and_covers_every_verdict() -> None:
    cases = all_cases()
    assert len(cases) >= 200
    assert len({c.expect for c in cases}) == 5


def test_precision_and_recall_per_verdict(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    scores = evaluate(client)
    table = markdown(scores)
    for verdict, s in scores.per_verdict.items():
        assert s["support"] >= 20, verdict
        assert s["precision"] >= FLOOR, f"{verdict} precision\n{table}\n{scores.mistakes}"
        assert s["recall"] >= FLOOR, f"{verdict} recall\n{table}\n{scores.mistakes}"
