"""Similarity of two stories read from their signatures: estimated Jaccard and containment.

Jaccard alone misses a write-through that adds paragraphs (the union grows, the overlap does
not), so containment is estimated too: how much of the smaller story the other holds,
from the Jaccard estimate and the two shingle counts, |A∩B| = J·(|A|+|B|)/(1+J).
The dedupe Lua script does the same arithmetic inside Redis for atomicity; this module is the
reference it is tested against and what the evaluation reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from workers.dedupe.minhash import Signature

__all__ = ["Similarity", "is_near_duplicate", "similarity"]


@dataclass(frozen=True)
class Similarity:
    jaccard: float
    containment: float
    matches: int


def similarity(a: Signature, b: Signature) -> Similarity:
    """Estimated Jaccard and containment (of the smaller in the larger); zero when either
    signature is empty or they were made with different settings."""
    if not a.values or len(a.values) != len(b.values):
        return Similarity(0.0, 0.0, 0)
    matches = sum(
        1 for i in range(0, len(a.values), 2) if a.values[i : i + 2] == b.values[i : i + 2]
    )
    j = matches / a.perm
    smaller = min(a.size, b.size)
    containment = min(1.0, j * (a.size + b.size) / ((1 + j) * smaller)) if smaller else 0.0
    return Similarity(j, containment, matches)


def is_near_duplicate(
    s: Similarity, *, jaccard: float, containment: float, min_matches: int
) -> bool:
    """Near-duplicate when the estimated Jaccard clears its bar, or the containment clears its
    own with enough agreeing bins that the estimate is not noise."""
    return s.jaccard >= jaccard or (s.containment >= containment and s.matches >= min_matches)
