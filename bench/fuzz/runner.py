"""Runs fuzz targets in child processes (``fuzz.child``) and reads what libFuzzer reports.

A target runs for its time in one child; when an input crashes it, the crash is recorded (the
input is in the crash directory, named by libFuzzer) and a new child carries on with the
corpus so far, until the time is up. A crash seen three times over stops its target: the
rest of the time would find it again. ``stop_on_crash`` (the test) stops at the first.

Inputs slower than ``timeout`` seconds are recorded apart, as slow: a worker would quarantine
such an item at its time limit, so it is no crash, but it is worth a look.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.fuzz.catalog import CANARY, TARGETS, Target
from bench.fuzz.seeds import ROOT, vocabulary, write_dictionary, write_seeds

__all__ = ["Finding", "TargetRun", "run_target", "run_targets", "table"]

#: Largest input the fuzzer makes; seeds longer than this are left out.
MAX_LEN = 16384

# The traceback atheris prints, up to libFuzzer's error line (absent when the child was killed
# before it could write it).
_UNCAUGHT = re.compile(
    r"=== Uncaught Python exception: ===\n(?P<tb>.*?)(?:\n==\d+== ERROR|\Z)", re.S
)
_ARTIFACT = re.compile(r"Test unit written to (\S+)")
_STAT = re.compile(r"^stat::number_of_executed_units:\s+(\d+)", re.M)
_PROGRESS = re.compile(r"^#(\d+)\s+\w+\s+(?:cov: (\d+) ft: \d+ )?corp: (\d+)/", re.M)
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)')


@dataclass
class Finding:
    """One crashing (or slow) input: what happened and where the input is kept."""

    kind: str  # 'exception', 'timeout', 'out-of-memory', 'signal', 'exit'
    summary: str
    artifact: Path | None
    detail: str = ""


@dataclass
class TargetRun:
    target: str
    runs: int = 0
    corpus: int = 0
    new_units: int = 0
    coverage: int = 0
    seconds: float = 0.0
    seeds: int = 0
    crashes: list[Finding] = field(default_factory=list)
    slow: list[Finding] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)


def _where(traceback: str) -> str:
    """The innermost frame in wiredesk's own code (else the innermost), as file:line."""
    frames = list(_FRAME.finditer(traceback))
    ours = [f for f in frames if str(ROOT) in f["file"] and "/fuzz/" not in f["file"]]
    if not frames:
        return "?"
    frame = (ours or frames)[-1]
    return f"{os.path.relpath(frame['file'], ROOT)}:{frame['line']}"


def _finding(output: str) -> Finding | None:
    """What ended a child that did not finish its time, from its output."""
    artifact_match = _ARTIFACT.findall(output)
    artifact = Path(artifact_match[-1]) if artifact_match else None
    if uncaught := _UNCAUGHT.search(output):
        tb = uncaught["tb"].strip()
        last = tb.splitlines()[-1] if tb else "?"
        return Finding("exception", f"{last[:160]} at {_where(tb)}", artifact, tb)
    for marker, kind in (
        ("libFuzzer: timeout", "timeout"),
        ("out-of-memory", "out-of-memory"),
        ("deadly signal", "signal"),
    ):
        if marker in output:
            return Finding(kind, f"{kind} ({marker})", artifact, output[-2000:])
    return None


def _command(
    target: Target, dirs: dict[str, Path], *, seconds: int, timeout: int, seed: int | None
) -> list[str]:
    flags = [
        f"-max_total_time={seconds}",
        f"-timeout={timeout}",
        f"-max_len={MAX_LEN}",
        "-rss_limit_mb=2048",
        "-print_final_stats=1",
        f"-artifact_prefix={dirs['crashes']}{os.sep}",
        f"-dict={dirs['dict']}",
    ]
    if seed is not None:
        flags.append(f"-seed={seed}")
    return [
        sys.executable,
        "-m",
        "bench.fuzz.child",
        target.name,
        str(dirs["seeds"]),
        *flags,
        str(dirs["corpus"]),
        str(dirs["seeds"]),
    ]


