"""Staff credits and agency boilerplate: the parts of the copy that name who made the story.

Agencies sign their copy in the text itself, and none of it is about the story:

* Reuters closes with ``(Reporting by A in Oslo; additional reporting by B; Writing by C in
  Gdansk; Editing by D)`` or ``(Compiled by A for the Berlin Newsroom)``; the cities there are
  the desks, not the story's places.
* AP puts ``By NAME`` lines before the dateline and, after a ``___`` rule, ``Associated Press
  writer A in Washington contributed to this report.``, ``Follow A on X at ...``, ``A can be
  reached at ...`` and sponsorship boilerplate.
* AFP ends with the initials of the desk chain (``hh/ph/ts``), dpa with its signature line
  (``dpa xy yyzz n1 ab``), EFE with ``(c) Agencia EFE``, NTB with ``(©NTB)``, PA with ``ends``.
* Press-office copy ends with contact lines: a name with a phone number or an e-mail address.

``credit_spans`` finds these per segment so that the taggers skip their tokens: a reporter is
no person in the story and a desk city no place of it. The names found there (and in the
byline) are returned too, so that a later lone mention of a staff name is not tagged either.
Only cheap tests run on ordinary paragraphs; the full patterns run on the few that pass them.
"""

from __future__ import annotations

import re

from workers.tagging.folding import fold
from workers.tagging.spans import Segment

__all__ = ["Credits", "find_credits"]

