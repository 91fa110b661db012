"""Run the labelled cases through the real dedupe stage and store, and score each verdict.

Used by the test (which asserts floors) and by ``bench.dedupe`` (which prints the table), as
``workers.tagging.evaluation`` is for the tagger. The cases (``workers.dedupe.cases``) are built
from the invented stories of ``workers.dedupe.corpus``.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import redis

from schemas import Verdict
from workers.dedupe.cases import all_cases, distractors
from workers.settings import Settings
from workers.stages.dedupe import dedupe
from workers.store import Store

__all__ = ["Scores", "evaluate", "markdown"]


@dataclass
class Scores:
    per_verdict: dict[str, dict[str, float]]
    cases: int
    mistakes: list[tuple[str, str, str, str]]  # case, expected, got, reason


def evaluate(client: redis.Redis, **overrides: Any) -> Scores:  # Settings fields
    pairs: list[tuple[Verdict, Verdict]] = []
    mistakes = []
    for case in all_cases():
        settings = Settings(key_prefix=f"wdeval{uuid.uuid4().hex[:8]}", **overrides)
        store = Store(client, settings)
        try:
            for n, item in enumerate([*distractors(case.events), *case.first]):
                dedupe(item.story(f"rc_{n}"), store=store, settings=settings)
            got = dedupe(case.then.story("rc_last"), store=store, settings=settings).verdict
        finally:
            keys = list(client.scan_iter(match=f"{settings.key_prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        pairs.append((case.expect, got.verdict))
        if got.verdict is not case.expect:
            mistakes.append((case.name, case.expect.value, got.verdict.value, got.reason))
    per: dict[str, dict[str, float]] = {}
    expected = Counter(e for e, _ in pairs)
    predicted = Counter(g for _, g in pairs)
    right = Counter(e for e, g in pairs if e is g)
    for v in Verdict:
        per[v.value] = {
            "support": expected[v],
            "precision": right[v] / predicted[v] if predicted[v] else 1.0,
            "recall": right[v] / expected[v] if expected[v] else 1.0,
        }
    return Scores(per, len(pairs), mistakes)


def markdown(scores: Scores) -> str:
    lines = ["| verdict | cases | precision | recall |", "|---|---:|---:|---:|"]
    for v, s in scores.per_verdict.items():
        lines.append(f"| {v} | {s['support']} | {s['precision']:.3f} | {s['recall']:.3f} |")
    return "\n".join(lines)
