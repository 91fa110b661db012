"""Operations: read the pipeline's figures back out of Redis (queues, stages, feeds, consumer
groups, quarantine, workers), put quarantined items back through the pipeline, and render the
figures for Prometheus. What the figures are is recorded by ``workers.metrics``."""

__all__: list[str] = []
