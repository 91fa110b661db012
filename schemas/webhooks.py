"""A webhook subscriber as configured (``WIREDESK_WEBHOOKS``, a JSON list of these)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from schemas.events import EventType

__all__ = ["WebhookSubscriber"]


class WebhookSubscriber(BaseModel):
    """Where to POST events, with what secret, and which event types (empty: all)."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Names its consumer group.")
    url: HttpUrl
    secret: str = Field(min_length=16, description="HMAC-SHA256 key shared with the receiver.")
    events: list[EventType] = Field(
        default_factory=list, description="Event types to send; empty sends every type."
    )

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in {e.value for e in self.events}
