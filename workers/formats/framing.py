"""Control-character framing shared by the old teletype formats, ANPA-1312 and IPTC 7901:
a header after SOH, the text between STX and ETX, a trailer after ETX.

Both formats are cut on the raw bytes, before any decoding, so that a truncated transmission
is reported at the byte where the framing broke.
"""

from __future__ import annotations

from workers.errors import ParseError

__all__ = ["EOT", "ETX", "SOH", "STX", "SYN", "cut_frame"]

SYN, SOH, STX, ETX, EOT = b"\x16", b"\x01", b"\x02", b"\x03", b"\x04"


def cut_frame(raw: bytes, *, format: str, header: str) -> tuple[bytes, bytes, bytes]:
    """Return (header, text, trailer). Raises ParseError naming the first framing byte missing;
    ``header`` is what the format calls its header, for the reason."""
    if not raw.strip(b"\x00\r\n\t " + SYN):
        raise ParseError("empty message", format=format, position="byte 0")
    soh = raw.find(SOH)
    if soh < 0:
        raise ParseError(f"no SOH: the message has no {header}", format=format, position="byte 0")
    stx = raw.find(STX, soh)
    if stx < 0:
        raise ParseError(
            f"the {header.split()[-1]} opened at byte {soh} never reaches STX: the copy was cut "
            "before its text",
            format=format,
            position=f"byte {len(raw)}",
        )
    etx = raw.find(ETX, stx)
    if etx < 0:
        raise ParseError(
            f"the text opened at byte {stx} has no ETX: the copy was truncated in transmission",
            format=format,
            position=f"byte {len(raw)}",
        )
    return raw[soh + 1 : stx], raw[stx + 1 : etx], raw[etx + 1 :]
