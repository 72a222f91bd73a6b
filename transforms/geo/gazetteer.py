"""The offline gazetteer behind location normalization: countries, ISO 3166-2 first-level
regions and GeoNames cities, loaded once per worker from the package data that
`build_gazetteer.py` generates, with name lookups that ignore case, accents and punctuation.
"""
from __future__ import annotations

import functools
import gzip
import re
import unicodedata
from importlib import resources
from typing import NamedTuple, Optional

_FOLD_PUNCTUATION = re.compile(r"[\s.,'’`\-_/()]+")
_FOLD_PREFIXES = (("st ", "saint "), ("ste ", "sainte "), ("ft ", "fort "), ("mt ", "mount "))
_FOLD_EXTRA = str.maketrans({"ß": "ss", "ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe"})


@functools.lru_cache(maxsize=131072)
def fold(name: str) -> str:
    """Lookup key of a place name: "München" -> "munchen", "St. Louis" -> "saint louis"."""
    if name.isascii():
        stripped = name.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", name.casefold().translate(_FOLD_EXTRA))
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    key = _FOLD_PUNCTUATION.sub(" ", stripped).strip()
    for short, long in _FOLD_PREFIXES:
        if key.startswith(short):
            return long + key[len(short):]
    return key


class City(NamedTuple):
    name: str  # GeoNames name
    country_code: str
    admin1_code: Optional[str]  # ISO 3166-2, None where GeoNames' code has no ISO equivalent
    population: int


class Country(NamedTuple):
    code: str
    name: str
    world_region: Optional[str]


class Admin1(NamedTuple):
    code: str  # ISO 3166-2
    name: str
    country_code: str


# Hand-written entries, only for what GeoNames and pycountry lack: metro and nickname forms
# (resolved to the metro's core city) and common country abbreviations.
METRO_ALIASES = {
    "nyc": ("New York City", "US"), "new york metro": ("New York City", "US"),
    "new york city metropolitan": ("New York City", "US"), "manhattan": ("New York City", "US"),
    "sf": ("San Francisco", "US"), "bay area": ("San Francisco", "US"),
    "sf bay": ("San Francisco", "US"), "san francisco bay": ("San Francisco", "US"),
    "silicon valley": ("San Jose", "US"), "washington dc": ("Washington", "US"),
    "washington d c": ("Washington", "US"), "dc": ("Washington", "US"),
    "district of columbia": ("Washington", "US"),
    "washington dc baltimore": ("Washington", "US"), "dmv": ("Washington", "US"),
    "la": ("Los Angeles", "US"), "twin cities": ("Minneapolis", "US"),
    "dfw": ("Dallas", "US"), "dallas fort worth": ("Dallas", "US"),
    "research triangle": ("Raleigh", "US"), "gta": ("Toronto", "CA"),
    "randstad": (None, "NL"), "ncr": ("New Delhi", "IN"), "delhi ncr": ("New Delhi", "IN"),
    "bangalore urban": ("Bengaluru", "IN"), "bengaluru urban": ("Bengaluru", "IN"),
    "new territories": ("Hong Kong", "HK"), "kowloon": ("Hong Kong", "HK"),
    # An English exonym that loses the population vote to a small namesake (Cologne, Italy).
    "cologne": ("Köln", "DE"),
}
COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "u s": "US", "u s a": "US", "america": "US",
    "united states of america": "US", "uk": "GB", "u k": "GB", "great britain": "GB",
    "britain": "GB", "deutschland": "DE", "nederland": "NL", "holland": "NL",
    "the netherlands": "NL", "hong kong sar": "HK", "uae": "AE", "ksa": "SA",
    "south korea": "KR", "korea": "KR", "russia": "RU", "ivory coast": "CI",
    "czech republic": "CZ",
    "turkey": "TR", "vietnam": "VN", "guyane": "GF",
    # Short Arabic forms job boards print (pycountry has the long official ones).
    "الإمارات": "AE", "الامارات": "AE", "السعودية": "SA", "عمان": "OM", "سلطنة عمان": "OM",
    "تركيا": "TR",
    "macau sar": "MO", "ind": "IN", "brasil": "BR",
}
# Words that name no place even where a tiny GeoNames entry spells them.
NOT_PLACES = frozenset({
    "remote", "hybrid", "home", "anywhere", "virtual", "international", "worldwide", "global",
    "multiple locations", "various locations", "nationwide", "headquarters", "hq", "office",
    "field", "travel", "onsite", "on site", "telecommute", "full time", "part time", "central",
    "north", "south", "east", "west", "coast", "eastern", "western", "northern", "southern",
})
ALTERNATE_NAME_DOMINANCE = 300
ADMIN1_ALIASES = {
    "brussels": "BE-BRU", "brussels capital": "BE-BRU", "walloon": "BE-WAL",
    "wallonia": "BE-WAL", "flanders": "BE-VLG", "flemish": "BE-VLG",
    "greater london": "GB-ENG", "bay area": "US-CA", "silicon valley": "US-CA",
}
CITY_STATES = {"SG": "Singapore", "HK": "Hong Kong", "MO": "Macau", "MC": "Monaco",
               "VA": "Vatican City", "GI": "Gibraltar"}


def _data_text(name: str) -> str:
    resource = resources.files("transforms.geo").joinpath("data", name)
    if name.endswith(".gz"):
        return gzip.decompress(resource.read_bytes()).decode("utf-8")
    return resource.read_text(encoding="utf-8")


