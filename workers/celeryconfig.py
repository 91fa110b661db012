"""Celery's configuration module, loaded lazily by ``workers.celery_app``: the settings of
this process turned into Celery's names."""

from workers.celery_app import celery_config
from workers.settings import get_settings

__all__: list[str] = []  # Celery reads the settings below as attributes, never by import

globals().update(celery_config(get_settings()))
