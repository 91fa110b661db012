"""``wiredesk inspect``: what the pipeline makes of sample files, without a running stack.

A feed engineer onboarding an agency runs its samples through the pipeline's own stage
functions (normalise, dedupe, tag), in the order given, against a private store that starts
empty and is thrown away afterwards: an embedded Valkey started for the command, or, with
``REDIS_URL``, a key prefix of its own that is deleted at the end. Later files are judged
against earlier ones, so a resend, an update, a kill or a near-duplicate shows as it would in
production. Items are split as the front door splits them and normalised with the same
format hint a feed would give, so detection and splitting are exactly production's.

The ``--json`` output is a published contract (``schemas.inspection.InspectLine``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from schemas import InspectError, InspectLine, TaggedStory
from schemas.inspection import InspectStage
from services.ingest import receipt_id_for
from workers.errors import WiredeskError
from workers.formats import detect
from workers.settings import Settings
from workers.stages.dedupe import dedupe
from workers.stages.normalise import normalise
from workers.stages.tag import tag
from workers.store import Store, connect

__all__ = ["inspect_files", "render_line", "throwaway_store"]


@contextmanager
def throwaway_store(settings: Settings) -> Iterator[Store]:
    """A Store that starts empty and leaves nothing behind. With ``settings.redis_url`` it
    lives under a random key prefix on that server (deleted on the way out); without, in an
    embedded Valkey that is stopped at the end and keeps nothing on disk."""
    prefix = f"wdinspect{uuid.uuid4().hex[:10]}"
    own = settings.model_copy(update={"key_prefix": prefix})
    if settings.redis_url:
        client = connect(settings.redis_url)
        try:
            yield Store(client, own)
        finally:
            _delete_prefix(client, prefix)
            client.close()
        return
    from services.redis_server import EmbeddedValkey

    with EmbeddedValkey(persist=False) as server:
        client = connect(server.url)
        try:
            yield Store(client, own)
        finally:
            client.close()


def _delete_prefix(client, prefix: str) -> None:
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


def _file_line(path: str, stage: InspectStage, reason: str, fmt: str | None = None) -> InspectLine:
    return InspectLine(
        file=path,
        index=None,
        format=fmt,
        story=None,
        error=InspectError(stage=stage, reason=reason),
    )


def inspect_files(
    paths: Iterable[str],
    *,
    store: Store,
    settings: Settings,
    feed: str = "inspect",
    format_hint: str | None = None,
) -> Iterator[InspectLine]:
    """One line per item of each file, in order. Never raises for a bad file or item: what
    went wrong is in the line, as quarantine would record it."""
    for path in paths:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            yield _file_line(path, "read", f"cannot read the file: {exc.strerror or exc}")
            continue
        if not raw.strip():
            yield _file_line(path, "read", "the file is empty")
            continue
        try:
            fmt = detect(raw, hint=format_hint)
        except WiredeskError as exc:
            yield _file_line(path, "detect", str(exc))
            continue
        try:
            items = [item for item in fmt.split(raw) if item.strip()]
        except WiredeskError as exc:
            yield _file_line(path, "split", str(exc), fmt.name)
            continue
        if not items:
            yield _file_line(
                path, "split", f"{fmt.name}: the document holds no news item", fmt.name
            )
            continue
        for index, item in enumerate(items):
            yield _inspect_item(
                path, index, item, fmt.name, store=store, settings=settings, feed=feed,
                format_hint=format_hint,
            )  # fmt: skip


def _inspect_item(
    path: str,
    index: int,
    item: bytes,
    fmt_name: str,
    *,
    store: Store,
    settings: Settings,
    feed: str,
    format_hint: str | None,
) -> InspectLine:
    def failed(stage: InspectStage, exc: Exception, fmt: str | None = fmt_name) -> InspectLine:
        reason = str(exc) or type(exc).__name__
        if not isinstance(exc, WiredeskError):
            reason = f"unexpected {type(exc).__name__} in {stage}: {reason}"
        return InspectLine(
            file=path, index=index, format=fmt, story=None,
            error=InspectError(stage=stage, reason=reason),
        )  # fmt: skip

    # Each processing gets a receipt of its own: the front door would answer the same bytes
    # again with the first receipt and not process them, but inspect is asked to judge a file
    # given twice as the repeat it is.
    receipt_id = receipt_id_for(feed, f"{path}\x00{index}\x00{uuid.uuid4()}".encode() + item)
    try:
        story = normalise(
            item,
            receipt_id=receipt_id,
            feed=feed,
            received_at=datetime.now(UTC),
            format_hint=format_hint,
        )
    except Exception as exc:  # any failure is the line's answer, as quarantine's would be
        return failed("normalise", exc)
    try:
        checked = dedupe(story, store=store, settings=settings)
    except Exception as exc:
        return failed("dedupe", exc, story.format)
    tagged = tag(checked)  # a tagger failure is carried on the story (tag_error), as in production
    return InspectLine(file=path, index=index, format=story.format, story=tagged, error=None)


def render_line(line: InspectLine) -> str:
    """The readable summary of one line (what ``wiredesk inspect`` prints without --json)."""
    where = f"{line.file}" + (f" #{line.index}" if line.index is not None else "")
    head = f"== {where}  [{line.format or 'format not detected'}]"
    if line.story is None:
        error = line.error
        return f"{head}\n   {error.stage if error else '?'} failed: {error.reason if error else ''}"
    return f"{head}\n{_describe(line.story)}"


def _describe(story: TaggedStory) -> str:
    v = story.verdict
    rows: list[tuple[str, object]] = [
        ("agency", story.agency),
        ("item id", story.item_id),
        ("story id", story.story_id),
        ("version", f"{story.version}" + (f" ({story.version_label})" if story.version_label else "")),
        ("status", story.status.value + (f" until {story.embargoed_until:%Y-%m-%d %H:%M %Z}"
                                          if story.embargoed_until else "")),
        ("signals", ", ".join(s.value for s in story.signals) or None),
        ("urgency", story.urgency),
        ("headline", story.headline),
        ("slug", story.slugline),
        ("byline", story.byline),
        ("dateline", story.dateline.text if story.dateline else None),
        ("place", story.dateline.place if story.dateline else None),
        ("language", story.language),
        ("words", story.word_count),
        ("lede", (story.lede or "")[:160] or None),
        ("notes", " | ".join(story.notes)[:200] or None),
        ("verdict", f"{v.verdict.value}" + (f" of {v.of_story}" if v.of_story else "")
                    + ("" if v.shown else " (not shown)")),
        ("reason", v.reason),
    ]  # fmt: skip
    by_type: dict[str, list[str]] = {}
    for t in story.tags:
        label = t.name + (f" ({t.scheme}:{t.code})" if t.code else "")
        by_type.setdefault(t.type.value, []).append(f"{label} {t.relevance:.2f}")
    for kind in ("place", "person", "organisation", "topic", "keyword"):
        if by_type.get(kind):
            rows.append((f"{kind} tags", "; ".join(by_type[kind][:12])))
    if story.tag_error:
        rows.append(("tag error", story.tag_error))
    return "\n".join(f"   {k:<14} {val}" for k, val in rows if val not in (None, ""))
