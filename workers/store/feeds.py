"""What a poller remembers about its feed between polls and across restarts.

One hash per feed (``Keys.poll_state``): the validators the upstream gave with the last
document it served (ETag, Last-Modified) and that document's digest.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.typing import EncodableT, FieldT

from workers.store.base import StorePart
from workers.store.client import text, translated

__all__ = ["FeedStateStore", "Validators"]


@dataclass(frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None
    digest: str | None = None


class FeedStateStore(StorePart):
    @translated
    def load_poll_state(self, feed: str) -> Validators:
        data = {
            text(k): text(v) for k, v in self._redis.hgetall(self.keys.poll_state(feed)).items()
        }
        return Validators(
            etag=data.get("etag") or None,
            last_modified=data.get("last_modified") or None,
            digest=data.get("digest") or None,
        )

    @translated
    def save_poll_state(self, feed: str, validators: Validators) -> None:
        fields: dict[FieldT, EncodableT] = {
            "etag": validators.etag or "",
            "last_modified": validators.last_modified or "",
            "digest": validators.digest or "",
        }
        self._redis.hset(self.keys.poll_state(feed), mapping=fields)
