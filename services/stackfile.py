"""Where the running `make run` stack is: ``<data_dir>/stack.json``, written by the runner once
the API answers and removed when it stops.

The CLI reads it so that ``wiredesk stories`` or ``wiredesk consume`` find the API and the
Redis that `make run` actually started, even when it moved the API off a taken port or the
embedded Valkey took the next free one. Every value is resolved in one order: a command-line
flag, then an environment variable, then the stack file, then the built-in default.

The file holds the stack's tokens, so it is written readable by its owner only (0600). A file
whose runner is no longer alive (killed with SIGKILL, say) is stale and ignored.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from workers.settings import Settings

__all__ = [
    "FILENAME",
    "StackInfo",
    "api_url",
    "editor_token",
    "feed_token",
    "find",
    "ops_token",
    "read",
    "remove",
    "running",
    "settings_for",
    "write",
]

FILENAME = "stack.json"
_DEFAULT_DATA_DIR = Path(".wiredesk")


@dataclass(frozen=True)
class StackInfo:
    api_url: str
    redis_url: str
    key_prefix: str
    pid: int
    started_at: str
    feed_tokens: dict[str, str] = field(default_factory=dict)
    editor_token: str | None = None
    ops_token: str | None = None

    @property
    def alive(self) -> bool:
        """Whether the runner that wrote the file still runs (signal 0 only checks)."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # alive, but someone else's
            return True
        return True


def write(settings: Settings, *, api_url: str, redis_url: str, pid: int | None = None) -> Path:
    """Write the stack file for this run (atomically, owner-only); returns its path."""
    info = StackInfo(
        api_url=api_url,
        redis_url=redis_url,
        key_prefix=settings.key_prefix,
        pid=os.getpid() if pid is None else pid,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        feed_tokens=dict(settings.feed_tokens),
        editor_token=settings.editor_tokens[0] if settings.editor_tokens else None,
        ops_token=settings.ops_tokens[0] if settings.ops_tokens else None,
    )
    path = settings.data_dir / FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{FILENAME}.{os.getpid()}")
    # Created 0600 from the start: the tokens are never readable by others, not even briefly.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(asdict(info), out, indent=2)
        out.write("\n")
    os.replace(tmp, path)
    return path


def remove(path: Path, pid: int | None = None) -> None:
    """Remove the stack file if this process (or ``pid``) wrote it: a second `make run` that
    started later owns the file now, and the first one stopping must not take it away."""
    info = _load(path)
    if info is not None and info.pid == (os.getpid() if pid is None else pid):
        path.unlink(missing_ok=True)


def find(settings: Settings) -> Path | None:
    """The stack file of ``settings.data_dir``. When that is the default relative
    ``.wiredesk``, the parent directories are looked in too, as git looks for ``.git``: the
    CLI then works from anywhere inside the checkout where `make run` runs."""
    data_dir = settings.data_dir
    candidates = [data_dir / FILENAME]
    if data_dir == _DEFAULT_DATA_DIR:
        candidates += [parent / data_dir / FILENAME for parent in Path.cwd().parents]
    return next((p for p in candidates if p.is_file()), None)


def read(settings: Settings) -> StackInfo | None:
    """The stack file's contents, or None when there is none or it cannot be read."""
    path = find(settings)
    return _load(path) if path is not None else None


def running(settings: Settings, *, warn: bool = True) -> StackInfo | None:
    """The stack `make run` is running now, or None. A stale file is ignored with a note on
    stderr (stdout stays the command's answer)."""
    info = read(settings)
    if info is None or info.alive:
        return info
    if warn:
        print(
            f"note: ignoring {find(settings)}: the `make run` that wrote it (pid {info.pid}) "
            "has stopped",
            file=sys.stderr,
        )
    return None


def _load(path: Path) -> StackInfo | None:
    try:
        data = json.loads(path.read_text())
        return StackInfo(**data)
    except (OSError, ValueError, TypeError):
        return None


# ---- resolution: flag > environment > stack file > default ------------------------------


def api_url(flag: str | None, settings: Settings, stack: StackInfo | None) -> str:
    if flag:
        return flag
    if os.environ.get("WIREDESK_API_URL"):
        return os.environ["WIREDESK_API_URL"]
    if stack is not None:
        return stack.api_url
    return f"http://{settings.api_host}:{settings.api_port}"


def settings_for(settings: Settings, stack: StackInfo | None) -> Settings:
    """``settings`` with the stack's Redis and key prefix where the environment set neither:
    what the commands that talk to Redis directly (consume, replay) need."""
    if stack is None:
        return settings
    update: dict[str, object] = {}
    if settings.redis_url is None:
        update["redis_url"] = stack.redis_url
    if "key_prefix" not in settings.model_fields_set:
        update["key_prefix"] = stack.key_prefix
    return settings.model_copy(update=update) if update else settings


def feed_token(
    feed: str, flag: str | None, settings: Settings, stack: StackInfo | None
) -> str | None:
    if flag:
        return flag
    if os.environ.get("WIREDESK_FEED_TOKEN"):
        return os.environ["WIREDESK_FEED_TOKEN"]
    if "feed_tokens" not in settings.model_fields_set and stack is not None:
        return stack.feed_tokens.get(feed)
    return settings.feed_tokens.get(feed)


def editor_token(flag: str | None, settings: Settings, stack: StackInfo | None) -> str:
    return _role_token(
        flag, "EDITOR", "editor_tokens", settings, stack.editor_token if stack else None
    )


def ops_token(flag: str | None, settings: Settings, stack: StackInfo | None) -> str:
    return _role_token(flag, "OPS", "ops_tokens", settings, stack.ops_token if stack else None)


def _role_token(
    flag: str | None, role: str, field_name: str, settings: Settings, from_stack: str | None
) -> str:
    """--token, $WIREDESK_<ROLE>_TOKEN, the first of $WIREDESK_<ROLE>_TOKENS, the stack's,
    else the first configured (in development, the dev token)."""
    if flag:
        return flag
    if os.environ.get(f"WIREDESK_{role}_TOKEN"):
        return os.environ[f"WIREDESK_{role}_TOKEN"]
    tokens: list[str] = getattr(settings, field_name)
    if field_name not in settings.model_fields_set and from_stack:
        return from_stack
    return tokens[0] if tokens else ""
