"""gs:// inputs and outputs end to end against a local GCS emulator (no cloud, no credentials)."""
import gzip
import io
import json

import pyarrow.parquet as pq

from beam_jobs.skill_demand import run
from tests.conftest import FIXTURES

E2E = FIXTURES / "e2e"


def test_job_reads_and_writes_gcs(gcs_bucket):
    client, bucket_name = gcs_bucket
    bucket = client.bucket(bucket_name)
    page = (E2E / "spotify-machine-learning-engineer-ii.txt").read_bytes()
    bucket.blob("feed/spotify.txt").upload_from_string(page)
    # The JSON lines travel gzipped, as feeds usually do.
    bucket.blob("feed/postings.jsonl.gz").upload_from_string(
        gzip.compress((E2E / "postings.jsonl").read_bytes()))

    run([f"--input=gs://{bucket_name}/feed/*", f"--output=gs://{bucket_name}/out",
         "--as_of=2025-12-01"])

    names = sorted(blob.name for blob in client.list_blobs(bucket_name, prefix="out/"))
    assert names == [
        "out/postings/part-00000-of-00004.parquet", "out/postings/part-00001-of-00004.parquet",
        "out/postings/part-00002-of-00004.parquet", "out/postings/part-00003-of-00004.parquet",
        "out/rejects/part-00000-of-00001.jsonl", "out/report.html",
        "out/skill_demand/part-00000-of-00002.parquet",
        "out/skill_demand/part-00001-of-00002.parquet", "out/summary.json"]
    summary = json.loads(bucket.blob("out/summary.json").download_as_bytes())
    assert (summary["records_read"], summary["unique_postings"], summary["rejected"],
            summary["reconciles"]) == (5, 2, 2, True)
    titles = []
    for name in names:
        if name.startswith("out/postings/"):
            table = pq.read_table(io.BytesIO(bucket.blob(name).download_as_bytes()))
            titles += table.column("title").to_pylist()
    assert sorted(titles) == ["Data Scientist - Data Engineer (Direct Hire)",
                              "Machine Learning Engineer, II"]
    rejects = bucket.blob("out/rejects/part-00000-of-00001.jsonl").download_as_text()
    assert [json.loads(line)["source_uri"] for line in rejects.splitlines()] == [
        f"gs://{bucket_name}/feed/postings.jsonl.gz"] * 2
