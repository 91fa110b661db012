"""Every Redis key name wiredesk uses, in one place, under one configurable prefix.

Celery's own broker keys get the same prefix (kombu's ``global_keyprefix``), so several
deployments, or a test run, can share one Redis without seeing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Keys"]


@dataclass(frozen=True)
class Keys:
    prefix: str

    # Front door.
    def raw(self, receipt_id: str) -> str:
        """The bytes a feed sent, kept from before processing starts until retention ends."""
        return f"{self.prefix}:raw:{receipt_id}"

    def receipt(self, receipt_id: str) -> str:
        """Hash: the receipt's state, stage, story id and reason."""
        return f"{self.prefix}:receipt:{receipt_id}"

    def attempts(self, receipt_id: str, stage: str) -> str:
        """Counter of starts of one stage for one receipt; redeliveries after a crash add up."""
        return f"{self.prefix}:attempts:{receipt_id}:{stage}"

    # Dedupe.
    def body_seen(self, body_hash: str) -> str:
        return f"{self.prefix}:dedupe:body:{body_hash}"

    # Story store and indexes.
    def story(self, story_id: str) -> str:
        return f"{self.prefix}:story:{story_id}"

    def published_guard(self, receipt_id: str) -> str:
        """Set once a receipt's event is on the stream; a redelivered publish finds it."""
        return f"{self.prefix}:published:{receipt_id}"

    def duplicates(self, story_id: str) -> str:
        return f"{self.prefix}:dups:{story_id}"

    @property
    def stories_by_time(self) -> str:
        return f"{self.prefix}:idx:time"

    # Streams.
    @property
    def stories_stream(self) -> str:
        return f"{self.prefix}:stream:stories"

    @property
    def quarantine_stream(self) -> str:
        return f"{self.prefix}:stream:quarantine"

    # Celery.
    @property
    def celery_prefix(self) -> str:
        return f"{self.prefix}:celery:"
