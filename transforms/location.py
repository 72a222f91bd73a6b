"""Location stage: turns a posting's raw location string (plus structured hints and its text)
into city / ISO 3166-2 region / country / continent, every place of a multi-location posting,
the work arrangement and the remote scope. Runs after parse, before seniority and skills.

Evidence order for ambiguous names: the string's own qualifiers, the record's structured
fields, the posting text, then the population prior (plain "Dublin" is Ireland).
admin1_name is the ISO 3166-2 name pycountry ships, in English where pycountry translates it
(Bavaria, England, Île-de-France, Karnātaka, Stockholms län).
"""
from __future__ import annotations

import functools
import re
from typing import Iterable, NamedTuple, Optional

import apache_beam as beam
import ftfy

from schemas.posting import PLACE_KEYS
from transforms.geo import arrangement as arr
from transforms.geo.gazetteer import CITY_STATES, NOT_PLACES, City, Gazetteer, fold, get_gazetteer
from transforms.memory import prepare_process
from transforms.runs import InRunsFn

LOCATION_KEYS = PLACE_KEYS + ("locations", "work_arrangement", "remote_scope")
EMPTY_PLACE = dict.fromkeys(PLACE_KEYS)
# Arrangements a posting's text may not state: JobSpy's is_remote=False rules out remote.
_ANY, _NOT_REMOTE = frozenset(), frozenset({"remote"})

# Bare region codes ("CA", "ON", "SP") without a country: the markets whose codes job boards
# print, in the order that settles a tie when no city decides it.
CODE_COUNTRY_PRIORITY = ("US", "CA", "AU", "IN", "GB", "BR", "NG", "MX", "NL", "CH", "ZA")

_MOJIBAKE = re.compile("[ÃÂâÐØÅ][\u0080-\u00bf\u2018-\u203a]|â€")
_MULTI_SEPARATORS = re.compile(r"\s*(?:\||;|\s/\s?|/\s|\s+or\s+|\s+&\s+|\s+\+\s*\d+.*$)\s*",
                               re.I)
_TIGHT_SLASH = re.compile(r"(?<=[a-z])/(?=[A-Z])")
_HIERARCHY_SEPARATORS = re.compile(r"\s*[,·،]\s*|\s+-\s+|\s{3,}")
_PARENTHETICAL = re.compile(r"\s*\(([^)]*)\)\s*")
_POSTAL = re.compile(r"^(?:\d{4,6}(?:-\d{4})?|[A-Z]\d[A-Z]\s?\d[A-Z]\d|"
                     r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})$")
_TRAILING_POSTAL = re.compile(r"\s+(\d{4,6}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|"
                              r"[A-Z]\d[A-Z]\s?\d[A-Z]\d)$")
_US_STATE_ZIP = re.compile(r"^([A-Z]{2})\s+\d{5}(?:-\d{4})?$")
_TRAILING_CODE = re.compile(r"^(.+?)\s+([A-Z]{2,3})$")
_LEADING_CODE = re.compile(r"^([A-Z]{2})-(\w[\w .'-]+)$")
_CITY_NOISE = re.compile(
    r"^(?:greater|central|downtown|city of|north|south|east|west|north west|north east|"
    r"south west|south east|metro)\s+|\s+(?:area|metropolitan area|metro area|metro|region|"
    r"metropolitan|metroplex|"
    r"district|urban|city|cbd|centrum|noord|zuid|oost|centre|center|\d+e|\d+(?:st|nd|rd|th)?"
    r" arrondissement)$", re.I)
_COUNTY = re.compile(r"\s+county$", re.I)
_AREA_SUFFIX = re.compile(r"\s+(?:metropolitan area|metro area|area|region)$", re.I)
_JAPANESE_CITY = re.compile(r"^(\S+?[市区町村])(?:\s|$)")


class Resolution(NamedTuple):
    """What the location string and structured hints say, before the posting text is read."""
    places: tuple  # tuple of place dicts, primary first
    arrangement: Optional[str]  # from hints or the string's own words
    scope: Optional[str]  # explicit scope in the string or hints
    alternatives: tuple  # other cities the primary's name could mean (population-prior choice)


