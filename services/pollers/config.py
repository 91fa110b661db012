"""The feeds file: which feeds wiredesk pulls, and how.

One TOML file (stdlib ``tomllib``), one ``[feeds.<name>]`` table per feed, optional
``[defaults]`` for keys every feed shares. See ``feeds.example.toml`` at the repository root.

Everything is checked when the file is loaded, before any poller starts: a typo in a key, a
wrong type, an unknown kind or format, a missing url or path all raise ``FeedConfigError`` with
a message naming the file, the feed and the key, so a bad deploy fails at start-up rather than
hours later on the first poll.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypedDict
from urllib.parse import urlsplit

from workers.errors import WiredeskError
from workers.formats import FORMATS

__all__ = ["KINDS", "FeedConfig", "FeedConfigError", "load_feeds", "parse_feeds"]

Kind = Literal["rss", "atom", "json", "folder"]
KINDS: tuple[str, ...] = ("rss", "atom", "json", "folder")

# Feed names end up in receipts and Redis keys: keep them short and plain.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# The wire format each kind most likely carries; a feed's own ``format`` overrides it.
_DEFAULT_FORMAT = {"rss": "rss", "atom": "atom", "json": "ninjs", "folder": None}

_COMMON_KEYS = {"kind", "interval", "format", "max_bytes"}
_HTTP_KEYS = {"url", "timeout", "backoff_base", "max_backoff", "headers", "token", "token_env"}
_FOLDER_KEYS = {"path", "processed_dir", "error_dir"}
_DEFAULT_KEYS = {"interval", "timeout", "backoff_base", "max_backoff", "max_bytes"}


class FeedConfigError(WiredeskError):
    """The feeds file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class FeedConfig:
    """One pulled feed. ``url`` is set for the HTTP kinds, ``path`` for ``folder``."""

    name: str
    kind: Kind
    interval: float
    format: str | None
    max_bytes: int
    url: str | None = None
    timeout: float = 10.0
    backoff_base: float = 1.0
    max_backoff: float = 900.0
    headers: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    processed_dir: Path | None = None
    error_dir: Path | None = None

    @property
    def is_http(self) -> bool:
        return self.kind != "folder"


