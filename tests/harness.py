"""The test side of a local stack: paths, and the stack the fixtures start (the same class
`make run` and the benchmarks use)."""

from __future__ import annotations

from pathlib import Path

from services.localstack import LocalStack, editor_auth, feed_auth

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

Stack = LocalStack
auth = feed_auth

__all__ = ["ROOT", "SEEDS", "Stack", "auth", "editor_auth"]
