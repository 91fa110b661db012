"""The parser fuzzer: for any bytes, every wire-format parser, the normalise stage a worker
runs and the ingest door's splitters answer with a story, items or one of wiredesk's own
``PermanentError``s (which the pipeline quarantines with its reason); anything else, a
``KeyError``, a ``RecursionError``, an lxml or Unicode error leaking out, is a bug.

Coverage-guided with atheris (libFuzzer), one target a process:

- ``fuzz.targets``: what is fuzzed and the property each input must hold (``TARGETS``).
- ``fuzz.mutate``: structure-aware mutations per format family (XML, JSON, framed teletype,
  plain text) on top of libFuzzer's byte mutations, so inputs stay close enough to real
  copy to get past the parsers' first checks.
- ``fuzz.seeds``: the seed corpus (our own samples in seeds/ and tests/) and the per-target
  dictionaries (string constants read from the parsers' own source).
- ``fuzz.child``: the process atheris runs in (it calls ``os._exit`` on a crash, so never the
  caller's process); ``fuzz.runner``: starts the children, reads their stats and crashes.
- ``bench.fuzz.loop``: the same targets in the caller's process, uninstrumented, for a bounded
  number of cases: the round ``make test`` runs (tests/fuzz).

``make fuzz`` (``python -m bench.fuzz``) runs every target for ``FUZZ_SECONDS`` in all and prints,
per target, runs, crashes, corpus size and coverage; crashing inputs are written to
``.wiredesk/fuzz/crashes/``. ``python -m bench.fuzz.loop TARGET FILE`` replays a saved input.

The fuzzer lives beside the product rather than in tests/ because it is a tool in its own
right (``make fuzz``, like ``make bench``), and tests/fuzz tests it the way tests/bench tests
bench/.
"""
