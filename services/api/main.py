"""Builds the HTTP API. Run it with ``uvicorn services.api.main:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.api.routes import health, ingest, metrics, ops, quarantine, receipts, stories
from workers.logs import configure_logging
from workers.settings import Settings, get_settings
from workers.store import Store, connect

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(json=settings.log_json, level=settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = connect(settings.redis_url)
        app.state.settings = settings
        app.state.store = Store(client, settings)
        yield
        client.close()

    app = FastAPI(
        title="wiredesk",
        version="0.1.0",
        summary="Newsroom wire ingestion: agency copy in, processed stories out.",
        lifespan=lifespan,
    )
    for module in (ingest, receipts, stories, quarantine, health, ops, metrics):
        app.include_router(module.router)
    return app
