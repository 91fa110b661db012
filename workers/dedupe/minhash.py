"""A compact MinHash signature by one-permutation hashing, and the LSH band fields made from it.

Classic MinHash hashes every shingle once per permutation (64 passes); one-permutation hashing
splits a single hash into a bin number and a value and keeps each bin's minimum, so a story's
signature costs one pass over its shingles in plain Python. Bins a short story leaves empty
borrow from the next filled bin ("rotation" densification), which keeps two signatures
comparable position by position. Each bin's minimum is stored in 16 bits: two bins agree by
accident with odds of 1 in 65,536, and a signature of 64 bins is 128 bytes in Redis.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Signature", "band_fields", "signature"]

_MASK32 = 0xFFFFFFFF
_EMPTY = 1 << 32


@dataclass(frozen=True)
class Signature:
    """``values``: one 16-bit minimum per bin, packed big-endian; ``size``: distinct shingles
    (needed to turn an estimated Jaccard into containment)."""

    values: bytes
    size: int

    @property
    def perm(self) -> int:
        return len(self.values) // 2


def _mix(h: int, seed: int) -> int:
    # A murmur3-style finaliser over the shingle hash, so bin and value are independent bits.
    h = (h ^ seed) & _MASK32
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK32
    h ^= h >> 16
    return h


def signature(shingles: set[int], *, perm: int = 64, seed: int = 0x5BD1E995) -> Signature:
    """The signature of a set of 32-bit shingle hashes; empty for an empty set."""
    if not shingles:
        return Signature(b"", 0)
    if perm & (perm - 1) or not 8 <= perm <= 256:
        raise ValueError("perm must be a power of two between 8 and 256")
    shift = perm.bit_length() - 1
    low = perm - 1
    bins = [_EMPTY] * perm
    for shingle in shingles:
        h = _mix(shingle, seed)
        b = h & low
        v = h >> shift
        if v < bins[b]:
            bins[b] = v
    if _EMPTY in bins:
        bins = _densify(bins, perm)
    out = bytearray()
    for v in bins:
        out += (v & 0xFFFF).to_bytes(2, "big")
    return Signature(bytes(out), len(shingles))


def _densify(bins: list[int], perm: int) -> list[int]:
    filled = [v for v in bins if v != _EMPTY]
    if not filled:
        return bins
    out = list(bins)
    for i, v in enumerate(bins):
        if v != _EMPTY:
            continue
        step = 1
        while bins[(i + step) % perm] == _EMPTY:
            step += 1
        # Offset by the distance walked, so a borrowed value differs from the one it copies.
        out[i] = bins[(i + step) % perm] + step * 0x9E37
    return out


def band_fields(sig: Signature, *, bands: int, rows: int) -> list[bytes]:
    """One field per band: the band's ``rows`` packed bin values. Two stories that agree on
    any one band are candidates for each other."""
    if not sig.values:
        return []
    if bands * rows > sig.perm:
        raise ValueError(f"{bands} bands of {rows} rows need more than {sig.perm} bins")
    width = rows * 2
    return [sig.values[i * width : (i + 1) * width] for i in range(bands)]
