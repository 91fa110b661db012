"""Stories-stream consumer groups and the quarantine.

Each group on ``{prefix}:stream:stories`` reports its pending entries (delivered, not acked)
and its lag (entries not yet delivered; Redis 7 computes it, and reports none when trimming
made it unknowable). A group's dead letters are the length of its dead-letter stream
``{prefix}:stream:stories:dlq:{group}``, the name ``services.consumer`` writes them under.
"""

from __future__ import annotations

import redis

from services.ops.models import ConsumerGroupFigures, QuarantineFigures
from workers.keys import Keys
from workers.store import Store
from workers.store.client import text

__all__ = ["consumer_groups", "dead_letter_stream", "quarantine_figures"]


def dead_letter_stream(keys: Keys, group: str) -> str:
    return keys.dead_letters(group)


def consumer_groups(r: redis.Redis, keys: Keys) -> list[ConsumerGroupFigures]:
    try:
        groups = r.xinfo_groups(keys.stories_stream)
    except redis.ResponseError:  # no stream yet: nothing has been published
        return []
    names = [text(g["name"]) or "" for g in groups]
    with r.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.xlen(dead_letter_stream(keys, name))
        dead = pipe.execute()
    return [
        ConsumerGroupFigures(
            group=name,
            consumers=int(g.get("consumers", 0)),
            pending=int(g.get("pending", 0)),
            lag=int(g["lag"]) if g.get("lag") is not None else None,
            dead_lettered=int(n),
        )
        for name, g, n in zip(names, groups, dead, strict=True)
    ]


def quarantine_figures(store: Store, *, newest: int = 10) -> QuarantineFigures:
    return QuarantineFigures(
        size=store.quarantine_length(),
        newest=store.list_quarantine(limit=newest) if newest > 0 else [],
    )
