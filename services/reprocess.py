"""`wiredesk replay --since TIME`: run stored stories through the pipeline again.

For after a pipeline improvement (a better tagger, a parser fix): every story editors see that
was received in the window is re-run from its raw bytes, in batches on the bulk queue (so
single stories keep flowing), and announced to consumers as ``story.updated``. Talks to Redis
directly (``REDIS_URL``), like Celery's own tools: it is an operator's command.
"""

from __future__ import annotations

import time
from datetime import datetime

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from workers.pipeline import enqueue_batch
from workers.settings import Settings
from workers.store import Store, connect

__all__ = ["reprocess"]

SETTLED = {"published", "duplicate", "quarantined"}


def reprocess(
    settings: Settings,
    *,
    since: datetime,
    until: datetime | None = None,
    wait: bool = True,
    timeout: float = 3600.0,
) -> dict[str, int]:
    """Re-run the window; with ``wait``, show progress until every item has settled again.
    Returns counts of the receipts' final states."""
    store = Store(connect(settings.redis_url), settings)
    receipts = store.receipts_published_between(
        since.timestamp(), until.timestamp() if until else None
    )
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as progress:
        queued = progress.add_task("queued", total=len(receipts))
        size = settings.batch_size
        for start in range(0, len(receipts), size):
            chunk = receipts[start : start + size]
            store.reopen(chunk)
            enqueue_batch(chunk, reprocess=True)
            progress.advance(queued, len(chunk))
        if not wait or not receipts:
            return {"queued": len(receipts)}
        done = progress.add_task("re-run", total=len(receipts))
        deadline = time.monotonic() + timeout
        states: list[str | None] = []
        while time.monotonic() < deadline:
            states = []
            for start in range(0, len(receipts), 1000):
                states += store.receipt_states(receipts[start : start + 1000])
            settled = sum(1 for s in states if s in SETTLED)
            progress.update(done, completed=settled)
            if settled == len(receipts):
                break
            time.sleep(0.5)
    counts: dict[str, int] = {"queued": len(receipts)}
    for state in states:
        counts[state or "expired"] = counts.get(state or "expired", 0) + 1
    return counts
