"""Reading the tagger's own data files from ``workers/data`` (package data, no network).

The lists are plain text so that editors can extend them in a pull request without code.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

__all__ = ["DATA_DIR", "common_words", "tsv_rows"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def tsv_rows(name: str) -> Iterator[list[str]]:
    """Rows of a tab-separated data file, comments and blank lines skipped, cells stripped."""
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip() or line.startswith("#"):
                continue
            yield [cell.strip() for cell in line.rstrip("\n").split("\t")]


@cache
def common_words() -> dict[str, int]:
    """Lower-cased common word -> band (1 function word, 2 everyday, 3 everyday in news)."""
    bands: dict[str, int] = {}
    band = 1
    with (DATA_DIR / "common_words.txt").open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            if line.startswith("@band"):
                band = int(line.split()[1])
                continue
            for word in line.split():
                bands.setdefault(word.lower(), band)
    return bands
