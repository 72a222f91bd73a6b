"""Hostile input never breaks the job and nothing is lost: a folder of poison files runs
through `run([...])`; good records are kept, each bad one is a reject with its reason, and the
counts reconcile."""
import gzip
import json

import pyarrow.parquet as pq
import pytest

from beam_jobs.skill_demand import run

GOOD = {"id": "good-1", "title": "Registered Nurse", "company": "Mercy Hospital",
        "location": "St. Louis, MO", "description": "Provide patient care. BLS required."}


def line(record) -> str:
    return json.dumps(record) + "\n"


def write_hostile_folder(folder):
    folder.mkdir()
    (folder / "deep.jsonl").write_text(
        line(GOOD) + "[" * 100_000 + "]" * 100_000 + "\n" + line(dict(GOOD, id="good-2")))
    (folder / "truncated.jsonl").write_text('{"id": "t-1", "title": "Welder", "descr')
    (folder / "not-object.jsonl").write_text('["Welder", "Houston"]\n42\n')
    (folder / "bad-utf8.jsonl").write_bytes(
        line(dict(GOOD, id="good-3")).encode() + b'{"id": "u-1", "title": "Caf\xe9 manager"}\n')
    (folder / "nul.jsonl").write_text(line(dict(GOOD, id="good-4")) +
                                      '{"id": "n-1", "title": "Driver\\u0000", "description": "CDL"}\n'.replace("\\u0000", "\x00"))
    (folder / "garbage.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "nested.html").write_text("<html><body>" + "<div>" * 200_000 + "Nurse" +
                                        "</div>" * 200_000 + "</body></html>")
    (folder / "columns.csv").write_text(
        "id,title,company,location,description\n"
        "c-1,Electrician,Volt Co,Denver CO,Wiring and conduit work\n"
        "c-2,Plumber,Pipe Co\n"
        "c-3,Carpenter,Wood Co,Austin TX,Framing,extra,columns\n")
    (folder / "unclosed.csv").write_text(
        "id,title,company,description\n"
        "q-1,Cook,Diner,Line cooking\n"
        'q-2,Baker,Bakery,"Bread and pastry\n')
    whole = gzip.compress("".join(line(dict(GOOD, id=f"gz-{i}")) for i in range(400)).encode())
    (folder / "cut.jsonl.gz").write_bytes(whole[: len(whole) * 2 // 3])
    (folder / "empty.jsonl").write_text("")
    (folder / "huge.jsonl").write_text(line(dict(GOOD, id="big-1", description="x " * 10_000_000)))


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "in"
    write_hostile_folder(folder)
    out = base / "out"
    run([f"--input={folder}/*", f"--output={out}", "--as_of=2025-12-01"])
    summary = json.loads((out / "summary.json").read_text())
    rejects = [json.loads(l) for p in sorted((out / "rejects").iterdir())
               for l in p.read_text().splitlines()]
    postings = pq.read_table(out / "postings").to_pylist()
    return summary, rejects, postings


def reasons_of(rejects, file_name):
    return sorted(r["reason"] for r in rejects if r["source_uri"].endswith(file_name))


def test_counts_reconcile_and_rejects_file_matches(hostile_run):
    summary, rejects, postings = hostile_run
    assert summary["reconciles"] is True
    assert len(rejects) == summary["rejected"]
    assert summary["records_read"] == summary["postings_parsed"] + summary["rejected"]


def test_every_good_record_is_kept(hostile_run):
    _, _, postings = hostile_run
    ids = {p["posting_id"] for p in postings} | {d for p in postings for d in p["duplicate_ids"]}
    assert {"good-1", "good-2", "good-3", "good-4", "c-1", "q-1"} <= ids
    gz_ids = {i for i in ids if i.startswith("gz-")}
    assert len(gz_ids) > 50  # records before the cut of the truncated archive are kept


@pytest.mark.parametrize("file_name, reasons", [
    ("deep.jsonl", ["json_too_deep"]),
    ("truncated.jsonl", ["truncated_json"]),
    ("not-object.jsonl", ["not_an_object", "not_an_object"]),
    ("bad-utf8.jsonl", ["invalid_utf8"]),
    ("nul.jsonl", ["nul_bytes"]),
    ("garbage.txt", ["binary_content"]),
    ("columns.csv", ["csv_wrong_column_count", "csv_wrong_column_count"]),
    ("huge.jsonl", ["record_too_large"]),
])
def test_each_hostile_record_is_a_reject_with_its_reason(hostile_run, file_name, reasons):
    _, rejects, _ = hostile_run
    assert reasons_of(rejects, file_name) == reasons


def test_unclosed_quote_and_cut_archive_are_named(hostile_run):
    _, rejects, _ = hostile_run
    assert "csv_unclosed_quote" in reasons_of(rejects, "unclosed.csv")
    assert "truncated_gzip" in reasons_of(rejects, "cut.jsonl.gz")


def test_deeply_nested_html_does_not_break_the_job(hostile_run):
    _, rejects, postings = hostile_run
    from_page = [p for p in postings if p["source_uri"].endswith("nested.html")]
    assert len(from_page) + len(reasons_of(rejects, "nested.html")) == 1


def test_empty_file_yields_nothing(hostile_run):
    summary, rejects, postings = hostile_run
    assert not reasons_of(rejects, "empty.jsonl")
    assert not [p for p in postings if p["source_uri"].endswith("empty.jsonl")]


def test_max_reject_ratio_stops_a_broken_feed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "feed.jsonl").write_text(line(GOOD) + "{broken\n" * 3)
    with pytest.raises(Exception) as err:
        run([f"--input={folder}/*", f"--output={tmp_path / 'out'}", "--max_reject_ratio=0.5"])
    assert "3 of 4 records rejected (75.0%) exceeds --max_reject_ratio 50.0%" in str(err.value)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["rejected_by_reason"] == {"invalid_json": 3}


def test_command_line_stops_a_broken_feed_with_a_clear_message(tmp_path):
    import subprocess
    import sys
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "feed.jsonl").write_text(line(GOOD) + "{broken\n" * 3)
    finished = subprocess.run(
        [sys.executable, "-m", "beam_jobs.skill_demand", f"--input={folder}/*",
         f"--output={tmp_path / 'out'}", "--max_reject_ratio=0.5"],
        capture_output=True, text=True, timeout=300)
    assert finished.returncode == 3
    assert ("skill_demand: feed looks broken, job stopped: 3 of 4 records rejected (75.0%) "
            "exceeds --max_reject_ratio 50.0%; top reasons: invalid_json: 3") in finished.stderr
