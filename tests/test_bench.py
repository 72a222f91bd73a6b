"""bench/compare.py: what it prints of back-to-back runs, and what it refuses."""
import pytest

from bench.compare import main, median_line, run_line

RUN = {"seconds": 50.0, "cpu_seconds": 90.0, "peak_bytes": 1200 * 2**20,
       "summary": {"unique_postings": 30327, "duplicates_removed": 69603}}


def test_run_and_median_lines():
    assert run_line("new", 100_000, RUN) == (
        " new    50.0 s    2000 postings/s cpu    90.0 s  peak   1200 MiB  "
        "(unique 30327, duplicates 69603)")
    runs = [RUN, {**RUN, "seconds": 80.0, "cpu_seconds": 120.0},
            {**RUN, "seconds": 62.5, "cpu_seconds": 100.0}]
    assert median_line("old", 100_000, runs) == (
        " old median of 3: 62.5 s (1600 postings/s), cpu 100.0 s")


def test_refuses_a_directory_that_is_no_checkout(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main([str(tmp_path), str(tmp_path), "--size", "10"])
    assert stop.value.code == 2
    assert f"{tmp_path} is not a checkout of this repository" in capsys.readouterr().err