_CREDIT_VERB = (
    r"(?:(?:additional|further|extra)\s+)?(?:reporting|writing|editing|edited|compiled|"
    r"produced|translated|research|researched|graphics?|photos?|video|text|reported|written)"
    r"(?:\s+and\s+(?:reporting|writing|editing))?\s+by\b"
)
# A parenthesised credit anywhere in a paragraph: '(Reporting by ...; Editing by ...)'.
_PAREN_CREDIT = re.compile(rf"\((?:[^()]{{0,40}}?)?{_CREDIT_VERB}[^()]*\)", re.IGNORECASE)
# A paragraph that is a credit from its start: 'Reporting by ...', 'Editing by ...'.
_LEAD_CREDIT = re.compile(rf"^\s*\(?\s*{_CREDIT_VERB}", re.IGNORECASE)
# Byline paragraphs: 'By NAME', 'By NAME, AP Business Writer', 'Von NAME, dpa', 'Par NAME'.
_BYLINE = re.compile(
    r"^\s*(?:by|von|par|por|di|av|af)\s+[A-ZÀ-Þ][^.!?]{0,120}$",
    re.IGNORECASE,
)
# Phrases that make a sentence after the story a staff credit: '... contributed to this
# report.' The sentence around the phrase is masked; finding the phrase first keeps this linear.
_CONTRIBUTED = re.compile(
    r"\bcontributed(?=\s+to\s+this\s+(?:report|story)|\s+reporting|\s+from|\s*[.;]|\s*$)"
    r"|\bhelped\s+with\s+this\s+(?:report|story)|\bcan\s+be\s+reached\s+at"
    r"|\bis\s+solely\s+responsible|\breceives\s+support\s+from"
    r"|(?<=[a-z])\s+reported\s+from\s+(?=[A-Z])"
)
_CONTRIBUTED_WORDS = (
    "contributed",
    "helped with",
    "reached at",
    "responsible",
    "support",
    "reported",
)
_SENTENCE_STOPS = '.!?"“”'


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence holding text[start:end]."""
    left = max(text.rfind(c, 0, start) for c in _SENTENCE_STOPS) + 1
    rights = [i for i in (text.find(c, end) for c in _SENTENCE_STOPS) if i >= 0]
    return left, (min(rights) + 1 if rights else len(text))


_FOLLOW = re.compile(
    r"^\s*(?:follow|contact|reach|kontakt|contacto|contatto)\b[^\n]{0,200}$", re.IGNORECASE
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\(?\d[\d ()./-]{7,}\d")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
# Desk initials and agency signatures, alone in a paragraph.
_SIGNATURE = re.compile(
    r"^\s*(?:"
    r"(?:[A-Za-z]{1,5}(?:-[A-Za-z]{1,5})?\s*/\s*)+[A-Za-z]{1,5}(?:\s*/\s*[A-Za-z]{1,6})?"  # AFP
    r"|(?:dpa|efe|ansa|ntb|tt|stt|apa|afp|ap|sda|anp|belga|pap|ctk|lusa)"
    r"(?-i:(?:\s+[a-z0-9/]{1,6}){0,8})"  # 'dpa xy yyzz n1 ab', 'EFE abc/xyz', 'TT'
    r"|\(?(?:c|©)\)?\s*(?:agencia\s+)?[\w -]{2,30}\)?"  # '(c) Agencia EFE', '(©NTB)'
    r"|\(?\s*(?:ends?|end|fin|ende|/ende|slutt|-0-|xxx|mehr|more)\s*\)?"
    r"|_{2,}|-{2,}|\*{2,}|#{2,}"
    r")\s*[.]?\s*$",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"[A-ZÀ-Þ][\w'’-]+(?:\s+(?:[A-Z]\.\s*)*(?:(?:de|da|van|von|al|el|di|le|la)\s+)?[A-ZÀ-Þ][\w'’-]+)+"
)
# Plain substrings one of which every credit, contact or signature paragraph holds: tested
# before any pattern runs, since nearly all paragraphs are story.
_CHEAP_WORDS = (
    "by ",
    "contribut",
    "reached at",
    "responsible",
    "support from",
    "reported from",
    "@",
    "follow",
    "contact",
    "kontakt",
    "http",
    "+",
    "/",
    "(",
    "_",
    "--",
    "©",
)


def _cheap(seg: Segment) -> bool:
    lower = seg.lower
    return len(lower) < 60 or any(word in lower for word in _CHEAP_WORDS)


class Credits:
    """Masked character ranges per segment, and the folded staff names they name."""

    __slots__ = ("ranges", "staff")

    def __init__(self) -> None:
        self.ranges: dict[int, list[tuple[int, int]]] = {}  # id(segment) -> spans
        self.staff: set[str] = set()

    def add(self, seg: Segment, start: int, end: int) -> None:
        self.ranges.setdefault(id(seg), []).append((start, end))
        for m in _NAME.finditer(seg.text, start, end):
            self.staff.add(fold(m.group()))


def _whole(seg: Segment, text: str, late: bool) -> bool:
    """Is this whole paragraph a credit, signature or contact line?"""
    if _SIGNATURE.match(text) or _LEAD_CREDIT.match(text):
        return True
    short = len(text) < 160
    if short and _BYLINE.match(text) and not text.rstrip().endswith((".", "?", "!", "”", '"')):
        return True
    if short and (_FOLLOW.match(text) or (late and _URL.search(text) and len(text) < 120)):
        return True
    return bool(late and short and (_EMAIL.search(text) or _PHONE.search(text)))


def find_credits(segs: list[Segment], byline: str | None) -> Credits:
    """Credit ranges in the body (never the headline) and the staff names of the story."""
    credits = Credits()
    if byline:
        for m in _NAME.finditer(byline):
            credits.staff.add(fold(m.group()))
    body = [s for s in segs if s.field == "body"]
    count = len(body)
    after_rule = False
    for index, seg in enumerate(body):
        text = seg.text
        late = after_rule or index >= count - 3
        if not (late or index < 3):
            # Mid-story paragraphs can only hold a bracketed credit: test for one cheaply.
            if "by " in seg.lower and "(" in text:
                for m in _PAREN_CREDIT.finditer(text):
                    credits.add(seg, m.start(), m.end())
            continue
        if not _cheap(seg):
            continue
        if _SIGNATURE.match(text) and text.strip().startswith(("__", "--", "**", "##")):
            after_rule = True  # AP's '___': what follows is credits and boilerplate
            credits.add(seg, 0, len(text))
            continue
        if (index < 3 or late) and _whole(seg, text, late):
            credits.add(seg, 0, len(text))
            continue
        if "by" in seg.lower:
            for m in _PAREN_CREDIT.finditer(text):
                credits.add(seg, m.start(), m.end())
        if late and any(word in seg.lower for word in _CONTRIBUTED_WORDS):
            for m in _CONTRIBUTED.finditer(text):
                credits.add(seg, *_sentence_around(text, m.start(), m.end()))
    return credits
