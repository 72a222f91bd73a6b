"""Reject rate per real corpus file: records read, postings parsed, rejects by reason.

Runs format detection, the format parser and transforms.parse.to_posting (no Beam) over every
structured file of shared/corpus, and prints one table row per file plus the CPU time per record.

    .venv/bin/python -m bench.corpus_reject_rates [--corpus DIR] [--as_of YYYY-MM-DD]
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import time
from pathlib import Path

from schemas.posting import RawRecord
from transforms.formats import detect_format, parse_file
from transforms.parse import RecordRejected, to_posting

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
CORPUS_FILES = (
    "remoteok/remoteok-api.json",
    "jobtech-se/platsannons-results.json",
    "usajobs-2021/postings.csv",
    "usajobs-2021/recent-jobs.json",
    "place-emploi-public-fr/offres.csv",
    "linkedin-ca-2018/postings.csv",
    "indeed-ca-2018/postings.csv",
    "schemaorg-virginia/postings.jsonl",
    "skillspan/train.jsonl",
    "skillspan/dev.jsonl",
)


def measure_file(path: Path, source_uri: str, as_of: dt.date) -> dict:
    """Counts for one file: format, records, parsed, rejects by "stage:reason", CPU seconds."""
    text = path.read_text(encoding="utf-8")
    started = time.process_time()
    source_format = detect_format(source_uri, text[:65536])
    records = parsed = 0
    rejects: collections.Counter = collections.Counter()
    for item in parse_file(source_uri, text, source_format):
        records += 1
        if not isinstance(item, RawRecord):
            rejects[f"{item.stage}:{item.reason}"] += 1
            continue
        try:
            to_posting(item, as_of)
        except RecordRejected as rejected:
            rejects[f"parse:{rejected.reason}"] += 1
            continue
        parsed += 1
    return {"format": source_format, "records": records, "parsed": parsed, "rejects": rejects,
            "cpu_s": time.process_time() - started}


def main(argv=None) -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    arguments.add_argument("--as_of", type=dt.date.fromisoformat, default=dt.date.today())
    options = arguments.parse_args(argv)
    print(f"as_of {options.as_of}")
    print(f"{'file':40} {'format':10} {'records':>8} {'parsed':>7} {'rejected':>8} "
          f"{'ms/rec':>7}  rejects by reason")
    totals = collections.Counter()
    for name in CORPUS_FILES:
        path = options.corpus / name
        if not path.exists():
            print(f"{name:40} missing")
            continue
        counts = measure_file(path, name, options.as_of)
        rejected = sum(counts["rejects"].values())
        per_record = 1000 * counts["cpu_s"] / max(counts["records"], 1)
        reasons = ", ".join(f"{reason}={count}" for reason, count in
                            sorted(counts["rejects"].items())) or "-"
        print(f"{name:40} {counts['format']:10} {counts['records']:>8} {counts['parsed']:>7} "
              f"{rejected:>8} {per_record:>7.2f}  {reasons}")
        totals.update(records=counts["records"], parsed=counts["parsed"], rejected=rejected,
                      cpu_ms=int(counts["cpu_s"] * 1000))
    print(f"{'total':40} {'':10} {totals['records']:>8} {totals['parsed']:>7} "
          f"{totals['rejected']:>8} {totals['cpu_ms'] / max(totals['records'], 1):>7.2f}")


if __name__ == "__main__":
    main()
