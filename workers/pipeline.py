"""How the front door hands an item to the pipeline: one chain per receipt."""

from __future__ import annotations

from celery import chain

from workers.tasks import batch_task, dedupe_task, normalise_task, publish_task, tag_task

__all__ = ["PIPELINE_TASKS", "enqueue", "enqueue_batch", "pipeline_for"]

#: The chain's task names, in order, for code that sends tasks without importing the app.
PIPELINE_TASKS = ("wiredesk.normalise", "wiredesk.dedupe", "wiredesk.tag", "wiredesk.publish")


def pipeline_for(receipt_id: str) -> chain:
    # Each later stage receives the whole story from the one before. Left to itself Celery
    # would build a repr of it for every message (for Flower and the logs), about a
    # millisecond of worker CPU a story; the receipt id says more, for nothing.
    shown = f"('{receipt_id}',)"
    return chain(
        normalise_task.s(receipt_id),
        *(task.s().set(argsrepr=shown) for task in (dedupe_task, tag_task, publish_task)),
    )


def enqueue(receipt_id: str) -> None:
    """Queue the item. Raises kombu/redis errors when the broker is unreachable."""
    pipeline_for(receipt_id).apply_async()


def enqueue_batch(receipt_ids: list[str], *, reprocess: bool = False) -> None:
    """Queue many items as one task on the bulk queue (routed by the app's task_routes).
    ``reprocess``: the items were published before and are being run again."""
    batch_task.apply_async((receipt_ids, reprocess))
