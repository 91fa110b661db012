"""Liveness and readiness, for load balancers and orchestrators.

``/healthz``: the process is up. ``/readyz``: Redis answers and at least one pipeline worker
has been heard of in the last ``WORKER_TTL_SECONDS`` (the worker heartbeat kept by
``workers.metrics``); 503 with the reason otherwise. ``/readyz?workers=false`` asks about
Redis only, for a front door that should keep accepting copy into the queue while every
worker is down (see deploy/OPERATIONS.md).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from services.api.deps import StoreDep
from services.ops.workers import alive_workers
from workers.errors import StoreUnavailableError

__all__ = ["healthz", "readyz", "router"]

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(store: StoreDep, workers: bool = True) -> JSONResponse:
    try:
        await run_in_threadpool(store.ping)
        alive = await run_in_threadpool(
            store.read_figures, lambda r: alive_workers(r, store.keys.metrics)
        )
    except StoreUnavailableError as exc:
        return JSONResponse({"status": "unavailable", "redis": str(exc)}, status_code=503)
    answer = {"status": "ready", "redis": "ok", "workers": sorted(alive)}
    if workers and not alive:
        answer["status"] = "unavailable"
        return JSONResponse({**answer, "reason": "no pipeline worker is alive"}, status_code=503)
    return JSONResponse(answer)
