"""Cleaning of text fields: what every format's text goes through before it becomes a Story.

Typographic quotes and dashes are kept on purpose: they are the agencies' house style and
editors republish them as they are.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["clean_inline", "clean_paragraphs", "split_truncation", "word_count"]

# C0 and C1 controls, DEL, and the zero-width/format characters feeds leave in copy. Tab and
# newline are handled by the callers (paragraphs are split on them first).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u2060\ufeff\ufffe]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# '[…]', '[...]', '(…)' or a bare '…' ends copy that the agency cut short.
_TRAILER = re.compile(r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]|\(\s*(?:…|\.\.\.)\s*\))\s*$")
_WORD = re.compile(r"\w+(?:[’'\-]\w+)*")
# Entities escaped twice upstream ('&amp;quot;' arrives as the text '&quot;'): no agency means
# the seven characters, so they are read as the character they name.
_LEFT_ENTITY = re.compile(r"&(?:#\d{2,7}|#x[0-9A-Fa-f]{2,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def clean_inline(text: str | None) -> str | None:
    """One line of text: NFC, control characters out, runs of space folded, ends trimmed."""
    if text is None:
        return None
    if "&" in text:
        text = _LEFT_ENTITY.sub(lambda m: html.unescape(m[0]), text)
    if text.isprintable():
        # Most copy: no control, format or odd space character (all are unprintable), so
        # only doubled spaces are left to fold; the two scans below cost more than the rest.
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        if "  " in text:
            text = _SPACES.sub(" ", text)
        return text.strip() or None
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text.replace("\r", " ").replace("\n", " "))
    text = _SPACES.sub(" ", text).strip()
    return text or None


def clean_paragraphs(paragraphs: list[str]) -> list[str]:
    """Clean every paragraph and drop the ones left empty."""
    out = []
    for para in paragraphs:
        cleaned = clean_inline(para)
        if cleaned:
            out.append(cleaned)
    return out


def split_truncation(paragraphs: list[str]) -> tuple[list[str], bool]:
    """Take a trailing '[…]' off the last paragraph; say whether there was one."""
    if not paragraphs:
        return paragraphs, False
    last = paragraphs[-1]
    stripped = _TRAILER.sub("", last)
    if stripped == last:
        return paragraphs, False
    rest = paragraphs[:-1] + ([stripped] if stripped.strip() else [])
    return rest, True


def word_count(paragraphs: list[str]) -> int:
    # One scan of the joined text: a space between paragraphs joins no two words.
    return len(_WORD.findall(" ".join(paragraphs)))
