"""Datelines: ``BEIRUT (Reuters) – ``, ``WASHINGTON (AP) — ``, ``Paris, 21 jan 2019 (AFP) -``,
``Berlin (dpa) - ``, ``Madrid, 10 nov (EFE).-``, ``TOKYO, Nov. 10 Kyodo -``,
``(ANSA) - ROMA, 10 NOV -`` and ANSA's agency-less ``ROMA, 10 NOV -``. Dashes may be ``-``,
``–``, ``—``, ``_`` (AP's teletype dash) or ``--``.

The dateline opens the first paragraph in every agency's copy, whatever the wire format, so it is
parsed here once and used by every format. A dateline is never guessed: when the opening does
not match, the paragraph is left as it is and the story has no dateline.
"""

from __future__ import annotations

import re
from datetime import date

from schemas import Dateline

__all__ = [
    "AGENCIES",
    "canonical_agency",
    "parse_date_words",
    "split_date_header",
    "split_dateline",
]

# How each agency writes its own name, keyed by the lower-cased form found in copy.
AGENCIES: dict[str, str] = {
    "reuters": "Reuters",
    "ap": "AP",
    "afp": "AFP",
    "dpa": "dpa",
    "efe": "EFE",
    "ansa": "ANSA",
    "kyodo": "Kyodo",
    "xinhua": "Xinhua",
    "upi": "UPI",
    "pa": "PA",
    "apa": "APA",
    "bloomberg": "Bloomberg",
    "anp": "ANP",
    "belga": "Belga",
    "tt": "TT",
    "ntb": "NTB",
    "ritzau": "Ritzau",
    "sda": "SDA",
    "ats": "ATS",
    "cp": "CP",
    "aap": "AAP",
    "yonhap": "Yonhap",
    "pti": "PTI",
    "tass": "TASS",
    "ria": "RIA",
    "europa press": "Europa Press",
    "kna": "KNA",
    "epd": "epd",
    # Further national agencies, as they credit themselves in datelines and credit lines.
    "stt": "STT",
    "sda-ats": "SDA",
    "keystone-sda": "SDA",
    "itar-tass": "TASS",
    "kyodonews": "Kyodo",
    "kyodo news": "Kyodo",
    "jiji": "Jiji",
    "lusa": "Lusa",
    "ana-mpe": "ANA-MPE",
    "pap": "PAP",
    "ctk": "CTK",
    "čtk": "CTK",
    "mti": "MTI",
    "hina": "HINA",
    "tanjug": "Tanjug",
    "bta": "BTA",
    "agerpres": "Agerpres",
    "ukrinform": "Ukrinform",
    "interfax": "Interfax",
    "anadolu": "Anadolu",
    "irna": "IRNA",
    "wam": "WAM",
    "spa": "SPA",
    "mena": "MENA",
    "qna": "QNA",
    "kuna": "KUNA",
    "petra": "Petra",
    "ians": "IANS",
    "uni": "UNI",
    "ani": "ANI",
    "bernama": "Bernama",
    "antara": "Antara",
    "vna": "VNA",
    "pna": "PNA",
    "nzpa": "NZPA",
    "businessdesk": "BusinessDesk",
    "dpa-afx": "dpa-AFX",
    "dow jones": "Dow Jones",
    "kyodo jbn": "Kyodo JBN",
    "新华社": "Xinhua",
    "中新社": "China News Service",
    "共同社": "Kyodo",
    "韩联社": "Yonhap",
    "prnewswire": "PR Newswire",
    "pr newswire": "PR Newswire",
    "prnewswire-asianet": "PR Newswire",
    "business wire": "Business Wire",
    "globe newswire": "GlobeNewswire",
}

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "jan january janv janvier januar jänner enero ene gennaio gen",
        "feb february fév fev février fevrier februar febrero febbraio",
        "mar march mars märz maerz marzo",
        "apr april avr avril abril aprile",
        "may mai mayo maggio mag",
        "jun june juin juni junio giugno giu",
        "jul july juil juillet juli julio luglio lug",
        "aug august aoû aou août aout agosto ago",
        "sep sept september septembre septiembre settembre set",
        "oct october okt oktober octobre octubre ottobre ott",
        "nov november novembre noviembre",
        "dec december déc dez dezember décembre decembre diciembre dic dicembre",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

