"""Stage 1, normalise: raw wire bytes in, one ``Story`` out, whatever the format.

Detects the format, lets its parser read the item, then does what every format needs the
same way: text cleaning, the dateline, the lede, language, word count, the body hash, ids.
Raises a PermanentError subclass (the item goes to quarantine) when the copy cannot be a story.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import UTC, date, datetime, timedelta

from schemas import Dateline, PubStatus, Signal, Story
from workers.dateline import split_dateline
from workers.errors import EmptyStoryError
from workers.formats import ParsedItem, detect
from workers.language import choose_language
from workers.text import clean_inline, clean_paragraphs, split_truncation, word_count

__all__ = ["body_hash", "build_story", "named_predecessors", "normalise", "story_id_for"]

_FOLD_WORD = re.compile(r"\w+")


def body_hash(paragraphs: list[str]) -> str:
    """Hash of the body with case, punctuation and spacing folded away, so a resend that only
    re-wraps lines or swaps straight for curly quotes hashes the same."""
    folded = " ".join(_FOLD_WORD.findall(" ".join(paragraphs).casefold()))
    return hashlib.sha256(folded.encode()).hexdigest()[:32]


def story_id_for(*, feed: str, agency: str | None, item_id: str | None, receipt_id: str) -> str:
    """The id of a story's version chain: the agency's own item id when it has one (so every
    version of an item lands on one id), else the receipt."""
    if item_id:
        key = f"{(agency or feed).lower()}\x00{item_id}"
        return "st_" + hashlib.sha256(key.encode()).hexdigest()[:24]
    return "st_" + receipt_id.removeprefix("rc_")


def normalise(
    raw: bytes,
    *,
    receipt_id: str,
    feed: str,
    received_at: datetime,
    format_hint: str | None = None,
) -> Story:
    """Turn one wire item into a Story. Pure: no I/O."""
    fmt = detect(raw, hint=format_hint)
    item = fmt.parse(raw)
    return build_story(item, receipt_id=receipt_id, feed=feed, received_at=received_at)


def build_story(item: ParsedItem, *, receipt_id: str, feed: str, received_at: datetime) -> Story:
    """Everything after parsing that is the same for every format."""
    paragraphs = clean_paragraphs(item.body)
    dateline = _given_dateline(item.dateline)
    byline = clean_inline(item.byline)
    default_date = item.date_hint or (dateline.date if dateline else None)
    top = _opening(paragraphs, default_date, received_at)
    found, rest = None, ""
    if len(paragraphs) > top and (found_byline := _byline_paragraph(paragraphs[top])):
        # Copy that puts the byline in the body ('By JANE DOE' as its own first paragraph):
        # it is the byline, not the lede, and the dateline follows it.
        byline = byline or found_byline
        paragraphs = [*paragraphs[:top], *paragraphs[top + 1 :]]
    if len(paragraphs) > top:
        found, rest = _split_dateline(paragraphs[top], default_date, received_at)
        if found:
            # The copy's own dateline wins over metadata (a G2 <located> or NITF element can
            # name the editing desk, not where the story was filed); metadata fills its gaps.
            dateline = _merge_datelines(found, dateline)
            rest = rest.strip()
            paragraphs = [*paragraphs[:top], *([rest] if rest else []), *paragraphs[top + 1 :]]
    if dateline and dateline.date is None and default_date:
        dateline = dateline.model_copy(update={"date": default_date})
    paragraphs, trailer = split_truncation(paragraphs)
    withdrawn = item.status is PubStatus.canceled or Signal.kill in item.signals
    if not paragraphs and not clean_inline(item.headline) and not withdrawn:
        # A kill may carry no text at all: it is the agency's word, and it must reach the desk.
        raise EmptyStoryError(f"{item.format}: the item carries no headline and no body text")
    agency = item.agency or (dateline.agency if dateline else None)
    text_for_language = " ".join([item.headline or "", *paragraphs[:4]])
    return Story(
        story_id=story_id_for(
            feed=feed, agency=agency, item_id=item.item_id, receipt_id=receipt_id
        ),
        receipt_id=receipt_id,
        feed=feed,
        format=item.format,
        agency=agency,
        item_id=item.item_id,
        version=item.version,
        version_label=clean_inline(item.version_label),
        status=item.status,
        signals=list(dict.fromkeys(item.signals)),
        urgency=item.urgency,
        headline=clean_inline(item.headline),
        slugline=clean_inline(item.slugline),
        byline=byline,
        dateline=dateline,
        body=paragraphs,
        lede=next(iter(paragraphs[top:] or paragraphs), None),
        language=choose_language(declared=item.language, text=text_for_language),
        word_count=word_count(paragraphs),
        truncated=item.truncated or trailer,
        notes=[n for n in (clean_inline(n) for n in item.notes) if n],
        subjects=item.subjects,
        keywords=[k for k in (clean_inline(k) for k in item.keywords) if k],
        replaces=_replaces(item),
        embargoed_until=_storable_time(item.embargoed_until),
        first_created=_storable_time(item.first_created),
        version_created=_storable_time(item.version_created),
        received_at=received_at,
        body_hash=body_hash(paragraphs or [item.headline or ""]),
    )


def _storable_time(when: datetime | None) -> datetime | None:
    """A time as the published story can carry it. JSON writes a zone offset in whole minutes,
    so an offset with seconds ('+01:11:37', which ISO 8601 readers accept) would move the time
    when the story is stored; such a time is given in UTC instead, the same instant."""
    offset = when.utcoffset() if when is not None else None
    if when is None or offset is None or not offset % timedelta(minutes=1):
        return when
    return when.astimezone(UTC)


def _merge_datelines(first: Dateline, second: Dateline | None) -> Dateline:
    """``first``, with its gaps filled from ``second``."""
    if second is None:
        return first
    return first.model_copy(
        update={
            "place": first.place or second.place,
            "date": first.date or second.date,
            "agency": first.agency or second.agency,
        }
    )


# An editor's note naming what the item replaces, in the agencies' languages: 'This item
# replaces 20240312-ABC-0042', 'Ersetzt Meldung dpa-0815', 'Remplace la dépêche AFP 1234-56',
# 'Sustituye a EFE-3321', 'Erstatter NTB-123456'. Only tokens that look like ids (a digit and
# six characters at least) are taken: a slug or a headline in a note names no item.
_REPLACES = re.compile(
    r"\b(?:replaces?|supersedes?|substitutes?\s+for|ersetzt|ersetzen|remplace|remplacent|"
    r"annule\s+et\s+remplace|sustituye|reemplaza|sostituisce|erstatter|ersätter|korvaa|"
    r"vervangt|zastępuje)\b(?P<rest>[^.;\n]{0,160})",
    re.IGNORECASE,
)
_ID_TOKEN = re.compile(r"[\w:./#-]*\d[\w:./#-]*")


def _replaces(item: ParsedItem) -> list[str]:
    given = [r.strip() for r in item.replaces if r and r.strip()]
    return list(dict.fromkeys([*given, *named_predecessors(item.notes)]))


def named_predecessors(notes: list[str]) -> list[str]:
    """Item ids an editor's note says this item replaces."""
    found: list[str] = []
    for note in notes:
        for match in _REPLACES.finditer(note):
            for token in _ID_TOKEN.findall(match["rest"]):
                token = token.strip(".:/#-")
                if len(token) >= 6 and any(c.isdigit() for c in token):
                    found.append(token)
    return found


