"""``GET /metrics``: every ops figure in Prometheus' text format (see
``services.ops.exposition``). Left open like every exporter's, for the scraper inside the
cluster; restrict it at the network, not with a token. 503 when Redis is unreachable."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from services.api.deps import StoreDep
from services.ops.exposition import render
from services.ops.snapshot import take_snapshot
from workers.errors import StoreUnavailableError

__all__ = ["metrics", "router"]

router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(store: StoreDep) -> Response:
    def scrape() -> bytes:
        snapshot = take_snapshot(store, quarantine_newest=0)
        return store.read_figures(lambda r: render(r, store.keys.metrics, snapshot))

    try:
        body = await run_in_threadpool(scrape)
    except StoreUnavailableError as exc:
        return PlainTextResponse(f"# Redis unreachable: {exc}\n", status_code=503)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
