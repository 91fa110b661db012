"""Times as the wire formats print them: ANPA and IPTC 7901 trailers, embargo lines, ISO 8601.

Agencies stamp copy in local zones with letter abbreviations ('1815GMT', '0215 EST'). A time is
only turned into a datetime when its zone is known: a naive or guessed time would reorder
versions wrongly, so an unknown zone gives None and the caller keeps only the date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from workers.dateline import parse_date_words

__all__ = [
    "ZONES",
    "parse_anpa_trailer",
    "parse_embargo",
    "parse_iptc7901_trailer",
    "parse_iso",
    "zone_offset",
]

# Zone abbreviations the agencies print, as hours from UTC. RFC 822 names only the US zones;
# European, African and Asian copy uses its own names, which Python's and feedparser's date
# readers take for UTC (an hour or more wrong). Every reader of wire times uses this table.
ZONES: dict[str, float] = {
    "GMT": 0, "UTC": 0, "UT": 0, "Z": 0, "WET": 0,
    "BST": 1, "CET": 1, "MET": 1, "MEZ": 1, "WEST": 1, "WAT": 1,
    "CEST": 2, "MEST": 2, "MESZ": 2, "EET": 2, "SAST": 2, "CAT": 2,
    "EEST": 3, "MSK": 3, "EAT": 3,
    "IST": 5.5, "HKT": 8, "SGT": 8, "PHT": 8, "AWST": 8, "JST": 9, "KST": 9,
    "ACST": 9.5, "AEST": 10, "ACDT": 10.5, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "BRT": -3, "ART": -3,
}  # fmt: skip


def zone_offset(name: str) -> str | None:
    """'CET' -> '+0100', 'IST' -> '+0530'; None for a name the table does not hold."""
    hours = ZONES.get(name.upper())
    if hours is None:
        return None
    sign = "-" if hours < 0 else "+"
    minutes = round(abs(hours) * 60)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


_ANPA_TRAILER = re.compile(
    r"(?P<m>\d{1,2})-(?P<d>\d{1,2})-(?P<y>\d{2}|\d{4})\s+(?P<hh>\d{2}):?(?P<mm>\d{2})"
    r"\s*(?P<ampm>[AP]M)?\s*(?P<tz>[A-Z]{1,4})?\b"
)
_IPTC_TRAILER = re.compile(
    r"(?P<d>\d{2})(?P<hh>\d{2})(?P<mm>\d{2})\s*(?P<tz>[A-Z]{1,4})?\s+(?P<mon>[A-Za-z]{3})\.?"
    r"\s+(?P<y>\d{2}|\d{4})\b"
)
_ISO_IN_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:?\d{2}(?::?\d{2}(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,4})?"
)
_CLOCK_AND_DATE = re.compile(
    r"(?P<hh>\d{1,2}):?(?P<mm>\d{2})\s*(?P<tz>[A-Z]{1,4})\b[\s,]*(?:on\s+)?"
    r"(?:[A-Za-z]+day,?\s+)?(?P<date>[A-Za-z]{3,9}\.?\s+\d{1,2}(?:,?\s+\d{4})?|"
    r"\d{1,2}\s+[A-Za-z]{3,9}\.?(?:\s+\d{4})?)"
)


def _year(text: str) -> int:
    year = int(text)
    if year < 100:
        year += 2000 if year < 70 else 1900
    return year


def _zoned(day: date, hour: int, minute: int, zone: str | None) -> datetime | None:
    offset = ZONES.get((zone or "").upper())
    if offset is None or not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    tz = timezone(timedelta(hours=offset))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(UTC)


def parse_anpa_trailer(text: str) -> tuple[date | None, datetime | None]:
    """'11-10-17 1815GMT' -> (the date, the UTC time). The time is None when the zone is not
    one we know; both are None when the trailer holds no date."""
    match = _ANPA_TRAILER.search(text)
    if not match:
        return None, None
    try:
        day = date(_year(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None, None
    hour = int(match["hh"])
    if match["ampm"]:
        hour = hour % 12 + (12 if match["ampm"] == "PM" else 0)
    return day, _zoned(day, hour, int(match["mm"]), match["tz"])


def parse_iptc7901_trailer(text: str) -> tuple[date | None, datetime | None]:
    """'101815 GMT NOV 17' (day, hour, minute, zone, month, year) -> (date, UTC time)."""
    match = _IPTC_TRAILER.search(text)
    if not match:
        return None, None
    day = parse_date_words(f"{match['d']} {match['mon']} {_year(match['y'])}")
    if day is None:
        return None, None
    return day, _zoned(day, int(match["hh"]), int(match["mm"]), match["tz"] or "GMT")


def parse_iso(text: object) -> datetime | None:
    """An ISO 8601 timestamp -> an aware UTC datetime. A timestamp without an offset is taken
    as UTC (ninjs and G2 say so); anything unreadable gives None."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    # '+0000' (no colon) is common in feeds and older Pythons refuse it.
    value = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value)
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    return found.astimezone(UTC)


def parse_embargo(text: str, *, default_year: int | None = None) -> datetime | None:
    """The release time in an embargo line, e.g. 'EMBARGOED until 0001 GMT Nov. 12, 2024' or
    'EMBARGO 2024-11-12T00:01Z'. None when the line names no time we can read for certain."""
    if match := _ISO_IN_TEXT.search(text):
        raw = match[0].strip()
        zone = re.search(r"\s*([A-Z]{2,4})$", raw)
        if zone and zone[1] in ZONES:
            stamp = parse_iso(raw[: zone.start()].replace(" ", "T"))
            if stamp:
                return stamp - timedelta(hours=ZONES[zone[1]])
        elif not zone:
            stamp = parse_iso(raw.replace(" ", "T", 1))
            if stamp and re.search(r"(Z|[+-]\d{2}:?\d{2})$", raw):
                return stamp
    if match := _CLOCK_AND_DATE.search(text):
        day = parse_date_words(match["date"].replace(",", " ").replace("  ", " "),
                               default_year=default_year)  # fmt: skip
        if day:
            return _zoned(day, int(match["hh"]), int(match["mm"]), match["tz"])
    return None