# -- places -----------------------------------------------------------------------------------
def _place(gazetteer: Gazetteer, city: Optional[City] = None, admin1_code: Optional[str] = None,
           country_code: Optional[str] = None) -> dict:
    if city is not None:
        admin1_code, country_code = city.admin1_code, city.country_code
    if country_code in CITY_STATES:
        # "Jurong East, SG" and "Singapore" are one labour market: the city-state.
        city = gazetteer.capital_by_country.get(country_code, city)
        admin1_code = city.admin1_code if city else admin1_code
    admin1 = gazetteer.admin1.get(admin1_code) if admin1_code else None
    country = gazetteer.countries.get(country_code) if country_code else None
    return {
        "city": city.name if city else None,
        "admin1_code": admin1.code if admin1 else None,
        "admin1_name": admin1.name if admin1 else None,
        "country_code": country.code if country else None,
        "country_name": country.name if country else None,
        "world_region": country.world_region if country else None,
    }


def _clean(location: str) -> str:
    if _MOJIBAKE.search(location):
        location = ftfy.fix_text(location)
    return re.sub(r"[\s\u00a0_]+", " ", location).strip(" ,;|-")


def _city_variants(token: str) -> list[str]:
    """The token, then the token without metro/neighbourhood words ("Greater London" -> London)."""
    variants = [token]
    stripped = token
    for _ in range(3):
        stripped = _CITY_NOISE.sub("", stripped).strip()
        if stripped and stripped not in variants:
            variants.append(stripped)
    japanese = _JAPANESE_CITY.match(token)
    if japanese:
        variants += [japanese.group(1), japanese.group(1)[:-1]]
    return variants


def _tokens(segment: str) -> tuple[list[str], list[str]]:
    """Hierarchy tokens of one location ("City, ST 94107" -> ["City", "ST"]) and the
    parenthetical remarks kept as fallback evidence ("Burg (bei Magdeburg)")."""
    remarks = []
    if "(" in segment:  # the cheap tests first: this runs for every distinct string
        remarks = [remark for remark in _PARENTHETICAL.findall(segment) if remark.strip()]
        segment = _PARENTHETICAL.sub(" ", segment)
    segment = segment.strip()
    if len(segment) > 3 and segment[2] == "-":
        leading = _LEADING_CODE.match(segment)
        if leading:  # "VA-Vienna" (schema.org fullText in the US)
            segment = f"{leading.group(2)}, {leading.group(1)}"
    gazetteer = get_gazetteer()
    tokens = []
    for token in _HIERARCHY_SEPARATORS.split(segment):
        token = token.strip()
        if token and any(map(str.isdigit, token)):
            zip_code = _US_STATE_ZIP.match(token)
            if zip_code and gazetteer.admin1_codes(zip_code.group(1), "US"):
                # "CA 95039": a state and a ZIP code are the US ("Moss Landing, CA 95039"
                # is California even where the gazetteer lacks the town; not Canada).
                tokens += [zip_code.group(1), "US"]
                continue
            token = _TRAILING_POSTAL.sub("", token).strip()
            if _POSTAL.match(token):
                continue
        if not token:
            continue
        trailing = _TRAILING_CODE.match(token) if token[-1].isupper() else None
        if trailing and trailing.group(2) in gazetteer.admin1_by_suffix and not (
                gazetteer.country(token) or gazetteer.cities(token)):
            # "Sydney NSW", "Clare SA" (but not "Gunter AFB")
            tokens += [trailing.group(1), trailing.group(2)]
        else:
            tokens.append(token)
    deduped = []
    for token in tokens:
        if not deduped or fold(token) != fold(deduped[-1]):
            deduped.append(token)  # USAJOBS: "Natick, Massachusetts, Massachusetts"
    return deduped, remarks


def _city_candidates(gazetteer: Gazetteer, token: str) -> tuple:
    key = fold(token)
    if key in NOT_PLACES:
        return ()
    found = gazetteer.cities_by_name.get(key)
    if found:
        return found
    for variant in _city_variants(token)[1:]:
        if fold(variant) in NOT_PLACES:
            return ()
        found = gazetteer.cities(variant)
        if found:
            return found
    return ()


