"""The benchmark corpus: realistic 400-600-word stories in several wire formats.

The generator lives in ``workers.synthetic``, where the tests take it from too (bench and tests
never import each other); the benchmarks keep reading it under this name.
"""

from __future__ import annotations

from workers.synthetic import FORMATS, make_corpus, make_story

__all__ = ["FORMATS", "make_corpus", "make_story"]
