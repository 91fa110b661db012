"""Invented wire copy for the poller tests: RSS and ninjs documents whose stories differ from
test to test, so the shared stack's near-duplicate detection never links two tests' items."""

from __future__ import annotations

import json
import random
from xml.sax.saxutils import escape

__all__ = ["Story", "ninjs_list", "rss", "story"]

_WORDS = [
    "harbour",
    "council",
    "tram",
    "budget",
    "orchard",
    "ferry",
    "glacier",
    "vineyard",
    "census",
    "library",
    "bridge",
    "tunnel",
    "reservoir",
    "lighthouse",
    "museum",
    "archive",
    "stadium",
    "marathon",
    "festival",
    "parliament",
    "ministry",
    "court",
    "verdict",
    "appeal",
    "harvest",
    "drought",
    "monsoon",
    "typhoon",
    "avalanche",
    "pipeline",
    "refinery",
    "turbine",
    "battery",
    "factory",
    "union",
    "strike",
    "wage",
    "tariff",
    "export",
    "import",
    "currency",
    "bond",
    "index",
    "inflation",
    "lender",
    "mortgage",
    "tenant",
    "landlord",
    "rent",
    "village",
    "province",
    "canal",
    "railway",
    "airport",
    "runway",
    "pilot",
    "cargo",
    "container",
    "crane",
    "dock",
    "shipyard",
    "trawler",
    "quota",
    "salmon",
    "herring",
    "wheat",
    "barley",
    "maize",
    "coffee",
    "cocoa",
    "rubber",
    "copper",
    "lithium",
    "nickel",
    "cobalt",
    "uranium",
    "reactor",
    "grid",
    "outage",
    "blackout",
    "heatwave",
    "frost",
    "blizzard",
    "flood",
    "levee",
    "dam",
    "irrigation",
    "aquifer",
    "well",
    "pump",
    "clinic",
    "vaccine",
    "surgeon",
    "nurse",
    "ward",
    "hospital",
    "school",
    "teacher",
    "pupil",
    "exam",
    "diploma",
    "campus",
    "lecture",
    "laboratory",
    "telescope",
    "comet",
    "satellite",
    "rocket",
    "launch",
    "orbit",
    "probe",
    "rover",
    "crater",
    "fossil",
    "dinosaur",
    "skeleton",
    "excavation",
    "temple",
    "mosaic",
    "fresco",
    "statue",
    "painting",
    "auction",
    "gallery",
    "curator",
    "novelist",
    "poet",
    "choir",
    "orchestra",
    "opera",
    "ballet",
    "theatre",
    "premiere",
    "studio",
    "director",
    "actor",
    "camera",
    "editor",
    "newspaper",
    "printing",
    "press",
    "radio",
    "antenna",
    "signal",
    "cable",
    "router",
    "server",
    "software",
    "patent",
    "startup",
    "investor",
    "merger",
    "acquisition",
    "bankruptcy",
    "auditor",
    "regulator",
    "watchdog",
    "fine",
    "penalty",
    "lawsuit",
    "settlement",
    "embassy",
    "envoy",
    "treaty",
    "summit",
    "delegation",
    "border",
    "checkpoint",
    "convoy",
    "refugee",
    "shelter",
    "volunteer",
    "donation",
    "charity",
]


class Story:
    def __init__(self, guid: str, headline: str, text: str):
        self.guid, self.headline, self.text = guid, headline, text


def story(seed: str, city: str = "VALLETTA") -> Story:
    """A story of its own: 40 words drawn for ``seed`` from a bank of 200."""
    rng = random.Random(seed)
    words = rng.sample(_WORDS, 40)
    headline = " ".join(words[:6]).capitalize()
    sentences = [" ".join(words[i : i + 10]).capitalize() + "." for i in range(0, 40, 10)]
    return Story(f"wdtest-{seed}", headline, f"{city}, May 3 (Wire) - " + " ".join(sentences))


def rss(stories: list[Story], *, title: str = "Wire desk test feed") -> bytes:
    items = "".join(
        f"<item><title>{escape(s.headline)}</title>"
        f'<guid isPermaLink="false">{s.guid}</guid>'
        f"<pubDate>Fri, 03 May 2024 09:{i:02d}:00 GMT</pubDate>"
        f"<description>{escape(s.text)}</description></item>"
        for i, s in enumerate(stories)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://wire.example.com/</link>"
        f"<description>test</description><language>en</language>{items}</channel></rss>"
    ).encode()


def ninjs_list(stories: list[Story]) -> bytes:
    return json.dumps(
        [
            {
                "uri": f"urn:wdtest:{s.guid}",
                "headline": s.headline,
                "body_text": s.text,
                "language": "en",
                "versioncreated": "2024-05-03T09:00:00Z",
            }
            for s in stories
        ]
    ).encode()
