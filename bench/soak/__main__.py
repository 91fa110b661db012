"""`make soak`: ``python -m bench.soak [--stories N] [--faults K] [--json]``; the table on
stdout (or the figures as JSON), and the figures in bench/results/soak.json."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.report import RESULTS
from bench.soak import SoakConfig, render, run


def _env(pairs: list[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--env takes NAME=VALUE, not {pair!r}")
        env[name] = value
    return env


def main(argv: list[str] | None = None) -> int:
    defaults = SoakConfig()
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--stories", type=int, default=defaults.stories)
    parser.add_argument("--faults", type=int, default=defaults.faults)
    parser.add_argument(
        "--rate",
        type=float,
        default=defaults.rate,
        help="items a second over both doors (default %(default)s)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=defaults.settle,
        help="seconds after the last fault for everything to end",
    )
    parser.add_argument(
        "--hold", type=float, default=defaults.hold, help="seconds Valkey's memory is held full"
    )
    parser.add_argument(
        "--appendfsync", choices=["always", "everysec"], default=defaults.appendfsync
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a WIREDESK_* setting for the stack's processes (repeatable)",
    )
    parser.add_argument("--logs", type=Path, help="where the processes' logs go")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    args = parser.parse_args(argv)  # fmt: skip
    config = SoakConfig(
        stories=args.stories, faults=args.faults, rate=args.rate, settle=args.settle,
        hold=args.hold, appendfsync=args.appendfsync, env=_env(args.env), log_dir=args.logs,
        seed=args.seed,
    )  # fmt: skip
    results = run(config, progress=not args.json)
    results["when"] = datetime.now(UTC).isoformat()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2) if args.json else "\n" + render(results))
    clean = not (results["stuck"] or results["lost"] or results["published_twice"])
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