def _rows(name: str):
    for line in _data_text(name).splitlines():
        if line:
            yield line.split("\t")


class Gazetteer:
    """Name -> place tables. Built once per worker (see `get_gazetteer`), read-only after."""

    def __init__(self) -> None:
        self.countries: dict[str, Country] = {}
        self.country_by_alias: dict[str, str] = {}
        for code, name, world_region, aliases in _rows("countries.tsv"):
            self.countries[code] = Country(code, name, world_region or None)
            for alias in [name, *aliases.split("|")]:
                self.country_by_alias.setdefault(fold(alias), code)
        for alias, code in COUNTRY_ALIASES.items():
            self.country_by_alias[alias] = code

        self.admin1: dict[str, Admin1] = {}
        self.admin1_by_alias: dict[str, tuple] = {}
        self.admin1_by_suffix: dict[str, tuple] = {}  # "CA" -> (US-CA,), "ON" -> (CA-ON,)
        for country_code, code, name, aliases in _rows("admin1.tsv"):
            self.admin1[code] = Admin1(code, name, country_code)
            keys = {fold(alias) for alias in [name, *aliases.split("|")] if alias}
            keys |= {_loose(key) for key in keys}
            for key in keys - {""}:
                self._add(self.admin1_by_alias, key, code)
            self._add(self.admin1_by_suffix, code.split("-", 1)[1].upper(), code)
        for alias, code in ADMIN1_ALIASES.items():
            self._add(self.admin1_by_alias, alias, code)
        for country_code, code, parent, name in _rows("admin1_children.tsv"):
            if parent in self.admin1:
                for key in {fold(name), _loose(fold(name))} - {""}:
                    self._add(self.admin1_by_alias, key, parent, weak=True)

        # Cities whose own name is the key come before those known by an alternate name
        # ("Breukelen" the Dutch town before Brooklyn), unless the alternate is far bigger.
        by_name: dict[str, list] = {}
        by_alternate: dict[str, list] = {}
        for name, key, country_code, admin1_code, population, alternates in _rows(
                "cities.tsv.gz"):
            city = City(name, country_code, admin1_code or None, int(population))
            if key and key not in NOT_PLACES:
                by_name.setdefault(key, []).append(city)
            for alternate_key in alternates.split("|"):
                if alternate_key:
                    by_alternate.setdefault(alternate_key, []).append(city)
        self.cities_by_name: dict[str, tuple] = {}
        for key in by_name.keys() | by_alternate.keys():
            own = by_name.get(key, [])
            others = [c for c in by_alternate.get(key, []) if c not in own]
            if own and others and others[0].population > ALTERNATE_NAME_DOMINANCE * max(
                    own[0].population, 1):
                own, others = others, own
            self.cities_by_name[key] = tuple(own + others)
        self.capital_by_country = {}
        for alias, (city_name, country_code) in METRO_ALIASES.items():
            if city_name:
                match = [c for c in self.cities_by_name.get(fold(city_name), ())
                         if c.country_code == country_code]
                if match:
                    self.cities_by_name[alias] = (match[0],)
        for country_code, city_name in CITY_STATES.items():
            match = [c for c in self.cities_by_name.get(fold(city_name), ())
                     if c.country_code == country_code]
            if match:
                self.capital_by_country[country_code] = match[0]

    @staticmethod
    def _add(table: dict, key: str, code: str, weak: bool = False) -> None:
        present = table.get(key, ())
        if code in present:
            return
        # A first-level name beats a lower-level one of the same country spelled the same.
        if weak and any(other[:2] == code[:2] for other in present):
            return
        table[key] = present + (code,)

    # -- lookups -------------------------------------------------------------------------------
    def country(self, token: str) -> Optional[str]:
        key = fold(token)
        code = self.country_by_alias.get(key)
        if code is None and len(key) == 2 and token.isupper() and key.upper() in self.countries:
            code = key.upper()
        return code

    def admin1_codes(self, token: str, country_code: Optional[str] = None) -> tuple:
        """ISO codes a region token may mean ("Bavaria", "NSW", "County Cork")."""
        found: tuple = ()
        stripped = token.strip()
        if 1 <= len(stripped) <= 3 and stripped.isalnum() and stripped.upper() == stripped:
            found = self.admin1_by_suffix.get(stripped.upper(), ())
        if not found:
            key = fold(token)
            found = self.admin1_by_alias.get(key, ()) or self.admin1_by_alias.get(_loose(key), ())
        if country_code:
            found = tuple(code for code in found if code.startswith(country_code + "-"))
        return found

    def cities(self, token: str) -> tuple:
        return self.cities_by_name.get(fold(token), ())


_LOOSE_WORDS = re.compile(
    r"\b(county|province|provincia|region|regione|state|voivodeship|voivodship|district|"
    r"prefecture|canton|kanton|lan|oblast|governorate|department|departement|territory|"
    r"autonomous community|community of|comunidad de|land|free state of|the|of)\b"
)


def _loose(key: str) -> str:
    return re.sub(r"\s+", " ", _LOOSE_WORDS.sub(" ", re.sub(r"s lan$", "", key))).strip()


@functools.lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer: built on first use (about a second), shared afterwards."""
    return Gazetteer()


@functools.lru_cache(maxsize=1)
def geonames_admin1_map() -> dict:
    """(country, GeoNames admin1 code) -> ISO 3166-2 code or None, as the build mapped it."""
    return {(country, code): iso or None for country, code, iso in _rows("geonames_admin1.tsv")}
