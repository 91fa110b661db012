"""Headers every answer carries, so a browser that is handed one never runs or sniffs it.

``X-Content-Type-Options: nosniff`` stops a browser from guessing that a JSON answer holding
wire copy (markup and all) is HTML. The Content-Security-Policy forbids everything: the API
answers JSON, text and event streams, none of which loads anything. The two documentation
pages (``/docs``, ``/redoc``, development only) get the policy they need to work: FastAPI's
pages load Swagger UI and ReDoc from a CDN and start them with an inline script.

A plain ASGI middleware, as the others here (``services/api/request_id.py`` says why); it
sets the headers on whatever the app answers, errors included. Starlette's outermost error
handler answers a 500 outside every middleware, so ``internal_error`` in ``main.py`` sets
them on that answer itself, from ``SECURITY_HEADERS``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["API_POLICY", "DOCS_PATHS", "DOCS_POLICY", "SECURITY_HEADERS", "SecurityHeaders"]

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_POLICY = (
    "default-src 'none'; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})

SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": API_POLICY,
}
_NAMES = frozenset(name.lower().encode() for name in SECURITY_HEADERS)


def _headers_for(path: str) -> list[tuple[bytes, bytes]]:
    policy = DOCS_POLICY if path in DOCS_PATHS else API_POLICY
    return [
        (b"x-content-type-options", b"nosniff"),
        (b"content-security-policy", policy.encode()),
    ]


class SecurityHeaders:
    """Adds ``nosniff`` and the Content-Security-Policy to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = _headers_for(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Ours replace any the app set, so there is one of each.
                kept = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in _NAMES]
                message = {**message, "headers": [*kept, *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