# A leading 'date 2017-11-10' header line, as some feed exports prefix the copy.
_DATE_HEADER = re.compile(r"^\s*date\s+(\d{4})-(\d{2})-(\d{2})\s+", re.IGNORECASE)

_DASH = r"(?:--|\.-|[-–—_:])"
# PLACE[, qualifier][, date] (AGENCY) DASH   or   PLACE, date AGENCY DASH (Kyodo style)
_PARENS = re.compile(
    rf"^(?P<head>[^\s(\"“‘'][^()\n]{{0,80}}?)\s*\((?P<agency>[^\W\d_][\w .&/-]{{0,24}}?)\)"
    rf"\s*{_DASH}\s*(?=\S)"
)
# PLACE, date AGENCY DASH without parentheses: Kyodo's house style, and AAP's
# 'BRISBANE, Oct 12 AAP - '. Any agency we know, as it writes its own name or in capitals.
_BARE_NAMES = "|".join(
    sorted({re.escape(v) for v in AGENCIES.values()} | {re.escape(v.upper()) for v in
            AGENCIES.values() if len(v) > 3}, key=len, reverse=True)
)  # fmt: skip
_BARE = re.compile(
    rf"^(?P<head>[A-Z][^()\n]{{0,60}}?)\s+(?P<agency>{_BARE_NAMES})\s*{_DASH}\s*(?=\S)"
)
# Place (agency) with no dash, as SDA-ATS and some dpa services write it: 'Bern (sda) Der
# Bundesrat', 'Paris (ats afp) Les'. Only when the parenthesis starts with an agency we know
# and the place is short, since '(Reuters) said' could otherwise open a sentence.
# The words of the place are possessive (``*+``): '-' is both in a word and in the range
# ' -/' between words, and 'REFILE-REFILE-…' could otherwise be cut into words in so many ways
# that one line takes minutes to refuse.
_PARENS_NO_DASH = re.compile(
    r"^(?P<head>[A-ZÀ-Ý][\w.'’-]*+(?:[ -/][A-ZÀ-Ý][\w.'’-]*+){0,3}(?:,\s*[^()\n,]{1,30})?)\s*"
    r"\((?P<agency>[A-Za-z][A-Za-z .&/-]{0,24}?)\)\s*(?:[-–—_:]\s*)?(?:(?=[A-ZÀ-Ý\"«„“])|$)"
)
# The Nordic agencies' possessive credit: 'Bryssel, TT:s korrespondent – EU-kommissionen'.
_POSSESSIVE = re.compile(
    r"^(?P<head>[A-ZÀ-Ý][\w.'’ -]{1,40}?),\s*(?P<agency>[A-Za-z]{2,10}):s\s+[a-zåäöæø]+"
    r"\s*(?:--|[-–—])\s*(?=\S)"
)
# The agency between slashes: TASS 'MOSCOW, January 21. /TASS/. The Kremlin', Ritzau
# 'København /ritzau/: En', PR wires 'AUSTIN, Texas, Feb. 1, 2017 /PRNewswire/ -- Acme'.
_SLASHED = re.compile(
    r"^(?P<head>[A-ZÀ-Ý][^()\n/]{0,60}?)\s*\.?\s*/(?P<agency>[A-Za-z][A-Za-z .&-]{1,30})/"
    r"\s*(?:\.|:|--|[-–—])?(?:\s+(?=\S)|\s*$)"
)
# AP and CP's teletype dash after a place in capitals, with no credit: 'HALIFAX _ The port'.
# The '_' is only ever a dateline's, so no date or agency is needed to be sure.
_TELETYPE = re.compile(
    r"^(?P<head>[A-ZÀ-Ý][A-ZÀ-Ý.'’-]+(?: [A-ZÀ-Ý][A-ZÀ-Ý.'’-]+){0,3}"
    r"(?:,\s*[A-Z][\w.'’ -]{1,30})?)\s+_\s+(?=\S)"
)
# (ANSA) - ROMA, 10 NOV -   the agency first, then place and date (ANSA's house style)
_LEADING = re.compile(
    rf"^\((?P<agency>[A-Za-z][A-Za-z .&/-]{{0,24}}?)\)\s*{_DASH}\s*"
    rf"(?P<head>[A-ZÀ-Ý][^()\n]{{0,60}}?)\s+{_DASH}\s+(?=\S)"
)
# ROMA, 10 NOV -   an upper-case place and a date, no agency: the date makes it certain
_DATED = re.compile(
    rf"^(?P<head>[A-ZÀ-Ý][A-ZÀ-Ý .'’-]{{1,40}},\s*\d{{1,2}}\.?\s+[A-Za-zÀ-ÿ]{{3,10}}\.?"
    rf"(?:\s+\d{{4}})?)\s+{_DASH}\s+(?=\S)"
)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})\.?\s+([A-Za-zÀ-ÿ]+)\.?(?:\s+(\d{4}))?$")
_MDY = re.compile(r"^([A-Za-zÀ-ÿ]+)\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?$")


