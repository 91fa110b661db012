"""The fuzz targets run in this process for a bounded number of cases: the run in
``make test``.

No coverage guidance (atheris' instrumentation costs seconds of start-up a target, and its
fuzzer ends the process on a crash), so the cases are the seeds as they are, then mutants of
the seeds and of earlier mutants: the structural mutations of ``fuzz.mutate`` with byte-level
ones drawn through atheris' ``FuzzedDataProvider``. An input that raises anything but a
``PermanentError`` is caught here and reported with its traceback; the input is written to
the crash directory so ``python -m bench.fuzz.loop TARGET FILE`` replays it.
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import atheris

from bench.fuzz.catalog import CANARY, TARGETS
from bench.fuzz.mutate import ByteMutator, mutate
from bench.fuzz.seeds import seed_inputs, vocabulary

__all__ = ["Failure", "LoopRun", "byte_mutator", "replay", "run_in_process"]

MAX_LEN = 16384
# Mutants kept to mutate again: a short memory, so the run goes a few mutations deep.
_POOL = 256


@dataclass
class Failure:
    input: bytes
    error: str  # the exception's last line
    traceback: str
    path: Path | None = None


@dataclass
class LoopRun:
    target: str
    cases: int = 0
    seeds: int = 0
    failures: list[Failure] = field(default_factory=list)


def byte_mutator(rng: random.Random) -> ByteMutator:
    """Byte-level mutations (bit flips, inserted, deleted, repeated and overwritten bytes,
    numbers made huge), their choices drawn from a ``FuzzedDataProvider`` over ``rng``."""

    def mutate_bytes(data: bytes, max_size: int) -> bytes:
        fdp = atheris.FuzzedDataProvider(rng.randbytes(48))
        op = fdp.ConsumeIntInRange(0, 5)
        at = fdp.ConsumeIntInRange(0, len(data))
        span = fdp.ConsumeIntInRange(1, 16)
        if op == 0 and data:
            at = min(at, len(data) - 1)
            data = (
                data[:at] + bytes([data[at] ^ (1 << fdp.ConsumeIntInRange(0, 7))]) + data[at + 1 :]
            )
        elif op == 1:
            data = data[:at] + fdp.ConsumeBytes(span) + data[at:]
        elif op == 2:
            data = data[:at] + data[at + span :]
        elif op == 3:
            data = data[:at] + data[at : at + span] * fdp.ConsumeIntInRange(2, 64) + data[at:]
        elif op == 4:
            magic = fdp.PickValueInList([b"\x00", b"\xff", b"\x7f", b"\x80", b"\xc0", b"\xfe\xff"])
            data = data[:at] + magic + data[at + len(magic) :]
        else:
            digits = str(fdp.ConsumeIntInRange(0, 2**64)).encode() * fdp.ConsumeIntInRange(1, 3)
            data = data[:at] + digits + data[at:]
        return data[:max_size]

    return mutate_bytes


def _load_run() -> dict[str, Callable[[bytes], None]]:
    from bench.fuzz.targets import RUN  # imports wiredesk: only when a run is asked for

    return RUN


def _attempt(one_input: Callable[[bytes], None], data: bytes) -> Failure | None:
    try:
        one_input(data)
    except Exception as exc:
        text = traceback.format_exc()
        return Failure(data, f"{type(exc).__name__}: {exc}"[:300], text)
    return None


def run_in_process(
    name: str,
    *,
    cases: int,
    seconds: float,
    seed: int = 0,
    crash_dir: Path | None = None,
    max_failures: int = 5,
    min_mutants: int = 0,
) -> LoopRun:
    """Every seed, then mutants, until ``cases`` inputs or ``seconds`` have gone by (whichever
    comes first; ``seconds`` only keeps a slow machine's run short, and ``min_mutants`` are
    tried however long they take) or ``max_failures`` inputs have failed."""
    target = CANARY if name == CANARY.name else TARGETS[name]
    one_input = _load_run()[name]
    seeds = seed_inputs(target, max_len=MAX_LEN)
    words = vocabulary(target, tuple(seeds))
    rng = random.Random(seed)
    flip = byte_mutator(rng)
    result = LoopRun(name, seeds=len(seeds))
    pool: list[bytes] = []
    deadline = time.monotonic() + seconds
    prefix = target.prefix

    def tried(data: bytes) -> bool:
        result.cases += 1
        failure = _attempt(one_input, data)
        if failure is not None:
            if crash_dir is not None:
                crash_dir.mkdir(parents=True, exist_ok=True)
                failure.path = crash_dir / f"crash-{hashlib.sha1(data).hexdigest()}"
                failure.path.write_bytes(data)
            result.failures.append(failure)
        return len(result.failures) < max_failures

    for data in seeds:
        if not tried(data):
            return result
    while result.cases < cases and (
        time.monotonic() < deadline or result.cases < len(seeds) + min_mutants
    ):
        base = rng.choice(pool) if pool and rng.random() < 0.5 else rng.choice(seeds)
        head, body = base[:prefix], base[prefix:]
        if prefix and rng.random() < 0.2:
            head = rng.randbytes(prefix)
        data = head + mutate(
            body,
            MAX_LEN - prefix,
            rng.getrandbits(32),
            kind=target.kind,
            vocabulary=words,
            byte_mutator=flip,
        )
        if len(pool) < _POOL:
            pool.append(data)
        else:
            pool[rng.randrange(_POOL)] = data
        if not tried(data):
            break
    return result


def replay(name: str, path: Path) -> Failure | None:
    """Run one saved input through a target; the failure, or None when it holds."""
    return _attempt(_load_run()[name], path.read_bytes())


if __name__ == "__main__":
    found = replay(sys.argv[1], Path(sys.argv[2]))
    print(found.traceback if found else "the input holds the property")
    sys.exit(1 if found else 0)
