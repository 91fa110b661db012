"""The bounded fuzz run of `make test`: every target, its seeds then mutants, in this process
(fuzz.loop). Any input that raises anything but a PermanentError with a reason fails the
test, with the exception, the traceback and the input (also written to a file for
``python -m bench.fuzz.loop TARGET FILE``). `make fuzz` runs the same targets coverage-guided, for
longer."""

from __future__ import annotations

import pytest

from bench.fuzz.catalog import TARGETS
from bench.fuzz.loop import run_in_process

# Per target: at most this many cases, and at most this long (a slow machine tries fewer
# cases; the count is printed at the end of the session either way).
CASES = 20_000
SECONDS = 1.5
MUTANTS = 50  # at least, however slow the machine


@pytest.mark.parametrize("name", list(TARGETS))
def test_every_case_ends_in_a_story_or_a_reason(name, tmp_path, fuzz_cases):
    run = run_in_process(
        name, cases=CASES, seconds=SECONDS, seed=18, crash_dir=tmp_path, min_mutants=MUTANTS
    )
    fuzz_cases[name] = (run.cases, run.seeds)
    assert run.seeds > 0
    if run.failures:
        report = [
            f"{f.error}\n  input ({len(f.input)} bytes, kept in {f.path}): {f.input[:300]!r}\n"
            + "\n".join(f.traceback.strip().splitlines()[-8:])
            for f in run.failures
        ]
        pytest.fail(f"{name}: {len(run.failures)} inputs crashed\n" + "\n\n".join(report), False)
