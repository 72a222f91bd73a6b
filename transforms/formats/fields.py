"""Generic record fields: any source's keys (case-insensitive, with aliases) -> RawRecord fields.

JSON and CSV parsers hand each record (a dict) to `generic_fields`; it flattens nested keys,
maps the aliases of the contract's generic keys, then unpacks the known shapes (USAJOBS,
Platsbanken/JobTech, schema.org JobPosting, Place de l'emploi public, Remote OK) on top.
"""
from __future__ import annotations

import json
import re
from typing import Callable, Collection, Optional, Sequence

from schemas.posting import RAW_FIELD_KEYS

# Deeper keys are never a posting's fields; the cap also bounds work on hostile nesting.
MAX_FLATTEN_DEPTH = 6

_KEY_CACHE: dict[str, str] = {}


def normalize_key(key: str) -> str:
    """"Job URL", "job_url", "jobUrl" -> "joburl"; dotted column names keep their dots
    ("MatchedObjectDescriptor.PositionTitle" -> "matchedobjectdescriptor.positiontitle")."""
    normalized = _KEY_CACHE.get(key)
    if normalized is None:
        normalized = ".".join("".join(char for char in part.lower() if char.isalnum())
                              for part in key.split("."))
        if len(_KEY_CACHE) < 10_000:  # keys repeat across records; hostile ones must not grow it
            _KEY_CACHE[key] = normalized
    return normalized


def flatten(record: dict, max_depth: int = MAX_FLATTEN_DEPTH) -> dict:
    """Normalized dotted paths -> values, for every dict level (the dicts themselves included).

    Dotted column names of flattened exports ("MatchedObjectDescriptor.PositionTitle") and
    nested objects give the same paths.
    """
    flat: dict = {}
    _flatten_into(flat, record, "", max_depth)
    return flat


def _flatten_into(flat: dict, record: dict, prefix: str, depth: int) -> None:
    for key, value in record.items():
        if not isinstance(key, str):
            continue
        path = prefix + normalize_key(key)
        if path not in flat:
            flat[path] = value
        elif not _present(flat[path]):
            flat[path] = value  # "Job Title" and "job_title" both present: the filled one wins
        if isinstance(value, dict) and depth > 1:
            _flatten_into(flat, value, path + ".", depth - 1)


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value) and not value.isspace()  # as bool(value.strip()), without a copy
    if isinstance(value, (list, dict, tuple)):
        return bool(value)
    return True


def _aliases(*paths: str) -> tuple[str, ...]:
    return tuple(paths)


