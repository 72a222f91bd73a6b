"""Benchmark of skill extraction alone: postings per second on one core for the Aho-Corasick
extractor (transforms.skills) next to a naive baseline of one regex per skill.

    .venv/bin/python bench/bench_skills.py [--corpus ../shared/corpus] [--repeat 3]
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms.skills import SkillExtractor  # noqa: E402
from transforms.taxonomy_loader import load_taxonomy  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
USAJOBS_TEXT_COLUMNS = (
    "MatchedObjectDescriptor.UserArea.Details.JobSummary",
    "MatchedObjectDescriptor.UserArea.Details.MajorDuties",
    "MatchedObjectDescriptor.QualificationSummary",
)


def corpus_postings(corpus: Path) -> list[str]:
    """Title + description of every English posting in the shared corpus."""
    csv.field_size_limit(sys.maxsize)
    postings: list[str] = []
    for name in ("train.jsonl", "dev.jsonl"):
        with open(corpus / "skillspan" / name, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                postings.append(record["title"] + "\n" + record["description"])
    with open(corpus / "usajobs-2021" / "postings.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            body = "\n".join(row.get(column) or "" for column in USAJOBS_TEXT_COLUMNS)
            postings.append(row["MatchedObjectDescriptor.PositionTitle"] + "\n" + body)
    for folder in ("linkedin-ca-2018", "indeed-ca-2018"):
        with open(corpus / folder / "postings.csv", encoding="utf-8") as handle:
            postings.extend(row["title"] + "\n" + row["description"]
                            for row in csv.DictReader(handle))
    with open(corpus / "remoteok" / "remoteok-api.json", encoding="utf-8") as handle:
        postings.extend(job.get("position", "") + "\n" + re.sub(r"<[^>]+>", " ",
                                                                job.get("description", ""))
                        for job in json.load(handle) if "position" in job)
    return postings


class NaiveRegexExtractor:
    """The baseline: one case-insensitive word-boundary regex per skill, run one by one."""

    def __init__(self, taxonomy):
        self._patterns = [
            (skill.id, re.compile(r"(?<![\w+#])(?:" + "|".join(
                re.escape(form) for form in sorted((skill.name,) + skill.aliases, key=len,
                                                   reverse=True)) + r")(?![\w+#])",
                re.IGNORECASE))
            for skill in taxonomy.skills.values()]

    def extract(self, text: str) -> list[str]:
        return [skill_id for skill_id, pattern in self._patterns if pattern.search(text)]


def postings_per_second(extract, postings: list[str], repeat: int) -> float:
    # CPU time of this process, so other work on a shared machine does not count against us.
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for text in postings:
            extract(text)
        best = min(best, time.process_time() - started)
    return len(postings) / best


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline_postings", type=int, default=40,
                        help="the naive baseline is slow: time it on this many postings")
    args = parser.parse_args(argv)

    postings = corpus_postings(args.corpus)
    characters = sum(map(len, postings))
    taxonomy = load_taxonomy()
    started = time.perf_counter()
    extractor = SkillExtractor(taxonomy)
    build_seconds = time.perf_counter() - started
    matches = sum(len(extractor.extract(text)) for text in postings)
    fast = postings_per_second(extractor.extract, postings, args.repeat)

    naive = NaiveRegexExtractor(taxonomy)
    sample = postings[:: max(1, len(postings) // args.baseline_postings)][:args.baseline_postings]
    slow = postings_per_second(naive.extract, sample, 1)

    print(f"taxonomy {taxonomy.name} {taxonomy.version}: {len(taxonomy.skills)} skills")
    print(f"corpus: {len(postings)} postings, {characters / len(postings):.0f} characters "
          f"on average, {matches / len(postings):.1f} skills per posting")
    print(f"automaton build: {build_seconds:.2f} s (once per worker)")
    print(f"aho-corasick extractor: {fast:,.0f} postings per CPU-second (one core)")
    print(f"naive regex per skill:  {slow:,.1f} postings per CPU-second (one core) "
          f"({len(sample)} postings)")
    print(f"speed-up: {fast / slow:.0f}x")


if __name__ == "__main__":
    main()
