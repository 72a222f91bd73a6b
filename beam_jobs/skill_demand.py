"""Entry point: raw job postings -> unique postings, skill demand by region, rejects,
summary.json and report.html. `build_pipeline` is the job's table of contents.

    python -m beam_jobs.skill_demand [--input GLOB ...] [--output DIR] [options] [Beam options]
"""
from __future__ import annotations

import datetime as dt
import glob
import logging
import sys
from importlib import resources
from typing import List, Optional

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import (
    GoogleCloudOptions, PipelineOptions, SetupOptions, StandardOptions, TestOptions, TypeOptions)

from beam_jobs.local_runner import local_runner, prepare_local_run
from schemas.rejects import REJECTS_TAG
from transforms.aggregate import AggregateSkillDemand
from transforms.dedupe import RemoveDuplicates
from transforms.location import NormalizeLocations
from transforms.outputs import (
    OUTPUT_DIRS, OUTPUT_FILES, WritePostings, WriteRejects, WriteSkillDemand, WriteSkillEvidence,
    WriteSummaryAndReport)
from transforms.parse import ParsePostings
from transforms.read import INPUT_FORMATS, ReadPostings
from transforms.seniority import ClassifySeniority
from transforms.skills import ExtractSkills

LOG = logging.getLogger(__name__)
PERIODS = ("month", "quarter", "year", "all")
DEFAULT_OUTPUT = "out"
# Read by location, seniority, skills and the duplicate signature only: later stages never do.
ROW_KEYS_DONE_AFTER_SKILLS = ("description", "location_hints", "seniority_hint",
                              "experience_months", "skill_evidence")


def sample_corpus_pattern() -> str:
    """The sample corpus shipped inside the package (used when no --input is given)."""
    return str(resources.files("beam_jobs") / "sample" / "postings" / "*")


class InvalidJobOptions(ValueError):
    """An impossible combination of options, found before the graph is built."""


class SkillDemandOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser):
        parser.add_argument(
            "--input", action="append", default=None,
            help="Input file, glob or gs:// URI (repeatable; .gz read transparently). "
                 "Default: the sample corpus shipped with the package.")
        parser.add_argument("--output", default=DEFAULT_OUTPUT,
                            help="Output directory, local or gs:// (default ./out).")
        parser.add_argument("--input_format", default="auto", choices=INPUT_FORMATS,
                            help="Format of every input file; auto detects it per file.")
        parser.add_argument("--as_of", default=None,
                            help="Crawl date YYYY-MM-DD for relative dates (default: today, UTC).")
        parser.add_argument("--taxonomy", default=None,
                            help="Skill taxonomy file replacing the bundled one (CSV, YAML, "
                                 "ESCO skills CSV export, or one label per line).")
        parser.add_argument("--period", default="month", choices=PERIODS,
                            help="Period of the skill_demand rows (default month).")
        parser.add_argument("--min_postings", type=int, default=1,
                            help="Suppress skill_demand rows of regions with fewer postings.")
        parser.add_argument("--max_reject_ratio", type=float, default=None,
                            help="Fail the job when rejected/read exceeds this share (0-1).")
        parser.add_argument("--postings_shards", type=int, default=4,
                            help="Number of postings/*.parquet files.")
        parser.add_argument("--skill_demand_shards", type=int, default=2,
                            help="Number of skill_demand/*.parquet files.")
        parser.add_argument("--debug_skills", action="store_true",
                            help="Also write skill_evidence/*.jsonl: where in each posting "
                                 "every skill was found.")


def parse_as_of(value: Optional[str]) -> dt.date:
    if not value:
        return dt.datetime.now(dt.timezone.utc).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as err:
        raise InvalidJobOptions(f"--as_of must be YYYY-MM-DD, got {value!r}") from err


def validate_options(options: PipelineOptions) -> None:
    """Fail fast, before the graph exists, on what can never work."""
    job = options.view_as(SkillDemandOptions)
    inputs = job.input or [sample_corpus_pattern()]
    parse_as_of(job.as_of)
    if job.min_postings < 1:
        raise InvalidJobOptions("--min_postings must be at least 1")
    if job.max_reject_ratio is not None and not 0 <= job.max_reject_ratio <= 1:
        raise InvalidJobOptions("--max_reject_ratio must be between 0 and 1")
    if job.postings_shards < 1 or job.skill_demand_shards < 1:
        raise InvalidJobOptions("shard counts must be at least 1")
    runner = (options.view_as(StandardOptions).runner or "DirectRunner")
    if "dataflow" in runner.lower():
        cloud = options.view_as(GoogleCloudOptions)
        local = [path for path in inputs + [job.output] if not path.startswith("gs://")]
        if job.taxonomy and not job.taxonomy.startswith("gs://"):
            local.append(job.taxonomy)
        if local:
            raise InvalidJobOptions(
                "DataflowRunner workers cannot read or write local paths; use gs:// for "
                f"--input, --output and --taxonomy (local: {', '.join(local)})")
        missing = [flag for flag, value in (("--project", cloud.project),
                                            ("--region", cloud.region),
                                            ("--temp_location", cloud.temp_location))
                   if not value]
        if missing:
            raise InvalidJobOptions(f"DataflowRunner needs {', '.join(missing)}")
        if not options.view_as(SetupOptions).setup_file:
            raise InvalidJobOptions(
                "DataflowRunner needs --setup_file ./setup.py so workers install this package")
        return
    for pattern in inputs:
        if "://" not in pattern and not glob.glob(pattern):
            raise InvalidJobOptions(f"--input {pattern!r} matches no file")


