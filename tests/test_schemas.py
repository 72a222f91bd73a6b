"""schemas/ is the single source of truth: the boundary model, the row carried between
stages and the Parquet schemas must agree with each other and with the contract."""
import re
import typing

import pyarrow as pa
import pytest

from schemas.outputs import PLACE_STRUCT, POSTINGS_SCHEMA, SKILL_DEMAND_SCHEMA, posting_output_row
from schemas.posting import PLACE_KEYS, Place, PostingInput, PostingRow
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
