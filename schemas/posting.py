"""Posting shapes: the raw record a format parser yields, the pydantic model at the input
boundary, and the plain-dict row carried between stages (read -> parse -> location ->
seniority -> skills -> dedupe -> aggregate/write).

After the boundary, rows are plain dicts (cheap to pickle and copy); their keys are
`POSTING_ROW_KEYS` and every stage adds only the keys it owns.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Collection, List, NamedTuple, Optional, TypedDict

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import SchemaValidator

# Limits of the input boundary (documented in the README, enforced at read and parse).
MAX_TITLE_CHARS = 500
MAX_TEXT_CHARS = 200_000  # a description longer than this is cut, not rejected (flag kept)
MAX_RECORD_BYTES = 5_000_000  # one raw record larger than this is rejected

SOURCE_FORMATS = ("jsonl", "json", "csv", "html", "text", "greenhouse", "lever", "jobspy")
EMPLOYMENT_TYPES = ("FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "OTHER")
STATUSES = ("open", "closed", "unknown")
SALARY_PERIODS = ("hour", "day", "week", "month", "year")
WORK_ARRANGEMENTS = ("onsite", "hybrid", "remote", "unknown")
SENIORITY_LEVELS = (
    "intern", "junior", "mid", "senior", "lead", "manager", "director", "executive", "unknown",
)
WORLD_REGIONS = ("Africa", "Asia", "Europe", "North America", "Oceania", "South America")


class RawRecord(NamedTuple):
    """One record as a format parser found it, with generic field names.

    `fields` uses the generic keys of `RAW_FIELD_KEYS`; values are raw strings (or numbers,
    booleans, lists of strings) exactly as the source gave them, after format-specific
    unpacking (JSON-LD, Greenhouse, Lever, ...) but before normalization.
    """

    source_uri: str
    source_record: int
    source_format: str
    fields: dict
    excerpt: str  # at most 500 chars of the raw record, for rejects downstream


# Generic keys a format parser may fill in RawRecord.fields.
RAW_FIELD_KEYS = (
    "id", "title", "company", "location", "description", "description_html", "date_posted",
    "valid_through", "status", "url", "employment_type", "salary_min", "salary_max",
    "salary_currency", "salary_period", "salary_text", "is_remote", "workplace_type",
    "remote_scope", "seniority", "experience_months", "location_city", "location_region",
    "location_country", "location_postal_code", "locations", "tags",
)


class PostingInput(BaseModel):
    """The validated input boundary: one record, normalized, before enrichment.

    `_already_valid` (below) restates these constraints to skip pydantic for rows that already
    meet them: a constraint changed here must change there too (tests/test_schemas.py checks
    the two agree on real and edge-case rows)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    posting_id: str = Field(min_length=1, max_length=512)
    source_uri: str
    source_record: int = Field(ge=0)
    source_format: str
    url: Optional[str] = None
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    company: Optional[str] = None
    description: str = ""
    posted_date: Optional[dt.date] = None
    status: str = "unknown"
    employment_type: Optional[str] = None
    location_raw: Optional[str] = None
    location_hints: dict = Field(default_factory=dict)
    seniority_hint: Optional[str] = None
    experience_months: Optional[int] = Field(default=None, ge=0, le=720)
    salary_min: Optional[float] = Field(default=None, ge=0)
    salary_max: Optional[float] = Field(default=None, ge=0)
    salary_currency: Optional[str] = Field(default=None, pattern=r"^[A-Z]{3}$")
    salary_period: Optional[str] = None

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        if value not in STATUSES:
            raise ValueError(f"status {value!r} not one of {STATUSES}")
        return value

    @field_validator("employment_type")
    @classmethod
    def _employment_type(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and value not in EMPLOYMENT_TYPES:
            raise ValueError(f"employment_type {value!r} not one of {EMPLOYMENT_TYPES}")
        return value

    @field_validator("salary_period")
    @classmethod
    def _salary_period(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and value not in SALARY_PERIODS:
            raise ValueError(f"salary_period {value!r} not one of {SALARY_PERIODS}")
        return value


class Place(TypedDict):
    """One resolved place; every field may be None when it cannot be known."""

    city: Optional[str]
    admin1_code: Optional[str]
    admin1_name: Optional[str]
    country_code: Optional[str]
    country_name: Optional[str]
    world_region: Optional[str]


PLACE_KEYS = ("city", "admin1_code", "admin1_name", "country_code", "country_name", "world_region")


class PostingRow(TypedDict, total=False):
    """The row carried between stages (a plain dict). Keys by owning stage."""

    # parse (from PostingInput)
    posting_id: str
    source_uri: str
    source_record: int
    source_format: str
    url: Optional[str]
    title: str
    company: Optional[str]
    description: str  # the posting's own text, page furniture removed
    posted_date: Optional[dt.date]
    status: str
    employment_type: Optional[str]
    location_raw: Optional[str]
    location_hints: dict  # structured location evidence: city/region/country/postal_code/
    #                       is_remote/workplace_type/remote_scope/locations from the source
    seniority_hint: Optional[str]
    experience_months: Optional[int]
    salary_min: Optional[float]
    salary_max: Optional[float]
    salary_currency: Optional[str]
    salary_period: Optional[str]
    # location
    city: Optional[str]
    admin1_code: Optional[str]
    admin1_name: Optional[str]
    country_code: Optional[str]
    country_name: Optional[str]
    world_region: Optional[str]
    locations: List[Place]
    work_arrangement: str
    remote_scope: Optional[str]
    # seniority
    seniority: str
    seniority_evidence: Optional[str]
    # skills
    skills: List[str]
    skill_names: List[str]
    skill_categories: List[str]  # internal: same order as skills, used by aggregation
    # dedupe
    duplicate_count: int
    duplicate_ids: List[str]


def posting_row_from_input(record: PostingInput) -> dict[str, Any]:
    """The first PostingRow of a record: the boundary model as a plain dict."""
    return record.model_dump()


def _fields_validator() -> Optional[SchemaValidator]:
    # PostingInput's core schema is a "model" schema around a "model-fields" one; the inner
    # schema alone validates a dict into a dict.
    schema = PostingInput.__pydantic_core_schema__
    if schema.get("type") != "model" or schema.get("schema", {}).get("type") != "model-fields":
        return None
    return SchemaValidator(schema["schema"], schema.get("config"))


_FIELDS_VALIDATOR = _fields_validator()
_FIELD_NAMES = tuple(PostingInput.model_fields)
_LONGEST_DOUBLE = 1.7976931348623157e308
_SURROGATE = re.compile("[\ud800-\udfff]")
# Text fields that may hold a lone surrogate, unless the caller says otherwise (the
# vocabulary fields are checked against their sets, whose members hold none).
_TEXT_FIELDS = ("posting_id", "source_uri", "source_format", "url", "title", "company",
                "description", "location_raw", "seniority_hint")
_STATUS_SET = frozenset(STATUSES)
_EMPLOYMENT_TYPE_SET = frozenset(EMPLOYMENT_TYPES)
_SALARY_PERIOD_SET = frozenset(SALARY_PERIODS)


def validated_posting_row(
    fields: dict[str, Any], surrogate_free: Collection[str] = ()
) -> dict[str, Any]:
    """posting_row_from_input(PostingInput(**fields)): the same row and the same
    ValidationError, by PostingInput's own validation rules, but without building a model
    instance and dumping it again, which saves about a third of the boundary's cost.

    A row whose every value already is what validation would make of it (`_already_valid`)
    is the row itself (the caller hands over `fields`): pydantic would only copy each string
    through UTF-8, which costs as much again for a long description. Any other row goes
    through pydantic. The caller names in `surrogate_free` the text fields it knows hold no
    lone surrogate, which saves a search of each (pydantic refuses such text)."""
    if _already_valid(fields, surrogate_free):
        return fields
    if _FIELDS_VALIDATOR is None:
        return posting_row_from_input(PostingInput(**fields))
    row, _, _ = _FIELDS_VALIDATOR.validate_python(fields)
    return row


def _already_valid(fields: dict[str, Any], surrogate_free: Collection[str]) -> bool:
    """True when PostingInput's validation would return every field unchanged: all fields
    given in order, each of exactly its type and within its limits, text with no whitespace
    at either end (str.isspace covers every character pydantic strips) and no lone surrogate
    (which pydantic refuses). False means "not proven", never "invalid"."""
    if tuple(fields) != _FIELD_NAMES:
        return False
    (posting_id, source_uri, source_record, source_format, url, title, company, description,
     posted_date, status, employment_type, location_raw, location_hints, seniority_hint,
     experience_months, salary_min, salary_max, salary_currency, salary_period) = fields.values()
    # str.strip returns the very same str when it has nothing to strip.
    for text in (posting_id, source_uri, source_format, title, description, status):
        if text.__class__ is not str or text.strip() is not text:
            return False
    for text in (url, company, location_raw, seniority_hint, employment_type, salary_currency,
                 salary_period):
        if text is not None and (text.__class__ is not str or text.strip() is not text):
            return False
    if not (0 < len(title) <= MAX_TITLE_CHARS and 0 < len(posting_id) <= 512
            and status in _STATUS_SET
            and (employment_type is None or employment_type in _EMPLOYMENT_TYPE_SET)
            and (salary_period is None or salary_period in _SALARY_PERIOD_SET)
            and (salary_currency is None or _is_currency_code(salary_currency))):
        return False
    for name in _TEXT_FIELDS:
        if name not in surrogate_free:
            text = fields[name]
            if text is not None and not text.isascii() and _SURROGATE.search(text) is not None:
                return False
    return (source_record.__class__ is int and source_record >= 0
            and (experience_months is None or (experience_months.__class__ is int
                                               and 0 <= experience_months <= 720))
            and (salary_min is None or (salary_min.__class__ is float
                                        and 0.0 <= salary_min <= _LONGEST_DOUBLE))
            and (salary_max is None or (salary_max.__class__ is float
                                        and 0.0 <= salary_max <= _LONGEST_DOUBLE))
            and (posted_date is None or posted_date.__class__ is dt.date)
            and location_hints.__class__ is dict)


def _is_currency_code(text: str) -> bool:
    """Three capitals A-Z: what the salary_currency pattern accepts."""
    return len(text) == 3 and text.isascii() and text.isalpha() and text.isupper()
