"""Benchmark of location normalization alone: location strings per second on one core after
warm-up, on every real location string of the shared corpus, with the lookup caches cold
(each distinct string resolved once, its city names read from the index) and warm (a stream
of postings repeating strings).

    .venv/bin/python bench/bench_location.py [--corpus ../shared/corpus] [--repeat 5]
        [--labels /tmp/intl_labels.json]   # also score international.jsonl against labels

The labels file (a JSON list of {"id", "expected": {...}}) is kept outside the repository:
international.jsonl may not be copied into it.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms import location  # noqa: E402
from transforms.geo.gazetteer import fold, get_gazetteer  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SCORED_KEYS = ("country_code", "admin1_code", "city", "work_arrangement")


def corpus_locations(corpus: Path) -> list[str]:
    """Every location string the shared corpus holds, in file order (repeats kept)."""
    csv.field_size_limit(sys.maxsize)
    found: list[str] = []
    with open(corpus / "usajobs-2021" / "postings.csv", encoding="utf-8") as postings:
        found += [row["MatchedObjectDescriptor.PositionLocationDisplay"]
                  for row in csv.DictReader(postings)]
    found += [job["location"] for job in
              json.loads((corpus / "usajobs-2021" / "recent-jobs.json").read_text())]
    for board in ("linkedin-ca-2018", "indeed-ca-2018"):
        with open(corpus / board / "postings.csv", encoding="utf-8") as postings:
            found += [row.get("location") or "" for row in csv.DictReader(postings)]
    with open(corpus / "place-emploi-public-fr" / "offres.csv", encoding="utf-8") as offers:
        found += [row["DEP_libelle"].strip() for row in csv.DictReader(offers, delimiter="|")]
    remoteok = json.loads((corpus / "remoteok" / "remoteok-api.json").read_text())
    found += [job.get("location") or "" for job in remoteok if isinstance(job, dict)]
    for line in (corpus / "location-strings" / "international.jsonl").open(encoding="utf-8"):
        found.append(json.loads(line)["location"])
    return [text for text in found if text]


def throughput(strings: list[str], repeat: int, cold: bool) -> float:
    best = 0.0
    for _ in range(repeat):
        if cold:
            location._resolve.cache_clear()
            fold.cache_clear()
            # City names come from the SQLite index on first use: cold means read from it.
            get_gazetteer().cities_by_name.cache_clear()
        start = time.perf_counter()
        for text in strings:
            location.normalize_location(text)
        best = max(best, len(strings) / (time.perf_counter() - start))
    return best


def score_international(corpus: Path, labels_path: Path) -> None:
    labels = {label["id"]: label["expected"] for label in json.loads(labels_path.read_text())}
    hits = dict.fromkeys(SCORED_KEYS, 0)
    counted = dict.fromkeys(SCORED_KEYS, 0)
    for line in (corpus / "location-strings" / "international.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        want = labels.get(record["id"])
        if want is None:
            continue
        got = location.normalize_location(record["location"])
        for key in SCORED_KEYS:
            if key in want:
                counted[key] += 1
                hits[key] += got[key] == want[key]
    print(f"international.jsonl ({len(labels)} labelled strings): " + ", ".join(
        f"{key} {hits[key] / counted[key]:.3f} ({hits[key]}/{counted[key]})"
        for key in SCORED_KEYS))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--labels", type=Path)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"shared corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    get_gazetteer()
    print(f"gazetteer warm-up: {time.perf_counter() - start:.2f} s")
    stream = corpus_locations(args.corpus)
    distinct = list(dict.fromkeys(stream))
    throughput(distinct[:200], 1, cold=True)  # import-time and first-call costs
    cold = throughput(distinct, args.repeat, cold=True)
    location._resolve.cache_clear()
    warm = throughput(stream, args.repeat, cold=False)
    print(f"{len(distinct)} distinct real location strings, cold cache: "
          f"{cold:,.0f} strings/s on one core")
    print(f"{len(stream)} location strings as postings carry them, warm cache: "
          f"{warm:,.0f} strings/s on one core")
    if args.labels:
        score_international(args.corpus, args.labels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
