"""fuzz.runner: `make fuzz`'s way of running a target, coverage-guided in an atheris child
process, and of reading back its runs and crashes."""

from __future__ import annotations

from bench.fuzz.runner import run_target, table


def test_a_crash_in_the_fuzzer_process_is_reported_with_its_input(tmp_path):
    run = run_target("canary", 1, tmp_path, stop_on_crash=True, seed=1)
    assert [c.kind for c in run.crashes] == ["exception"]
    crash = run.crashes[0]
    assert crash.summary.startswith("KeyError: 'the canary target crashes on purpose' at ")
    assert crash.artifact is not None and crash.artifact.read_bytes() == b"CRASH canary"
    assert run.runs >= 2  # libFuzzer's empty input first, then the seeds up to the crash
    log = run.logs[0].read_text()
    assert "INFO: Instrumenting workers.formats.framing" in log
    assert "Dictionary: " in log  # libFuzzer took the dictionary written from the source
    assert "| canary | " in table([run])
    assert f"- canary: exception: {crash.summary}; input: {crash.artifact}" in table([run])
