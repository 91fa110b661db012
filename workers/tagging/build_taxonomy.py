"""Derive ``workers/data/mediatopics.json`` from an IPTC Media Topics release (JSON-LD).

Run: ``python -m workers.tagging.build_taxonomy PATH_TO_IPTC_JSON [OUT]``.

The tagger needs only a small part of the release (ids, English labels and definitions,
parent links, the retired flag, the exactMatch links to the older Subject Codes), so that part
is written to a compact file committed with the code: the service never reads the release
itself. The result stays under IPTC's CC BY 4.0 licence (see ``workers/data/NOTICE.md``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

__all__ = ["derive", "main"]

_MEDTOP = "http://cv.iptc.org/newscodes/mediatopic/"
_SUBJ = "http://cv.iptc.org/newscodes/subjectcode/"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "data" / "mediatopics.json"


def _code(ref: str) -> str:
    return ref.rsplit("/", 1)[-1].removeprefix("medtop:")


def _english(value: dict | None) -> str | None:
    if not value:
        return None
    for lang in ("en-GB", "en-US", "en"):
        if value.get(lang):
            return value[lang].strip()
    return None


def derive(release: dict) -> dict:
    """The compact taxonomy from a parsed release."""
    topics: dict[str, dict] = {}
    for concept in release.get("conceptSet", []):
        ref = concept.get("qcode") or concept.get("uri", "")
        if not ref:
            continue
        code = _code(ref)
        broader = [_code(b) for b in concept.get("broader", []) if "mediatopic" in b or ":" in b]
        entry: dict = {"label": _english(concept.get("prefLabel")) or code}
        if broader:
            entry["parent"] = broader[0]
        definition = _english(concept.get("definition"))
        if definition:
            entry["definition"] = definition
        if concept.get("retired"):
            entry["retired"] = True
        subj = [m.removeprefix(_SUBJ) for m in concept.get("exactMatch", []) if m.startswith(_SUBJ)]
        if subj:
            entry["subj"] = subj
        topics[code] = entry
    return {
        "source": {
            "uri": release.get("uri", _MEDTOP),
            "released": release.get("dateReleased"),
            "copyright": release.get("copyrightHolder"),
            "licence": release.get("licenceLink"),
        },
        "topics": dict(sorted(topics.items())),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    release = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    out = Path(args[1]) if len(args) > 1 else DEFAULT_OUT
    compact = derive(release)
    out.write_text(
        json.dumps(compact, ensure_ascii=False, separators=(",", ":"), indent=0) + "\n",
        encoding="utf-8",
    )
    print(f"{len(compact['topics'])} topics -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
