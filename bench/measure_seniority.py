"""Agreement of classify_seniority with employers' own LinkedIn levels, and its speed.

Reads ../shared/corpus/linkedin-ca-2018/postings.csv (local measurement only: that file may
not be copied into the repository), hides its `seniority` column from the classifier and
prints the agreement, the unknown rate, a confusion table and the CPU time per posting.

    .venv/bin/python bench/measure_seniority.py [--corpus DIR] [--errors N]
"""
from __future__ import annotations

import argparse
import collections
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms.seniority import classify_seniority  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
LINKEDIN_FILE = Path("linkedin-ca-2018") / "postings.csv"

# The agreement table: an employer's level and the ladder levels that agree with it.
AGREEING_LEVELS = {
    "Internship": {"intern"},
    "Entry level": {"junior", "intern"},
    "Associate": {"junior", "mid"},
    "Mid-Senior level": {"mid", "senior", "lead", "manager"},
    "Director": {"director", "executive"},
    "Executive": {"executive", "director"},
}


def labelled_postings(corpus: Path) -> list[dict]:
    """The LinkedIn postings whose employer level takes part in the agreement."""
    with open(corpus / LINKEDIN_FILE, newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["seniority"] in AGREEING_LEVELS]


def measure(postings: list[dict]) -> dict:
    """Agreement, unknown rate and confusion counts of the rules on `postings`."""
    agreed = unknown = 0
    confusion: collections.Counter = collections.Counter()
    misses = []
    for posting in postings:
        level, evidence = classify_seniority(posting["title"], posting["description"])
        confusion[(posting["seniority"], level)] += 1
        if level == "unknown":
            unknown += 1
        if level in AGREEING_LEVELS[posting["seniority"]]:
            agreed += 1
        else:
            misses.append((posting["seniority"], level, evidence, posting["title"]))
    return {"postings": len(postings), "agreed": agreed, "unknown": unknown,
            "agreement": agreed / len(postings), "unknown_rate": unknown / len(postings),
            "confusion": confusion, "misses": misses}


def cpu_per_posting(postings: list[dict], rounds: int = 3) -> float:
    """Best-of-`rounds` CPU seconds per posting of classify_seniority."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for posting in postings:
            classify_seniority(posting["title"], posting["description"])
        best = min(best, (time.process_time() - start) / len(postings))
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--errors", type=int, default=0, help="print this many disagreements")
    args = parser.parse_args(argv)
    if not (args.corpus / LINKEDIN_FILE).exists():
        print(f"no {LINKEDIN_FILE} under {args.corpus}", file=sys.stderr)
        return 2
    postings = labelled_postings(args.corpus)
    result = measure(postings)
    print(f"postings compared: {result['postings']} (Not Applicable and blank left out)")
    print(f"agreement: {result['agreed']}/{result['postings']} = {result['agreement']:.1%}")
    print(f"unknown: {result['unknown']}/{result['postings']} = {result['unknown_rate']:.1%}")
    levels = [level for level in ("intern", "junior", "mid", "senior", "lead", "manager",
                                  "director", "executive", "unknown")]
    print("employer level".ljust(18) + "".join(level[:8].rjust(9) for level in levels))
    for employer in AGREEING_LEVELS:
        print(employer.ljust(18) + "".join(
            str(result["confusion"][(employer, level)]).rjust(9) for level in levels))
    print(f"cpu per posting: {cpu_per_posting(postings) * 1000:.3f} ms")
    for employer, level, evidence, title in result["misses"][:args.errors]:
        print(f"  {employer:17} -> {level:9} {evidence!s:40.40} | {title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
