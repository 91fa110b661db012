"""Builds the HTTP API. Run it with ``uvicorn services.api.main:create_app --factory``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.api.http_metrics import HttpMetrics
from services.api.live import LiveHub
from services.api.request_id import RequestId
from services.api.routes import health, ingest, metrics, ops, quarantine, receipts, stories
from services.embargo import run_releaser
from workers.errors import StoreUnavailableError
from workers.logs import configure_logging
from workers.settings import Settings, get_settings
from workers.store import Store, connect
from workers.store.embargo import EmbargoStore
from workers.store.live import LiveStream

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(json=settings.log_json, level=settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = connect(settings.redis_url)
        app.state.settings = settings
        app.state.store = Store(client, settings)
        app.state.live = LiveStream(settings)
        # One reader of the stories stream for every live client of this process.
        app.state.live_hub = LiveHub(app.state.live, app.state.store, settings)
        app.state.live_hub.start()
        # Embargo lifts become stream events; every replica runs this, one at a time releases
        # (services/embargo.py says why here and not in Celery or the pollers).
        releaser = asyncio.create_task(
            run_releaser(EmbargoStore(client, settings), settings.embargo_release_seconds),
            name="embargo-releaser",
        )
        yield
        releaser.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await releaser
        await app.state.live_hub.stop()
        await app.state.live.close()
        client.close()

    app = FastAPI(
        title="wiredesk",
        version="0.1.0",
        summary="Newsroom wire ingestion: agency copy in, processed stories out.",
        lifespan=lifespan,
    )
    for module in (ingest, receipts, stories, quarantine, health, ops, metrics):
        app.include_router(module.router)
    app.add_exception_handler(StoreUnavailableError, _store_unavailable)
    app.add_middleware(HttpMetrics, settings=settings)  # requests by route, in Redis
    # Added last, so outermost: the metrics middleware's lines carry the request id too.
    app.add_middleware(RequestId)
    return app


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Redis unreachable, full or read-only, on any route: 503 and a hint to retry, which
    feeds and their push clients understand, instead of a bare 500. Nothing was accepted."""
    return JSONResponse(
        {"detail": f"storage unavailable, retry later: {exc}"},
        status_code=503,
        headers={"Retry-After": "5"},
    )
