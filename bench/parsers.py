"""Parser throughput: stories per second through ``normalise()`` for every registered format.

Each format is measured on one typical story (about 500 words, from the test samples) so the
figures compare the formats' parsing cost, not the stories' lengths. A run repeats the story
for at least RUN_SECONDS; the table gives the median of RUNS runs with their min and max.
A format without a sample here gets a row saying so rather than a made-up figure. Beside the
wall-clock rate, the rate per second of this process's CPU time: on a machine shared with
other work the wall rate falls with the load, the CPU rate much less, so compare those.

Run: ``python -m bench.parsers`` (prints a Markdown table, writes bench/results/parsers.json).
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from workers.formats import FORMATS
from workers.stages.normalise import normalise

__all__ = ["SAMPLES", "main"]

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "tests" / "workers" / "formats" / "samples"
RESULTS = Path(__file__).resolve().parent / "results" / "parsers.json"
RUNS = 7
RUN_SECONDS = 0.25

# One typical ~500-word story per format name.
SAMPLES: dict[str, Path] = {
    "plaintext": ROOT / "seeds" / "reuters-2017-11-10-syria-islamic-state.txt",
    "anpa1312": SAMPLE_DIR / "anpa1312" / "new.anpa",
    "iptc7901": SAMPLE_DIR / "iptc7901" / "new.7901",
    "ninjs": SAMPLE_DIR / "ninjs" / "new-v1.json",
    "nitf": SAMPLE_DIR / "nitf" / "new-story.xml",
    "newsml_g2": SAMPLE_DIR / "newsml_g2" / "new-story.xml",
    "newsml_1_2": SAMPLE_DIR / "newsml_1_2" / "new-story.xml",
    "rss": SAMPLE_DIR / "rss" / "new-story.xml",
    "atom": SAMPLE_DIR / "atom" / "new-story.xml",
}


def _one_run(raw: bytes, name: str) -> tuple[float, float]:
    """(stories per wall-clock second, stories per CPU second) over one run."""
    received = datetime.now(UTC)
    count = 0
    start, cpu = time.perf_counter(), time.process_time()
    deadline = start + RUN_SECONDS
    while True:
        normalise(raw, receipt_id="rc_bench", feed="bench", received_at=received, format_hint=name)
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start), count / max(time.process_time() - cpu, 1e-9)


def _measure(name: str, path: Path | None) -> dict:
    if path is None or not path.is_file():
        return {"format": name, "sample": None, "note": "no sample"}
    raw = path.read_bytes()
    try:
        story = normalise(raw, receipt_id="rc_bench", feed="bench",
                          received_at=datetime.now(UTC), format_hint=name)  # fmt: skip
    except Exception as exc:  # a broken sample is reported, not benchmarked
        return {"format": name, "sample": str(path.relative_to(ROOT)), "note": f"fails: {exc}"}
    if story.format != name:
        return {"format": name, "sample": str(path.relative_to(ROOT)),
                "note": f"sample detected as {story.format}"}  # fmt: skip
    runs = [_one_run(raw, name) for _ in range(RUNS)]
    rates = [wall for wall, _ in runs]
    return {
        "format": name,
        "sample": str(path.relative_to(ROOT)),
        "words": story.word_count,
        "bytes": len(raw),
        "median": round(statistics.median(rates), 1),
        "min": round(min(rates), 1),
        "max": round(max(rates), 1),
        "cpu_median": round(statistics.median(cpu for _, cpu in runs), 1),
    }


def _table(rows: list[dict]) -> str:
    lines = [
        "| format | sample | words | stories/s (median) | min-max | per CPU second |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        if "median" in row:
            lines.append(
                f"| {row['format']} | {Path(row['sample']).name} | {row['words']} | "
                f"{row['median']:,.0f} | {row['min']:,.0f}-{row['max']:,.0f} | "
                f"{row['cpu_median']:,.0f} |"
            )
        else:
            sample = Path(row["sample"]).name if row["sample"] else "-"
            lines.append(f"| {row['format']} | {sample} | - | {row['note']} | - | - |")
    return "\n".join(lines)


def main() -> dict:
    """Measure every registered format, print the table, write the JSON; return the figures."""
    rows = [_measure(name, SAMPLES.get(name)) for name in FORMATS]
    result = {
        "benchmark": "parsers",
        "unit": "stories per second through normalise()",
        "runs": RUNS,
        "run_seconds": RUN_SECONDS,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "formats": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(_table(rows))
    return result


if __name__ == "__main__":
    main()
