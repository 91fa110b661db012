"""fuzz.seeds and fuzz.catalog: every format has a target seeded with its own samples, and the
catalog agrees with the registry and with the functions that run the targets."""

from __future__ import annotations

from bench.fuzz.catalog import CANARY, CONTENT_TYPES, FORMAT_NAMES, HINTS, TARGETS
from bench.fuzz.mutate import Vocabulary
from bench.fuzz.seeds import seed_inputs, vocabulary, write_dictionary
from bench.fuzz.targets import RUN
from workers.formats import FORMATS, detect


def test_the_catalog_names_every_format_and_every_target_runs():
    assert tuple(FORMATS) == FORMAT_NAMES
    assert set(FORMATS) < set(TARGETS)
    assert set(RUN) == {*TARGETS, CANARY.name}


def test_each_format_target_is_seeded_with_copy_of_that_format():
    for name in FORMAT_NAMES:
        seeds = seed_inputs(TARGETS[name], max_len=16384)
        assert len(seeds) >= 10, name
        # Most are detected as the format (the rest are its broken and hostile samples).
        detected = []
        for raw in seeds:
            try:
                detected.append(detect(raw).name)
            except Exception:
                detected.append(None)
        assert detected.count(name) >= len(seeds) / 2, name


def test_the_normalise_seeds_carry_a_hint_and_a_content_type_in_front():
    seeds = seed_inputs(TARGETS["normalise"], max_len=16384)
    assert len({raw[0] for raw in seeds}) > 5
    assert all(raw[0] < len(HINTS) and raw[1] < len(CONTENT_TYPES) for raw in seeds)


def test_the_ingest_seeds_hold_ndjson_batch_bodies():
    seeds = seed_inputs(TARGETS["ingest"], max_len=16384)
    assert any(raw.count(b"\n") >= 2 and raw.startswith(b'{"') for raw in seeds)
    assert any(b"not json {" in raw for raw in seeds)


def test_the_vocabulary_comes_from_the_parser_source(tmp_path):
    words = vocabulary(TARGETS["newsml_g2"])
    assert "newsItem" in words.names and "contentSet" in words.names
    assert any("iptc.org/std/nar/2006-10-01" in ns for ns in words.namespaces)
    assert "headline" in vocabulary(TARGETS["ninjs"]).names
    path = tmp_path / "g2.dict"
    assert write_dictionary(words, path) > 100
    lines = path.read_text(encoding="ascii").splitlines()
    assert all(line.startswith('"') and line.endswith('"') for line in lines)
    assert write_dictionary(Vocabulary(phrases=('a "quoted" \\ é',)), path) == 1
    assert path.read_text() == '"a \\x22quoted\\x22 \\x5C \\xC3\\xA9"\n'
