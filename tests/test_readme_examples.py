"""Every example in README.md's ```console blocks, run against a `make run` holding the seed
stories, must print what the README shows.

The stack is the runner itself (``python -m services.runner``, what `make run` starts) with its
own embedded Valkey and a data directory of the test's own; the examples find it through its
stack file, as they do on a developer's machine. In a block, a line starting with ``$ `` is a
command (a trailing ``\\`` continues it on the next line) and the lines after it, up to the next
command, are its output. In the output, ``…`` stands for any text (times, ids that differ per
run, the rest of a long answer), so the README and the test cannot drift apart. The README's
API address (``http://127.0.0.1:8000``) is the runner's: the test gives it another free port,
so it never collides with a `make run` on the machine, and swaps the address in.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.processes import free_port
from tests.harness import ROOT

README_API = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Example:
    line: int  # where the command starts in README.md
    command: str
    expected: str


def examples(text: str) -> list[Example]:
    """The commands and outputs of every ```console block, in README order (a block indented
    under a list item loses its indentation)."""
    found: list[Example] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        indent = len(lines[i]) - len(lines[i].lstrip())
        i += 1
        current: list[str] | None = None
        output: list[str] = []
        start = 0
        while not lines[i].strip().startswith("```"):
            line = lines[i][indent:]
            if line.startswith("$ "):
                if current is not None:
                    found.append(Example(start, "\n".join(current), "\n".join(output)))
                start, current, output = i + 1, [line[2:]], []
                while current[-1].endswith("\\"):
                    i += 1
                    current.append(lines[i][indent:])
            elif current is not None:
                output.append(line)
            i += 1
        if current is not None:
            found.append(Example(start, "\n".join(current), "\n".join(output)))
        i += 1
    return found


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` is ``expected`` with each ``…`` standing for any text (lines too);
    trailing spaces, which tables pad lines with, do not count."""

    def tidy(text: str) -> str:
        return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())

    pattern = ".*?".join(re.escape(part) for part in tidy(expected).split("…"))
    return re.fullmatch(pattern, tidy(actual), re.DOTALL) is not None


EXAMPLES = examples((ROOT / "README.md").read_text())


@dataclass
class Running:
    process: subprocess.Popen
    data_dir: Path
    env: dict[str, str]
    api_url: str
    output: Path

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise TimeoutError(what)


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("makerun") / ".wiredesk"
    # A developer's shell: no REDIS_URL and no wiredesk settings, so the runner starts its own
    # Valkey and the CLI has only the stack file to go by.
    env = {
        k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith("WIREDESK_")
    }
    env.update(WIREDESK_DATA_DIR=str(data_dir), WIREDESK_API_PORT=str(free_port()))
    output = data_dir.parent / "make-run.txt"
    with output.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.runner"], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    running = Running(process, data_dir, env, "", output)
    try:
        _wait_for(
            lambda: "Ctrl-C stops everything" in output.read_text() or process.poll() is not None,
            180,
            "make run did not come up",
        )
        assert process.poll() is None, output.read_text()
        running.api_url = json.loads((data_dir / "stack.json").read_text())["api_url"]
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"README.md:{e.line}" for e in EXAMPLES])
def test_readme_example(make_run: Running, example: Example) -> None:
    done = subprocess.run(
        ["bash", "-c", example.command.replace(README_API, make_run.api_url)],
        cwd=ROOT, env=make_run.env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    expected = example.expected.replace(README_API, make_run.api_url)
    assert done.returncode == 0, f"$ {example.command}\n{done.stdout}\n{done.stderr}"
    assert matches(expected, done.stdout), (
        f"README.md:{example.line}: $ {example.command}\n--- README shows\n{expected}\n"
        f"--- it printed\n{done.stdout}"
    )


def test_the_readme_has_examples_of_each_front_door() -> None:
    commands = " ".join(e.command for e in EXAMPLES)
    for door in (
        "/v1/ingest/reuters ",
        "/batch",
        "ingest --batch",
        "inspect",
        "stories",
        "consume",
    ):
        assert door in commands, door


def test_make_run_says_where_it_is_and_removes_its_stack_file_on_exit(make_run: Running) -> None:
    stack = json.loads((make_run.data_dir / "stack.json").read_text())
    assert stack["pid"] == make_run.process.pid
    assert stack["redis_url"].startswith("redis://127.0.0.1:")
    assert (make_run.data_dir / "stack.json").stat().st_mode & 0o077 == 0  # it holds tokens
    assert f"API:         {make_run.api_url}" in make_run.output.read_text()
    assert make_run.stop() == 0
    assert not (make_run.data_dir / "stack.json").exists()


def test_matching_treats_the_ellipsis_as_any_text() -> None:
    assert matches("a … c", "a b b c")
    assert matches("one\n…\nfour", "one\ntwo\nthree\nfour")
    assert not matches("a … c", "a b d")
    assert matches("row   ", "row")