def _qualified_candidates(gazetteer: Gazetteer, token: str) -> tuple:
    """The cities a token may name, to tell what the qualifier after it is: a US county is
    read as its namesake city ("Orange County, CA" is California, as Orange is), though
    the county is not resolved to that city."""
    found = _city_candidates(gazetteer, token)
    if not found and _COUNTY.search(token):
        found = _city_candidates(gazetteer, _COUNTY.sub("", token))
    return found


def _is_code(token: str) -> bool:
    return 2 <= len(token) <= 3 and token.isalpha() and token.isupper()


def _pick_code(codes: Iterable[str]) -> Optional[str]:
    codes = list(codes)
    for country_code in CODE_COUNTRY_PRIORITY:
        for code in codes:
            if code.startswith(country_code + "-"):
                return code
    return codes[0] if len(codes) == 1 else None


def _best_city(candidates: tuple, countries: set, admins: set) -> tuple[City, tuple]:
    """The most populous candidate that fits the qualifiers (region, then country), and the
    runners-up a population-prior choice leaves open (none when a qualifier decided).
    Candidates come most-populous first, so the first fit is the best one."""
    if not countries and not admins:
        return candidates[0], candidates[1:4]
    if admins:
        for city in candidates:
            if city.admin1_code in admins and (not countries or city.country_code in countries):
                return city, ()
    if countries:
        for city in candidates:
            if city.country_code in countries:
                return city, ()
    return candidates[0], ()


def _reads_as_us_state(token: str, codes: tuple, country: str, earlier_tokens: list,
                       earlier_cities: list) -> bool:
    """A name that is both a country and a US state, after places no city of that country
    names, is the state when written out ("Robins AFB, Georgia": the country's towns are in
    the gazetteer, English boards' bases and unincorporated places are what it lacks) or
    after a county ("Montgomery County, MD" is Maryland, not Moldova)."""
    return (country != "US" and any(code.startswith("US-") for code in codes)
            and not any(city.country_code == country for city in earlier_cities)
            and (not _is_code(token) or any(_COUNTY.search(earlier)
                                             for earlier in earlier_tokens)))


def _region_codes(gazetteer: Gazetteer, token: str, country_code: Optional[str]) -> tuple:
    """The regions a qualifier token names, LinkedIn's metro suffix aside: "Orange County,
    California Area" is California (the town of California, Maryland, is not meant)."""
    codes = gazetteer.admin1_codes(token, country_code)
    if not codes and _AREA_SUFFIX.search(token):
        codes = gazetteer.admin1_codes(_AREA_SUFFIX.sub("", token), country_code)
    return codes