# Chinese, Japanese and Korean copy writes its parentheses and dashes full width: '北京（新华社）'.
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "－": "-", "：": ":", "，": ","})

# Capitals that open copy before a teletype dash without being a place.
_NOT_PLACES = frozenset(
    str.split(
        "BREAKING UPDATE URGENT FLASH BULLETIN CORRECTION CORRECTED EDITORS EDS ADVISORY NOTE "
        "EMBARGO EMBARGOED KILL ALERT NEWS WARNING REPEAT REFILE"
    )
)


def _credited(credit: str) -> str:
    """The agency a dateline credits: '(ats afp)', '(dpa/lni)', '(tca/dpa)' name a partner
    beside the agency; the first agency we know is the credit, else the credit as written. A
    credit we know whole ('Kyodo JBN', Kyodo's press-release wire) is that credit."""
    whole = re.sub(r"[-/]asianet$", "", credit.strip(), flags=re.IGNORECASE).lower()
    if whole in AGENCIES:
        return AGENCIES[whole]
    for token in re.split(r"[\s/,+]+", credit.strip()):
        if token.lower() in AGENCIES:
            return AGENCIES[token.lower()]
    return canonical_agency(credit) or credit


def canonical_agency(name: str | None) -> str | None:
    """'REUTERS' -> 'Reuters'; an agency we do not know keeps its own spelling."""
    if not name:
        return None
    return AGENCIES.get(name.strip().lower(), name.strip())


def split_date_header(text: str) -> tuple[date | None, str]:
    """Take a leading 'date YYYY-MM-DD' off the copy."""
    match = _DATE_HEADER.match(text)
    if not match:
        return None, text
    try:
        found = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None, text
    return found, text[match.end() :]


def parse_date_words(text: str, *, default_year: int | None = None) -> date | None:
    """'21 jan 2019', 'Nov. 10', '10 novembre', '2017-11-10' -> a date, or None."""
    text = text.strip().rstrip(".")
    month: int | None  # None: a month name we do not know
    year: int | str | None  # the year as written, when the text gives one
    if m := _ISO.match(text):
        day, month, year = int(m[3]), int(m[2]), int(m[1])
    elif m := _DMY.match(text):
        day, month, year = int(m[1]), _MONTHS.get(m[2].lower().rstrip(".")), m[3]
    elif m := _MDY.match(text):
        day, month, year = int(m[2]), _MONTHS.get(m[1].lower().rstrip(".")), m[3]
    else:
        return None
    if not month:
        return None
    year = int(year) if year else default_year
    if year is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _is_day_month(text: str) -> bool:
    """'10 NOV', '10 nov 2024': a day and a month name we know, whatever the year."""
    match = _DMY.match(text.strip().rstrip("."))
    return bool(match and _MONTHS.get(match[2].lower().rstrip(".")))


