"""`make bench`: end-to-end throughput and peak memory of the job on DirectRunner with two
workers at 10k and 100k postings of the shared corpus mix, plus the CPU cost of each stage's
domain functions per posting.

    python -m bench.run_bench [--sizes 10000 100000] [--workers 2]

To compare two versions of the code, run them back to back: `python -m bench.compare`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Optional

from bench.generate_corpus import generate

REPO = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO / "bench"
AS_OF = "2025-12-01"


def tree_rss_bytes(root_pid: int) -> int:
    """Resident memory of a process and all its descendants (from /proc)."""
    return sum(tree_rss_by_process(root_pid).values())


def tree_rss_by_process(root_pid: int) -> dict[int, int]:
    """Resident memory of a process and of each of its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as statm:
                rss[int(entry)] = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, stack = {}, [root_pid]
    while stack:
        pid = stack.pop()
        found[pid] = rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return found


class PeakMemory(threading.Thread):
    """Samples the job's process tree every 0.1 s: the peak of the sum, and the peak of the
    job's own (controller) process, which holds what the runner buffers between stages."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.controller_peak = pid, 0, 0
        self._done = threading.Event()

    def run(self):
        while not self._done.wait(0.1):
            by_process = tree_rss_by_process(self.pid)
            self.peak = max(self.peak, sum(by_process.values()))
            self.controller_peak = max(self.controller_peak, by_process.get(self.pid, 0))

    def stop(self):
        self._done.set()
        self.join()


def run_job(corpus: Path, out: Path, workers: int, checkout: Path = REPO) -> dict:
    """The job on `corpus` as a user runs it, from `checkout` (a clone or git worktree: its
    code is the one imported, this interpreter's packages the same): wall time, CPU seconds
    of the whole process tree, peak memory and the run's summary."""
    command = [sys.executable, "-m", "beam_jobs.skill_demand", f"--input={corpus}/*",
               f"--output={out}", f"--as_of={AS_OF}", f"--direct_num_workers={workers}",
               "--direct_running_mode=multi_processing"]
    cpu_before = _children_cpu_seconds()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=checkout)
    sampler = PeakMemory(process.pid)
    sampler.start()
    code = process.wait()
    elapsed = time.perf_counter() - started
    sampler.stop()
    if code:
        raise SystemExit(f"job failed with exit code {code}")
    summary = json.loads((out / "summary.json").read_text())
    return {"seconds": elapsed, "cpu_seconds": _children_cpu_seconds() - cpu_before,
            "peak_bytes": sampler.peak, "controller_peak_bytes": sampler.controller_peak,
            "summary": summary}


def _children_cpu_seconds() -> float:
    """User + system CPU of every finished child process (and theirs) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stage_costs(corpus: Path, run_length: Optional[int] = None) -> dict[str, float]:
    """Milliseconds of CPU per posting of each stage, in one process, over the whole corpus,
    as a worker's fused read stage runs them: records are read and parsed in runs of
    run_length (default: the job's RUN_LENGTH, transforms/runs.py), and each run goes through
    each stage in turn. The location, seniority, skills and dedupe stages are their DoFns,
    with setup() done first as on a worker. run_length=1 shows what one posting at a time
    through every stage would cost (more: each stage then finds its data out of the caches)."""
    from schemas.posting import RawRecord
    from transforms.dedupe import BLOCK_SHARDS, _EmitBlockEntriesFn
    from transforms.location import _NormalizeLocationFn
    from transforms.parse import RecordRejected, to_posting
    from transforms.read import read_file_records
    from transforms.runs import RUN_LENGTH
    from transforms.seniority import _ClassifySeniorityFn
    from transforms.skills import _ExtractSkillsFn

    run_length = run_length or RUN_LENGTH
    as_of = dt.date.fromisoformat(AS_OF)
    stages = {"location": _NormalizeLocationFn(), "seniority": _ClassifySeniorityFn(),
              "skills": _ExtractSkillsFn(None, False),
              "dedupe signature": _EmitBlockEntriesFn(BLOCK_SHARDS)}
    for stage in stages.values():
        stage.setup()
        stage.start_bundle()
    costs = dict.fromkeys(["read+format parse", "parse", *stages], 0.0)
    clock = time.process_time
    postings = 0
    for path in sorted(corpus.iterdir()):
        with path.open("rb") as stream:
            records = iter(read_file_records(str(path), stream))
            while True:
                began = clock()
                run = list(itertools.islice(records, run_length))
                costs["read+format parse"] += clock() - began
                if not run:
                    break
                began = clock()
                rows = []
                for record in run:
                    if isinstance(record, RawRecord):
                        try:
                            rows.append(to_posting(record, as_of))
                        except RecordRejected:
                            pass
                costs["parse"] += clock() - began
                postings += len(rows)
                for name, stage in stages.items():
                    began = clock()
                    outputs = [list(stage.process(row)) for row in rows]
                    costs[name] += clock() - began
                    if name != "dedupe signature":  # it yields block batches, not rows
                        rows = [output[0] for output in outputs]
    began = clock()
    for _ in stages["dedupe signature"].finish_bundle():
        pass
    costs["dedupe signature"] += clock() - began
    return {name: 1000 * seconds / max(postings, 1) for name, seconds in costs.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    results = {}
    for size in args.sizes:
        corpus = BENCH_DIR / "corpus" / str(size)
        if not corpus.exists():
            generate(size, corpus)
        out = BENCH_DIR / "out" / str(size)
        results[size] = run_job(corpus, out, args.workers)
        result = results[size]
        rate = result["summary"]["records_read"] / result["seconds"]
        print(f"{size:>8} postings: {result['seconds']:7.1f} s  {rate:8.0f} postings/s  "
              f"cpu {result['cpu_seconds']:6.1f} s  "
              f"peak memory {result['peak_bytes'] / 2**20:7.0f} MiB "
              f"(runner process {result['controller_peak_bytes'] / 2**20:.0f} MiB)  "
              f"(unique {result['summary']['unique_postings']}, "
              f"duplicates {result['summary']['duplicates_removed']}, "
              f"rejected {result['summary']['rejected']})", flush=True)
    if len(args.sizes) >= 2:
        small, large = args.sizes[0], args.sizes[-1]
        print(f"time ratio {large}/{small}: "
              f"{results[large]['seconds'] / results[small]['seconds']:.1f}")
    print(f"per-stage CPU per posting (one process, the {args.sizes[0]} corpus, stages chained):")
    for name, ms in stage_costs(BENCH_DIR / "corpus" / str(args.sizes[0])).items():
        print(f"  {name:<20} {ms:6.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