def _resolve_segment(gazetteer: Gazetteer, segment: str, hint_countries: set,
                     hint_admins: set) -> tuple[list, tuple]:
    """Places named by one location segment, and the alternative readings of its primary."""
    tokens, remarks = _tokens(segment)
    if not tokens:
        return [], ()
    countries: set = set()
    admins: set = set()
    free: list[str] = []
    # Qualifiers are read right to left: the last tokens narrow the first ones.
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        is_first = index == 0
        scoped = next(iter(countries)) if len(countries) == 1 else None
        if scoped and not is_first and not free and not admins:
            # Right before a country, a code of one of its regions is that region: "Alviso,
            # CA, US" is California, not a second country, Canada.
            codes = _region_codes(gazetteer, token, scoped)
            if codes:
                admins.update(codes)
                continue
        country = gazetteer.country(token)
        if country and not is_first and not admins and not free:
            # "San Diego, CA" / "Vienna, VA": a code that is also a region code of a city
            # a token before it names is that region (any token: a street address may lead,
            # "12 Commerce Drive, Port Wentworth, GA 31407" is Georgia, not Gabon). After a
            # place and a region of the country it names, it is that country: "Markham, ON,
            # CA" and "Paris, Ontario, CA" are in Canada, whatever Ontario, California holds
            # (but "Ontario, CA" alone is the Californian city, as US boards write it).
            codes = gazetteer.admin1_codes(token) if not countries and not admins else ()
            after_region = index >= 2 and gazetteer.admin1_codes(tokens[index - 1], country)
            earlier_cities = [city for earlier in tokens[:index] if codes
                              for city in _qualified_candidates(gazetteer, earlier)]
            if codes and not after_region and any(
                    city.admin1_code in codes for city in earlier_cities):
                # "Atlanta, Georgia" is the state; "Tbilisi, Georgia" the country.
                admins.update(codes)
            elif codes and not after_region and _reads_as_us_state(
                    token, codes, country, tokens[:index], earlier_cities):
                admins.update(code for code in codes if code.startswith("US-"))
            else:
                countries.add(country)
            continue
        if not scoped and not is_first and not free and not admins:
            # No single country named yet (a scoped region was looked for above).
            codes = _region_codes(gazetteer, token, None)
            if codes:
                admins.update(codes)
                continue
        free.insert(0, token)
    if not countries and hint_countries:
        countries = set(hint_countries)
    if countries:
        admins = {code for code in admins if code[:2] in countries} or admins
    if not admins and hint_admins:
        admins = {code for code in hint_admins if not countries or code[:2] in countries}

    if len(tokens) == 1:
        country = gazetteer.country(tokens[0])
        if country:  # "USA", "Deutschland"; a city-state is its city ("Singapore")
            return [_place(gazetteer, gazetteer.capital_by_country.get(country),
                           country_code=country)], ()
    elif free == tokens and not countries and not admins:
        leading = gazetteer.country(tokens[0])
        later = [city for token in tokens[1:] if leading
                 for city in _city_candidates(gazetteer, token)]
        if leading and not later:
            # Words that name no place after a country ("USA - Flexible", "United States -
            # Remote Flexibility"): the country, not a city named like it (Usa, Japan).
            return [_place(gazetteer, gazetteer.capital_by_country.get(leading),
                           country_code=leading)], ()
        if any(city.country_code == leading for city in later):
            # "UK, London": a leading country qualifies the places after it (not Uk, a town
            # in Russia).
            countries = {leading}
            free = free[1:]

    # Which free tokens name cities, under the qualifiers.
    resolved: list[tuple[City, tuple]] = []
    for token in free:
        candidates = _city_candidates(gazetteer, token)
        if not candidates:
            continue
        best, alternatives = _best_city(candidates, countries, admins)
        if countries and best.country_code not in countries:
            continue
        if admins and best.admin1_code not in admins and (
                best.admin1_code or best.country_code not in {code[:2] for code in admins}):
            continue  # "Maxwell AFB, Alabama" is no Maxwell outside Alabama
        resolved.append((best, alternatives))

    if len(free) == 1 and not admins and len(countries) <= 1:
        # A lone token that is both a region and a city is the region unless the city is a
        # metropolis or the sizeable town the region is named after ("Victoria" and "Mayenne"
        # the regions; "New York", "Vicenza" the cities).
        scoped = next(iter(countries)) if countries else None
        codes = () if _is_code(free[0]) else gazetteer.admin1_codes(free[0], scoped)
        city = resolved[0][0] if resolved else None
        city_wins = city is not None and (
            city.population >= 1_000_000 or
            # "Münster" the city, not Munster the Irish province
            (city.population >= 300_000 and city.country_code not in {c[:2] for c in codes}) or
            (city.population >= 50_000 and (city.admin1_code in codes or (
                city.admin1_code is None and city.country_code in {c[:2] for c in codes}))))
        if codes and not city_wins:
            code = _pick_code(codes)
            if code:
                return [_place(gazetteer, admin1_code=code, country_code=code[:2])], ()

    if not resolved:
        # A neighbourhood or base the gazetteer lacks, under a qualifier that is also a city
        # ("Westlands, Nairobi", "Sathon, Bangkok, Thailand"), else the qualifiers alone.
        for token in tokens[1:] + remarks:
            candidates = [c for c in _city_candidates(gazetteer, token)
                          if (not countries or c.country_code in countries)
                          and (not admins or c.admin1_code in admins)]
            if candidates and candidates[0].population >= 50_000:
                return [_place(gazetteer, candidates[0])], ()
        scoped = next(iter(countries)) if len(countries) == 1 else None
        for token in free:  # "LA, NG": a region code where the city would be
            codes = gazetteer.admin1_codes(token, scoped)
            if codes and (scoped or not _is_code(token)):
                admins.update(codes)
                break
        admin = _pick_code(admins) if admins else None
        country = admin[:2] if admin else (next(iter(countries)) if len(countries) == 1 else None)
        if admin or country:
            return [_place(gazetteer, admin1_code=admin, country_code=country)], ()
        return [], ()

    primary, alternatives = resolved[0]
    places = [primary]
    for city, _ in resolved[1:]:
        if city.country_code == primary.country_code and city.admin1_code == primary.admin1_code:
            if city.population >= 3 * max(primary.population, 1) and len(places) == 1:
                places[0] = city  # "Roehampton, London": the neighbourhood's city
            continue
        places.append(city)  # "Pune, Bengaluru, India": a list of cities
    # A qualifier-chosen primary has no alternatives worth reading the text for.
    if countries or admins:
        alternatives = ()
    return [_place(gazetteer, city) for city in _dedupe(places)], alternatives


