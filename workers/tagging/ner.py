"""Plug-in point for a heavier named-entity model, used when one is installed.

The built-in rules (``entities.py``) are the default: microseconds per story and no model file.
A deployment that wants a statistical model (spaCy, a transformer) installs a package that
registers an ``NerModel`` under the ``wiredesk.ner`` entry-point group, or names one with
``WIREDESK_NER=module:attribute``; its spans then join the rules' spans.
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from importlib.metadata import entry_points
from typing import NamedTuple, Protocol, runtime_checkable

__all__ = ["ENTRY_POINT_GROUP", "NerModel", "NerSpan", "load_model"]

ENTRY_POINT_GROUP = "wiredesk.ner"


class NerSpan(NamedTuple):
    label: str  # 'person' | 'organisation' (others are ignored)
    start: int
    end: int


@runtime_checkable
class NerModel(Protocol):
    """What a model must offer: spans of people and organisations in one piece of text."""

    def spans(self, text: str, language: str | None) -> list[NerSpan]: ...


def _instantiate(obj: object) -> NerModel | None:
    model = obj() if isinstance(obj, type) else obj
    return model if isinstance(model, NerModel) else None


@cache
def load_model() -> NerModel | None:
    """The configured model, or None for the built-in rules alone. Loaded once per process."""
    wanted = os.environ.get("WIREDESK_NER", "").strip()
    if wanted.lower() in ("off", "none", "rules"):
        return None
    if ":" in wanted:
        module, _, attribute = wanted.partition(":")
        return _instantiate(getattr(importlib.import_module(module), attribute))
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if not wanted or ep.name == wanted:
            return _instantiate(ep.load())
    return None
