"""The fuzzer process for one target:

    python -m bench.fuzz.child TARGET SEED_DIR [libFuzzer flags...] CORPUS_DIR SEED_DIR

atheris ends the process with ``os._exit`` when an input crashes, and libFuzzer exits at the
end of ``-max_total_time``, so this only ever runs as a child (``fuzz.runner`` starts it and
reads its output). wiredesk is imported here under ``atheris.instrument_imports``, which
gives libFuzzer the coverage of the modules the target names (``Target.instrument``: the
parsers, normalise's helpers, feedparser for the feed formats); the mutator and the catalog
are imported before, and so stay uninstrumented.
"""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Callable
from pathlib import Path

import atheris

from bench.fuzz.catalog import CANARY, TARGETS
from bench.fuzz.mutate import mutate
from bench.fuzz.seeds import ROOT, vocabulary

__all__ = ["main", "uninstrumented"]

_OURS = ("workers", "services", "schemas")


def uninstrumented(focus: tuple[str, ...]) -> list[str]:
    """wiredesk's modules outside ``focus``: atheris instruments whole top-level packages,
    and takes exclusions by full module name only."""
    names = []
    for package in _OURS:
        for path in (ROOT / package).rglob("*.py"):
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            dotted = dotted.removesuffix(".__init__")
            if not any(dotted == f or dotted.startswith(f + ".") for f in focus):
                names.append(dotted)
    return names


def _load(focus: tuple[str, ...]) -> dict[str, Callable[[bytes], None]]:
    """``fuzz.targets.RUN``, imported (with wiredesk) under instrumentation of ``focus``."""
    if not focus:  # an empty allowlist would mean every module to atheris
        return importlib.import_module("bench.fuzz.targets").RUN  # type: ignore[no-any-return]
    packages = sorted({f.split(".")[0] for f in focus})
    with atheris.instrument_imports(include=packages, exclude=uninstrumented(focus)):
        return importlib.import_module("bench.fuzz.targets").RUN  # type: ignore[no-any-return]


def main(argv: list[str]) -> None:
    name, seed_dir, *flags = argv[1:]
    target = CANARY if name == CANARY.name else TARGETS[name]
    seeds = tuple(path.read_bytes() for path in sorted(Path(seed_dir).iterdir()))
    words = vocabulary(target, seeds)
    one_input = _load(target.instrument)[name]
    prefix = target.prefix

    def custom_mutator(data: bytes, max_size: int, seed: int) -> bytes:
        # The option bytes in front are kept, and now and then chosen anew; the copy behind
        # them gets the structural mutations.
        head, body = data[:prefix], data[prefix:]
        if prefix and (len(head) < prefix or seed % 8 == 0):
            head = random.Random(seed).randbytes(prefix)
        return head + mutate(
            body,
            max_size - prefix,
            seed,
            kind=target.kind,
            vocabulary=words,
            byte_mutator=atheris.Mutate,
        )

    atheris.Setup([argv[0], *flags], one_input, custom_mutator=custom_mutator)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
