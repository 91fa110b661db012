"""The real processes wiredesk runs as: a uvicorn API and Celery workers.

`make run`, the tests and the benchmarks start them the same way, from here, so what is
tested is what runs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

import httpx

__all__ = ["ManagedProcess", "free_port", "start_api", "start_worker", "wait_for_http"]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _lower_priority(nice: int) -> None:
    """Runs in the child before exec. With autogroup scheduling (the Linux default) a process's
    nice value only ranks it within its own session, and every ManagedProcess is a session of
    its own: so the session's autogroup is made nicer too, or the bulk worker would still take
    an equal share of the CPU from the single-story worker."""
    os.nice(nice)
    try:
        with open("/proc/self/autogroup", "w") as autogroup:
            autogroup.write(str(nice))
    except OSError:
        pass  # no autogroup (or not Linux): the plain nice value is all there is


class ManagedProcess:
    """A child process in its own process group, so a stop (or a kill) reaches its children
    too: a Celery prefork worker's pool processes die with it."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        env: Mapping[str, str],
        log: Path | None,
        *,
        nice: int = 0,
    ):
        self.name = name
        self.argv = argv
        self._env = dict(env)
        self._log_path = log
        self._nice = nice
        self._log: BinaryIO | None = None
        self.proc = self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        if self._log_path and (self._log is None or self._log.closed):
            self._log = open(self._log_path, "ab")  # noqa: SIM115 - lives as long as the process
        nice = self._nice
        return subprocess.Popen(
            self.argv,
            env=self._env,
            stdout=self._log or None,
            stderr=subprocess.STDOUT if self._log else None,
            start_new_session=True,
            # Lower CPU priority (bulk workers): the kernel then gives single stories the CPU.
            preexec_fn=(lambda: _lower_priority(nice)) if nice else None,
        )

    def restart(self) -> None:
        """Start the same command again (same environment, log and priority) once the process
        has exited, as a supervisor brings back one that died; callers keep this object."""
        if self.alive():
            raise RuntimeError(f"{self.name} is still running (pid {self.pid})")
        self.proc.wait()
        self.proc = self._spawn()

    def children(self) -> list[int]:
        """The process's direct children (Linux /proc): a prefork worker's pool processes."""
        kids: list[int] = []
        for task in Path(f"/proc/{self.pid}/task").glob("*"):
            with contextlib.suppress(OSError):
                kids += [int(k) for k in (task / "children").read_text().split()]
        return kids

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the whole group (SIGKILL: as if the machine died under it)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 15.0) -> None:
        """Warm shutdown (SIGTERM: Celery finishes the task in hand), then SIGKILL."""
        self.kill(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)
            self.proc.wait(timeout=5)
        if self._log:
            self._log.close()


def start_worker(
    env: Mapping[str, str],
    *,
    queue: str,
    concurrency: int = 2,
    name: str = "wiredesk",
    log: Path | None = None,
    nice: int = 0,
) -> ManagedProcess:
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.celery_app",
        "worker",
        "--loglevel=INFO",
        "-Q",
        queue,
        "-c",
        str(concurrency),
        "-n",
        f"{name}@%h",
        "--without-mingle",
        "--without-gossip",
    ]
    return ManagedProcess(f"worker {name}", argv, env, log, nice=nice)


def start_api(
    env: Mapping[str, str], *, host: str, port: int, log: Path | None = None
) -> ManagedProcess:
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "services.api.main:create_app",
        "--factory",
        "--host",
        host,
        "--port",
        str(port),
        "--no-access-log",
    ]
    return ManagedProcess("api", argv, env, log)


def wait_for_http(
    url: str, *, timeout: float = 30.0, process: ManagedProcess | None = None
) -> None:
    """Wait until ``url`` answers 200. Raises RuntimeError if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and not process.alive():
            raise RuntimeError(f"{process.name} exited with code {process.proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")