# A place has letters; 'City, Country' and 'City/CC' are the city; a timestamp is no place.
_PLACE_CUT = re.compile(r"\s*[,/;]\s*")
_DIGITS = re.compile(r"\d")


def _given_dateline(given: Dateline | None) -> Dateline | None:
    """A parser's dateline element as a place a desk would print: the city alone, never a
    timestamp or code."""
    if given is None or not given.place:
        return given
    place = _PLACE_CUT.split(given.place.strip(), maxsplit=1)[0].strip(" .-–—")
    if not place or len(_DIGITS.findall(place)) >= 2 or not any(c.isalpha() for c in place):
        place = None
    return given.model_copy(update={"place": place})


# 'By JANE DOE', 'By Jane Doe and John Roe', 'Von Anna Beispiel, dpa', 'Par Jean Dupont':
# a short line of capitalised names after the word, no sentence in it.
_BYLINE = re.compile(
    r"^(?:By|BY|Von|VON|Par|PAR|Por|POR|Di|Af|Av|Door)\s+"
    r"(?P<names>[A-ZÀ-Ý][\w.'’-]*(?:[\s,]+(?:and|und|et|y|e|og|och|en|of|the|The|[A-ZÀ-Ý][\w.'’-]*))*)$"
)


_BULLET = re.compile(r"^[*•·▪-]\s+\S")


@functools.lru_cache(maxsize=8)
def _split_dateline(
    paragraph: str, default_date: date | None, received_at: datetime
) -> tuple[Dateline | None, str]:
    """``split_dateline`` for build_story, which asks about the same opening paragraph twice
    (where the story begins, then what its dateline is)."""
    return split_dateline(paragraph, default_date=default_date, received=received_at.date())


def _opening(paragraphs: list[str], default_date: date | None, received_at: datetime) -> int:
    """Where the story's prose begins: after summary bullets (Reuters' '* Gold may edge up')
    or a short deck line (a sub-heading, a dpa teaser) that stand above the byline or the
    dateline. They stay in the body; 0 when nothing of the kind is there, so a story whose
    first paragraph is a quote ('– Vi är glada', Nordic style) keeps it as its lede."""

    def starts_story(i: int) -> bool:
        if i >= len(paragraphs):
            return False
        if _byline_paragraph(paragraphs[i]):
            return True
        found, _ = _split_dateline(paragraphs[i], default_date, received_at)
        return bool(found and found.agency)

    if not paragraphs or starts_story(0):
        return 0
    n = 0
    while n < min(6, len(paragraphs) - 1) and _BULLET.match(paragraphs[n]):
        n += 1
    if n and starts_story(n):
        return n
    deck = paragraphs[0]
    if len(deck.split()) <= 25 and not deck.endswith((".", "!", "?")) and starts_story(1):
        return 1
    if len(deck.split()) <= 40 and starts_story(1) and _byline_paragraph(paragraphs[1]) is None:
        # A teaser sentence above the dateline (German dpa copy): the dateline is the story's.
        return 1
    return 0


def _byline_paragraph(paragraph: str) -> str | None:
    sentence = paragraph.endswith((".", "!", "?", ":")) and not paragraph.endswith(" Jr.")
    if len(paragraph) > 120 or sentence:
        return None
    match = _BYLINE.match(paragraph)
    return paragraph if match and len(paragraph.split()) <= 14 else None
