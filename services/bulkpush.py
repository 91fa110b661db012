"""``wiredesk ingest --batch``: a backfill of files and folders through the bulk door
(``POST /v1/ingest/{feed}/batch``), in chunks, with a progress bar and a count per outcome.

Each file is split into items as the front door splits it (services.ingest.split_items), and
each item travels as one NDJSON line holding its text as a JSON string, which the bulk door
turns back into the same bytes: an item gets the receipt it would get at the single door, so
pushing a file both ways, or twice, is a duplicate receipt and no new work. JSON strings carry
text only, so an item that is not UTF-8 (Latin-1 copy, say) goes in a request of its own as
the raw body, which the bulk door splits as the single door would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.ingest import split_items

__all__ = ["Item", "Tally", "chunks", "collect", "push"]

# Well under the bulk door's default limit (WIREDESK_MAX_BATCH_BYTES, 64 MiB), so a chunk is
# never refused for its size and the progress bar moves.
MAX_CHUNK_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Item:
    source: str  # the file, with "#n" for the n-th item of a file holding several
    raw: bytes

    @property
    def line(self) -> bytes | None:
        """The item as an NDJSON line, or None when it is not UTF-8 and must go raw."""
        try:
            return json.dumps(self.raw.decode("utf-8"), ensure_ascii=False).encode()
        except UnicodeDecodeError:
            return None


@dataclass
class Tally:
    accepted: int = 0
    duplicate: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)

    def summary(self) -> str:
        return (
            f"{self.accepted} accepted, {self.duplicate} duplicate receipt(s), "
            f"{len(self.refused)} refused"
        )


def _files(paths: Iterable[str]) -> Iterator[Path]:
    """The files named, and every file under the folders named (sorted, hidden ones left out)."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            yield path


def collect(paths: Iterable[str], tally: Tally) -> list[Item]:
    """Every item of every file; a file that cannot be read is counted as refused."""
    items: list[Item] = []
    for path in _files(paths):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            tally.refused.append((str(path), f"cannot read: {exc.strerror or exc}"))
            continue
        if not raw.strip():
            tally.refused.append((str(path), "empty file"))
            continue
        parts = split_items(raw)
        for n, part in enumerate(parts):
            items.append(Item(f"{path}#{n + 1}" if len(parts) > 1 else str(path), part))
    return items


def chunks(
    items: list[Item], *, max_items: int, max_bytes: int = MAX_CHUNK_BYTES
) -> Iterator[tuple[list[Item], bytes, str]]:
    """Requests to send: (the items, the body, the path under the feed's ingest URL). NDJSON
    chunks of at most ``max_items`` lines and about ``max_bytes``; an item that cannot be a
    line, or would be a chunk's only line, as a request of its own."""
    lined = [(item, line) for item in items if (line := item.line) is not None]
    for item in items:
        if item.line is None:
            yield [item], item.raw, _door_alone(item.raw)
    groups: list[list[tuple[Item, bytes]]] = [[]]
    size = 0
    for item, line in lined:
        if groups[-1] and (len(groups[-1]) >= max_items or size + len(line) > max_bytes):
            groups.append([])
            size = 0
        groups[-1].append((item, line))
        size += len(line) + 1
    # The bulk door reads one line as one document, not as NDJSON: a last line alone joins
    # the chunk before it.
    if len(groups) > 1 and len(groups[-1]) == 1:
        last = groups.pop()
        groups[-1] += last
    for group in groups:
        if len(group) == 1:
            item = group[0][0]
            yield [item], item.raw, _door_alone(item.raw)
        elif group:
            yield [i for i, _ in group], b"\n".join(line for _, line in group) + b"\n", "/batch"


def _door_alone(raw: bytes) -> str:
    """Where an item sent as its own body goes: the bulk door splits a body as the single door
    does, unless its first line starts like NDJSON and more lines follow (a pretty-printed
    ninjs item, say), which it would read line by line; that one goes to the single door."""
    lines = [line for line in raw.split(b"\n") if line.strip()]
    ndjson_like = len(lines) >= 2 and lines[0].lstrip().startswith((b"{", b'"'))
    return "" if ndjson_like else "/batch"


def push(
    client: httpx.Client,
    feed: str,
    token: str,
    items: list[Item],
    tally: Tally,
    *,
    max_items: int,
    advance: Callable[[int], None] = lambda n: None,
) -> Tally:
    """Send ``items`` to the feed's bulk door, counting each item's outcome in ``tally``. A
    wrong token or unknown feed refuses every chunk alike, so the rest are not sent."""
    stop_reason: str | None = None
    for batch, body, door in chunks(items, max_items=max_items):
        if stop_reason is None:
            response = client.post(
                f"/v1/ingest/{feed}{door}",
                content=body,
                headers={"Authorization": f"Bearer {token}"},
            )
            if response.status_code == 202:
                receipts = response.json()["receipts"]
                tally.duplicate += sum(1 for r in receipts if r["duplicate_receipt"])
                tally.accepted += sum(1 for r in receipts if not r["duplicate_receipt"])
                advance(len(batch))
                continue
            reason = f"{response.status_code}: {_detail(response)}"
            if response.status_code in (401, 403, 404):
                stop_reason = reason
        else:
            reason = stop_reason
        tally.refused += [(item.source, reason) for item in batch]
        advance(len(batch))
    return tally


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail"))
    except ValueError:
        return response.text[:200]
