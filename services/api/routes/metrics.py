"""``GET /metrics``: every ops figure in Prometheus' text format (see
``services.ops.exposition``). Open by default, like every exporter's, for the scraper inside
the cluster; with ``WIREDESK_METRICS_TOKEN`` set it wants ``Authorization: Bearer <token>``
(Prometheus' ``authorization`` scrape setting), for an API reachable from outside. 503 when
Redis is unreachable."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from services.api.deps import BearerDep, SettingsDep, StoreDep, token_in, unauthorized
from services.ops.exposition import render
from services.ops.snapshot import take_snapshot
from workers.errors import StoreUnavailableError

__all__ = ["metrics", "router"]

router = APIRouter(tags=["operations"])


def _check_metrics_token(settings: SettingsDep, token: BearerDep) -> None:
    if settings.metrics_token and not token_in(token, [settings.metrics_token]):
        raise unauthorized("metrics")


@router.get(
    "/metrics", response_class=PlainTextResponse, dependencies=[Depends(_check_metrics_token)]
)
async def metrics(store: StoreDep) -> Response:
    def scrape() -> bytes:
        snapshot = take_snapshot(store, quarantine_newest=0)
        return store.read_figures(lambda r: render(r, store.keys.metrics, snapshot))

    try:
        body = await run_in_threadpool(scrape)
    except StoreUnavailableError as exc:
        return PlainTextResponse(f"# Redis unreachable: {exc}\n", status_code=503)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
