"""Version words in slug lines: '1stLd-Writethru', '2ndLd', 'Correction', 'Kill', 'PREV'.

ANPA-1312 and IPTC 7901 have no version field: the agencies say what a take is in words after
the keyword, each in its own house style and language. Reading them in one place keeps the two
parsers agreeing on what a write-through, a correction or a kill means for the story chain.
Words we do not know are returned untouched, never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemas import PubStatus, Signal

__all__ = ["VersionWords", "read_version_words"]

_ORDINAL = r"(?P<n>\d{1,2})(?:st|nd|rd|th|e|er|re|ème|º|ª)?"
_LEAD = re.compile(rf"{_ORDINAL}\s*-?\s*(?:ld|lead|lede)\b", re.IGNORECASE)
_ADD = re.compile(rf"{_ORDINAL}\s*-?\s*add\b", re.IGNORECASE)
# '7thWritethru', '2nd Writethru' (CP): the Nth write-through follows N earlier versions.
_NTH_WRITETHRU = re.compile(
    rf"{_ORDINAL}\s*-?\s*(?:write\s*-?\s*thru|write\s*-?\s*through)", re.IGNORECASE
)
_WRITETHRU = re.compile(r"write\s*-?\s*thru|write\s*-?\s*through|wrapup|wrap-up", re.IGNORECASE)
_UPDATE = re.compile(r"\b(?:update[sd]?|sub|substitute|new\s+lead|lead|recast|refile)\b", re.I)
_CORRECTION = re.compile(
    r"\b(?:correct(?:ion|ed|ive|s|ing)?|correctif|corrige|rectificaci[oó]n|rettifica|"
    r"berichtigung|korrektur)\b",
    re.IGNORECASE,
)
_KILL = re.compile(
    r"\b(?:kill(?:ed)?|elimination|eliminate|annulation|annule|withdrawn|withdrawal|"
    r"anulaci[oó]n|annullamento|annullato)\b",
    re.IGNORECASE,
)
_ADVISORY = re.compile(r"\badvisory\b|\bavis\b", re.IGNORECASE)
_EMBARGO = re.compile(r"\bembargo(?:ed)?\b|\bsperrfrist\b", re.IGNORECASE)
_URGENCY_WORDS = {"flash": 1, "bulletin": 2, "urgent": 3}


@dataclass
class VersionWords:
    """What the version words of one take say."""

    version: int = 1
    signals: list[Signal] = field(default_factory=list)
    status: PubStatus = PubStatus.usable
    urgency: int | None = None
    advisory: bool = False
    embargoed: bool = False
    words: list[str] = field(default_factory=list)

    @property
    def says_version(self) -> bool:
        """The words name a take, a correction or a kill (not merely an advisory)."""
        return self.version > 1 or bool(self.signals)


def read_version_words(text: str) -> VersionWords:
    """Read version words from the part of a slug line after the keyword.

    A lead, add or write-through numbered N makes version N+1; a write-through, correction or
    kill without a number follows at least one earlier version, so it is version 2 at least.

    Leads, adds and write-throughs give a version, not a signal: the words say which take this
    is, and the desk reads them in ``version_label``; ``Signal.update`` is kept for the
    structural signals formats carry (G2 ``sig:update``, a NewsML 1.2 update instruction).
    Correction and kill words are signals: they change what editors must do with the story.
    """
    found = VersionWords(words=[w for w in re.split(r"[\s,]+", text) if w])
    number = 0
    versioned = False
    if m := _LEAD.search(text) or _ADD.search(text) or _NTH_WRITETHRU.search(text):
        number = int(m["n"])
        versioned = True
    if _WRITETHRU.search(text) or _UPDATE.search(text):
        versioned = True
    if _CORRECTION.search(text):
        found.signals.append(Signal.correction)
    if _KILL.search(text):
        found.signals.append(Signal.kill)
        found.status = PubStatus.canceled
    found.advisory = bool(_ADVISORY.search(text))
    found.embargoed = bool(_EMBARGO.search(text))
    for word, urgency in _URGENCY_WORDS.items():
        if re.search(rf"\b{word}\b", text, re.IGNORECASE):
            found.urgency = min(found.urgency or 9, urgency)
    if versioned or found.signals:
        found.version = max(number + 1, 2)
    found.signals = list(dict.fromkeys(found.signals))
    return found
