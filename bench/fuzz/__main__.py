"""`make fuzz`: every fuzz target for a while, then a table per target of runs, crashes, slow
inputs, corpus size and coverage. Crashing inputs are kept in ``<dir>/crashes/<target>/``;
the corpus grows from run to run in ``<dir>/corpus/<target>/``.

    python -m bench.fuzz [--seconds 600] [--only detect,ninjs,...] [--jobs 2] [--dir .wiredesk/fuzz]

``--seconds`` (default: env FUZZ_SECONDS, else 600) is the whole run's time, shared out
among the targets, ``--jobs`` at a time. Exits 1 when anything crashed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from bench.fuzz.catalog import CANARY, TARGETS
from bench.fuzz.runner import run_targets, table
from bench.fuzz.seeds import ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fuzz", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("FUZZ_SECONDS") or 600)
    )
    parser.add_argument("--only", default=",".join(TARGETS))
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--dir", type=Path, default=ROOT / ".wiredesk" / "fuzz")
    parser.add_argument(
        "--timeout",
        type=int,
        default=25,
        help="seconds one input may take before it counts as slow (the worker's soft time limit)",
    )
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n]
    unknown = [n for n in names if n not in TARGETS and n != CANARY.name]
    if unknown:
        parser.error(f"no fuzz target named {', '.join(unknown)}; targets: {', '.join(TARGETS)}")
    each = max(1.0, args.seconds * args.jobs / len(names))
    print(
        f"fuzzing {len(names)} targets, {each:.0f} s each, {args.jobs} at a time "
        f"(corpus and crashes in {args.dir})",
        flush=True,
    )
    results = run_targets(
        names, each, args.dir, jobs=args.jobs, timeout=args.timeout, seed=args.seed
    )
    print(table(results))
    summary = [
        asdict(r) | {"crashes": [asdict(f) for f in r.crashes], "slow": [asdict(f) for f in r.slow]}
        for r in results
    ]
    (args.dir / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    return 1 if any(r.crashes for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
