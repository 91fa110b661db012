"""bench.parsers: a row for every registered format, figures written, missing samples said."""

from __future__ import annotations

import json

import bench.parsers as bp
from workers.formats import FORMATS


def test_main_covers_every_format(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(bp, "RUNS", 1)
    monkeypatch.setattr(bp, "RUN_SECONDS", 0.001)
    monkeypatch.setattr(bp, "RESULTS", tmp_path / "parsers.json")
    monkeypatch.setitem(bp.SAMPLES, "ninjs", tmp_path / "missing.json")
    result = bp.main()
    rows = {row["format"]: row for row in result["formats"]}
    assert list(rows) == list(FORMATS)
    assert rows["anpa1312"]["median"] > 0 and rows["anpa1312"]["words"] > 400
    assert rows["ninjs"]["note"] == "no sample"
    assert json.loads((tmp_path / "parsers.json").read_text())["formats"] == result["formats"]
    out = capsys.readouterr().out
    assert "| ninjs | - | - | no sample | - |" in out
