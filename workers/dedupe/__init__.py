"""Near-duplicate detection, pure: the words that tell a story, their shingles, a compact
MinHash signature, LSH bands, and the similarity read back from two signatures.

Nothing here touches Redis; the store keeps the bands and signatures, the dedupe stage composes.
The one exception is the labelled evaluation (``evaluation``, its ``cases`` and ``corpus``,
imported by name only), which scores the real stage against a real Redis.
"""

from workers.dedupe.judge import Similarity, similarity
from workers.dedupe.minhash import Signature, band_fields, signature
from workers.dedupe.shingles import content_tokens, shingle_hashes

__all__ = [
    "Signature",
    "Similarity",
    "band_fields",
    "content_tokens",
    "shingle_hashes",
    "signature",
    "similarity",
]
