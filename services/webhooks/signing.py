"""How webhook bodies are signed, and how a receiver checks them.

The sender puts the Unix time in ``X-Wiredesk-Timestamp`` and ``sha256=<hex>`` in
``X-Wiredesk-Signature``, the HMAC-SHA256, keyed with the subscriber's secret, of the bytes
``{timestamp}.{body}``. Signing the timestamp with the body means a captured request cannot
be replayed later than ``tolerance`` seconds, nor its body swapped.
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["sign", "signed_headers", "verify_signature"]

PREFIX = "sha256="


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """``sha256=<hex>`` over ``{timestamp}.{body}``."""
    message = str(timestamp).encode() + b"." + body
    return PREFIX + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    return {
        "X-Wiredesk-Timestamp": str(timestamp),
        "X-Wiredesk-Signature": sign(secret, timestamp, body),
    }


def verify_signature(
    secret: str,
    timestamp: str | int | None,
    body: bytes,
    signature: str | None,
    tolerance: float = 300.0,
    *,
    now: float | None = None,
) -> bool:
    """True when ``signature`` is this body's signature at ``timestamp`` and the timestamp is
    within ``tolerance`` seconds of now. False (never an exception) for anything missing,
    malformed, stale or forged; the comparison takes the same time whatever differs."""
    if not secret or timestamp is None or not signature:
        return False
    try:
        sent = int(str(timestamp).strip())
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent) > tolerance:
        return False
    expected = sign(secret, sent, body)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())
