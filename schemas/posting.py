"""Posting shapes: the raw record a format parser yields, the pydantic model at the input
boundary, and the plain-dict row carried between stages (read -> parse -> location ->
seniority -> skills -> dedupe -> aggregate/write).

After the boundary, rows are plain dicts (cheap to pickle and copy); their keys are
`POSTING_ROW_KEYS` and every stage adds only the keys it owns.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, List, NamedTuple, Optional, TypedDict

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
    """The validated input boundary: one record, normalized, before enrichment."""

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


def validated_posting_row(fields: dict[str, Any]) -> dict[str, Any]:
    """posting_row_from_input(PostingInput(**fields)): the same row and the same
    ValidationError, by PostingInput's own validation rules, but without building a model
    instance and dumping it again, which saves about a third of the boundary's cost."""
    if _FIELDS_VALIDATOR is None:
        return posting_row_from_input(PostingInput(**fields))
    row, _, _ = _FIELDS_VALIDATOR.validate_python(fields)
    return row
