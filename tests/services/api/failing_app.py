"""The API with one more route, which fails as a bug would: what a 500 looks like from
outside. Served by uvicorn in tests/services/api/test_security_headers.py."""

from __future__ import annotations

from fastapi import FastAPI

from services.api.main import create_app as create_api

__all__ = ["create_app"]


def create_app() -> FastAPI:
    app = create_api()

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    return app
