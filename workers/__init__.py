"""The pipeline: the Celery app, one module per wire format, one per stage, and the store.

Stages are plain functions (``workers.stages``); the tasks around them (``workers.tasks``) only
load, call, store and hand on.
"""

__all__: list[str] = []
