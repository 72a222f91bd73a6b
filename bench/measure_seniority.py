"""Agreement of classify_seniority with employers' own LinkedIn levels, and its speed.

Reads ../shared/corpus/linkedin-ca-2018/postings.csv (local measurement only: that file may
not be copied into the repository), hides its `seniority` column from the classifier and
prints the agreement, the unknown rate, a confusion table and the CPU time per posting.
Employers are split in two halves by a hash of their name: the seniority model is trained
on the "training" half (bench/train_seniority_model.py), so only the "held-out" half
measures it fairly; the whole file is shown too, and so are the rules without the model.

    .venv/bin/python bench/measure_seniority.py [--corpus DIR] [--errors N]
"""
from __future__ import annotations

import argparse
import collections
import csv
import sys
import time
import zlib
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms.seniority import (  # noqa: E402
    UNKNOWN, classify_seniority, description_seniority, title_seniority,
)

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


TRAINING, HELD_OUT = "training", "held-out"


def employer_half(company: str) -> str:
    """Which half an employer's postings belong to: a stable hash of the folded name, so
    no employer's wording is seen both in training and in the measurement."""
    folded = " ".join(company.lower().split())
    return TRAINING if zlib.crc32(folded.encode("utf-8")) % 2 == 0 else HELD_OUT


def rules_only(title: str, description: str) -> tuple:
    """The classifier before the model: title, then the years table and text cues."""
    return (title_seniority(title) or description_seniority(description)
            or (UNKNOWN, None))


def classify_posting(title: str, description: str) -> tuple:
    return classify_seniority(title, description)


def measure(postings: list[dict], classify: Callable = classify_posting) -> dict:
    """Agreement, unknown rate and confusion counts of `classify` on `postings`."""
    agreed = unknown = 0
    confusion: collections.Counter = collections.Counter()
    misses = []
    for posting in postings:
        level, evidence = classify(posting["title"], posting["description"])
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
    parts = {HELD_OUT: [posting for posting in postings
                        if employer_half(posting["company"]) == HELD_OUT],
             TRAINING: [posting for posting in postings
                        if employer_half(posting["company"]) == TRAINING],
             "whole file": postings}
    print("postings compared: Not Applicable and blank left out; seniority column hidden")
    print("part".ljust(12) + "postings".rjust(9) + "  agreement (title-silent)".ljust(36)
          + "unknown".ljust(18) + "rules only, no model")
    for name, part in parts.items():
        result = measure(part)
        silent = [posting for posting in part if title_seniority(posting["title"]) is None]
        on_silent = measure(silent)
        rules = measure(part, rules_only)
        print(name.ljust(12) + str(result["postings"]).rjust(9)
              + f"  {result['agreed']}/{result['postings']} = {result['agreement']:.1%}"
              + f" ({on_silent['agreed']}/{on_silent['postings']} ="
              + f" {on_silent['agreement']:.1%})".ljust(12)
              + f"{result['unknown']} = {result['unknown_rate']:.1%}".ljust(18)
              + f"{rules['agreed']}/{rules['postings']} = {rules['agreement']:.1%}")
    result = measure(postings)
    print("whole file, by employer level:")
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
