"""Dependencies shared by the API's routes, typed once so route signatures stay short.

Three kinds of bearer token open three doors: a feed's token pushes that feed's copy (and reads
its receipts), an editor token reads stories, receipts and the quarantine, an ops token opens
``/v1/ops``. None of them opens another's door, so a leaked feed token exposes no desk copy.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from workers.settings import Settings
from workers.store import Store

__all__ = [
    "BearerDep",
    "EditorAuth",
    "EditorOrOpsAuth",
    "SettingsDep",
    "StoreDep",
    "bearer_token",
    "token_in",
    "unauthorized",
]


def _store(request: Request) -> Store:
    return request.app.state.store


def _settings(request: Request) -> Settings:
    return request.app.state.settings


StoreDep = Annotated[Store, Depends(_store)]
SettingsDep = Annotated[Settings, Depends(_settings)]


def bearer_token(authorization: Annotated[str | None, Header()] = None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, None when there is none."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


BearerDep = Annotated[str | None, Depends(bearer_token)]


def token_in(token: str | None, allowed: list[str]) -> bool:
    """Constant-time membership, so a wrong token's timing says nothing about the right one."""
    if not token:
        return False
    return any(hmac.compare_digest(token.encode(), t.encode()) for t in allowed)


def unauthorized(what: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        f"missing or wrong {what} bearer token",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _check_editor(settings: SettingsDep, token: BearerDep) -> None:
    if not token_in(token, settings.editor_tokens):
        raise unauthorized("editor")


def _check_editor_or_ops(settings: SettingsDep, token: BearerDep) -> None:
    if not token_in(token, [*settings.editor_tokens, *settings.ops_tokens]):
        raise unauthorized("editor or ops")


EditorAuth = Depends(_check_editor)
EditorOrOpsAuth = Depends(_check_editor_or_ops)