# Generic key -> source paths (normalized), best first. The contract promises these.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": _aliases(
        "id", "jobid", "postingid", "jobpostingid", "jobkey", "requisitionid", "reqid", "uuid",
        "guid", "identifier", "identifier.value", "referencenumber", "reference", "ref",
        "matchedobjectid", "controlnumber", "parrefoffre"),
    "title": _aliases(
        "title", "jobtitle", "position", "positiontitle", "positionname", "jobname", "headline",
        "rubrik", "libellemetierogr", "intitule", "intituleposte", "jobposition", "role"),
    "company": _aliases(
        "company", "companyname", "employer", "employername", "organization",
        "organizationname", "hiringorganization", "hiringorganization.name",
        "hiringorganization.organizationname", "company.name", "companydisplayname",
        "advertiser", "advertisername", "employer.name", "arbetsgivare.namn", "entreprise",
        "brand"),
    "location": _aliases(
        "location", "formattedlocation", "joblocation", "locationname", "location.name",
        "locationtext", "place", "positionlocationdisplay", "candidaterequiredlocation",
        "deplibelle", "lieu", "ort", "workplaceaddress.municipality"),
    "description": _aliases(
        "description", "jobdescription", "descriptiontext", "descriptionplain", "text",
        "description.text", "body", "content", "summary", "jobsummary", "details",
        "beskrivning.annonstext", "annonstext", "snippet"),
    "description_html": _aliases(
        "descriptionhtml", "html", "contenthtml", "jobdescriptionhtml", "bodyhtml",
        "description.texthtml"),
    "date_posted": _aliases(
        "dateposted", "date", "postdate", "posteddate", "postedat", "postedon", "datecreated",
        "createdat", "created", "creationdate", "publishedat", "published", "publisheddate",
        "publicationdate", "publicationstartdate", "pubdate", "listedat", "listeddate",
        "timeposted", "posted", "postedtime", "publiceringsdatum", "opendate",
        "offdatecreation", "firstseen", "epoch"),
    "valid_through": _aliases(
        "validthrough", "closedate", "closingdate", "closedat", "expires", "expiresat",
        "expirationdate", "expirydate", "dateexpires", "deadline", "applicationdeadline",
        "applicationclosedate", "applyby", "sistaansokningsdatum", "enddate"),
    "status": _aliases("status", "jobstatus", "postingstatus", "applicationstatus"),
    "url": _aliases(
        "url", "joburl", "jobpostingurl", "postingurl", "hostedurl", "absoluteurl", "link",
        "href", "permalink", "applyurl", "applicationurl", "joburldirect", "weburl",
        "webpageurl", "parurloffre", "positionuri", "ansokningsdetaljer.webbadress"),
    "employment_type": _aliases(
        "employmenttype", "jobtype", "jobtypes", "contracttype", "contract", "typeofemployment",
        "employmentstatus", "formattedemploymentstatus", "worktype", "schedule",
        "positionschedule", "jobschedule", "commitment", "tcocle", "typecontrat",
        "employmenttype.label", "anstallningstyp"),
    "salary_min": _aliases(
        "salarymin", "minsalary", "salaryminimum", "minimumsalary", "minamount", "salaryfrom",
        "payfrom", "paymin", "minpay", "compensationmin", "salarylow", "lowsalary",
        "salary.min", "salary.minvalue", "salary.from", "salaryrange.min",
        "basesalary.value.minvalue", "basesalary.minvalue", "basesalary.minsalary",
        "compensation.min"),
    "salary_max": _aliases(
        "salarymax", "maxsalary", "salarymaximum", "maximumsalary", "maxamount", "salaryto",
        "payto", "paymax", "maxpay", "compensationmax", "salaryhigh", "highsalary",
        "salary.max", "salary.maxvalue", "salary.to", "salaryrange.max",
        "basesalary.value.maxvalue", "basesalary.maxvalue", "basesalary.maxsalary",
        "compensation.max"),
    "salary_currency": _aliases(
        "salarycurrency", "currency", "currencycode", "paycurrency", "salary.currency",
        "salaryrange.currency", "basesalary.currency", "compensation.currency"),
    "salary_period": _aliases(
        "salaryperiod", "interval", "salaryinterval", "payperiod", "payinterval", "salaryunit",
        "salary.period", "salary.unit", "salary.unittext", "salaryrange.interval",
        "basesalary.value.unittext", "basesalary.unittext", "compensation.interval"),
    "salary_text": _aliases(
        "salary", "salarytext", "compensation", "pay", "payrange", "salaryrange",
        "salarydescription", "wage", "estimatedsalary"),
    "is_remote": _aliases(
        "isremote", "remote", "remoteallowed", "workremoteallowed", "remotework", "fullyremote",
        "telecommute"),
    "workplace_type": _aliases(
        "workplacetype", "workarrangement", "worklocationtype", "locationtype", "remotetype",
        "joblocationtype", "workmodel", "onsiteremote"),
    "remote_scope": _aliases("remotescope", "applicantlocationrequirements", "remoteregion"),
    "seniority": _aliases(
        "seniority", "senioritylevel", "experiencelevel", "joblevel", "level", "careerlevel",
        "formattedexperiencelevel", "positionlevel", "explibelle"),
    "experience_months": _aliases(
        "experiencemonths", "monthsofexperience", "experiencerequirements.monthsofexperience"),
    "location_city": _aliases(
        "city", "locality", "addresslocality", "location.city", "location.locality",
        "location.addresslocality"),
    "location_region": _aliases(
        "state", "region", "province", "addressregion", "statecode", "location.state",
        "location.region", "location.addressregion"),
    "location_country": _aliases(
        "country", "countrycode", "addresscountry", "location.country", "location.countrycode",
        "location.addresscountry"),
    "location_postal_code": _aliases(
        "postalcode", "zip", "zipcode", "postcode", "location.postalcode", "location.zip"),
    "locations": _aliases("locations", "alllocations", "joblocations"),
    "tags": _aliases("tags", "skills", "keywords"),
}
assert set(ALIASES) <= set(RAW_FIELD_KEYS) | {"salary_text"}
# Source path -> (generic key, rank): one dict lookup per source key instead of a scan of
# every alias.
_ALIAS_OF_PATH: dict[str, tuple[str, int]] = {}
for _generic, _paths in ALIASES.items():
    for _rank, _path in enumerate(_paths):
        _ALIAS_OF_PATH.setdefault(_path, (_generic, _rank))
