"""Same inputs + same --as_of = byte-identical Parquet, on one worker or on two processes."""
import hashlib

from beam_jobs.skill_demand import run


def digests(out_dir):
    return {str(path.relative_to(out_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(out_dir.rglob("*.parquet"))}


def test_two_worker_run_writes_the_same_bytes_as_one(tmp_path):
    run([f"--output={tmp_path / 'one'}", "--as_of=2025-12-01"])
    run([f"--output={tmp_path / 'two'}", "--as_of=2025-12-01", "--direct_num_workers=2",
         "--direct_running_mode=multi_processing"])
    one, two = digests(tmp_path / "one"), digests(tmp_path / "two")
    assert len(one) == 6  # 4 postings shards + 2 skill_demand shards, sample corpus
    assert one == two
