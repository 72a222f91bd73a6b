"""Benchmark corpus: N postings cycled from the shared corpus mix, streamed to disk in their
native raw formats (JSON lines, CSV exports, scraped pages), never held in memory whole.

    python -m bench.generate_corpus N OUT_DIR [--shared ../shared/corpus]

Cycle 0 is the corpus as it is. Later cycles give every record a new id and, for most
records, another employer, so they are new jobs; every fourth record keeps its employer and
text: a repost, as job boards are full of them.
"""
from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from pathlib import Path
from typing import Iterator

csv.field_size_limit(sys.maxsize)
RECORDS_PER_FILE = 5_000
REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "corpus"

# (relative path, kind): kind says how one record is read and written back.
SOURCES = (
    ("skillspan/train.jsonl", "jsonl"),
    ("skillspan/dev.jsonl", "jsonl"),
    ("schemaorg-virginia/postings.jsonl", "jsonl"),
    ("remoteok/remoteok-api.json", "json_array"),
    ("usajobs-2021/recent-jobs.json", "json_array"),
    ("linkedin-ca-2018/postings.csv", "csv"),
    ("indeed-ca-2018/postings.csv", "csv"),
    ("usajobs-2021/postings.csv", "csv"),
    ("place-emploi-public-fr/offres.csv", "csv_pipe"),
    ("pages/spotify-machine-learning-engineer-ii.txt", "page"),
)
ID_KEYS = ("id", "control_number", "MatchedObjectId", "Par_ref_offre")
COMPANY_KEYS = ("company", "organization", "hiringOrganization", "MatchedObjectDescriptor.OrganizationName")


def source_records(shared: Path, relative: str, kind: str) -> list:
    path = shared / relative
    if kind == "jsonl":
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if kind == "json_array":
        return [r for r in json.loads(path.read_text()) if "legal" not in r]
    if kind in ("csv", "csv_pipe"):
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle, delimiter="|" if kind == "csv_pipe" else ","))
    return [path.read_text()]


def company_of(record) -> str:
    for key in COMPANY_KEYS:
        value = record.get(key) if isinstance(record, dict) else None
        if isinstance(value, dict):
            value = value.get("organizationName")
        if isinstance(value, str) and value.strip():
            return value
    return ""


def vary(record, kind: str, cycle: int, index: int, employers: list[str]):
    """A record of cycle `cycle`: same text, new id; another real employer of the same source
    unless it is a repost (every fourth record), as boards repost the same job."""
    if cycle == 0 or kind == "page":
        return record
    record = dict(record)
    for key in ID_KEYS:
        if key in record:
            record[key] = f"{record[key]}-c{cycle}"
    if "id" not in record and kind in ("jsonl", "json_array"):
        record["id"] = f"gen-{cycle}-{index}"
    if index % 4 and employers:
        employer = employers[(index * 31 + cycle * 17) % len(employers)]
        for key in COMPANY_KEYS:
            if isinstance(record.get(key), str) and record[key]:
                record[key] = employer
            elif isinstance(record.get(key), dict):
                record[key] = dict(record[key], organizationName=employer)
    return record


def write_chunk(out_dir: Path, name: str, kind: str, records: list) -> None:
    if kind in ("jsonl", "json_array"):
        with (out_dir / f"{name}.jsonl").open("w", encoding="utf-8") as sink:
            for record in records:
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif kind in ("csv", "csv_pipe"):
        with (out_dir / f"{name}.csv").open("w", newline="", encoding="utf-8") as sink:
            writer = csv.DictWriter(sink, fieldnames=list(records[0]),
                                    delimiter="|" if kind == "csv_pipe" else ",")
            writer.writeheader()
            writer.writerows(records)
    else:
        for offset, page in enumerate(records):
            (out_dir / f"{name}-{offset}.txt").write_text(page, encoding="utf-8")


def cycled(shared: Path) -> Iterator[tuple[str, str, object]]:
    """Records of all sources interleaved, cycle after cycle, without end."""
    pools = []
    for relative, kind in SOURCES:
        records = source_records(shared, relative, kind)
        employers = sorted({company_of(r) for r in records} - {""})
        pools.append((relative, kind, records, employers))
    for cycle in itertools.count():
        for relative, kind, records, employers in pools:
            for index, record in enumerate(records):
                yield relative, kind, vary(record, kind, cycle, index, employers)


def generate(count: int, out_dir: Path, shared: Path = DEFAULT_SHARED) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    buffers: dict[str, list] = {}
    kinds: dict[str, str] = {}
    written = {"records": 0, "files": 0}
    chunk_number = itertools.count()

    def flush(relative: str) -> None:
        name = relative.replace("/", "_").rsplit(".", 1)[0] + f"-{next(chunk_number):05d}"
        write_chunk(out_dir, name, kinds[relative], buffers.pop(relative))
        written["files"] += 1

    for relative, kind, record in itertools.islice(cycled(shared), count):
        buffers.setdefault(relative, []).append(record)
        kinds[relative] = kind
        written["records"] += 1
        if len(buffers[relative]) >= RECORDS_PER_FILE or kind == "page":
            flush(relative)
    for relative in list(buffers):
        flush(relative)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args(argv)
    written = generate(args.count, args.out_dir, args.shared)
    print(f"wrote {written['records']} records in {written['files']} files to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
