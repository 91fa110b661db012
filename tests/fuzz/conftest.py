"""The bounded fuzz run's counts, printed at the end of the test session."""

from __future__ import annotations

import pytest

#: target -> (cases tried, of which seeds), filled by test_targets.py.
CASES: dict[str, tuple[int, int]] = {}


@pytest.fixture
def fuzz_cases() -> dict[str, tuple[int, int]]:
    return CASES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    terminalreporter.section("fuzz: cases tried per target (seeds, then mutants)")
    for target, (cases, seeds) in CASES.items():
        terminalreporter.write_line(f"{target:<12} {cases:>7,} cases ({seeds} seeds)")
    terminalreporter.write_line(f"{'all':<12} {sum(c for c, _ in CASES.values()):>7,} cases")
