"""Builds the HTTP API. Run it with ``uvicorn services.api.main:create_app --factory``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.api.auth_limit import AuthFailureLimit
from services.api.body_timeout import BodyReadTimeout
from services.api.http_metrics import HttpMetrics
from services.api.live import LiveHub
from services.api.request_id import HEADER as request_id_header
from services.api.request_id import RequestId
from services.api.routes import health, ingest, metrics, ops, quarantine, receipts, stories
from services.api.security_headers import SECURITY_HEADERS, SecurityHeaders
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

    # In production the API's description is not handed to whoever asks: no /docs or /redoc
    # pages, and /openapi.json only with an ops token (for client generators and checks).
    production = settings.environment == "production"
    app = FastAPI(
        title="wiredesk",
        version="0.1.0",
        summary="Newsroom wire ingestion: agency copy in, processed stories out.",
        lifespan=lifespan,
        docs_url=None if production else "/docs",
        redoc_url=None if production else "/redoc",
        openapi_url=None if production else "/openapi.json",
    )
    for module in (ingest, receipts, stories, quarantine, health, ops, metrics):
        app.include_router(module.router)
    if production:

        @app.get("/openapi.json", include_in_schema=False, dependencies=[ops.OpsAuth])
        async def openapi() -> JSONResponse:
            return JSONResponse(app.openapi())

    app.add_exception_handler(StoreUnavailableError, _store_unavailable)
    app.add_exception_handler(Exception, _internal_error)
    # Innermost first. A body that stops arriving is a 408 (services/api/body_timeout.py).
    app.add_middleware(BodyReadTimeout, seconds=settings.body_read_timeout_seconds)
    # Outside the routes' 401s, inside the figures: a refusal it turns into a 429 is counted
    # as the 429 the client got (services/api/auth_limit.py).
    app.add_middleware(AuthFailureLimit, settings=settings)
    app.add_middleware(HttpMetrics, settings=settings)  # requests by route, in Redis
    app.add_middleware(SecurityHeaders)  # nosniff and the CSP on every answer
    # Added last, so outermost: the metrics middleware's lines carry the request id too.
    app.add_middleware(RequestId)
    return app


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug's answer: a 500 in JSON like every other answer. Starlette sends it outside
    every middleware, so the security headers and the request id are set here; the traceback
    is logged by the server with the same id."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    headers = dict(SECURITY_HEADERS)
    if request_id:
        headers[request_id_header] = request_id
    return JSONResponse(
        {"detail": f"internal error (request id {request_id or 'unknown'})"},
        status_code=500,
        headers=headers,
    )


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Redis unreachable, full or read-only, on any route: 503 and a hint to retry, which
    feeds and their push clients understand, instead of a bare 500. Nothing was accepted."""
    return JSONResponse(
        {"detail": f"storage unavailable, retry later: {exc}"},
        status_code=503,
        headers={"Retry-After": "5"},
    )
