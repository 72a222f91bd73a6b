"""Prints what a finished run wrote: the summary counts, the top skills of the largest
regions, and where the outputs are. Used by `make run` after the job.

    python -m beam_jobs.show_summary OUTPUT_DIR
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq

TOP_REGIONS = 4
TOP_SKILLS = 8


def largest_regions(rows: list[dict]) -> list[tuple]:
    """(region_level, region_code, region_name, region_postings) of the biggest regions, summed
    over periods, seniority "all", World first."""
    sizes: dict[tuple, dict] = defaultdict(dict)
    for row in rows:
        if row["seniority"] == "all":
            key = (row["region_level"], row["region_code"], row["region_name"])
            sizes[key][row["period"]] = row["region_postings"]
    ranked = sorted(sizes.items(), key=lambda kv: (kv[0][0] != "world", -sum(kv[1].values()), kv[0]))
    return [(*key, sum(periods.values())) for key, periods in ranked[:TOP_REGIONS]]


def top_skills(rows: list[dict], level: str, code: str) -> list[tuple[str, int]]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["seniority"] == "all" and row["region_level"] == level and row["region_code"] == code:
            counts[row["skill_name"]] += row["postings"]
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_SKILLS]


def describe_run(output_dir: Path) -> str:
    summary = json.loads((output_dir / "summary.json").read_text())
    demand_dir = output_dir / "skill_demand"
    rows = pq.read_table(demand_dir).to_pylist() if any(demand_dir.glob("*.parquet")) else []
    lines = [
        f"records read {summary['records_read']}: {summary['postings_parsed']} postings parsed "
        f"+ {summary['rejected']} rejected; {summary['unique_postings']} unique postings "
        f"+ {summary['duplicates_removed']} duplicates removed "
        f"({'reconciles' if summary['reconciles'] else 'DOES NOT RECONCILE'})",
        f"locations unresolved {summary['locations_unresolved']}, seniority unknown "
        f"{summary['seniority_unknown']}, postings without skills "
        f"{summary['postings_without_skills']}; taxonomy {summary['taxonomy'].get('name')} "
        f"{summary['taxonomy'].get('version')} ({summary['taxonomy'].get('size')} skills)",
    ]
    if summary["rejected_by_reason"]:
        lines.append("rejected by reason: " + ", ".join(
            f"{reason} {n}" for reason, n in summary["rejected_by_reason"].items()))
    for level, code, name, postings in largest_regions(rows):
        skills = ", ".join(f"{skill} {n}" for skill, n in top_skills(rows, level, code))
        lines.append(f"top skills in {name} ({postings} postings): {skills}")
    lines.append(f"outputs: {output_dir.resolve()}/{{postings,skill_demand,rejects}}/, summary.json")
    lines.append(f"report: {(output_dir / 'report.html').resolve()}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    output_dir = Path(argv[1] if len(argv) > 1 else "out")
    print(describe_run(output_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
