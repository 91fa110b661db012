"""``POST /v1/ingest/{feed}``: wire copy in, in its native format, one bearer token per feed."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from fastapi import APIRouter, Header, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from schemas import IngestAccepted, ReceiptRef
from services.api.deps import SettingsDep, StoreDep
from services.ingest import Accepted, IngestError, accept, accept_batch
from workers.pipeline import enqueue, enqueue_batch
from workers.settings import Settings
from workers.store import Store

__all__ = [
    "check_feed_token",
    "ingest",
    "ingest_batch",
    "public_base_url",
    "read_limited",
    "router",
]

router = APIRouter(tags=["ingest"])
# Compared against when the feed is unknown, so that answer takes a comparison too.
_NO_FEED = "no feed has this token " + "-" * 16


def check_feed_token(settings: Settings, feed: str, authorization: str | None) -> None:
    """401 unless the header carries the feed's token. An unknown feed gets the same 401 as a
    known one with a wrong token (and takes as long: a comparison is made either way), so
    feed names cannot be found by asking."""
    expected = settings.feed_tokens.get(feed)
    scheme, _, token = (authorization or "").partition(" ")
    # compare_digest takes the same time wherever the strings differ: no timing oracle.
    matches = hmac.compare_digest(token.encode(), (expected or _NO_FEED).encode())
    if expected is None or scheme.lower() != "bearer" or not matches:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            f"missing or wrong bearer token for feed {feed!r}",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _body(description: str) -> dict:
    """The OpenAPI request body of a door that reads its body raw (not through a model), so
    the document says what to send and clients and checkers send it."""
    text = {"schema": {"type": "string"}}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"text/plain": text, "application/json": {"schema": {}}},
        }
    }


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes the limit (before it is all read)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, f"body of {declared} bytes exceeds {limit}"
        )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, f"body exceeds {limit} bytes"
            )
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/v1/ingest/{feed}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=IngestAccepted,
    summary="Push wire copy: one item, or a message carrying several",
    openapi_extra=_body("The copy in its native format (the format is read from the bytes)."),
)
async def ingest(
    feed: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    authorization: str | None = Header(default=None),
    content_type: str | None = Header(default=None),
    x_wire_format: str | None = Header(default=None, description="Optional format hint."),
) -> IngestAccepted:
    return await _receive(
        request, store, settings, feed, authorization, content_type, x_wire_format,
        limit=settings.max_body_bytes, door=accept, queue=enqueue,
    )  # fmt: skip


async def _receive(
    request: Request,
    store: Store,
    settings: Settings,
    feed: str,
    authorization: str | None,
    content_type: str | None,
    format_hint: str | None,
    *,
    limit: int,
    door: Callable[..., list[Accepted]],
    queue: Callable[..., None],
) -> IngestAccepted:
    """What both doors do: check the feed's token, read the body within ``limit``, keep and
    queue the items through ``door`` (single or bulk front-door logic), answer with receipts."""
    check_feed_token(settings, feed, authorization)
    raw = await read_limited(request, limit)
    try:
        accepted = await run_in_threadpool(
            door, store, queue, feed=feed, raw=raw,
            content_type=content_type, format_hint=format_hint,
        )  # fmt: skip
    except IngestError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    return _answer(request, settings, accepted)


def public_base_url(settings: Settings) -> str:
    """Where clients reach the API: the configured public base URL, else the API's own
    address. Never the request's Host header, which the client writes."""
    base = settings.public_base_url or f"http://{settings.api_host}:{settings.api_port}"
    return base.rstrip("/")


def _answer(request: Request, settings: Settings, accepted: list[Accepted]) -> IngestAccepted:
    base = public_base_url(settings)
    refs = [
        ReceiptRef(
            receipt_id=a.receipt_id,
            status_url=base + request.app.url_path_for("get_receipt", receipt_id=a.receipt_id),
            duplicate_receipt=a.duplicate_receipt,
        )
        for a in accepted
    ]
    return IngestAccepted(**refs[0].model_dump(), receipts=refs)


@router.post(
    "/v1/ingest/{feed}/batch",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=IngestAccepted,
    summary="Bulk: NDJSON (one item a line) or a multi-item document, processed in batches",
    openapi_extra=_body(
        "NDJSON, one item a line (a JSON object, or a JSON string holding copy), "
        "or one multi-item document."
    ),
)
async def ingest_batch(
    feed: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    authorization: str | None = Header(default=None),
    content_type: str | None = Header(default=None),
    x_wire_format: str | None = Header(default=None, description="Optional format hint."),
) -> IngestAccepted:
    """For backfills and re-runs: items go to the bulk queue in batches, so they share the
    per-task cost and never hold up a single story pushed to ``/v1/ingest/{feed}``."""
    return await _receive(
        request, store, settings, feed, authorization, content_type, x_wire_format,
        limit=settings.max_batch_bytes, door=accept_batch, queue=enqueue_batch,
    )  # fmt: skip
