"""Output writers: sorted shards (every shard written, byte-identical reruns), the summary's
reconciliation and the reject-ratio guard."""
import json

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline

from schemas.rejects import make_reject
from transforms.outputs import (
    RejectRatioExceeded, WriteRejects, WriteSkillDemand, build_summary, check_reject_ratio,
    shard_of)

COUNTS = {"raw_records": 10, "read_rejects": 2, "postings_parsed": 9, "rejected": 3,
          "unique_postings": 7, "duplicates_removed": 2, "locations_unresolved": 1,
          "seniority_unknown": 0, "postings_without_skills": 1}
REASONS = {"binary_content": 1, "invalid_json": 1, "no_title_and_no_text": 1}


def demand_row(region_code, skill_id, rank):
    return {"period": "2025-11", "region_level": "country", "region_code": region_code,
            "region_name": region_code, "seniority": "all", "skill_id": skill_id,
            "skill_name": skill_id.title(), "skill_category": "programming_language",
            "postings": 3 - rank, "region_postings": 4, "share": (3 - rank) / 4, "rank": rank,
            "location_quotient": 1.0}


def test_summary_reconciles():
    summary = build_summary(COUNTS, REASONS, {"mid": 7}, {"as_of": "2025-11-30"},
                            {"name": "t", "version": "1", "size": 3})
    assert summary["records_read"] == 12
    assert summary["reconciles"] is True
    assert summary["as_of"] == "2025-11-30"


def test_summary_says_when_counts_do_not_reconcile():
    counts = dict(COUNTS, unique_postings=6)
    summary = build_summary(counts, REASONS, {}, {}, {})
    assert summary["reconciles"] is False


def test_reject_ratio_guard_names_the_top_reasons():
    summary = build_summary(COUNTS, REASONS, {}, {}, {})
    check_reject_ratio(summary, 0.5)
    check_reject_ratio(summary, None)
    with pytest.raises(RejectRatioExceeded,
                       match=r"3 of 12 records rejected \(25.0%\) exceeds --max_reject_ratio 10.0%"):
        check_reject_ratio(summary, 0.10)


def test_shard_of_is_stable():
    assert shard_of("posting-1", 4) == shard_of("posting-1", 4)
    assert {shard_of(f"p{i}", 4) for i in range(100)} == {0, 1, 2, 3}


def test_skill_demand_shards_are_sorted_and_all_written(tmp_path):
    rows = [demand_row("SE", "sql", 2), demand_row("FR", "python", 1),
            demand_row("SE", "python", 1), demand_row("FR", "sql", 2)]
    with TestPipeline() as pipeline:
        _ = (pipeline | beam.Create(rows) | WriteSkillDemand(str(tmp_path), num_shards=3))
    files = sorted(p.name for p in (tmp_path / "skill_demand").iterdir())
    assert files == ["part-00000-of-00003.parquet", "part-00001-of-00003.parquet",
                     "part-00002-of-00003.parquet"]
    read_back = []
    for name in files:
        shard = pq.read_table(tmp_path / "skill_demand" / name).to_pylist()
        keys = [(r["region_code"], r["rank"]) for r in shard]
        assert keys == sorted(keys)
        read_back += shard
    assert sorted((r["region_code"], r["skill_id"]) for r in read_back) == [
        ("FR", "python"), ("FR", "sql"), ("SE", "python"), ("SE", "sql")]


def test_rejects_are_written_as_json_lines_with_the_contract_keys(tmp_path):
    rejects = [make_reject("in/b.jsonl", 3, "parse", "invalid_json",
                           "invalid JSON at record 3: Expecting value", "{oops" * 200),
               make_reject("in/a.bin", None, "read", "binary_content", "", b"\x89PNG")]
    with TestPipeline() as pipeline:
        _ = pipeline | beam.Create(rejects) | WriteRejects(str(tmp_path))
    lines = (tmp_path / "rejects" / "part-00000-of-00001.jsonl").read_text().splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first == {"source_uri": "in/a.bin", "source_record": None, "stage": "read",
                     "reason": "binary_content", "detail": "binary_content",
                     "excerpt": "\ufffdPNG"}
    assert second["source_record"] == 3 and len(second["excerpt"]) == 500


def test_counters_of_a_unique_posting_and_their_split():
    from transforms.outputs import split_counters, unique_posting_counters
    remote_us = {"seniority": "senior", "skills": ["python"], "country_code": "US",
                 "remote_scope": "US"}
    nowhere = {"seniority": "unknown", "skills": [], "country_code": None, "remote_scope": None}
    assert unique_posting_counters(remote_us) == ["unique_postings", "seniority:senior"]
    assert unique_posting_counters(nowhere) == [
        "unique_postings", "seniority:unknown", "locations_unresolved", "seniority_unknown",
        "postings_without_skills"]
    plain, by_reason, mix = split_counters({"unique_postings": 2, "seniority:senior": 1,
                                            "seniority:unknown": 1, "reason:invalid_json": 4,
                                            "rejected": 4})
    assert (plain["unique_postings"], plain["rejected"], plain["raw_records"]) == (2, 4, 0)
    assert by_reason == {"invalid_json": 4}
    assert mix == {"senior": 1, "unknown": 1}


def test_bundle_counts_by_name_or_by_function():
    from transforms.outputs import _CountInBundleFn, reject_counters

    def counts(counters_of, elements):
        fn = _CountInBundleFn(counters_of)
        fn.start_bundle()
        for element in elements:
            assert list(fn.process(element)) == []
        return [output.value for output in fn.finish_bundle()]

    assert counts("raw_records", ["a", "b", "c"]) == [{"raw_records": 3}]
    assert counts("raw_records", []) == []  # an empty bundle adds nothing
    rejects = [make_reject("feed.jsonl", 4, "read", "invalid_json", "bad"),
               make_reject("feed.jsonl", 9, "read", "invalid_json", "bad"),
               make_reject("x.bin", 0, "read", "binary_content", "NUL bytes")]
    assert counts(reject_counters, rejects) == [
        {"rejected": 3, "reason:invalid_json": 2, "reason:binary_content": 1}]


def test_arrow_sort_orders_postings_as_the_python_sort_key():
    """Code-point order (not locale), a missing source_uri as "" and a missing record as 0:
    the Parquet shards must come out in posting_sort_key order."""
    import pyarrow as pa
    from schemas.outputs import POSTINGS_SCHEMA
    from transforms.outputs import POSTING_SORT_COLUMNS, posting_sort_key, sorted_table
    keys = [("développeur-42", "gs://feed/b.jsonl", 7), ("Zeta-1", None, None),
            ("développeur-42", "gs://feed/a.jsonl", 12), ("developpeur-42", "", 3),
            ("développeur-42", "gs://feed/a.jsonl", 2), ("zeta-1", "x.csv", 1),
            ("Zeta-1", "", 0), ("Ωmega", "x.csv", None)]
    rows = [{name: None for name in POSTINGS_SCHEMA.names} | {
        "posting_id": posting_id, "source_uri": uri, "source_record": record}
        for posting_id, uri, record in keys]
    table = pa.Table.from_pylist(rows, schema=POSTINGS_SCHEMA)
    ordered = sorted_table(table, POSTING_SORT_COLUMNS).to_pylist()
    assert [posting_sort_key(row) for row in ordered] == sorted(map(posting_sort_key, rows))
    assert [row["posting_id"] for row in ordered][:3] == ["Zeta-1", "Zeta-1", "developpeur-42"]
