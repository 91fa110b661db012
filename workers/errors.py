"""wiredesk's error tree. Permanent errors send an item to quarantine with a reason;
retryable ones are retried by the task wrapper and quarantined only after the last attempt.

    WiredeskError
    ├── PermanentError              the item itself is at fault: quarantine, never retry
    │   ├── DecodeError             bytes that are no text in any encoding we accept
    │   ├── UnknownFormatError      nothing in the registry recognises the copy
    │   ├── ParseError              a parser recognised the format but the copy is broken
    │   ├── HostileInputError       entity bombs, external entities, absurd nesting
    │   └── EmptyStoryError         the copy parses but carries no story text
    ├── RetryableError              the world is at fault: try again later
    │   └── StoreUnavailableError   Redis could not be reached
    ├── AttemptsExhaustedError      an item kept killing workers or failing; quarantined
    └── ConfigurationError          a setting names something that cannot be used
"""

from __future__ import annotations

__all__ = [
    "AttemptsExhaustedError",
    "ConfigurationError",
    "DecodeError",
    "EmptyStoryError",
    "HostileInputError",
    "ParseError",
    "PermanentError",
    "RetryableError",
    "StoreUnavailableError",
    "UnknownFormatError",
    "WiredeskError",
]


class WiredeskError(Exception):
    """Base of every error wiredesk raises on purpose."""


class PermanentError(WiredeskError):
    """The item cannot be processed as it is; retrying would give the same answer."""


class DecodeError(PermanentError):
    pass


class UnknownFormatError(PermanentError):
    pass


class ParseError(PermanentError):
    """Broken copy in a known format. ``format`` and ``position`` make the reason useful."""

    def __init__(self, message: str, *, format: str | None = None, position: str | None = None):
        self.format = format
        self.position = position
        parts = [f"{format}: " if format else "", message]
        if position:
            parts.append(f" (at {position})")
        super().__init__("".join(parts))


class HostileInputError(ParseError):
    pass


class EmptyStoryError(PermanentError):
    pass


class RetryableError(WiredeskError):
    """A passing fault outside the item: the task is retried with backoff."""


class StoreUnavailableError(RetryableError):
    pass


class AttemptsExhaustedError(WiredeskError):
    """Raised when an item has been tried more times than settings allow."""


class ConfigurationError(WiredeskError):
    """A setting that validates as a value but cannot be used (an unknown engine scheme)."""
