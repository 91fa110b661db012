"""Dependencies shared by the API's routes, typed once so route signatures stay short."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from workers.settings import Settings
from workers.store import Store

__all__ = ["SettingsDep", "StoreDep"]


def _store(request: Request) -> Store:
    return request.app.state.store


def _settings(request: Request) -> Settings:
    return request.app.state.settings


StoreDep = Annotated[Store, Depends(_store)]
SettingsDep = Annotated[Settings, Depends(_settings)]
