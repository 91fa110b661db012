"""The seed corpus and the dictionaries.

Seeds are the project's own samples (seeds/ for ``make run`` and the format tests' samples,
all our own text in the agencies' styles), so the fuzzer starts from copy every parser reads
through. Each format's target is seeded with its own samples; ``detect`` and ``normalise``
with all of them (``normalise`` with the two option bytes in front, see ``fuzz.catalog``);
``ingest`` with all of them and NDJSON batch bodies made from them.

A target's vocabulary is the string constants of its parser's source (element and key names,
namespace URIs, labels and version words), read with ``ast`` rather than by importing the
modules, which the fuzzer process must import only once its coverage instrumentation is on.
"""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path

from bench.fuzz.catalog import CANARY, CONTENT_TYPES, FORMAT_NAMES, HINTS, Target
from bench.fuzz.mutate import Vocabulary

__all__ = ["ROOT", "seed_inputs", "vocabulary", "write_dictionary", "write_seeds"]

ROOT = Path(__file__).resolve().parents[2]
_SAMPLES = ROOT / "tests" / "workers" / "formats" / "samples"
_MAKE_RUN_SEEDS = ROOT / "seeds"

_NAME = re.compile(r"[A-Za-z_][\w.-]{1,40}")
_CLARK = re.compile(r"\{([^{}\s]{4,200})\}")
_URI = re.compile(r"^(?:https?://|urn:|tag:)\S{3,200}$")


@cache
def _samples() -> dict[str, tuple[bytes, ...]]:
    """Sample bytes by format name ('xml' for the hostile XML samples, 'other' for what no
    format claims). seeds/ files are assigned by detection (imported here, in the parent
    process only: the fuzzer process reads seeds from the directory it is given)."""
    from workers.errors import WiredeskError
    from workers.formats import detect

    found: dict[str, list[bytes]] = {}
    for directory in sorted(p for p in _SAMPLES.iterdir() if p.is_dir()):
        for path in sorted(directory.iterdir()):
            if path.is_file():
                found.setdefault(directory.name, []).append(path.read_bytes())
    for path in sorted(_MAKE_RUN_SEEDS.iterdir()):
        raw = path.read_bytes()
        try:
            name = detect(raw).name
        except WiredeskError:
            name = "other"
        found.setdefault(name, []).append(raw)
    return {name: tuple(items) for name, items in found.items()}


def _batch_bodies(samples: dict[str, tuple[bytes, ...]]) -> list[bytes]:
    """NDJSON bodies as feeds send them: copy as JSON strings, ninjs items one a line, and a
    line that is not JSON among good ones."""
    text = [
        raw.decode("utf-8", errors="replace")
        for name in ("plaintext", "anpa1312", "iptc7901", "nitf")
        for raw in samples.get(name, ())[:2]
    ]
    items: list[bytes] = []
    for raw in samples.get("ninjs", ())[:6]:
        try:
            items.append(json.dumps(json.loads(raw), ensure_ascii=False).encode())
        except ValueError:
            continue
    strings = [json.dumps(t).encode() for t in text]
    return [
        b"\n".join(strings),
        b"\n".join(items),
        b"\n".join([*items[:1], b"not json {", *strings[:1], b"", b"   "]),
        b"\r\n".join(items[:2]),
    ]


def seed_inputs(target: Target, *, max_len: int) -> list[bytes]:
    """The seed inputs of a target, each at most ``max_len`` bytes (longer samples are left
    out rather than cut: a cut sample is only a truncated document)."""
    if target.name == CANARY.name:
        return [b"\x01h\x02quiet\x03", b"CRASH canary"]
    samples = _samples()
    if target.seeds in FORMAT_NAMES:
        inputs = list(samples.get(target.seeds, ()))
    else:
        inputs = []
        for name in sorted(samples):
            for i, raw in enumerate(samples[name]):
                if target.prefix:
                    # The format's own hint on most, none on some, another's on a few.
                    own = HINTS.index(name) if name in FORMAT_NAMES else 0
                    hint = (0, own, own, (own + i) % len(HINTS))[i % 4]
                    content_type = 0 if i % 5 else (i // 5) % len(CONTENT_TYPES)
                    raw = bytes([hint, content_type]) + raw
                inputs.append(raw)
        if target.seeds == "batch":
            inputs += _batch_bodies(samples)
    return [raw for raw in inputs if len(raw) <= max_len]


def write_seeds(target: Target, directory: Path, *, max_len: int) -> int:
    """Write the target's seeds into ``directory`` (one file each); return how many."""
    directory.mkdir(parents=True, exist_ok=True)
    inputs = seed_inputs(target, max_len=max_len)
    for i, raw in enumerate(inputs):
        (directory / f"seed-{i:04d}").write_bytes(raw)
    return len(inputs)


def _constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def vocabulary(target: Target, others: tuple[bytes, ...] = ()) -> Vocabulary:
    """The target's vocabulary from its modules' string constants; ``others`` are documents
    to splice from (the seeds)."""
    names: dict[str, None] = {}
    namespaces: dict[str, None] = {}
    phrases: dict[str, None] = {}
    for module in target.modules:
        for value in _constants(ROOT / module):
            for uri in _CLARK.findall(value):
                namespaces[uri] = None
            if _URI.match(value):
                namespaces[value] = None
            if len(value) <= 60 and "\n" not in value:
                phrases[value] = None
                for name in _NAME.findall(_CLARK.sub("", value)):
                    names[name] = None
    return Vocabulary(
        names=tuple(names)[:3000],
        namespaces=tuple(namespaces)[:300],
        phrases=tuple(p for p in phrases if p.strip())[:3000],
        others=others,
    )


def write_dictionary(words: Vocabulary, path: Path) -> int:
    """A libFuzzer dictionary (``-dict=``) of the vocabulary; return how many entries."""
    entries: dict[bytes, None] = {}
    for value in (*words.names, *words.namespaces, *words.phrases):
        raw = value.encode("utf-8", errors="replace")
        if 2 <= len(raw) <= 64:
            entries[raw] = None
    lines = []
    for raw in list(entries)[:2000]:
        escaped = "".join(
            chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else f"\\x{b:02X}" for b in raw
        )
        lines.append(f'"{escaped}"')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return len(lines)
