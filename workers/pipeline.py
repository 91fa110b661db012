"""How the front door hands an item to the pipeline: one chain per receipt."""

from __future__ import annotations

from celery import chain

from workers.tasks import dedupe_task, normalise_task, publish_task, tag_task

__all__ = ["enqueue", "pipeline_for"]


def pipeline_for(receipt_id: str) -> chain:
    return chain(normalise_task.s(receipt_id), dedupe_task.s(), tag_task.s(), publish_task.s())


def enqueue(receipt_id: str) -> None:
    """Queue the item. Raises kombu/redis errors when the broker is unreachable."""
    pipeline_for(receipt_id).apply_async()
