"""Tagger benchmark: time per ~500-word story and the labelled-set evaluation.

Run: ``python -m bench.tagging``. Prints Markdown tables and writes bench/results/tagging.json.
The corpus: one story of about 500 words per labelled story, made by joining it with the
stories after it (the first one's dateline leads), each built with normalise(). These are
denser in names than most copy, so the figures lean pessimistic.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from workers.stages.normalise import normalise
from workers.tagging import tag_story, warm_up
from workers.tagging.evaluation import evaluate, load_cases, story_text

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "workers" / "tagging" / "eval" / "stories.json"
OUT = ROOT / "bench" / "results" / "tagging.json"
RUNS = 7


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _corpus() -> list:
    entries = json.loads(EVAL.read_text(encoding="utf-8"))
    # Entries given as wire files (XML, JSON) are not text to join: the corpus is plain copy.
    texts = [story_text(e, ROOT) for e in entries if "file" not in e]
    stories = []
    for first in range(len(texts)):
        # One ~500-word story per starting point: this story and the next ones, wrapping round.
        current: list[str] = []
        index = first
        while sum(len(t.split()) for t in current) < 500:
            current.append(texts[index % len(texts)])
            index += 1
        stories.append("\n\n".join(current))
    return [
        normalise(
            t.encode("utf-8"),
            receipt_id=f"rc_bench{i}",
            feed="bench",
            received_at=datetime(2024, 1, 1, tzinfo=UTC),
        )
        for i, t in enumerate(stories)
    ]


def main() -> dict:
    started = time.perf_counter()
    warm_up()
    warm_s = time.perf_counter() - started
    rss = _rss_mb()
    corpus = _corpus()
    words = statistics.median(s.word_count for s in corpus)
    medians, p99s = [], []
    for _ in range(RUNS):
        times = []
        for story in corpus:
            t0 = time.perf_counter()
            tag_story(story)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        medians.append(statistics.median(times))
        p99s.append(times[min(len(times) - 1, round(0.99 * (len(times) - 1)))])
    cases = load_cases(EVAL, ROOT)
    scores = evaluate(cases, tag_story)
    by_set = {
        name: evaluate([c for c in cases if c.set == name], tag_story)
        for name in sorted({c.set for c in cases})
    }
    result = {
        "python": platform.python_version(),
        "stories": len(corpus),
        "median_words": words,
        "runs": RUNS,
        "median_ms": round(statistics.median(medians), 3),
        "median_ms_min": round(min(medians), 3),
        "median_ms_max": round(max(medians), 3),
        "p99_ms": round(statistics.median(p99s), 3),
        "p99_ms_min": round(min(p99s), 3),
        "p99_ms_max": round(max(p99s), 3),
        "warm_up_s": round(warm_s, 2),
        "rss_mb_after_warm_up": round(rss, 1),
        "evaluation": {
            k: {
                "precision": round(s.precision, 3),
                "recall": round(s.recall, 3),
                "tp": s.tp,
                "fp": s.fp,
                "fn": s.fn,
            }
            for k, s in scores.items()
        },
    }
    print(f"Tagger, {len(corpus)} stories of median {words:.0f} words, {RUNS} runs\n")
    print("| measure | median of runs | min-max |")
    print("|---|---|---|")
    print(
        f"| time per story, median | {result['median_ms']} ms | "
        f"{result['median_ms_min']}-{result['median_ms_max']} ms |"
    )
    print(
        f"| time per story, p99 | {result['p99_ms']} ms | "
        f"{result['p99_ms_min']}-{result['p99_ms_max']} ms |"
    )
    print(f"| RSS after warm_up | {result['rss_mb_after_warm_up']} MB | |")
    print(f"| warm_up | {result['warm_up_s']} s | |\n")
    print("| type | precision | recall | tp | fp | fn |")
    print("|---|---|---|---|---|---|")
    for kind, s in result["evaluation"].items():
        print(f"| {kind} | {s['precision']} | {s['recall']} | {s['tp']} | {s['fp']} | {s['fn']} |")
    result["evaluation_by_set"] = {
        name or "original": {
            k: {"precision": round(s.precision, 3), "recall": round(s.recall, 3)}
            for k, s in set_scores.items()
        }
        for name, set_scores in by_set.items()
    }
    if len(by_set) > 1:
        for name, set_scores in by_set.items():
            n = sum(1 for c in cases if c.set == name)
            print(f"\nSet '{name or 'original'}' ({n} stories)\n")
            print("| type | precision | recall | tp | fp | fn |")
            print("|---|---|---|---|---|---|")
            for kind, s in set_scores.items():
                print(f"| {kind} | {s.precision:.3f} | {s.recall:.3f} | {s.tp} | {s.fp} | {s.fn} |")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