def build_pipeline(pipeline: beam.Pipeline, options: PipelineOptions, run_info: dict) -> None:
    job = options.view_as(SkillDemandOptions)
    inputs = job.input or [sample_corpus_pattern()]
    as_of = parse_as_of(job.as_of)

    read = pipeline | "ReadPostings" >> ReadPostings(inputs, job.input_format)
    parsed = read["records"] | "ParsePostings" >> ParsePostings(as_of)
    postings = (
        parsed["postings"]
        | "NormalizeLocations" >> NormalizeLocations()
        | "ClassifySeniority" >> ClassifySeniority()
        | "ExtractSkills" >> ExtractSkills(job.taxonomy, debug=job.debug_skills)
    )
    deduped = postings | "RemoveDuplicates" >> RemoveDuplicates(drop_keys=ROW_KEYS_DONE_AFTER_SKILLS)
    unique = deduped["postings"]
    skill_demand = unique | "AggregateSkillDemand" >> AggregateSkillDemand(
        job.period, job.min_postings)
    rejects = (read[REJECTS_TAG], parsed[REJECTS_TAG]) | "CollectRejects" >> beam.Flatten()

    _ = unique | "WritePostings" >> WritePostings(job.output, job.postings_shards)
    _ = skill_demand | "WriteSkillDemand" >> WriteSkillDemand(job.output, job.skill_demand_shards)
    _ = rejects | "WriteRejects" >> WriteRejects(job.output)
    if job.debug_skills:
        _ = postings | "WriteSkillEvidence" >> WriteSkillEvidence(job.output)
    _ = {
        "raw_records": read["records"],
        "read_rejects": read[REJECTS_TAG],
        "postings_parsed": parsed["postings"],
        "rejects": rejects,
        "unique_postings": unique,
        "duplicates": deduped["duplicates"],
        "skill_demand": skill_demand,
    } | "WriteSummaryAndReport" >> WriteSummaryAndReport(
        job.output, run_info, job.taxonomy, job.max_reject_ratio)


def clear_previous_outputs(output_dir: str) -> None:
    """A rerun into the same directory must not leave stale shards of an earlier run."""
    patterns = [FileSystems.join(output_dir, name, "part-*") for name in OUTPUT_DIRS]
    patterns += [FileSystems.join(output_dir, name) for name in OUTPUT_FILES]
    stale = [meta.path for result in FileSystems.match(patterns) for meta in result.metadata_list]
    if stale:
        FileSystems.delete(stale)


def job_options(argv: Optional[List[str]] = None) -> PipelineOptions:
    """The command line as validated pipeline options, with the job's own defaults."""
    options = PipelineOptions(argv)
    validate_options(options)
    # The graph's elements are dicts and packed bytes, typed Any: Beam's construction-time
    # type check finds nothing to check, yet it infers every lambda's output type from its
    # bytecode, ~0.4 s of each run's start-up before any worker starts. Same outputs, byte
    # for byte (10k bench); --runtime_type_check still works for whoever wants checks.
    options.view_as(TypeOptions).pipeline_type_check = False
    return options


def run(argv: Optional[List[str]] = None):
    options = job_options(argv)
    job = options.view_as(SkillDemandOptions)
    runner = options.view_as(StandardOptions).runner or "DirectRunner"
    run_info = {
        "inputs": job.input or [sample_corpus_pattern()],
        "input_format": job.input_format,
        "as_of": parse_as_of(job.as_of).isoformat(),
        "period": job.period,
        "min_postings": job.min_postings,
        "runner": runner,
        "start_time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if not options.view_as(TestOptions).dry_run:
        clear_previous_outputs(job.output)
    local = runner in ("DirectRunner", "SwitchingDirectRunner")
    if local:
        prepare_local_run()
    pipeline = beam.Pipeline(runner=local_runner(options) if local else None, options=options)
    build_pipeline(pipeline, options, run_info)
    result = pipeline.run()
    if "dataflow" not in runner.lower():
        result.wait_until_finish()
    return result


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        run(sys.argv[1:])
    except InvalidJobOptions as err:
        print(f"skill_demand: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # the runner wraps what a DoFn raised: find our own message
        reason = next((line.strip() for line in str(err).splitlines()
                       if "exceeds --max_reject_ratio" in line), None)
        if reason is None:
            raise
        print(f"skill_demand: feed looks broken, job stopped: {reason}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
