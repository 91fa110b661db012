"""What a poller remembers about its feed between polls and across restarts, in Redis.

One hash per feed (``Keys.poll_state``): the validators the upstream gave with the last
document it served (ETag, Last-Modified), sent back as If-None-Match / If-Modified-Since, and
the digest of that document, which spares the front door a feed that ignores conditional GET
and serves the same bytes again. The state is saved only after the document was accepted, so a
document whose ingest failed is fetched and offered again rather than answered with 304.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from workers.errors import StoreUnavailableError
from workers.keys import Keys

__all__ = ["PollState", "Validators"]


@dataclass(frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None
    digest: str | None = None


class PollState:
    """Reads and writes one feed's validators. Raises StoreUnavailableError when Redis is away."""

    def __init__(self, client: redis.Redis, keys: Keys, feed: str):
        self._r = client
        self._key = keys.poll_state(feed)

    def load(self) -> Validators:
        try:
            data = self._r.hgetall(self._key)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise StoreUnavailableError(f"Redis unreachable: {exc}") from exc
        text = {k.decode(): v.decode() for k, v in data.items()}
        return Validators(
            etag=text.get("etag") or None,
            last_modified=text.get("last_modified") or None,
            digest=text.get("digest") or None,
        )

    def save(self, validators: Validators) -> None:
        fields = {
            "etag": validators.etag or "",
            "last_modified": validators.last_modified or "",
            "digest": validators.digest or "",
        }
        try:
            self._r.hset(self._key, mapping=fields)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise StoreUnavailableError(f"Redis unreachable: {exc}") from exc
