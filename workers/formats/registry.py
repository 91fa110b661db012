"""Which format is this? Every registered format sniffs the bytes; the surest wins.

The feed's configured format is only a hint: feeds change formats without telling anyone, and
the bytes do not lie. Plain text answers low for any text, so it wins only when nothing else
claims the copy.

XML is never plain text: markup published as a story is worse than a quarantined file. XML
whose root no format claims (an OPML list, a vendor's own envelope, RDF that is not RSS) is
refused with ``unrecognised XML root {namespace}name``, so the reason says what came in. XML
that a format does claim, even broken or truncated, stays that format's parse error.
"""

from __future__ import annotations

from workers.errors import UnknownFormatError
from workers.formats.anpa1312 import Anpa1312
from workers.formats.base import WireFormat
from workers.formats.feeds import Atom, Rss
from workers.formats.iptc7901 import Iptc7901
from workers.formats.newsml_1_2 import NewsML12
from workers.formats.newsml_g2 import NewsMLG2
from workers.formats.ninjs import Ninjs
from workers.formats.nitf import Nitf
from workers.formats.plaintext import PlainText, looks_like_xml
from workers.formats.xmlsafe import peek_root

__all__ = ["FORMATS", "detect", "get_format"]

FORMATS: dict[str, WireFormat] = {
    fmt.name: fmt
    for fmt in [
        PlainText(),
        Anpa1312(),
        Iptc7901(),
        Ninjs(),
        Nitf(),
        NewsMLG2(),
        NewsML12(),
        Rss(),
        Atom(),
    ]
}


def get_format(name: str) -> WireFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise UnknownFormatError(f"no wire format named {name!r}") from None


def detect(raw: bytes, *, hint: str | None = None) -> WireFormat:
    """The format these bytes are in. Raises UnknownFormatError when none claims them."""
    scores = {name: fmt.sniff(raw) for name, fmt in FORMATS.items()}
    if hint in scores and scores[hint] > 0:
        scores[hint] += 0.05
    best = max(scores, key=scores.__getitem__)
    if scores[best] <= 0:
        raise UnknownFormatError(_unclaimed(raw))
    return FORMATS[best]


def _unclaimed(raw: bytes) -> str:
    """Why nothing claims these bytes; for XML, the root element in Clark notation."""
    peek = peek_root(raw)
    if peek is not None:
        root = f"{{{peek.namespace}}}{peek.local}" if peek.namespace else peek.local
        return f"unrecognised XML root {root}"
    if looks_like_xml(raw):
        return f"unrecognised XML: no root element can be read (first bytes: {raw[:40]!r})"
    return f"no wire format recognises this copy (first bytes: {raw[:40]!r})"
