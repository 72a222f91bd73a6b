"""The offline gazetteer behind location normalization: countries, ISO 3166-2 first-level
regions and GeoNames cities, opened once per worker from the SQLite index (package data) that
`build_gazetteer.py` compiles, with name lookups that ignore case, accents and punctuation.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import sqlite3
import threading
import unicodedata
from importlib import resources
from pathlib import Path
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
# (resolved to the metro's core city) and common country abbreviations. The build compiles
# these tables into the index: after editing them, run build_gazetteer --index-only.
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


INDEX_FILE = "gazetteer.sqlite"
# Bumped with any change to the index's tables or to how the build fills them.
INDEX_FORMAT = 1
# Distinct folded names a worker keeps answered in memory: a corpus's location strings name a
# few thousand places, each looked up again for every posting that repeats it.
CITY_CACHE_SIZE = 65536


def hand_written_fingerprint() -> str:
    """Digest of the hand-written tables above as the index build applies them: the index
    records the one it was built with, so a stale index fails at load instead of answering
    with yesterday's aliases."""
    tables = (INDEX_FORMAT, METRO_ALIASES, COUNTRY_ALIASES, sorted(NOT_PLACES),
              ALTERNATE_NAME_DOMINANCE, ADMIN1_ALIASES, CITY_STATES)
    return hashlib.sha256(repr(tables).encode("utf-8")).hexdigest()


def _rows(name: str):
    text = resources.files("transforms.geo").joinpath("data", name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line:
            yield line.split("\t")


def index_path() -> Path:
    # pip installs packages as directories, so the index is a file SQLite can open in place.
    return Path(str(resources.files("transforms.geo").joinpath("data", INDEX_FILE)))


def _open_index(path: Path) -> sqlite3.Connection:
    # immutable: the file never changes under a worker, so SQLite takes no locks and reads
    # no journal; check_same_thread off because Beam runs bundles on several threads.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                           check_same_thread=False)


_new_tuple = tuple.__new__


def cities_from_text(text: str) -> tuple:
    """Cities as the index stores them: one per line, name, country, ISO 3166-2 region
    (empty where GeoNames' code has none) and population separated by tabs."""
    cities = []
    for line in text.split("\n"):
        name, country_code, admin1_code, population = line.split("\t")
        # tuple.__new__ skips NamedTuple's Python-level __new__: a fifth of the decoding time
        cities.append(_new_tuple(City, (name, country_code, admin1_code or None,
                                        int(population))))
    return tuple(cities)


class CityIndex:
    """Folded name -> the cities it may mean, in the build's order (own name before alternate
    unless the alternate dominates, most populous first): the index's city_name table behind
    the read-only dict interface location lookups use, with recent answers kept in memory."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._cursor: Optional[sqlite3.Cursor] = None
        self._cursor_pid: Optional[int] = None
        self._lock = threading.Lock()
        self._cities = functools.lru_cache(maxsize=CITY_CACHE_SIZE)(self._query)

    def _query(self, key: str) -> tuple:
        with self._lock:
            if self._cursor_pid != os.getpid():
                # An SQLite connection must not cross a fork: a forked worker opens its own.
                self._cursor = _open_index(self._path).cursor()
                self._cursor_pid = os.getpid()
            try:
                self._cursor.execute("SELECT cities FROM city_name WHERE key = ?", (key,))
            except UnicodeEncodeError:  # a lone surrogate from a broken feed names no place
                return ()
            row = self._cursor.fetchone()
        return cities_from_text(row[0]) if row else ()

    def get(self, key: str, default=None):
        # The build stores no name without cities, so () means the name is not in the index.
        return self._cities(key) or default

    def __getitem__(self, key: str) -> tuple:
        cities = self._cities(key)
        if not cities:
            raise KeyError(key)
        return cities

    def __contains__(self, key: str) -> bool:
        return bool(self._cities(key))

    def cache_clear(self) -> None:
        self._cities.cache_clear()


class Gazetteer:
    """Name -> place tables. Opened once per worker (see `get_gazetteer`), read-only after:
    countries and regions are read into memory (a few thousand rows), cities are looked up
    in the index on demand (170k cities under 300k names would cost a worker 150 MB)."""

    def __init__(self, path: Optional[Path] = None) -> None:
        path = path or index_path()
        with contextlib.closing(_open_index(path)) as index:
            meta = dict(index.execute("SELECT name, value FROM meta"))
            if meta.get("hand_written_tables") != hand_written_fingerprint():
                raise RuntimeError(
                    f"{path} was built from other hand-written tables than gazetteer.py's; "
                    "rebuild it: python -m transforms.geo.build_gazetteer --index-only")
            self.countries: dict[str, Country] = {
                code: Country(code, name, world_region) for code, name, world_region in
                index.execute("SELECT code, name, world_region FROM country")}
            self.country_by_alias: dict[str, str] = dict(
                index.execute("SELECT key, country_code FROM country_alias"))
            self.admin1: dict[str, Admin1] = {
                code: Admin1(code, name, country_code) for code, name, country_code in
                index.execute("SELECT code, name, country_code FROM admin1")}
            self.admin1_by_alias: dict[str, tuple] = {
                key: tuple(codes.split("|")) for key, codes in
                index.execute("SELECT key, admin1_codes FROM admin1_alias")}
            # "CA" -> (US-CA,), "ON" -> (CA-ON,)
            self.admin1_by_suffix: dict[str, tuple] = {
                suffix: tuple(codes.split("|")) for suffix, codes in
                index.execute("SELECT suffix, admin1_codes FROM admin1_suffix")}
            self.capital_by_country: dict[str, City] = {
                country_code: cities_from_text(city)[0] for country_code, city in
                index.execute("SELECT country_code, city FROM capital")}
        self.cities_by_name = CityIndex(path)

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
    """The process-wide gazetteer: opened on first use (about 0.15 s of CPU), shared
    afterwards."""
    return Gazetteer()


@functools.lru_cache(maxsize=1)
def geonames_admin1_map() -> dict:
    """(country, GeoNames admin1 code) -> ISO 3166-2 code or None, as the build mapped it."""
    return {(country, code): iso or None for country, code, iso in _rows("geonames_admin1.tsv")}