def _place_name(raw: str) -> str:
    """'BEIRUT' -> 'Beirut', 'ALBU KAMAL' -> 'Albu Kamal'; mixed case is kept as written."""
    raw = raw.strip()
    if raw.isupper():
        return " ".join("-".join(p.capitalize() for p in w.split("-")) for w in raw.split())
    return raw


def split_dateline(
    paragraph: str, *, default_date: date | None = None, received: date | None = None
) -> tuple[Dateline | None, str]:
    """Split a dateline off the start of a paragraph.

    Returns the dateline (or None) and the rest of the paragraph. ``default_date`` (a date the
    copy gave elsewhere) gives the year for datelines that print only day and month, and the
    date for those that print none. Without it, ``received`` gives the year of a day-and-month
    dateline ('OTTAWA, Feb 9 (Reuters)'), the year before when that would put it in the future
    (copy filed on 31 December, received on 1 January).
    """
    original = paragraph
    paragraph = paragraph.translate(_FULLWIDTH)
    possessive = _POSSESSIVE.match(paragraph)
    if possessive and possessive["agency"].lower() not in AGENCIES:
        possessive = None
    match = (
        possessive
        or _PARENS.match(paragraph)
        or _BARE.match(paragraph)
        or _LEADING.match(paragraph)
        or _DATED.match(paragraph)
        or _TELETYPE.match(paragraph)
        or _SLASHED.match(paragraph)
    )
    if match and match.re is _TELETYPE and match["head"].split(",")[0].strip() in _NOT_PLACES:
        match = None
    if not match and (m := _PARENS_NO_DASH.match(paragraph)):
        # Only with an agency we know: '(Reuters) said' could open a sentence.
        first = re.split(r"[\s/]+", m["agency"].strip())[0].lower()
        match = m if first in AGENCIES else None
    if not match:
        return None, original
    # 'SAN FRANCISCO--(BUSINESS WIRE)--': the place without the dashes around the credit.
    head = match["head"].strip().rstrip(",").rstrip("-–— ")
    agency = (match.groupdict().get("agency") or "").strip()
    # Agency names are short words; a long parenthesis is prose, not a dateline.
    if len(agency.split()) > 3 or not head or len(head.split()) > 10:
        return None, original
    parts = [p.strip() for p in head.split(",") if p.strip()]
    # A place starts with a capital (or a letter of a script without case: 北京).
    if not parts or parts[0][0].islower() or not parts[0][0].isalpha():
        return None, original
    # 'Kiova/Washington (STT)': a story filed from two places; the first is the dateline's.
    place: str | None = parts[0].split("/")[0].strip()
    found: date | None = None
    year = default_date.year if default_date else (received.year if received else None)
    if parse_date_words(parts[0], default_year=year or 2000):
        # 'Jan 3 (Reuters) -': a date where the place would be; the dateline has no place.
        if match.re is not _PARENS:
            return None, original
        parts = ["", *parts]
        place = None
    qualifiers: list[str] = []
    # 'Feb. 1, 2017': the year stands after its own comma.
    joined: list[str] = []
    for part in parts[1:]:
        if (
            re.fullmatch(r"\d{4}", part)
            and joined
            and parse_date_words(joined[-1], default_year=2000)
        ):
            joined[-1] = f"{joined[-1]} {part}"
        else:
            joined.append(part)
    for part in joined:
        parsed = parse_date_words(part, default_year=year)
        if parsed and not default_date and received and (parsed - received).days > 2:
            parsed = parse_date_words(part, default_year=received.year - 1) or parsed
        if parsed:
            found = parsed
        else:
            qualifiers.append(part)
    # A place of more than five words is a sentence that happens to hold a parenthesis.
    if (place and len(place.split()) > 5) or any(len(q.split()) > 4 for q in qualifiers):
        return None, original
    if match.re is _DATED and not any(_is_day_month(p) for p in parts[1:]):
        return None, original  # without a real month it is an upper-case sentence
    text = original[: match.end()].rstrip()
    text = re.sub(rf"\s*{_DASH}\s*$", "", text)
    dateline = Dateline(
        text=text,
        place=_place_name(place) if place else None,
        date=found or default_date,
        agency=_credited(agency) if agency else None,
    )
    return dateline, original[match.end() :]
