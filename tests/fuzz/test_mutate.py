"""fuzz.mutate: the structural mutations change documents and mostly keep them readable as
their format, fit the size libFuzzer allows, and repeat from their seed."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from bench.fuzz.catalog import TARGETS
from bench.fuzz.mutate import KINDS, Vocabulary, guess_kind, mutate
from bench.fuzz.seeds import vocabulary
from tests.workers.formats.samplefiles import read_sample


def _unchanged(data: bytes, max_size: int) -> bytes:
    """A byte mutator that does nothing: what changes is the structural mutations' doing."""
    return data


def _mutants(raw: bytes, target: str, count: int = 300, max_size: int = 50_000) -> list[bytes]:
    words = vocabulary(TARGETS[target])
    return [
        mutate(
            raw,
            max_size,
            seed,
            kind=TARGETS[target].kind,
            vocabulary=words,
            byte_mutator=_unchanged,
        )
        for seed in range(count)
    ]


def _well_formed(raw: bytes) -> bool:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        etree.fromstring(raw, parser)
    except (etree.XMLSyntaxError, ValueError):
        return False
    return True


def _loads(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("target", "sample", "readable"),
    [
        ("nitf", ("nitf", "new-story.xml"), _well_formed),
        ("newsml_g2", ("newsml_g2", "new-story.xml"), _well_formed),
        ("ninjs", ("ninjs", "new-v1.json"), _loads),
    ],
)
def test_structural_mutants_differ_and_mostly_stay_readable(target, sample, readable):
    raw = read_sample(*sample)
    assert readable(raw)
    changed = [m for m in _mutants(raw, target) if m != raw]
    assert len(set(changed)) >= 150
    # Byte mutations alone would break most documents at their first step; these keep at
    # least a third readable, so the parser reads them through.
    assert sum(map(readable, changed)) >= len(changed) / 3


@pytest.mark.parametrize(
    ("target", "sample"),
    [
        ("anpa1312", ("anpa1312", "new.anpa")),
        ("plaintext", ("plaintext", "email-simple.eml")),
        ("rss", ("rss", "new-story.xml")),
    ],
)
def test_mutants_fit_the_size_allowed_and_repeat_from_their_seed(target, sample):
    raw = read_sample(*sample)
    first = _mutants(raw, target, count=100, max_size=len(raw) + 64)
    assert all(len(m) <= len(raw) + 64 for m in first)
    assert first == _mutants(raw, target, count=100, max_size=len(raw) + 64)


def test_every_kind_mutates_empty_and_tiny_inputs():
    for kind in KINDS:
        for data in (b"", b"<", b"{", b"\x01", b"x"):
            for seed in range(50):
                out = mutate(
                    data,
                    64,
                    seed,
                    kind=kind,
                    vocabulary=Vocabulary(),
                    byte_mutator=lambda d, n: d + b"!",
                )
                assert isinstance(out, bytes) and len(out) <= 64


def test_the_kind_is_guessed_from_the_first_bytes():
    assert guess_kind(b'\xef\xbb\xbf<?xml version="1.0"?><nitf/>') == "xml"
    assert guess_kind(b' [{"uri": "x"}]') == "json"
    assert guess_kind(b"\x16\x16\x01a1234 r i BC-Slug\x02text\x03") == "framed"
    assert guess_kind(b"PARIS (AFP) - Text.") == "text"