def _dedupe(cities: list) -> list:
    seen, kept = set(), []
    for city in cities:
        if city not in seen:
            seen.add(city)
            kept.append(city)
    return kept


def _segments(location: str) -> list[str]:
    location = _TIGHT_SLASH.sub(" / ", location)
    return [segment for segment in _MULTI_SEPARATORS.split(location) if segment.strip()]


def _hint_text(value) -> str:
    return str(value).strip() if value not in (None, "", [], {}) else ""


@functools.lru_cache(maxsize=65536)
def _resolve(location_raw: str, hint_items: tuple) -> Resolution:
    gazetteer = get_gazetteer()
    hints = dict(hint_items)
    location = _clean(location_raw)
    location, string_arrangement = arr.strip_location_markers(location)
    arrangement = arr.arrangement_from_hints(hints) or string_arrangement
    if arrangement is None and hints.get("is_remote") is False:
        arrangement = None  # JobSpy's False rules out remote only; the text decides the rest

    hint_countries = {code for code in [gazetteer.country(_hint_text(hints.get("country")))]
                      if code} if _hint_text(hints.get("country")) else set()
    hint_region = _hint_text(hints.get("region"))
    hint_admins = set(gazetteer.admin1_codes(hint_region)) if hint_region else set()

    scope = None
    raw_scope = _hint_text(hints.get("remote_scope"))
    if raw_scope:
        scope = arr.region_scope(raw_scope) or gazetteer.country(raw_scope)

    places: list = []
    alternatives: tuple = ()
    if location and arr.is_region_only(location):
        scope = scope or arr.region_scope(re.sub(r"\s+(?:only|based)$", "", location, flags=re.I))
        location = ""
    for segment in _segments(location):
        found, segment_alternatives = _resolve_segment(gazetteer, segment, hint_countries,
                                                       hint_admins)
        if not places:
            alternatives = segment_alternatives
        places.extend(place for place in found if place not in places)
    for extra in hints.get("locations") or ():
        for segment in _segments(_clean(str(extra))):
            found, _ = _resolve_segment(gazetteer, segment, hint_countries, hint_admins)
            places.extend(place for place in found if place not in places)
    if not places:
        city = _hint_text(hints.get("city"))
        parts = [part for part in (city, hint_region, _hint_text(hints.get("country"))) if part]
        if parts:
            places, alternatives = _resolve_segment(gazetteer, ", ".join(parts), set(), set())
    return Resolution(tuple(places), arrangement, scope, alternatives)


def _hint_key(hints: Optional[dict]) -> tuple:
    if not hints:
        return ()
    items = []
    for key in sorted(hints):
        value = hints[key]
        if isinstance(value, list):
            value = tuple(str(v) for v in value)
        elif isinstance(value, dict):
            continue
        items.append((key, value))
    return tuple(items)


