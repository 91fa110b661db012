"""The stream contract: committed JSON Schema files match the models, and the README's example
of each event type is a valid event of that type."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from schemas import SCHEMA_VERSION, EventType
from schemas.contract import (
    JSON_DIR,
    DuplicateEvent,
    PublishedEvent,
    QuarantinedEvent,
    export_json_schemas,
    parse_event,
)

README = Path(__file__).resolve().parents[2] / "schemas" / "README.md"


def test_committed_json_schemas_match_the_models(tmp_path: Path) -> None:
    export_json_schemas(tmp_path)
    fresh = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.schema.json")}
    committed = {p.name: p.read_text(encoding="utf-8") for p in JSON_DIR.glob("*.schema.json")}
    problems = []
    for name in sorted(fresh.keys() | committed.keys()):
        if name not in committed:
            problems.append(f"missing from schemas/json: {name}")
        elif name not in fresh:
            problems.append(f"stale file in schemas/json (no model any more): {name}")
        elif fresh[name] != committed[name]:
            diff = difflib.unified_diff(
                committed[name].splitlines(),
                fresh[name].splitlines(),
                f"committed/{name}",
                f"models/{name}",
                lineterm="",
                n=1,
            )
            problems.append("\n".join(list(diff)[:40]))
    assert not problems, (
        "schemas/json/*.schema.json no longer match the pydantic models. If the model change is "
        "intended, regenerate with `python -m schemas.contract`, commit the files, and bump "
        "SCHEMA_VERSION in schemas/events.py if a consumer could notice.\n\n" + "\n".join(problems)
    )


def test_every_schema_file_is_json_and_carries_the_version() -> None:
    names = {p.name for p in JSON_DIR.glob("*.schema.json")}
    for kind in EventType:
        assert f"{kind.value}.schema.json" in names
    for path in JSON_DIR.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["x-wiredesk-schema-version"] == SCHEMA_VERSION


def test_export_is_deterministic_and_removes_stale_files(tmp_path: Path) -> None:
    (tmp_path / "gone.schema.json").write_text("{}")
    export_json_schemas(tmp_path)
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    export_json_schemas(tmp_path)
    assert first == {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert "gone.schema.json" not in first


def _readme_examples() -> dict[str, dict]:
    text = README.read_text(encoding="utf-8")
    examples = {}
    for heading, block in re.findall(r"^## `([a-z.]+)`.*?```json\n(.*?)```", text, re.M | re.S):
        examples[heading] = json.loads(block)
    return examples


def test_readme_has_one_valid_example_per_event_type() -> None:
    examples = _readme_examples()
    assert set(examples) == {kind.value for kind in EventType}
    for kind, data in examples.items():
        event = parse_event(data)
        assert event.type == kind
        assert event.schema_version == SCHEMA_VERSION


def test_parse_event_picks_the_model_by_type() -> None:
    examples = _readme_examples()
    assert isinstance(parse_event(examples["story.published"]), PublishedEvent)
    assert isinstance(parse_event(json.dumps(examples["story.duplicate"])), DuplicateEvent)
    assert isinstance(parse_event(examples["story.quarantined"]), QuarantinedEvent)


def test_parse_event_refuses_what_the_contract_rules_out() -> None:
    examples = _readme_examples()
    dup_with_text = {**examples["story.duplicate"], "story": examples["story.published"]["story"]}
    for bad in (
        dup_with_text,
        {**examples["story.published"], "type": "story.misc"},
        b"not json",
        {"type": "story.published"},
    ):
        with pytest.raises(ValidationError):
            parse_event(bad)
