"""The pull side of ingest: HTTP feed pollers (RSS, Atom, ninjs JSON) and drop folders.

Configured in one TOML file (``config``), run together by ``python -m services.pollers``
(``runner``). Everything pulled goes through ``services.ingest.accept``, the same front door as
pushed copy: same receipts, same handling of repeats.
"""

from services.pollers.config import FeedConfig, FeedConfigError, load_feeds
from services.pollers.folder import FolderWatcher
from services.pollers.http import HttpPoller, PollError
from services.pollers.queue import PipelineQueue

__all__ = [
    "FeedConfig",
    "FeedConfigError",
    "FolderWatcher",
    "HttpPoller",
    "PipelineQueue",
    "PollError",
    "load_feeds",
]
