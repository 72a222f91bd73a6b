"""schemas/ is the single source of truth: the boundary model, the row carried between
stages and the Parquet schemas must agree with each other and with the contract."""
import re
import typing

import pyarrow as pa
import pytest

from schemas.outputs import PLACE_STRUCT, POSTINGS_SCHEMA, SKILL_DEMAND_SCHEMA, posting_output_row
from pydantic import ValidationError

from schemas.posting import (PLACE_KEYS, Place, PostingInput, PostingRow,
                             posting_row_from_input, validated_posting_row)
from tests.conftest import SHARED_CORPUS

CONTRACT = SHARED_CORPUS.parent / "CONTRACT.md"


def contract_columns(section: str) -> list[str]:
    text = CONTRACT.read_text()
    body = text.split(section, 1)[1].split("\n### ", 1)[0]
    names = []
    for line in body.splitlines():
        cell = re.match(r"\|\s*([a-z_0-9, ]+?)\s*\|", line)
        if cell and cell.group(1) not in ("column",):
            names += [name.strip() for name in cell.group(1).split(",")]
    return names


def test_every_boundary_field_is_a_row_key():
    assert set(PostingInput.model_fields) <= set(typing.get_type_hints(PostingRow))


def test_every_postings_column_is_a_row_key():
    assert set(POSTINGS_SCHEMA.names) <= set(typing.get_type_hints(PostingRow))


def test_place_struct_matches_place_row():
    assert [field.name for field in PLACE_STRUCT] == list(PLACE_KEYS)
    assert list(typing.get_type_hints(Place)) == list(PLACE_KEYS)


@pytest.mark.skipif(not CONTRACT.exists(), reason="shared/CONTRACT.md not beside the repo")
def test_postings_schema_has_the_contract_columns():
    assert contract_columns("### postings/*.parquet") == POSTINGS_SCHEMA.names


@pytest.mark.skipif(not CONTRACT.exists(), reason="shared/CONTRACT.md not beside the repo")
def test_skill_demand_schema_has_the_contract_columns():
    assert contract_columns("### skill_demand/*.parquet") == SKILL_DEMAND_SCHEMA.names


def test_output_row_converts_under_the_schema():
    import datetime as dt
    row = {name: None for name in POSTINGS_SCHEMA.names}
    row.update(posting_id="42", posted_date=dt.date(2025, 11, 3), skills=["python"],
               locations=[dict.fromkeys(PLACE_KEYS)], duplicate_count=1, duplicate_ids=[],
               description="not an output column")
    table = pa.Table.from_pylist([posting_output_row(row)], schema=POSTINGS_SCHEMA)
    assert table.column("posted_date").to_pylist() == [dt.date(2025, 11, 3)]
    assert "description" not in table.column_names


BOUNDARY_FIELDS = dict(
    posting_id="1", source_uri="gs://b/jobs.csv", source_record=0, source_format="csv",
    url=None, title="Nurse", company=None, description="  Patient care.  ", posted_date=None,
    status="open", employment_type=None, location_raw=None,
    location_hints={"city": "Leeds", "is_remote": False}, seniority_hint=None,
    experience_months=None, salary_min=52000, salary_max=None, salary_currency="GBP",
    salary_period="year")


def test_validated_row_is_the_dumped_model():
    row = validated_posting_row(dict(BOUNDARY_FIELDS))
    assert row == posting_row_from_input(PostingInput(**BOUNDARY_FIELDS))
    assert list(row) == list(PostingInput.model_fields)
    assert (row["description"], row["salary_min"]) == ("Patient care.", 52000.0)


@pytest.mark.parametrize("bad", [
    {"posting_id": ""}, {"title": "x" * 501}, {"salary_min": -5.0}, {"salary_currency": "US"},
    {"status": "gone"}, {"employment_type": "GIG"}, {"salary_period": "decade"},
    {"experience_months": 721}, {"source_record": -1}, {"surplus": 1},
])
def test_validated_row_fails_as_the_model_does(bad):
    fields = dict(BOUNDARY_FIELDS, **bad)
    with pytest.raises(ValidationError) as by_model:
        PostingInput(**fields)
    with pytest.raises(ValidationError) as by_row:
        validated_posting_row(fields)
    assert [(e["loc"], e["msg"]) for e in by_row.value.errors()] == \
        [(e["loc"], e["msg"]) for e in by_model.value.errors()]
