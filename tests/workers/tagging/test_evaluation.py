"""Precision and recall per tag type on the labelled set (43 stories, see eval/stories.json).

Floors sit about seven points under what the tagger scores today (places 0.93/0.94, people
0.96/0.87, organisations 0.98/0.92, topics 0.75/0.81): tight enough that a regression in a rule
or a list shows, loose enough that adding a name to a list does not break the build. The set
was written by the tagger's author, so these are optimistic numbers, not field accuracy.
"""

from pathlib import Path

import pytest

from workers.tagging import tag_story
from workers.tagging.evaluation import evaluate, load_cases

ROOT = Path(__file__).resolve().parents[3]
FLOORS = {
    "places": (0.85, 0.85),
    "people": (0.88, 0.78),
    "organisations": (0.90, 0.84),
    "topics": (0.68, 0.72),
}


@pytest.fixture(scope="module")
def scores():
    cases = load_cases(Path(__file__).parent / "eval" / "stories.json", ROOT)
    assert len(cases) >= 40
    return evaluate(cases, tag_story)


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_precision_and_recall_above_floor(scores, kind):
    precision, recall = FLOORS[kind]
    score = scores[kind]
    assert score.precision >= precision, score.extras
    assert score.recall >= recall, score.misses
