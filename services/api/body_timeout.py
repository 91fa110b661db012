"""A request body that stops arriving is answered ``408`` and its connection closed.

uvicorn waits for a body as long as its client keeps the connection open: a request that
declares a ``Content-Length`` and sends less (or a chunked body that never ends) would hold a
connection, and the request's task, for ever. Its keep-alive timeout only runs between
requests. So the app times each wait for the next piece of the body: nothing for
``body_read_timeout_seconds`` and the request is answered ``408 Request Timeout`` with
``Connection: close``, which makes uvicorn close the connection once the answer is written.

The limit is on each wait, not on the whole body (as nginx's ``client_body_timeout``): a
large backfill on a slow link keeps going as long as its bytes keep coming, and the body-size
limits bound how long that can be. Once the body is complete the app's later ``receive``
calls (the live feed's wait for the client to go away) are passed through untimed.

The answer is raised as an ``HTTPException`` from inside the route that reads the body, so
FastAPI's exception handling answers it like any other refusal (FastAPI passes an
``HTTPException`` raised while it reads a declared body through as it is).
"""

from __future__ import annotations

import asyncio

import structlog
from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyReadTimeout"]

log = structlog.get_logger("wiredesk.api")


class BodyReadTimeout:
    """Times every wait for the next part of a request body; see the module docstring."""

    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_done = False

        async def receive_in_time() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.seconds)
            except TimeoutError:
                body_done = True
                log.warning("body_read_timeout", path=scope.get("path"), seconds=self.seconds)
                raise HTTPException(
                    status.HTTP_408_REQUEST_TIMEOUT,
                    f"the request body stopped arriving for {self.seconds:g} s; send it whole",
                    headers={"Connection": "close"},
                ) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        await self.app(scope, receive_in_time, send)
