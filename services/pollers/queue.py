"""The pollers' way onto the pipeline queue, bound to the Settings they were given.

``workers.pipeline.enqueue`` sends through the process-wide Celery app, which reads its
broker and key prefix from the environment. The pollers take an explicit ``Settings`` (a test
points them at its own stack), so they send through a Celery app of their own, configured by
``workers.celery_app.celery_config`` from those settings: same broker options, same queue, same
key prefix, same message. The chain is named by task name (``workers.pipeline.PIPELINE_TASKS``)
because the worker's task objects belong to the process-wide app.
"""

from __future__ import annotations

import threading

from celery import Celery, chain

from workers.celery_app import celery_config
from workers.pipeline import PIPELINE_TASKS
from workers.settings import Settings

__all__ = ["PIPELINE_TASKS", "PipelineQueue"]


class PipelineQueue:
    """Callable like ``workers.pipeline.enqueue``: queue one receipt's chain. Raises kombu /
    redis errors when the broker is unreachable (``accept`` turns them into a 503)."""

    def __init__(self, settings: Settings):
        self.app = Celery("wiredesk-pollers", set_as_current=False)
        self.app.conf.update(celery_config(settings))
        # Pollers run in threads; one send at a time keeps the producer pool simple.
        self._lock = threading.Lock()

    def __call__(self, receipt_id: str) -> None:
        first, *rest = PIPELINE_TASKS
        steps = [self.app.signature(first, args=(receipt_id,))]
        steps += [self.app.signature(name) for name in rest]
        with self._lock:
            chain(*steps, app=self.app).apply_async()

    def close(self) -> None:
        self.app.close()
