"""The words of a story that say what it is about, and their word shingles as 32-bit hashes.

What must not drive a match is removed first: datelines, bylines and credit lines, agency
tags such as ``(Reuters)``, copyright and sign-off lines, punctuation, case and spacing. Two
unrelated stories from one desk share exactly those, and a resend that re-wraps lines differs
only in them. Scripts written without spaces (Chinese, Japanese, Thai, ...) are read one
character per token, so their shingles are character trigrams instead of one giant "word".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from hashlib import blake2b

__all__ = ["MAX_TOKENS", "SHINGLE_WORDS", "content_tokens", "is_boilerplate", "shingle_hashes"]

SHINGLE_WORDS = 3
# A huge body is judged on its first this-many tokens: enough to tell any two stories apart,
# and it keeps the stage's time bounded whatever a feed sends.
MAX_TOKENS = 4000

_BOILERPLATE = re.compile(
    r"""^\W*(?:
        (?:additional\ )?(?:reporting|writing|editing|compiled|translated|produced)\ by\b
      | (?:by|from)\ [\w.'’-]+(?:\ [\w.'’-]+){0,3}\W*$
      | [\w.'’ -]{0,40}\ contributed\ (?:to\ )?this\ report
      | copyright\b | ©
      | all\ rights\ reserved
      | (?:follow|subscribe|sign\ up|click|read\ more|for\ more)\b
      | (?:more|ends?|end\ of\ story|nnnn|xxx|\#+|-+|=+)\W*$
      | \(?(?:c)\)\ \d{4}
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_DATELINE_HEAD = re.compile(
    r"^[A-ZÀ-Ý][A-ZÀ-Ý .'’-]{1,40}(?:,[^()\n]{0,40})?\s*\([^)]{1,30}\)\s*[-–—:]+\s*"
)
_AGENCY_TAG = re.compile(r"\((?:reuters|ap|afp|dpa|upi|efe|ansa|kyodo|xinhua|tass|pa)\)", re.I)
# Scripts without spaces between words: one token per character.
_NO_SPACE_SCRIPT = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
)
_TOKEN = re.compile(rf"[{_NO_SPACE_SCRIPT}]|[^\W{_NO_SPACE_SCRIPT}]+")


def is_boilerplate(paragraph: str) -> bool:
    """Credit, sign-off and copyright lines: said by the desk, not the story."""
    return bool(_BOILERPLATE.match(paragraph.strip()))


def content_tokens(paragraphs: Iterable[str], *, limit: int = MAX_TOKENS) -> list[str]:
    """Case-folded tokens of the paragraphs that carry the story, boilerplate dropped."""
    tokens: list[str] = []
    for paragraph in paragraphs:
        text = paragraph.strip()
        if not text or _BOILERPLATE.match(text):
            continue
        text = _AGENCY_TAG.sub(" ", _DATELINE_HEAD.sub("", text, count=1))
        tokens += _TOKEN.findall(text.casefold())
        if len(tokens) >= limit:
            return tokens[:limit]
    return tokens


def shingle_hashes(tokens: list[str], *, k: int = SHINGLE_WORDS) -> set[int]:
    """The distinct k-token shingles as 32-bit hashes. A body shorter than k tokens gives one
    shingle of what there is (never none for a non-empty body)."""
    if not tokens:
        return set()
    if len(tokens) < k:
        return {_hash32(" ".join(tokens))}
    return {_hash32(" ".join(tokens[i : i + k])) for i in range(len(tokens) - k + 1)}


def _hash32(text: str) -> int:
    # blake2b, not hash(): it must be the same in every worker process and across restarts.
    return int.from_bytes(blake2b(text.encode(), digest_size=4).digest(), "little")