def load_feeds(path: Path, *, max_bytes: int = 1024 * 1024) -> list[FeedConfig]:
    """Read and check the feeds file. Relative folder paths are taken from the file's own
    directory. ``max_bytes`` is the default size limit (the API's body limit). Raises
    FeedConfigError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FeedConfigError(f"{path}: cannot read the feeds file: {exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FeedConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_feeds(data, source=str(path), base_dir=path.parent, max_bytes=max_bytes)


def parse_feeds(
    data: dict[str, Any], *, source: str, base_dir: Path, max_bytes: int = 1024 * 1024
) -> list[FeedConfig]:
    """Check an already-parsed feeds document; see ``load_feeds``."""
    unknown = set(data) - {"defaults", "feeds"}
    if unknown:
        raise FeedConfigError(
            f"{source}: unknown top-level key {sorted(unknown)[0]!r} (expected [defaults] and "
            "[feeds.<name>] tables)"
        )
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise FeedConfigError(f"{source}: [defaults] must be a table")
    for key in defaults:
        if key not in _DEFAULT_KEYS:
            raise FeedConfigError(
                f"{source}: [defaults] has unknown key {key!r} (allowed: {sorted(_DEFAULT_KEYS)})"
            )
    feeds = data.get("feeds", {})
    if not isinstance(feeds, dict) or not feeds:
        raise FeedConfigError(f"{source}: no feeds: add at least one [feeds.<name>] table")
    return [
        _feed(name, table, defaults, source=source, base_dir=base_dir, max_bytes=max_bytes)
        for name, table in feeds.items()
    ]


def _feed(
    name: str,
    table: Any,
    defaults: dict[str, Any],
    *,
    source: str,
    base_dir: Path,
    max_bytes: int,
) -> FeedConfig:
    where = f"{source}: feed {name!r}"
    if not _NAME.match(name):
        raise FeedConfigError(
            f"{where}: a feed name is 1-64 letters, digits, '_', '.' or '-', starting with a "
            "letter or digit"
        )
    if not isinstance(table, dict):
        raise FeedConfigError(f"{where}: must be a table ([feeds.{name}])")
    kind = table.get("kind")
    if kind not in KINDS:
        raise FeedConfigError(f"{where}: key 'kind' must be one of {list(KINDS)}, not {kind!r}")
    allowed = _COMMON_KEYS | (_FOLDER_KEYS if kind == "folder" else _HTTP_KEYS)
    for key in table:
        if key not in allowed:
            raise FeedConfigError(
                f"{where}: unknown key {key!r} for a {kind} feed (allowed: {sorted(allowed)})"
            )
    merged = {k: v for k, v in defaults.items() if k in allowed} | table

    def number(key: str, default: float, *, integer: bool = False) -> Any:
        value = merged.get(key, default)
        wanted = int if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, wanted) or value <= 0:
            kind_word = "a positive integer" if integer else "a positive number"
            raise FeedConfigError(f"{where}: key {key!r} must be {kind_word}, not {value!r}")
        return value

    fmt = merged.get("format", _DEFAULT_FORMAT[kind])
    if fmt is not None and fmt not in FORMATS:
        raise FeedConfigError(
            f"{where}: key 'format' must be one of {sorted(FORMATS)}, not {fmt!r}"
        )
    common: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "format": fmt,
        "interval": float(number("interval", 60.0 if kind != "folder" else 2.0)),
        "max_bytes": number("max_bytes", max_bytes, integer=True),
    }
    if kind == "folder":
        return FeedConfig(**common, **_folder_keys(merged, where, base_dir))
    return FeedConfig(
        **common,
        url=_url(merged, where),
        timeout=float(number("timeout", 10.0)),
        backoff_base=float(number("backoff_base", 1.0)),
        max_backoff=float(number("max_backoff", 900.0)),
        headers=_headers(merged, where),
    )


def _url(table: dict[str, Any], where: str) -> str:
    url = table.get("url")
    if not isinstance(url, str) or not url:
        raise FeedConfigError(f"{where}: key 'url' is required for an HTTP feed")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FeedConfigError(f"{where}: key 'url' must be an http(s) URL, not {url!r}")
    return url


def _headers(table: dict[str, Any], where: str) -> dict[str, str]:
    headers = table.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise FeedConfigError(f"{where}: key 'headers' must be a table of strings")
    headers = dict(headers)
    if "token" in table and "token_env" in table:
        raise FeedConfigError(f"{where}: keys 'token' and 'token_env' exclude each other")
    token = table.get("token")
    if "token_env" in table:
        variable = table["token_env"]
        if not isinstance(variable, str) or not variable:
            raise FeedConfigError(f"{where}: key 'token_env' must name an environment variable")
        token = os.environ.get(variable)
        if not token:
            raise FeedConfigError(
                f"{where}: key 'token_env' names {variable}, which is not set in the environment"
            )
    if token is not None:
        if not isinstance(token, str) or not token:
            raise FeedConfigError(f"{where}: key 'token' must be a non-empty string")
        if any(k.lower() == "authorization" for k in headers):
            raise FeedConfigError(
                f"{where}: key 'token' and an Authorization header exclude each other"
            )
        headers["Authorization"] = f"Bearer {token}"
    return headers


class _FolderKeys(TypedDict):
    """A folder feed's own keys, as FeedConfig takes them."""

    path: Path
    processed_dir: Path
    error_dir: Path


def _folder_keys(table: dict[str, Any], where: str, base_dir: Path) -> _FolderKeys:
    def folder(key: str, default: Path | None) -> Path:
        value = table.get(key)
        if value is None:
            if default is None:
                raise FeedConfigError(f"{where}: key {key!r} is required for a folder feed")
            return default
        if not isinstance(value, str) or not value:
            raise FeedConfigError(f"{where}: key {key!r} must be a path string")
        return base_dir / Path(value).expanduser()

    path = folder("path", None)
    return {
        "path": path,
        "processed_dir": folder("processed_dir", path / "processed"),
        "error_dir": folder("error_dir", path / "error"),
    }
