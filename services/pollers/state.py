"""What a poller remembers about its feed between polls and across restarts, in Redis.

One hash per feed (``Keys.poll_state``): the validators the upstream gave with the last
document it served (ETag, Last-Modified), sent back as If-None-Match / If-Modified-Since, and
the digest of that document, which spares the front door a feed that ignores conditional GET
and serves the same bytes again. The state is saved only after the document was accepted, so a
document whose ingest failed is fetched and offered again rather than answered with 304.
"""

from __future__ import annotations

from workers.store import Store
from workers.store.feeds import Validators

__all__ = ["PollState", "Validators"]


class PollState:
    """Reads and writes one feed's validators. Raises StoreUnavailableError when Redis is away."""

    def __init__(self, store: Store, feed: str):
        self._store = store
        self._feed = feed

    def load(self) -> Validators:
        return self._store.load_poll_state(self._feed)

    def save(self, validators: Validators) -> None:
        self._store.save_poll_state(self._feed, validators)
