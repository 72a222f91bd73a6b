"""schemas/ is the single source of truth: the boundary model, the row carried between
stages and the Parquet schemas must agree with each other and with the contract."""
import datetime as dt
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


# Rows the boundary returns as they are (every value already what validation makes of it) and
# rows it must leave to pydantic: text it strips or refuses, numbers it converts, dates it cuts.
@pytest.mark.parametrize("changes", [
    {"description": "Patient care.", "salary_min": 52000.0},
    {"description": "Soins aux patients – équipe de nuit.", "salary_min": 52000.0,
     "posted_date": dt.date(2025, 11, 3), "experience_months": 24, "employment_type": "FULL_TIME"},
    {"description": "Patient care."},  # salary_min 52000, an int: pydantic makes it a float
    {"description": "Patient care.\x1c", "salary_min": 52000.0},  # pydantic keeps \x1c
    {"description": "Patient care.", "salary_min": 52000.0, "url": "https://x.org/\udce9"},
    {"description": "Patient care.", "salary_min": 52000.0, "title": "Nurse\u2003"},
    {"description": "Patient care.", "salary_min": 52000.0, "source_record": True},
    {"description": "Patient care.", "salary_min": float("inf")},
    {"description": "Patient care.", "salary_min": float("nan")},
    {"description": "Patient care.", "salary_min": 52000.0, "salary_currency": "gbp"},
    {"description": "Patient care.", "salary_min": 52000.0,
     "posted_date": dt.datetime(2025, 11, 3)},
    {"description": "Patient care.", "salary_min": 52000.0, "title": "x" * 500},
    {"description": "Patient care.", "salary_min": 52000.0, "title": "x" * 501},
])
def test_validated_row_is_the_models_row_or_error(changes):
    fields = dict(BOUNDARY_FIELDS, **changes)
    try:
        expected = posting_row_from_input(PostingInput(**fields))
    except ValidationError as by_model:
        with pytest.raises(ValidationError) as by_row:
            validated_posting_row(dict(fields), surrogate_free=("title", "description"))
        assert by_row.value.errors() == by_model.errors()
        return
    row = validated_posting_row(dict(fields), surrogate_free=("title", "description"))
    assert row == expected
    assert list(row) == list(expected)
    assert [type(value) for value in row.values()] == [type(value) for value in expected.values()]


def test_a_row_already_valid_is_returned_as_it_is():
    fields = dict(BOUNDARY_FIELDS, description="Patient care.", salary_min=52000.0)
    assert validated_posting_row(fields) is fields
    fields = dict(BOUNDARY_FIELDS, description="Soins – équipe de nuit.", salary_min=52000.0)
    assert validated_posting_row(fields) is fields  # searched for lone surrogates
    assert validated_posting_row(fields, surrogate_free=("description",)) is fields  # trusted


def test_what_pydantic_strips_python_calls_whitespace():
    # The boundary takes text whose ends are no str.isspace() character as already stripped.
    # White_Space characters (what pydantic strips) all lie in the Basic Multilingual Plane.
    kept = [chr(code) for code in range(0x10000) if not 0xD800 <= code < 0xE000
            and not chr(code).isspace()]
    titles = [PostingInput(**dict(BOUNDARY_FIELDS, title=char + "x" + char)).title
              for char in kept]
    assert [char for char, title in zip(kept, titles) if title != char + "x" + char] == []
