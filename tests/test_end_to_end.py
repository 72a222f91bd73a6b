"""The whole job through `run([...])` on a small corpus, outputs read back from disk."""
import datetime as dt
import json

import pyarrow.parquet as pq
import pytest

from beam_jobs.skill_demand import run
from schemas.outputs import POSTINGS_SCHEMA, SKILL_DEMAND_SCHEMA
from tests.conftest import FIXTURES

E2E = FIXTURES / "e2e"
AS_OF = "2025-12-01"
SPOTIFY_SKILLS = {
    "python", "java", "scala", "tensorflow", "pytorch", "scikit-learn", "apache beam",
    "apache spark", "scio", "google cloud platform", "amazon web services", "machine learning",
    "large language models", "bandit algorithms", "recommender systems",
}
# Words of the page's "Related Jobs" list and "Industry Insights" teasers: none may count.
FURNITURE_WORDS = {"healthcare", "finance", "retail", "manufacturing", "defence",
                   "climate science", "interviews", "newsletter", "privacy policy"}


@pytest.fixture(scope="module")
def job_output(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    run([f"--input={E2E}/*.txt", f"--input={E2E}/*.jsonl", f"--output={out}",
         f"--as_of={AS_OF}", "--period=month"])
    return out


@pytest.fixture(scope="module")
def postings(job_output):
    table = pq.read_table(job_output / "postings")
    assert table.schema.equals(POSTINGS_SCHEMA, check_metadata=False)
    return {row["posting_id"]: row for row in table.to_pylist()}


def spotify(postings):
    (row,) = [p for p in postings.values() if p["source_format"] == "text"]
    return row


def test_all_five_outputs_exist(job_output):
    assert sorted(p.name for p in job_output.iterdir()) == [
        "postings", "rejects", "report.html", "skill_demand", "summary.json"]
    demand = pq.read_table(job_output / "skill_demand")
    assert demand.schema.equals(SKILL_DEMAND_SCHEMA, check_metadata=False)


def test_summary_reconciles_exactly(job_output):
    summary = json.loads((job_output / "summary.json").read_text())
    assert (summary["records_read"], summary["postings_parsed"], summary["rejected"],
            summary["unique_postings"], summary["duplicates_removed"]) == (5, 3, 2, 2, 1)
    assert summary["reconciles"] is True
    assert summary["as_of"] == AS_OF
    assert summary["rejected_by_reason"] == {"invalid_json": 1, "no_title_and_no_text": 1}
    assert summary["taxonomy"]["size"] >= 2500


def test_rejects_name_their_records(job_output):
    lines = (job_output / "rejects" / "part-00000-of-00001.jsonl").read_text().splitlines()
    rejects = sorted((json.loads(line) for line in lines), key=lambda r: r["source_record"])
    assert [(r["source_record"], r["stage"], r["reason"]) for r in rejects] == [
        (2, "parse", "invalid_json"), (3, "parse", "no_title_and_no_text")]
    assert all(r["source_uri"].endswith("postings.jsonl") for r in rejects)
    assert rejects[0]["excerpt"].startswith('{"id": "broken-1"')


def test_spotify_page_becomes_one_posting(postings):
    row = spotify(postings)
    assert (row["title"], row["company"], row["status"]) == (
        "Machine Learning Engineer, II", "Spotify", "closed")
    assert row["posted_date"] == dt.date(2024, 12, 1)
    assert (row["city"], row["admin1_code"], row["country_code"], row["world_region"]) == (
        "London", "GB-ENG", "GB", "Europe")
    assert row["seniority"] == "mid"
    assert row["source_record"] == 0 and row["duplicate_count"] == 1


def test_spotify_skills_come_from_the_posting_only(postings):
    names = {name.lower() for name in spotify(postings)["skill_names"]}
    assert SPOTIFY_SKILLS <= names, SPOTIFY_SKILLS - names
    assert not names & FURNITURE_WORDS
    assert len(spotify(postings)["skills"]) == len(set(spotify(postings)["skills"]))


def test_reposted_job_collapses_into_one(postings):
    kept = postings["SSA-12907750-26-DHA-RQ"]
    assert "board2-55871" not in postings
    assert (kept["duplicate_count"], kept["duplicate_ids"]) == (2, ["board2-55871"])
    assert (kept["city"], kept["admin1_code"], kept["country_code"]) == ("Denver", "US-CO", "US")
    assert (kept["salary_min"], kept["salary_max"], kept["salary_currency"],
            kept["salary_period"]) == (143913.0, 187093.0, "USD", "year")
    assert kept["employment_type"] == "FULL_TIME"
    assert kept["posted_date"] == dt.date(2026, 3, 23)


def test_skill_demand_counts_each_posting_in_every_region(job_output):
    rows = pq.read_table(job_output / "skill_demand").to_pylist()
    python_rows = {(r["period"], r["region_level"], r["region_code"]): r for r in rows
                   if r["skill_name"].lower() == "python" and r["seniority"] == "all"}
    london = python_rows[("2024-12", "city", "GB-ENG:London")]
    assert (london["region_name"], london["postings"], london["region_postings"]) == (
        "London", 1, 1)
    assert {key for key in python_rows if key[0] == "2024-12"} == {
        ("2024-12", "world", "world"), ("2024-12", "world_region", "Europe"),
        ("2024-12", "country", "GB"), ("2024-12", "admin1", "GB-ENG"),
        ("2024-12", "city", "GB-ENG:London")}
    assert python_rows[("2026-03", "admin1", "US-CO")]["share"] == 1.0
    assert python_rows[("2026-03", "world", "world")]["region_postings"] == 1


def test_report_is_self_contained(job_output):
    html = (job_output / "report.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "<script src=" not in html


def test_debug_mode_shows_where_each_skill_was_found(tmp_path):
    run([f"--input={E2E}/*.txt", f"--output={tmp_path}", f"--as_of={AS_OF}", "--debug_skills"])
    (line,) = (tmp_path / "skill_evidence" / "part-00000-of-00001.jsonl").read_text().splitlines()
    evidence = json.loads(line)
    assert evidence["title"] == "Machine Learning Engineer, II"
    spans = {item.split("@")[0]: item.split(":", 1)[1] for item in evidence["skill_evidence"]}
    assert spans["python"] == "Python"
    assert spans["apache-beam"] == "Apache Beam"


def test_a_file_matched_by_two_globs_counts_every_copy(tmp_path):
    # postings.jsonl is read twice: its copies add duplicates (the repost already removed in
    # the single run counts twice, the kept posting's extra copy once), never postings.
    run([f"--input={E2E}/*.txt", f"--input={E2E}/*.jsonl", f"--input={E2E}/postings.jsonl",
         f"--output={tmp_path}", f"--as_of={AS_OF}", "--period=month"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert (summary["records_read"], summary["postings_parsed"], summary["rejected"],
            summary["unique_postings"], summary["duplicates_removed"]) == (9, 5, 4, 2, 3)
    assert summary["reconciles"] is True
    kept = pq.read_table(tmp_path / "postings").to_pylist()
    assert sum(row["duplicate_count"] for row in kept) == 5


def test_local_runs_use_the_fn_api_runner_with_the_job_options():
    # DirectRunner would first try to download Prism from GitHub; the job never asks it to.
    from apache_beam.options.pipeline_options import PipelineOptions
    from apache_beam.runners.portability.fn_api_runner.fn_runner import FnApiRunner

    from beam_jobs.local_runner import local_runner
    runner = local_runner(PipelineOptions(["--direct_num_workers=2", "--as_of=2025-12-01"]))
    assert type(runner) is FnApiRunner
    options = runner._provision_info.provision_info.pipeline_options
    assert options["beam:option:direct_num_workers:v1"] == "2"  # as given on the command line
