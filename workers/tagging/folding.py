"""Lookup keys for names: one folded form so 'Ālbū Kamāl', 'ALBU KAMAL' and 'Albu-Kamal' meet.

Every lexicon (places, organisations, people) is keyed by ``fold(name)`` and every span found in
copy is folded the same way before lookup, so spelling noise is settled in one place.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["fold", "strip_possessive"]

# Dots and apostrophes vanish (U.S. -> us, San'a -> sana); hyphens and slashes become spaces.
_DROP = dict.fromkeys(map(ord, ".'’‘`´"), None)
_SPACE = dict.fromkeys(map(ord, "-‐‑–/_"), " ")


@lru_cache(maxsize=65536)
def fold(name: str) -> str:
    """Case-, accent-, punctuation- and spacing-insensitive key for a name."""
    text = unicodedata.normalize("NFKD", name)
    if not text.isascii():
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_DROP).translate(_SPACE).casefold()
    return " ".join(text.split())


def strip_possessive(token: str) -> str:
    """'Syria’s' -> 'Syria'; wire copy attaches possessives to names all the time."""
    if len(token) > 2 and token[-2] in "'’" and token[-1] in "sS":
        return token[:-2]
    if len(token) > 1 and token[-1] in "'’":
        return token[:-1]
    return token
