"""Pyarrow schemas of every Parquet output (postings, skill_demand): the contract's columns.

No other module spells out an output field list; writers and tests import these.
"""
from __future__ import annotations

import pyarrow as pa

PLACE_STRUCT = pa.struct(
    [
        ("city", pa.string()),
        ("admin1_code", pa.string()),
        ("admin1_name", pa.string()),
        ("country_code", pa.string()),
        ("country_name", pa.string()),
        ("world_region", pa.string()),
    ]
)

POSTINGS_SCHEMA = pa.schema(
    [
        pa.field("posting_id", pa.string(), nullable=False),
        ("source_uri", pa.string()),
        ("source_record", pa.int64()),
        ("source_format", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("company", pa.string()),
        ("posted_date", pa.date32()),
        ("status", pa.string()),
        ("employment_type", pa.string()),
        ("location_raw", pa.string()),
        ("city", pa.string()),
        ("admin1_code", pa.string()),
        ("admin1_name", pa.string()),
        ("country_code", pa.string()),
        ("country_name", pa.string()),
        ("world_region", pa.string()),
        ("locations", pa.list_(PLACE_STRUCT)),
        ("work_arrangement", pa.string()),
        ("remote_scope", pa.string()),
        ("seniority", pa.string()),
        ("seniority_evidence", pa.string()),
        ("skills", pa.list_(pa.string())),
        ("skill_names", pa.list_(pa.string())),
        ("salary_min", pa.float64()),
        ("salary_max", pa.float64()),
        ("salary_currency", pa.string()),
        ("salary_period", pa.string()),
        ("duplicate_count", pa.int32()),
        ("duplicate_ids", pa.list_(pa.string())),
    ]
)

SKILL_DEMAND_SCHEMA = pa.schema(
    [
        ("period", pa.string()),
        ("region_level", pa.string()),
        ("region_code", pa.string()),
        ("region_name", pa.string()),
        ("seniority", pa.string()),
        ("skill_id", pa.string()),
        ("skill_name", pa.string()),
        ("skill_category", pa.string()),
        ("postings", pa.int64()),
        ("region_postings", pa.int64()),
        ("share", pa.float64()),
        ("rank", pa.int32()),
        ("location_quotient", pa.float64()),
    ]
)

REGION_LEVELS = ("world", "world_region", "country", "admin1", "city")
PERIODS = ("month", "quarter", "year", "all")


def posting_output_row(posting: dict) -> dict:
    """The postings-table projection of a PostingRow (internal keys dropped)."""
    return {name: posting.get(name) for name in POSTINGS_SCHEMA.names}
