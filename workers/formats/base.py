"""The parser interface every wire format implements.

A format does three things: say how sure it is that some bytes are its own (``sniff``), cut a
message that carries several items into one byte string per item (``split``, used by the front
door so every item gets its own receipt), and turn one item into a ``ParsedItem`` (``parse``).
Parsers only read; cleaning, dateline handling and ids are normalise's job, so every format
gets the same treatment.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime

from schemas import Dateline, PubStatus, Signal, Subject

__all__ = ["ParsedItem", "WireFormat"]


@dataclass
class ParsedItem:
    """What a parser read from one item. Text fields may still hold raw whitespace and controls."""

    format: str
    body: list[str]
    headline: str | None = None
    agency: str | None = None
    item_id: str | None = None
    version: int = 1
    version_label: str | None = None
    status: PubStatus = PubStatus.usable
    signals: list[Signal] = field(default_factory=list)
    urgency: int | None = None
    slugline: str | None = None
    byline: str | None = None
    dateline: Dateline | None = None
    date_hint: date | None = None
    subjects: list[Subject] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    language: str | None = None
    embargoed_until: datetime | None = None
    first_created: datetime | None = None
    version_created: datetime | None = None
    truncated: bool = False
    notes: list[str] = field(default_factory=list)


class WireFormat(ABC):
    """One wire format. Implementations live one per module in ``workers.formats``."""

    #: Short stable name, used in stories, receipts and quarantine reasons.
    name: str = ""

    @abstractmethod
    def sniff(self, raw: bytes) -> float:
        """How sure, from 0 to 1, that these bytes are this format. Must be cheap."""

    def split(self, raw: bytes) -> list[bytes]:
        """Cut a message into items. Most formats carry one item per message."""
        return [raw]

    @abstractmethod
    def parse(self, raw: bytes) -> ParsedItem:
        """Read one item. Raises ParseError (or a subclass) naming what is wrong and where."""