def run_target(
    name: str,
    seconds: float,
    workdir: Path,
    *,
    timeout: int = 25,
    seed: int | None = None,
    stop_on_crash: bool = False,
) -> TargetRun:
    """Fuzz one target for about ``seconds`` (not counting the child's start-up) with its
    corpus, crashes and logs under ``workdir``. The corpus is kept between runs."""
    target = CANARY if name == CANARY.name else TARGETS[name]
    dirs = {part: workdir / part / name for part in ("seeds", "corpus", "crashes", "logs")}
    dirs["dict"] = workdir / "dicts" / f"{name}.dict"
    shutil.rmtree(dirs["seeds"], ignore_errors=True)
    for part in ("seeds", "corpus", "crashes", "logs"):
        dirs[part].mkdir(parents=True, exist_ok=True)
    result = TargetRun(name, seeds=write_seeds(target, dirs["seeds"], max_len=MAX_LEN))
    write_dictionary(vocabulary(target), dirs["dict"])
    seen: dict[str, int] = {}
    started = time.monotonic()
    deadline = started + seconds
    attempt = 0
    while (left := int(deadline - time.monotonic())) >= 1 or attempt == 0:
        attempt += 1
        log = dirs["logs"] / f"run-{attempt}.log"
        command = _command(
            target,
            dirs,
            seconds=max(left, 1),
            timeout=timeout,
            seed=None if seed is None else seed + attempt - 1,
        )
        with log.open("w", encoding="utf-8", errors="replace") as out:
            proc = subprocess.run(
                command,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                check=False,
                timeout=max(left, 1) + timeout + 300,
            )
        output = log.read_text(encoding="utf-8", errors="replace")
        result.logs.append(log)
        stats = _STAT.findall(output)
        progress = _PROGRESS.findall(output)
        result.runs += int(stats[-1]) if stats else int(progress[-1][0]) if progress else 0
        if progress:
            result.coverage = max(result.coverage, int(progress[-1][1] or 0))
            result.corpus = int(progress[-1][2])
        if proc.returncode == 0:
            break
        finding = _finding(output) or Finding(
            "exit", f"the fuzzer exited with {proc.returncode}", None, output[-2000:]
        )
        if finding.kind == "timeout":
            result.slow.append(finding)
        else:
            result.crashes.append(finding)
            seen[finding.summary] = seen.get(finding.summary, 0) + 1
            if stop_on_crash or seen[finding.summary] >= 3 or finding.kind == "exit":
                break
    result.seconds = round(time.monotonic() - started, 1)
    result.new_units = sum(1 for _ in dirs["corpus"].iterdir())
    return result


def run_targets(
    names: list[str], seconds: float, workdir: Path, *, jobs: int = 2, **options: object
) -> list[TargetRun]:
    """``run_target`` for each name, ``jobs`` at a time; results in the order given."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [
            pool.submit(run_target, name, seconds, workdir, **options)  # type: ignore[arg-type]
            for name in names
        ]
        return [future.result() for future in futures]


def table(results: list[TargetRun]) -> str:
    """A Markdown table of the runs, then one line per distinct crash and slow input."""
    lines = [
        "| target | runs | crashes | slow | corpus | new units | coverage | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.target} | {r.runs:,} | {len(r.crashes)} | {len(r.slow)} | "
            f"{r.corpus:,} | {r.new_units:,} | {r.coverage:,} | {r.seconds} |"
        )
    lines.append(
        f"| all | {sum(r.runs for r in results):,} | "
        f"{sum(len(r.crashes) for r in results)} | {sum(len(r.slow) for r in results)} "
        "| | | | |"
    )
    for r in results:
        found: dict[str, list[Finding]] = {}
        for f in r.crashes + r.slow:
            found.setdefault(f"{f.kind}: {f.summary}", []).append(f)
        for what, same in found.items():
            times = f" (x{len(same)})" if len(same) > 1 else ""
            lines.append(f"- {r.target}: {what}{times}; input: {same[-1].artifact or '-'}")
    return "\n".join(lines)
