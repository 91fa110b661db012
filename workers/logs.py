"""Logging set-up for every wiredesk process: structlog JSON lines on stdout, with ids bound in
context variables, and the stdlib loggers of uvicorn and Celery routed through the same chain.

Python ``warnings`` go the same way (one event each, instead of the several lines of text the
warnings module writes to stderr), so with ``log_json`` every line a process writes is one JSON
object a log shipper can parse. The worker's own console text (banner, shutdown notices) is
handled in ``workers.celery_app``.

Call ``configure_logging`` once at each entry point (API start-up, the worker's start signals).

The request id: the API binds ``request_id`` for each request (``services.api.request_id``),
every task it queues carries it in the ``REQUEST_ID_HEADER`` message header
(``workers.tasks``), and the stage tasks bind it again, so one grep finds the access line and
every stage line of the item it sent.
"""

from __future__ import annotations

import logging
import sys
import warnings
from typing import TextIO

import structlog

__all__ = ["REQUEST_ID_HEADER", "configure_logging", "log_warning"]

#: The Celery message header that carries the request id from the API into the tasks.
REQUEST_ID_HEADER = "wd_request_id"


def configure_logging(
    *, json: bool | None = None, level: str = "INFO", stream: TextIO | None = None
) -> None:
    """``stream``: where the lines go (stdout unless a command keeps stdout for its output)."""
    stream = stream or sys.stdout
    if json is None:
        json = not stream.isatty()
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.add_logger_name,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "celery", "py.warnings"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # The API's access line is ``http_request`` (services.api.request_id): method, path,
    # status and duration as fields, with the request id. uvicorn's own would say it again as
    # a sentence, so it stays off whatever uvicorn was started with.
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    warnings.showwarning = log_warning


def log_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """``warnings.showwarning`` as a log event: the warning's class, text and where it was
    raised, as fields (``logging.captureWarnings`` would log the multi-line text block)."""
    structlog.get_logger("py.warnings").warning(
        "python_warning",
        category=category.__name__,
        warning=str(message),
        filename=filename,
        lineno=lineno,
    )
