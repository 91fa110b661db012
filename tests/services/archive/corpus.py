"""Stories for the archive's tests: short copy of our own in several languages, made into
real TaggedStory objects by the pipeline's own normalise (from ninjs) and tagger, with the
verdict a dedupe stage would give. Received times are fixed, one hour apart, so sorting by
newest has one right answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas import CheckedStory, DedupeVerdict, TaggedStory, Verdict
from workers.stages.normalise import normalise
from workers.stages.tag import tag

__all__ = ["BASE", "CORPUS", "make", "verdict"]

BASE = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def verdict(kind: Verdict = Verdict.new, of: str | None = None, **extra: Any) -> DedupeVerdict:
    return DedupeVerdict(verdict=kind, of_story=of, reason="test", **extra)


def make(
    key: str,
    *,
    headline: str,
    body: list[str],
    language: str = "en",
    feed: str = "reuters",
    hour: float = 0,
    version: int = 1,
    created: datetime | None = None,
    kind: Verdict = Verdict.new,
    of: str | None = None,
    receipt: str | None = None,
    **ninjs: Any,
) -> TaggedStory:
    """One story through normalise and the tagger. ``key`` makes the agency item id (so every
    version of ``key`` is one story id) and, with the version, the receipt."""
    item = {
        "uri": f"urn:test:{key}",
        "version": str(version),
        "language": language,
        "headline": headline,
        "body_text": "\n\n".join(body),
        "pubstatus": "usable",
        **ninjs,
    }
    if created is not None:
        item["versioncreated"] = created.isoformat()
    received = BASE + timedelta(hours=hour)
    story = normalise(
        json.dumps(item).encode(),
        receipt_id=receipt or f"rc_{key}_v{version}",
        feed=feed,
        received_at=received,
        format_hint="ninjs",
    )
    return tag(CheckedStory(**story.model_dump(), verdict=verdict(kind, of)))


# (key, fields) of the shared corpus; tests refer to stories by key.
CORPUS: dict[str, dict[str, Any]] = {
    "zambia": dict(
        headline="Elephants cross into Zambia as drought bites",
        body=[
            "LUSAKA (Reuters) - Herds of elephants crossed the Zambezi into Zambia on Monday "
            "as the drought dried up waterholes, wildlife officials said.",
            "Rangers counted more than 300 animals at the crossing.",
        ],
        byline="Grace Mensah",
        slugline="ZAMBIA-WILDLIFE",
        urgency=4,
        hour=0,
    ),
    "kenya": dict(
        headline="Kenya tourism recovers",
        body=[
            "NAIROBI (Reuters) - Visitors returned to Kenya's parks this season, where an "
            "elephant herd drew crowds at Amboseli, the tourism board said.",
        ],
        slugline="KENYA-TOURISM",
        urgency=5,
        hour=1,
    ),
    "quarry": dict(
        headline="Quarries shut after landslide",
        body=[
            "SANTIAGO (Reuters) - Chile ordered two quarries closed on Tuesday after a landslide "
            "buried a road near Antofagasta.",
        ],
        feed="ap",
        urgency=3,
        hour=2,
    ),
    "bank": dict(
        headline="Central bank raises rates again",
        body=[
            "OTTAWA (Reuters) - The Bank of Canada raised its key rate on Wednesday, and the "
            "central bank governor said inflation was still too high.",
            '"We are not done yet," Governor Marta Okafor told reporters.',
        ],
        slugline="CANADA-RATES",
        urgency=2,
        hour=3,
        created=BASE - timedelta(days=30),
    ),
    "heating": dict(
        headline="Heating costs climb in Canada",
        body=[
            "TORONTO (Reuters) - Households paid more for central heating this winter, a "
            "survey for the bank said.",
        ],
        urgency=5,
        hour=4,
    ),
    "ferry": dict(
        headline="Ferry crews strike in western Norway",
        body=[
            "BERGEN (Reuters) - Ferry crews began a two-day strike on Tuesday, stranding "
            "commuters along the fjords.",
        ],
        urgency=3,
        hour=5,
    ),
    "de_streik": dict(
        headline="Lokführer streiken erneut",
        body=[
            "BERLIN (dpa) - Die Lokführer der Deutschen Bahn haben am Montag erneut gestreikt. "
            "Der Streik traf Pendler in ganz Deutschland.",
            "In München blieben viele Häuser ohne Strom, weil auch die Stadtwerke streikten.",
        ],
        language="de",
        feed="dpa",
        urgency=3,
        hour=6,
    ),
    "de_zurich": dict(
        headline="Zürich erhöht die Mieten",
        body=["ZÜRICH (dpa) - Die Stadt Zürich hat die Mieten für städtische Wohnungen erhöht."],
        language="de",
        feed="dpa",
        urgency=5,
        hour=7,
    ),
    "fr_greve": dict(
        headline="Grève des éboueurs à Paris",
        body=[
            "PARIS (AFP) - Les éboueurs parisiens poursuivent leurs grèves pour la troisième "
            "semaine, et les déchets s'accumulent dans les rues.",
        ],
        language="fr",
        feed="afp",
        urgency=4,
        hour=8,
    ),
    "fr_elephants": dict(
        headline="Les éléphants du Botswana",
        body=["GABORONE (AFP) - Le Botswana compte désormais plus de 130 000 éléphants."],
        language="fr",
        feed="afp",
        urgency=5,
        hour=9,
    ),
    "es_huelga": dict(
        headline="Huelga de estibadores en Valencia",
        body=[
            "VALENCIA (EFE) - Los estibadores del puerto de Valencia iniciaron el lunes dos "
            "huelgas de 24 horas por los contratos.",
        ],
        language="es",
        feed="efe",
        urgency=4,
        hour=10,
    ),
    "es_sao_paulo": dict(
        headline="Lluvias en São Paulo",
        body=["SÃO PAULO (EFE) - Las lluvias inundaron varios barrios de São Paulo el martes."],
        language="es",
        feed="efe",
        urgency=5,
        hour=11,
    ),
    "no_streik": dict(
        headline="Fergeansatte i streik",
        body=[
            "BERGEN (NTB) - Streiken blant fergeansatte på Vestlandet fortsatte onsdag, og "
            "flere ferger ble innstilt.",
        ],
        language="no",
        feed="wire",
        urgency=4,
        hour=12,
    ),
    "sv_strejk": dict(
        headline="Strejken i Malmö hamn fortsätter",
        body=["MALMÖ (TT) - Hamnarbetarna i Malmö fortsatte strejken på torsdagen, uppger facket."],
        language="sv",
        feed="wire",
        urgency=4,
        hour=13,
    ),
    "fi_lakko": dict(
        headline="Satamat lakossa",
        body=["HELSINKI (STT) - Satamatyöntekijöiden lakko jatkui torstaina Helsingissä."],
        language="fi",
        feed="wire",
        urgency=4,
        hour=14,
    ),
    "it_sciopero": dict(
        headline="Sciopero dei treni in Italia",
        body=["ROMA (ANSA) - Gli scioperi dei ferrovieri hanno fermato i treni regionali."],
        language="it",
        feed="ansa",
        urgency=4,
        hour=15,
    ),
}