_ALIAS_COUNT = {generic: len(paths) for generic, paths in ALIASES.items()}


def text_of(value: object) -> Optional[str]:
    """The text a raw value stands for: strings as they are, numbers as written, and the
    name/label of an object ({"name": "London"}, {"term": "Heltid"}); None otherwise."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, dict):
        for key in ("name", "label", "term", "text", "value", "fullText", "title",
                    "LocationName", "Name", "namn", "organizationName"):
            found = value.get(key)
            if isinstance(found, (str, int, float)) and not isinstance(found, bool):
                return text_of(found)
    return None


def texts_of(value: object) -> list[str]:
    """Every text in a raw value that may be a list of strings or objects."""
    if isinstance(value, (list, tuple)):
        texts = []
        for part in value:
            text = text_of(part)
            if text:
                texts.append(text)
        return texts
    text = text_of(value)
    return [text] if text else []


def generic_fields(record: dict) -> Optional[dict]:
    """RawRecord fields for one source record, or None when the record is not a posting
    (the Remote OK legal notice: an API banner, not a job)."""
    return _fields_of_flat(flatten(record))


def fields_for_header(header: Sequence[str]) -> Callable[[Sequence[str]], Optional[dict]]:
    """`generic_fields` for the rows of one CSV file, with the header's key normalization and
    alias lookup done once per file instead of once per row.

    fields_of_row(row) == generic_fields({name: value for name, value in zip(header, row)
    if name}) for a row as long as the header.
    """
    # A record dict keeps a repeated column name at its first place with its last value.
    index_of_name: dict[str, int] = {}
    for index, name in enumerate(header):
        if name:
            index_of_name[name] = index
    indexes_of_path: dict[str, list[int]] = {}
    for name, index in index_of_name.items():
        indexes_of_path.setdefault(normalize_key(name), []).append(index)
    single = [(path, indexes[0]) for path, indexes in indexes_of_path.items() if len(indexes) == 1]
    aliased = [(path, *_ALIAS_OF_PATH[path]) for path in indexes_of_path if path in _ALIAS_OF_PATH]
    # Which known shape a record is depends on its keys only: for a CSV file, on its header.
    adapter = _adapter_of(indexes_of_path)
    may_be_banner = "legal" in indexes_of_path and "lastupdated" in indexes_of_path
    if [index for _, index in single] == list(range(len(header))):
        # Every column named, and named once: zip pairs paths and values in C.
        paths = [path for path, _ in single]

        def fields_of_every_column(row: Sequence[str]) -> Optional[dict]:
            return _fields_of_flat(dict(zip(paths, row)), aliased, adapter, may_be_banner)
        return fields_of_every_column
    if len(single) == len(indexes_of_path):
        def fields_of_row(row: Sequence[str]) -> Optional[dict]:
            return _fields_of_flat({path: row[index] for path, index in single}, aliased,
                                   adapter, may_be_banner)
        return fields_of_row

    def fields_of_row_with_repeats(row: Sequence[str]) -> Optional[dict]:
        # "Job Title" and "job_title" both present: as in flatten, the filled one wins.
        flat = {}
        for path, indexes in indexes_of_path.items():
            values = [row[index] for index in indexes]
            flat[path] = next((value for value in values if _present(value)), values[-1])
        return _fields_of_flat(flat, aliased, adapter, may_be_banner)
    return fields_of_row_with_repeats


def _fields_of_flat(flat: dict, aliased: Optional[list] = None,
                    adapter: Optional[Callable[[dict], dict]] = None,
                    may_be_banner: bool = True) -> Optional[dict]:
    """The fields of one flattened record; `aliased`, when known, lists (path, generic key,
    rank) for the paths of `flat` that have an alias, in flat's order, and `adapter` is
    `_adapter_of(flat)` (the caller knows both from the keys alone). `may_be_banner` False
    says flat has no "legal" or no "lastupdated" key."""
    if may_be_banner and "legal" in flat and "lastupdated" in flat and \
            not _present(flat.get("position")):
        return None
    if aliased is None:
        aliased = [(path, *_ALIAS_OF_PATH[path]) for path in flat if path in _ALIAS_OF_PATH]
    fields: dict = {}
    ranks: dict = {}
    for path, generic, rank in aliased:
        value = flat[path]
        if value.__class__ is str:  # _present inline: most values are strings
            if not value or value.isspace():
                continue
        elif not _present(value):
            continue
        if rank < ranks.get(generic, _ALIAS_COUNT[generic]):
            fields[generic] = value
            ranks[generic] = rank
    if adapter is None:
        adapter = _adapter_of(flat)
    if adapter is not _no_adapter:
        fields.update(adapter(flat))
    return {key: value for key, value in fields.items() if _present(value)}


def _adapter_of(keys: Collection[str]) -> Callable[[dict], dict]:
    """The adapter of the first known shape whose keys are among `keys`, or _no_adapter."""
    for matches, adapter in _ADAPTERS:
        if matches(keys):
            return adapter
    return _no_adapter


def _no_adapter(flat: dict) -> dict:
    return {}


# ---------------------------------------------------------------------------------------------
# Known shapes. Each adapter returns only the fields it knows better than the generic aliases.

_USAJOBS = "matchedobjectdescriptor."
_JSONISH_VALUE = re.compile(r"""['"](\w+)['"]\s*:\s*['"]([^'"]*)['"]""")


def _jsonish_dicts(value: object) -> list[dict]:
    """Lists of objects that exports flatten into strings ("[{'MinimumRange': '80000'...}]").

    Read with a regex, never evaluated: quotes may be Python's single quotes.
    """
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [part for part in value if isinstance(part, dict)]
    if not isinstance(value, str) or "{" not in value:
        return []
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        parsed = None
    if parsed is not None:
        return _jsonish_dicts(parsed)
    dicts = []
    for chunk in value.split("}"):
        pairs = dict(_JSONISH_VALUE.findall(chunk))
        if pairs:
            dicts.append(pairs)
    return dicts


def _jsonish_texts(value: object) -> list[str]:
    """A list of strings that may arrive as a JSON list, a Python-looking list string or text."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return [value]
        return texts_of(parsed)
    return texts_of(value)


def _grade(pay_plan: object, low: object, high: object) -> Optional[str]:
    """"GS-13" (or "GS-7/9" for a career ladder) from a USAJOBS pay plan and grades."""
    low_text, high_text = text_of(low), text_of(high)
    if not low_text:
        return None
    plan = next((_code_of(entry) or text_of(entry) for entry in _jsonish_dicts(pay_plan)), None)
    if plan is None and isinstance(pay_plan, str) and "{" not in pay_plan:
        plan = pay_plan.strip() or None
    if plan is None:
        # Without a pay plan only General Schedule's numeric grades 1-15 are recognizable;
        # "00" is ungraded and letters are other plans' bands.
        if not all(grade.isdigit() and 1 <= int(grade) <= 15 for grade in
                   (low_text, high_text or low_text)):
            return None
        plan = "GS"
    if high_text and high_text != low_text:
        return f"{plan}-{low_text}/{high_text}"
    return f"{plan}-{low_text}"


def _code_of(entry: dict) -> Optional[str]:
    code = entry.get("Code") or entry.get("code")
    return code.strip() if isinstance(code, str) and code.strip() else None


def _usajobs_api(flat: dict) -> dict:
    def get(path: str) -> object:
        return flat.get(_USAJOBS + path)

    fields: dict = {
        "id": flat.get("matchedobjectid") or get("positionid"),
        "title": get("positiontitle"),
        "url": get("positionuri"),
        "company": get("organizationname") or flat.get("organization"),
        "location": get("positionlocationdisplay"),
        # US federal jobs: a location that names no country ("Multiple Locations") is in
        # the US; overseas posts name theirs ("Wiesbaden, Germany").
        "location_country": "US",
        "date_posted": get("publicationstartdate"),
        "valid_through": get("applicationclosedate"),
        "description": [
            *_jsonish_texts(get("userarea.details.jobsummary")),
            *_jsonish_texts(get("userarea.details.majorduties")),
            *_jsonish_texts(get("qualificationsummary") or flat.get("qualificationssummary")),
        ],
        "seniority": _grade(get("jobgrade"), get("userarea.details.lowgrade"),
                            get("userarea.details.highgrade")),
        "employment_type": [
            *(text_of(entry) for entry in _jsonish_dicts(get("positionschedule"))),
            *(text_of(entry) for entry in _jsonish_dicts(get("positionofferingtype"))),
        ],
    }
    places = [text_of(entry) for entry in _jsonish_dicts(get("positionlocation"))]
    places = [place for place in places if place]
    if len(places) > 1:
        fields["locations"] = places
    for pay in _jsonish_dicts(get("positionremuneration"))[:1]:
        fields.update(salary_min=pay.get("MinimumRange"), salary_max=pay.get("MaximumRange"),
                      salary_period=pay.get("RateIntervalCode"), salary_currency="USD")
    telework = get("userarea.details.teleworkeligible") or flat.get("teleworkeligible")
    if _truthy(telework):
        # Telework-eligible federal jobs mix office and home days; remote ones say so in
        # the location ("Anywhere in the U.S. (remote job)").
        fields["workplace_type"] = "hybrid"
    fields["employment_type"] = [kind for kind in fields["employment_type"] if kind]
    return fields


def _truthy(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in ("true", "yes", "y", "1")


def _usajobs_scraper(flat: dict) -> dict:
    location = text_of(flat.get("location"))
    places = [place.strip() for place in location.split(";")] if location else []
    fields: dict = {
        "id": flat.get("controlnumber"),
        "company": flat.get("organization") or flat.get("department"),
        "description": [*_jsonish_texts(flat.get("summary")), *_jsonish_texts(flat.get("duties")),
                        *_jsonish_texts(flat.get("qualifications"))],
        "seniority": _grade(flat.get("payscale"), flat.get("lowgrade"), flat.get("highgrade")),
        "salary_currency": "USD",
        "location_country": "US",  # as in _usajobs_api
    }
    if len([place for place in places if place]) > 1:
        fields["locations"] = [place for place in places if place]
    if _truthy(flat.get("telework")):
        fields["workplace_type"] = "hybrid"
    return fields


_SWEDEN_NAMES = ("sverige", "sweden")


def _jobtech(flat: dict) -> dict:
    city = flat.get("arbetsplatsadress.kommun") or flat.get("workplaceaddress.municipality")
    region = flat.get("arbetsplatsadress.lan") or flat.get("workplaceaddress.region")
    country = flat.get("arbetsplatsadress.land") or flat.get("workplaceaddress.country")
    country_text = text_of(country)
    # Platsbanken leaves the country empty for Swedish workplaces.
    country_code = "SE" if not country_text or country_text.lower() in _SWEDEN_NAMES else None
    parts = [text_of(part) for part in (city, region, country)]
    fields: dict = {
        "title": flat.get("rubrik") or flat.get("headline"),
        "company": flat.get("arbetsgivare.namn") or flat.get("employer.name"),
        "description": [
            *texts_of(flat.get("beskrivning.annonstext") or flat.get("description.text")),
            *texts_of(flat.get("beskrivning.behov")), *texts_of(flat.get("beskrivning.krav")),
        ],
        "date_posted": flat.get("publiceringsdatum") or flat.get("publicationdate"),
        "valid_through": flat.get("sistaansokningsdatum") or flat.get("applicationdeadline"),
        "employment_type": [
            *texts_of(flat.get("anstallningstyp") or flat.get("employmenttype")),
            *texts_of(flat.get("arbetstidstyp") or flat.get("workingtimetype")),
        ],
        "location": ", ".join(part for part in parts if part) or None,
        "location_city": city,
        "location_region": region,
        "location_country": country_code or country_text,
        "location_postal_code": flat.get("arbetsplatsadress.postnummer")
        or flat.get("workplaceaddress.postcode"),
        "url": flat.get("webpageurl") or flat.get("ansokningsdetaljer.webbadress")
        or flat.get("applicationdetails.url"),
        "salary_text": None,
    }
    return fields


_LEVEL_WORDS = re.compile(
    r"^\s*(?:entry|junior|mid|middle|senior|lead|principal|staff|executive|director|manager|"
    r"intern(?:ship)?|associate|graduate|experienced)(?:[\s-]+(?:level|senior level))?\s*$",
    re.I,
)


def _schema_org(flat: dict) -> dict:
    description = text_of(flat.get("description")) or text_of(flat.get("jobdescription")) or ""
    parts = [description] if description else []
    for key in ("responsibilities", "qualifications", "experiencerequirements",
                "educationrequirements", "skills"):
        for line in texts_of(flat.get(key)):
            # skills-ml copies these lists out of the description: add only what is new.
            if line[:60] not in description and not _LEVEL_WORDS.match(line):
                parts.append(line)
    fields: dict = {
        "title": flat.get("title") or flat.get("name"),
        "company": flat.get("hiringorganization.name")
        or flat.get("hiringorganization.organizationname") or flat.get("hiringorganization"),
        "description": parts,
        "valid_through": flat.get("validthrough") or flat.get("dateexpires"),
        "employment_type": texts_of(flat.get("employmenttype")),
        "salary_currency": flat.get("salarycurrency") or flat.get("basesalary.currency"),
        "salary_text": None,
    }
    fields.update(_schema_org_location(flat.get("joblocation")))
    fields.update(_schema_org_salary(flat.get("basesalary")))
    if isinstance(flat.get("joblocationtype"), str) and \
            "telecommute" in flat["joblocationtype"].lower():
        fields["is_remote"] = True
    scope = texts_of(flat.get("applicantlocationrequirements"))
    if scope:
        fields["remote_scope"] = ", ".join(scope)
    experience = flat.get("experiencerequirements")
    if isinstance(experience, str) and _LEVEL_WORDS.match(experience):
        fields["seniority"] = experience
    elif isinstance(experience, dict) and experience.get("monthsOfExperience") is not None:
        fields["experience_months"] = experience.get("monthsOfExperience")
    return fields


def _address_fields(address: dict) -> dict:
    country = address.get("addressCountry") or address.get("countryCode") \
        or address.get("countryName")
    return {
        "location_city": text_of(address.get("addressLocality") or address.get("locality")),
        "location_region": text_of(address.get("addressRegion") or address.get("regionCode")
                                   or address.get("region")),
        "location_country": text_of(country),
        "location_postal_code": text_of(address.get("postalCode")),
    }


def _address_text(address: dict) -> Optional[str]:
    full = text_of(address.get("fullText"))
    if full:
        return full
    parts = _address_fields(address)
    joined = [parts[key] for key in ("location_city", "location_region", "location_country")
              if parts[key]]
    return ", ".join(joined) or text_of(address.get("streetAddress"))


def _schema_org_location(job_location: object) -> dict:
    places = job_location if isinstance(job_location, list) else [job_location]
    texts, first_address = [], None
    for place in places:
        if isinstance(place, str):
            texts.append(place)
            continue
        if not isinstance(place, dict):
            continue
        address = place.get("address")
        if isinstance(address, dict):
            first_address = first_address or address
            text = _address_text(address)
        else:
            text = text_of(address) or text_of(place)
        if text:
            texts.append(text)
    fields: dict = {"location": texts[0] if texts else None}
    if len(texts) > 1:
        fields["location"] = "; ".join(texts)
        fields["locations"] = texts
    if first_address:
        fields.update(_address_fields(first_address))
    return fields


def _schema_org_salary(base_salary: object) -> dict:
    if isinstance(base_salary, (int, float, str)) and not isinstance(base_salary, bool):
        return {"salary_text" if isinstance(base_salary, str) else "salary_min": base_salary}
    if not isinstance(base_salary, dict):
        return {}
    value = base_salary.get("value")
    if isinstance(value, dict):
        return {
            "salary_min": value.get("minValue", value.get("value")),
            "salary_max": value.get("maxValue", value.get("value")),
            "salary_period": value.get("unitText") or base_salary.get("unitText"),
            "salary_currency": base_salary.get("currency"),
        }
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"salary_min": value, "salary_max": value,
                "salary_period": base_salary.get("unitText"),
                "salary_currency": base_salary.get("currency")}
    # skills-ml's shape: its medianSalary is an occupation-level estimate, not the offer.
    return {"salary_min": base_salary.get("minSalary") or base_salary.get("salary"),
            "salary_max": base_salary.get("maxSalary") or base_salary.get("salary")}


_LITERAL_NEWLINE = re.compile(r"\\r\\n|\\n|\\r")


def _place_emploi_public(flat: dict) -> dict:
    description = text_of(flat.get("description"))
    if description and "\\n" in description:
        # The feed writes line breaks as the two characters backslash and n.
        description = _LITERAL_NEWLINE.sub("\n", description)
    department = text_of(flat.get("deplibelle"))
    return {
        "description": description,
        "location": department,
        "location_region": department,
        "location_country": "FR",
        "company": None,  # Par_nom is the publishing platform (PEP), not the employer
    }


def _remote_ok(flat: dict) -> dict:
    fields: dict = {"is_remote": True, "workplace_type": "remote"}
    if _present(flat.get("salarymin")) or _present(flat.get("salarymax")):
        # Remote OK publishes salaries in US dollars; the period follows from the amount.
        fields["salary_currency"] = "USD"
    return fields


_ADAPTERS: tuple[tuple[Callable[[dict], bool], Callable[[dict], dict]], ...] = (
    (lambda flat: _USAJOBS + "positiontitle" in flat, _usajobs_api),
    (lambda flat: "controlnumber" in flat and "payscale" in flat, _usajobs_scraper),
    (lambda flat: "rubrik" in flat or "arbetsplatsadress" in flat, _jobtech),
    (lambda flat: "hiringorganization" in flat or "joblocation" in flat, _schema_org),
    (lambda flat: "deplibelle" in flat or "parrefoffre" in flat, _place_emploi_public),
    (lambda flat: "slug" in flat and "epoch" in flat and "position" in flat, _remote_ok),
)
