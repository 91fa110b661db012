"""Webhooks: every event of the stories stream POSTed to configured subscribers, signed.

Headers on each POST: ``X-Wiredesk-Event`` (the type), ``X-Wiredesk-Event-Id`` (the stream
entry id: deduplicate on it), ``X-Wiredesk-Delivery`` (``<stream delivery>.<attempt>``),
``X-Wiredesk-Timestamp`` (Unix seconds) and ``X-Wiredesk-Signature``
(``sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">``). Receivers check with
``verify_signature(secret, timestamp, body, signature, tolerance)``.
"""

from services.webhooks.signing import sign, signed_headers, verify_signature

__all__ = ["sign", "signed_headers", "verify_signature"]
