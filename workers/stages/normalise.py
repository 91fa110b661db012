"""Stage 1, normalise: raw wire bytes in, one ``Story`` out, whatever the format.

Detects the format, lets its parser read the item, then does what every format needs the
same way: text cleaning, the dateline, the lede, language, word count, the body hash, ids.
Raises a PermanentError subclass (the item goes to quarantine) when the copy cannot be a story.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from schemas import Story
from workers.dateline import split_dateline
from workers.errors import EmptyStoryError
from workers.formats import ParsedItem, detect
from workers.language import detect_language
from workers.text import clean_inline, clean_paragraphs, split_truncation, word_count

__all__ = ["body_hash", "normalise", "story_id_for"]

_FOLD = re.compile(r"\W+")


def body_hash(paragraphs: list[str]) -> str:
    """Hash of the body with case, punctuation and spacing folded away, so a resend that only
    re-wraps lines or swaps straight for curly quotes hashes the same."""
    folded = _FOLD.sub(" ", " ".join(paragraphs).casefold()).strip()
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
    dateline = item.dateline
    default_date = item.date_hint or (dateline.date if dateline else None)
    if paragraphs:
        found, rest = split_dateline(
            paragraphs[0], default_date=default_date, received=received_at.date()
        )
        if found:
            # The parser's own dateline element (NITF, G2) wins; the text's fills its gaps.
            dateline = _merge_datelines(dateline, found)
            rest = rest.strip()
            paragraphs = [rest, *paragraphs[1:]] if rest else paragraphs[1:]
    if dateline and dateline.date is None and default_date:
        dateline = dateline.model_copy(update={"date": default_date})
    paragraphs, trailer = split_truncation(paragraphs)
    if not paragraphs and not clean_inline(item.headline):
        raise EmptyStoryError(f"{item.format}: the item carries no headline and no body text")
    agency = item.agency or (dateline.agency if dateline else None)
    text_for_language = " ".join(paragraphs[:3]) or (item.headline or "")
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
        byline=clean_inline(item.byline),
        dateline=dateline,
        body=paragraphs,
        lede=paragraphs[0] if paragraphs else None,
        language=item.language or detect_language(text_for_language),
        word_count=word_count(paragraphs),
        truncated=item.truncated or trailer,
        notes=[n for n in (clean_inline(n) for n in item.notes) if n],
        subjects=item.subjects,
        keywords=[k for k in (clean_inline(k) for k in item.keywords) if k],
        embargoed_until=item.embargoed_until,
        first_created=item.first_created,
        version_created=item.version_created,
        received_at=received_at,
        body_hash=body_hash(paragraphs or [item.headline or ""]),
    )


def _merge_datelines(given, found):
    if given is None:
        return found
    return given.model_copy(
        update={
            "place": given.place or found.place,
            "date": given.date or found.date,
            "agency": given.agency or found.agency,
        }
    )
