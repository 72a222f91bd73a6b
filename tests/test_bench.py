"""bench/compare.py: what it prints of back-to-back runs, and what it refuses."""
import pytest

from bench.compare import main, median_line, paired_line, run_line

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


def test_paired_line_is_new_minus_old_round_by_round():
    old = [{**RUN, "seconds": seconds, "cpu_seconds": cpu}
           for seconds, cpu in ((77.5, 132.7), (77.9, 134.8), (75.0, 132.6))]
    new = [{**RUN, "seconds": seconds, "cpu_seconds": cpu}
           for seconds, cpu in ((68.3, 122.6), (70.5, 124.3), (66.6, 120.3))]
    assert paired_line(old, new) == (
        "new - old by round: -9.2 -7.4 -8.4 s (median -8.4 s), "
        "cpu -10.1 -10.5 -12.3 s (median -10.5 s)")
