"""wiredesk's state in Redis, one module per concern, each beside the Lua script it runs.

::

    workers/store/
      client.py      connect(); redis_errors(), the one boundary where Redis's outage errors
                     become StoreUnavailableError; text() for replies
      scripts.py     StoreScript: a .lua file bound to one ScriptCall dataclass of named keys
                     and arguments, checked against the script when loaded
      base.py        StorePart: the private client, the settings and the key names
      receipts.py    receipts and raw copy                     ingest.lua
      stages.py      attempt counts, stage marks, urgent yield begin_stage.lua, mark_urgent.lua
      dedupe.py      version chains, bodies, LSH bands, slugs  dedupe.lua
      publish.py     store, index and announce once            publish.lua
      reading.py     stories, versions, clusters, queries      query.lua
      quarantine.py  quarantine, its replay and history
      feeds.py       pollers' validators per feed
      figures.py     what ops reads; the front door's counts
      reconcile.py   the in-flight index, the broker's oldest message, the reconciler's lease

Key names all come from ``workers.keys``. Every multi-key write that must not be seen
half-done is one script or one MULTI. ``Store`` is every part over one client: ``from
workers.store import Store`` is what callers use; a part can also be made alone.
"""

from __future__ import annotations

import typing

import redis

from workers.store.client import connect, redis_errors, text, translated
from workers.store.dedupe import DedupeCall, DedupeStore
from workers.store.feeds import FeedStateStore, Validators
from workers.store.figures import FigureStore
from workers.store.publish import PublishCall, PublishStore, chain_order
from workers.store.quarantine import QuarantinedItem, QuarantineStore, ReopenOutcome
from workers.store.reading import Cursor, FacetCounts, QueryCall, ReadStore, StoryPage
from workers.store.receipts import IngestCall, Kept, MarkEnqueuedCall, ReceiptStore
from workers.store.reconcile import Overdue, ReconcileStore
from workers.store.scripts import ScriptContractError
from workers.store.stages import BeginStageCall, MarkUrgentCall, StageStore

if typing.TYPE_CHECKING:  # a plain import would bind the name in the package
    from workers.settings import Settings

__all__ = [
    "BeginStageCall",
    "Cursor",
    "DedupeCall",
    "DedupeStore",
    "FacetCounts",
    "FeedStateStore",
    "FigureStore",
    "IngestCall",
    "Kept",
    "MarkEnqueuedCall",
    "MarkUrgentCall",
    "Overdue",
    "PublishCall",
    "PublishStore",
    "QuarantineStore",
    "QuarantinedItem",
    "QueryCall",
    "ReadStore",
    "ReceiptStore",
    "ReconcileStore",
    "ReopenOutcome",
    "ScriptContractError",
    "StageStore",
    "Store",
    "StoryPage",
    "Validators",
    "chain_order",
    "connect",
    "redis_errors",
    "text",
    "translated",
]


class Store(
    ReceiptStore,
    StageStore,
    DedupeStore,
    PublishStore,
    ReadStore,
    QuarantineStore,
    FeedStateStore,
    FigureStore,
    ReconcileStore,
):
    """Every part of the store over one client."""

    def __init__(self, client: redis.Redis, settings: Settings):
        super().__init__(client, settings)
        self.check_scripts()

    def check_scripts(self) -> None:
        """Load every script now, so a script and its call that disagree fail at start-up
        (``ScriptContractError``), not on the first story that needs it."""
        for script in _SCRIPTS:
            getattr(self, script)


# The parts' scripts (cached properties, loaded on first use unless checked at start-up).
_SCRIPTS = (
    "_ingest",
    "_mark_enqueued",
    "_mark_urgent",
    "_begin_stage",
    "_dedupe",
    "_publish",
    "_query",
)
