"""The fuzz targets as data: name, mutation family, the source modules whose string constants
make its dictionary, and where its seeds come from. Nothing here imports wiredesk, so the
fuzzer process can read it before it instruments wiredesk's modules (``fuzz.child``); the
functions that run each input are in ``fuzz.targets``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CANARY", "CONTENT_TYPES", "FORMAT_NAMES", "HINTS", "TARGETS", "Target"]

#: Every registered wire format, in the registry's order (a test holds this to FORMATS).
FORMAT_NAMES = (
    "plaintext",
    "anpa1312",
    "iptc7901",
    "ninjs",
    "nitf",
    "newsml_g2",
    "newsml_1_2",
    "rss",
    "atom",
)

#: The ``normalise`` target's first byte picks the feed's format hint: none, each format, and
#: a name no format has (a feed configured wrongly).
HINTS: tuple[str | None, ...] = (None, *FORMAT_NAMES, "nope")

#: Its second byte picks the Content-Type the feed sent (the worker holds the bytes to a
#: declared charset): none, honest ones, and charsets that are no text codec or no codec at all.
CONTENT_TYPES: tuple[str | None, ...] = (
    None,
    "text/plain; charset=utf-8",
    "application/xml; charset=iso-8859-1",
    "application/json; charset=utf-16",
    "text/plain; charset=windows-1252",
    "text/plain; charset=rot13",
    "text/plain; charset=idna",
    "text/plain; charset=undefined",
    "text/plain; charset=x-unknown",
    'text/plain; charset="utf-7"',
    "text/plain; charset=",
)

# Helpers every parser of a family leans on; their constants join the family's dictionary.
_TEXT_HELPERS = (
    "workers/dateline.py",
    "workers/formats/versionwords.py",
    "workers/formats/wiretime.py",
)
_XML_HELPERS = (
    "workers/formats/xmlread.py",
    "workers/formats/xmlsafe.py",
    "workers/formats/wiretime.py",
    "workers/formats/versionwords.py",
)

# The code whose coverage guides the fuzzer: the parsers and what normalise does after them.
# Instrumenting costs seconds a module at start-up, so the rest of wiredesk (store, tagging,
# dedupe, the API) runs uninstrumented; feedparser is added where the feed parsers call it.
_INSTRUMENTED = (
    "workers.formats",
    "workers.stages.normalise",
    "workers.text",
    "workers.encoding",
    "workers.dateline",
    "workers.language",
)


@dataclass(frozen=True)
class Target:
    """One fuzz target. ``kind`` names the structural mutations (``fuzz.mutate``; 'auto'
    guesses per input); ``seeds`` says which samples seed it: a format name, 'all', or 'batch'
    (all, plus NDJSON bodies made of them); ``prefix`` is how many leading bytes choose options
    rather than carry copy; ``instrument`` lists the modules (and packages) whose coverage
    guides it."""

    name: str
    kind: str
    modules: tuple[str, ...]
    seeds: str
    doc: str
    prefix: int = 0
    instrument: tuple[str, ...] = _INSTRUMENTED


def _format(name: str, kind: str, module: str, helpers: tuple[str, ...]) -> Target:
    return Target(
        name=name,
        kind=kind,
        modules=(f"workers/formats/{module}.py", *helpers),
        seeds=name,
        doc=f"{name}: the door's split, the parser's own split and parse when it claims the "
        "bytes, and normalise on every item, seeded with its samples",
        instrument=(*_INSTRUMENTED, "feedparser") if module == "feeds" else _INSTRUMENTED,
    )


TARGETS: dict[str, Target] = {
    t.name: t
    for t in [
        Target(
            name="detect",
            kind="auto",
            modules=(
                "workers/formats/registry.py",
                "workers/formats/xmlsafe.py",
                "workers/formats/plaintext.py",
            ),
            seeds="all",
            doc="detect: every format's sniff answers 0..1, detect names a format or refuses",
        ),
        _format("plaintext", "text", "plaintext", _TEXT_HELPERS),
        _format("anpa1312", "framed", "anpa1312", ("workers/formats/framing.py", *_TEXT_HELPERS)),
        _format("iptc7901", "framed", "iptc7901", ("workers/formats/framing.py", *_TEXT_HELPERS)),
        _format("ninjs", "json", "ninjs", ("workers/formats/htmltext.py", *_TEXT_HELPERS)),
        _format("nitf", "xml", "nitf", _XML_HELPERS),
        _format("newsml_g2", "xml", "newsml_g2", _XML_HELPERS),
        _format("newsml_1_2", "xml", "newsml_1_2", _XML_HELPERS),
        _format("rss", "xml", "feeds", _XML_HELPERS),
        _format("atom", "xml", "feeds", _XML_HELPERS),
        Target(
            name="normalise",
            kind="auto",
            modules=(
                "workers/stages/normalise.py",
                "workers/text.py",
                "workers/encoding.py",
                *_TEXT_HELPERS,
            ),
            seeds="all",
            doc="normalise: the worker's first stage (declared charset, detect, parse, build "
            "the story) with any format hint and Content-Type, on every sample",
            prefix=2,
            instrument=(*_INSTRUMENTED, "feedparser"),
        ),
        Target(
            name="ingest",
            kind="auto",
            modules=("services/ingest.py", "workers/formats/ninjs.py"),
            seeds="batch",
            doc="ingest: the door's split_items and batch_items (NDJSON and multi-item bodies) "
            "never fail, and normalise on the first items they cut",
            instrument=(*_INSTRUMENTED, "services.ingest"),
        ),
    ]
}

#: A target that crashes on purpose (on input starting 'CRASH'), for the harness's own test:
#: a fuzzer that cannot report a crash would pass every run. Other input it reads as a
#: teletype frame, so a run instruments a module (a small one: start-up stays short).
CANARY = Target(
    name="canary",
    kind="framed",
    modules=("workers/formats/framing.py", "workers/formats/ninjs.py"),
    seeds="canary",
    doc="canary: raises KeyError on input starting 'CRASH', else cuts a teletype frame",
    instrument=("workers.formats.framing",),
)
