"""Dedupe's index: version chains, the exact-body index, LSH bands, slug families and short
items' anchors, looked up and recorded in one atomic script (``dedupe.lua``)."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Any

from schemas import DedupeFinding
from workers.dedupe import Signature
from workers.dedupe.evidence import Evidence
from workers.store.base import StorePart
from workers.store.client import text, translated
from workers.store.scripts import ScriptCall, StoreScript, arg, key

__all__ = ["DedupeCall", "DedupeStore"]


@dataclass(frozen=True, kw_only=True)
class DedupeCall(ScriptCall):
    """``dedupe.lua``'s keys and arguments; the settings' fields say more of each bar."""

    script = "dedupe.lua"
    ref_counter: str = key()  # hands each deduped receipt a short ref
    chain: str = key()  # the story's own version chain
    bucket_base: str = key()  # time buckets are this .. bucket number .. ':' .. part
    receipt_id: str = arg()
    story_id: str = arg()
    version: int = arg()
    has_chain: bool = arg()  # the story has an agency item id
    is_kill: bool = arg()
    body_hash: bytes = arg()  # 16 bytes
    bucket: int = arg()  # the current time bucket
    buckets: int = arg()  # buckets to look back
    bucket_ttl: int = arg()
    signature: bytes = arg()  # b'' when the story is too short for a signature
    size: int = arg()  # shingle count
    bands: int = arg()
    rows: int = arg()
    jaccard: float = arg()
    containment: float = arg()
    min_matches: int = arg()  # agreeing bins for containment
    max_candidates: int = arg()
    refs_per_band: int = arg()
    chain_ttl: int = arg()
    chain_base: str = arg()  # chains are this .. story id
    version_created: float | None = arg()  # epoch seconds
    slug_key: bytes = arg()  # b'' when none
    follows_slug: bool = arg()  # version words ask for the slug's take
    link_buckets: int = arg()  # buckets a slug link, family or anchor looks back
    names: bytes = arg()  # sorted 16-bit hashes
    figures: bytes = arg()  # likewise
    anchors: bytes = arg()  # 4-byte sampled shingles
    short_item: bool = arg()  # index the anchors
    families: bytes = arg()  # 12 bytes each: the slug's own key, then its parent's
    names_shared: int = arg()
    names_share: float = arg()
    lookalike_figures_share: float = arg()
    lookalike_min_figures: int = arg()
    anchor_share: float = arg()
    lookalike_names_share: float = arg()
    band_df: int = arg()  # stories sharing a band value that make it boilerplate
    replaces: list[str] = arg(many=True)  # story ids of the items this one names as replaced


class DedupeStore(StorePart):
    @functools.cached_property
    def _dedupe(self) -> StoreScript[DedupeCall]:
        return StoreScript(self._redis, DedupeCall)

    def dedupe_call(
        self,
        *,
        receipt_id: str,
        story_id: str,
        version: int,
        has_chain: bool,
        is_kill: bool,
        body_hash: str,
        signature: Signature,
        version_created: float | None = None,
        replaces: list[str] | None = None,
        slug_key: bytes | None = None,
        follows_slug: bool = False,
        families: list[bytes] | None = None,
        evidence: Evidence | None = None,
        anchors: list[bytes] | None = None,
        short_item: bool = False,
        now: float | None = None,
    ) -> DedupeCall:
        """The call of ``dedupe.lua`` for one story, with the settings' bars filled in."""
        st = self.settings
        bucket_seconds = max(1, st.dedupe_window_seconds // st.dedupe_buckets)
        usable = signature.values and signature.size >= st.near_dup_min_shingles
        return DedupeCall(
            ref_counter=self.keys.dedupe_refs,
            chain=self.keys.chain(story_id),
            bucket_base=self.keys.dedupe_bucket_base,
            receipt_id=receipt_id,
            story_id=story_id,
            version=version,
            has_chain=has_chain,
            is_kill=is_kill,
            body_hash=bytes.fromhex(body_hash)[:16],
            bucket=int((now if now is not None else time.time()) // bucket_seconds),
            buckets=st.dedupe_buckets,
            bucket_ttl=st.dedupe_window_seconds + bucket_seconds,
            signature=signature.values if usable else b"",
            size=signature.size,
            bands=st.lsh_bands,
            rows=st.lsh_rows,
            jaccard=st.near_dup_jaccard,
            containment=st.near_dup_containment,
            min_matches=st.near_dup_min_matches,
            max_candidates=st.near_dup_max_candidates,
            refs_per_band=st.lsh_refs_per_band,
            chain_ttl=st.retention_seconds,
            chain_base=self.keys.chain(""),
            version_created=version_created,
            slug_key=slug_key or b"",
            follows_slug=follows_slug,
            link_buckets=st.dedupe_link_buckets,
            names=evidence.names if evidence else b"",
            figures=evidence.figures if evidence else b"",
            anchors=b"".join(anchors or []),
            short_item=short_item,
            families=b"".join(families or []),
            names_shared=st.near_dup_names_shared,
            names_share=st.near_dup_names_share,
            lookalike_figures_share=st.lookalike_figures_share,
            lookalike_min_figures=st.lookalike_min_figures,
            anchor_share=st.short_item_anchor_share,
            lookalike_names_share=st.lookalike_names_share,
            band_df=st.near_dup_band_df,
            replaces=list(replaces or []),
        )

    @translated
    def dedupe(self, **call: Any) -> DedupeFinding:
        """Look the story up and record it in one atomic script (``dedupe.lua``): its version
        chain, the exact-body index, the LSH bands, its slug family and, for a short item, its
        anchors. Whichever of two concurrent near-duplicates runs second finds the first. A
        redelivered task gets its first answer. Arguments as ``dedupe_call``.

        ``replaces``: story ids of the items this one names as replaced (agency links); the
        first one the window knows makes this an update (or kill) of it. ``slug_key`` (agency
        and slug) records the take; with ``follows_slug`` (version words such as '2ndLd'),
        an item without an agency id joins the take with the same key from the last day or so.
        ``finding.story_id`` is the chain the item joined (its own unless a link moved it).
        """
        return self.run_dedupe(self.dedupe_call(**call))

    @translated
    def run_dedupe(self, call: DedupeCall) -> DedupeFinding:
        """Run one prepared call."""
        return _finding(self._dedupe(call), call)

    @translated
    def run_dedupes(self, calls: list[DedupeCall]) -> list[DedupeFinding]:
        """Run prepared calls in one round trip, each still its own atomic script run (a
        benchmark filling the window, a backfill)."""
        with self._redis.pipeline(transaction=False) as pipe:
            for call in calls:
                self._dedupe(call, client=pipe)
            answers = pipe.execute()
        return [_finding(a, c) for a, c in zip(answers, calls, strict=True)]


def _finding(answer: list[bytes], call: DedupeCall) -> DedupeFinding:
    kind, of, score, reason, lead, joined = (text(v) or "" for v in answer)
    return DedupeFinding(
        kind=kind,
        of_story=of or None,
        score=float(score) if score else None,
        reason=reason,
        lead=lead,
        story_id=joined or call.story_id,
    )
