"""Builds the HTTP API. Run it with ``uvicorn services.api.main:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.api.routes import health, ingest, metrics, ops, quarantine, receipts, stories
from workers.errors import StoreUnavailableError
from workers.logs import configure_logging
from workers.settings import Settings, get_settings
from workers.store import Store, connect
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
        yield
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
    return app


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Redis unreachable, full or read-only, on any route: 503 and a hint to retry, which
    feeds and their push clients understand, instead of a bare 500. Nothing was accepted."""
    return JSONResponse(
        {"detail": f"storage unavailable, retry later: {exc}"},
        status_code=503,
        headers={"Retry-After": "5"},
    )
