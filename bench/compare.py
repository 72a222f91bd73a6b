"""Two versions of the job, back to back: this VM's speed drifts by 10-30% within minutes, so
a speed-up is only believed when runs of the old and the new code alternate on one corpus.

    python -m bench.compare OLD_CHECKOUT NEW_CHECKOUT [--size 100000] [--rounds 2]

A checkout is a clone or a git worktree (`git worktree add /tmp/old 56b24e7`); each run
imports that checkout's code with this interpreter's packages. Prints every run (wall time,
CPU seconds of the process tree, peak memory, unique and duplicate counts, so a change of
results shows too), each version's median, and the new version's difference in each round.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from bench.generate_corpus import generate
from bench.run_bench import BENCH_DIR, run_job


def run_line(label: str, size: int, result: dict) -> str:
    summary = result["summary"]
    return (f"{label:>4} {result['seconds']:7.1f} s {size / result['seconds']:7.0f} postings/s "
            f"cpu {result['cpu_seconds']:7.1f} s  peak {result['peak_bytes'] / 2**20:6.0f} MiB  "
            f"(unique {summary['unique_postings']}, duplicates {summary['duplicates_removed']})")


def median_line(label: str, size: int, results: list[dict]) -> str:
    seconds = statistics.median(result["seconds"] for result in results)
    cpu = statistics.median(result["cpu_seconds"] for result in results)
    return (f"{label:>4} median of {len(results)}: {seconds:.1f} s ({size / seconds:.0f} "
            f"postings/s), cpu {cpu:.1f} s")


def paired_line(old_runs: list[dict], new_runs: list[dict]) -> str:
    """new minus old, round by round: each round runs the two versions minutes apart, so its
    difference is what the drift of this VM disturbs least."""
    differences = [new["seconds"] - old["seconds"] for old, new in zip(old_runs, new_runs)]
    cpu = [new["cpu_seconds"] - old["cpu_seconds"] for old, new in zip(old_runs, new_runs)]
    return (f"new - old by round: {' '.join(f'{d:+.1f}' for d in differences)} s "
            f"(median {statistics.median(differences):+.1f} s), cpu "
            f"{' '.join(f'{d:+.1f}' for d in cpu)} s (median {statistics.median(cpu):+.1f} s)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    for checkout in (args.old, args.new):
        if not (checkout / "beam_jobs" / "skill_demand.py").is_file():
            parser.error(f"{checkout} is not a checkout of this repository")
    corpus = BENCH_DIR / "corpus" / str(args.size)
    if not corpus.exists():
        generate(args.size, corpus)
    results: dict[str, list] = {"old": [], "new": []}
    for _ in range(args.rounds):
        for label, checkout in (("old", args.old), ("new", args.new)):
            out = BENCH_DIR / "out" / f"compare-{label}-{args.size}"
            results[label].append(run_job(corpus, out, args.workers, checkout.resolve()))
            print(run_line(label, args.size, results[label][-1]), flush=True)
    for label, runs in results.items():
        print(median_line(label, args.size, runs))
    print(paired_line(results["old"], results["new"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
