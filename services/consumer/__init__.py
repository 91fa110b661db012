"""Downstream consumers of the stories stream: a small library (``StreamConsumer``) and the
``wiredesk consume`` command built on it."""

from services.consumer.client import (
    Delivery,
    GroupLag,
    StreamConsumer,
    TrimNotice,
    dead_letter_stream,
)

__all__ = ["Delivery", "GroupLag", "StreamConsumer", "TrimNotice", "dead_letter_stream"]