def _text_prefers(text: str, primary: dict, alternatives: tuple) -> Optional[City]:
    """An alternative reading the posting text supports and the primary's does not
    ("Dublin" + "Dublin, Ohio" in the text)."""
    gazetteer = get_gazetteer()
    lowered = text.lower()

    def evidence(admin1_code: Optional[str], country_code: Optional[str]) -> bool:
        admin1 = gazetteer.admin1.get(admin1_code) if admin1_code else None
        country = gazetteer.countries.get(country_code) if country_code else None
        names = [admin1.name if admin1 else None, country.name if country else None]
        if admin1 and admin1.country_code in ("US", "CA", "AU"):
            names.append(", " + admin1.code.split("-")[1].lower())
        return any(name and name.lower() in lowered for name in names)

    if evidence(primary["admin1_code"], primary["country_code"]):
        return None
    for city in alternatives:
        if evidence(city.admin1_code, city.country_code):
            return city
    return None


def _scope_from_text(text: str) -> Optional[str]:
    gazetteer = get_gazetteer()
    for phrase in arr.scope_phrases_from_text(text):
        scope = arr.region_scope(phrase) or gazetteer.country(phrase)
        if scope:
            return scope
    return None


def normalize_location(location_raw: Optional[str], hints: Optional[dict] = None,
                       text: Optional[str] = None) -> dict:
    """Returns a dict with keys: city, admin1_code, admin1_name, country_code, country_name,
    world_region, locations (list of Place dicts with those same six keys, primary first;
    [] when nothing is known), work_arrangement ('onsite'|'hybrid'|'remote'|'unknown'),
    remote_scope (ISO country code like 'US', or a region name like 'Europe', 'EMEA',
    'Americas', 'APAC', 'Worldwide', or None)."""
    resolution = _resolve(location_raw or "", _hint_key(hints))
    places = [dict(place) for place in resolution.places]
    arrangement = resolution.arrangement
    scope = resolution.scope
    if text:
        if places and resolution.alternatives:
            preferred = _text_prefers(text, places[0], resolution.alternatives)
            if preferred is not None:
                places[0] = _place(get_gazetteer(), preferred)
        if arrangement is None:
            excluded = _NOT_REMOTE if (hints or {}).get("is_remote") is False else _ANY
            arrangement = arr.arrangement_from_text(text, excluded)
        if arrangement == "remote" and scope is None:
            scope = _scope_from_text(text)
    if arrangement is None and (hints or {}).get("is_remote") is False:
        arrangement = "onsite"
    arrangement = arrangement or "unknown"

    if arrangement == "remote":
        if places and places[0]["city"] is None and places[0]["admin1_code"] is None \
                and len(places) == 1:
            # "Remote - US": the country is where the worker may be, not a workplace.
            scope = scope or places[0]["country_code"]
            places = []
        elif scope is None and places and places[0]["country_code"]:
            scope = places[0]["country_code"]
    primary = places[0] if places else dict(EMPTY_PLACE)
    if not places and arrangement == "remote" and scope and len(scope) == 2:
        primary = _place(get_gazetteer(), country_code=scope)
    result = {key: primary[key] for key in PLACE_KEYS}
    result["locations"] = places
    result["work_arrangement"] = arrangement
    result["remote_scope"] = scope
    return result


def is_unresolved(posting: dict) -> bool:
    """A posting whose location says nothing usable (counted as locations_unresolved)."""
    return posting.get("country_code") is None and posting.get("remote_scope") is None


# -- Beam -------------------------------------------------------------------------------------
class _NormalizeLocationFn(beam.DoFn):
    """Adds the location keys to each posting row; the gazetteer loads once per worker."""

    def __init__(self) -> None:
        self.unresolved = beam.metrics.Metrics.counter("location", "locations_unresolved")

    def setup(self) -> None:
        prepare_process()  # this worker's, once (transforms/memory.py)
        get_gazetteer()

    def process(self, posting: dict):
        location = normalize_location(posting.get("location_raw"),
                                      posting.get("location_hints") or {},
                                      posting.get("description") or "")
        if is_unresolved(location):
            self.unresolved.inc()
        yield {**posting, **location}


class NormalizeLocations(beam.PTransform):
    """PCollection of posting rows -> the same rows, as new dicts, with LOCATION_KEYS added."""

    def expand(self, postings):
        return postings | "NormalizeLocation" >> beam.ParDo(InRunsFn(_NormalizeLocationFn()))
