"""Building the output models: ``Mention`` and ``Tag`` through their pydantic validators.

A 500-word story makes some 150 of them. Calling the model's own schema validator with a dict
runs exactly the validation ``Mention(...)`` runs, without ``BaseModel.__init__``'s Python
wrapper, which costs a third of the time here. (``model_construct`` skips validation but is
slower still in pydantic 2: it fills the fields in Python.)
"""

from __future__ import annotations

from typing import Any

from schemas import Mention, Tag

__all__ = ["make_mention", "make_tag"]

_MENTION = Mention.__pydantic_validator__.validate_python
_TAG = Tag.__pydantic_validator__.validate_python


def make_mention(field: str, paragraph: int | None, start: int, end: int) -> Mention:
    """A validated ``Mention``."""
    return _MENTION({"field": field, "paragraph": paragraph, "start": start, "end": end})


def make_tag(**fields: Any) -> Tag:
    """A validated ``Tag`` from the same keywords ``Tag(...)`` takes."""
    return _TAG(fields)
