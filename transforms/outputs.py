"""Last stage: writes postings and skill_demand Parquet, the rejects JSON lines, summary.json
and report.html under the output directory (local or gs://).

Rows are spread over a fixed number of shards by a hash of their key and sorted inside each
shard, so the same inputs always give byte-identical files whatever the runner or bundle order.
Parquet rows cross the shuffle as Arrow record batches and are sorted in Arrow.
"""
from __future__ import annotations

import collections
import datetime as dt
import functools
import json
import logging
import zlib
from typing import Callable, Iterable, Optional, Sequence

import apache_beam as beam
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import GlobalWindows

from schemas.outputs import POSTINGS_SCHEMA, SKILL_DEMAND_SCHEMA, posting_output_row
from schemas.rejects import Reject
from transforms.batching import BatchInBundleFn, unpack_all
from transforms.memory import prepare_process
from transforms.report import REPORT_LEVELS, render_report
from transforms.skills import get_extractor
from transforms.taxonomy_loader import taxonomy_summary

LOG = logging.getLogger(__name__)

POSTINGS_DIR = "postings"
SKILL_DEMAND_DIR = "skill_demand"
REJECTS_DIR = "rejects"
SKILL_EVIDENCE_DIR = "skill_evidence"
SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.html"
OUTPUT_DIRS = (POSTINGS_DIR, SKILL_DEMAND_DIR, REJECTS_DIR, SKILL_EVIDENCE_DIR)
OUTPUT_FILES = (SUMMARY_FILE, REPORT_FILE)
WRITE_BATCH = 1000


class RejectRatioExceeded(RuntimeError):
    """More records were rejected than --max_reject_ratio allows: the feed looks broken."""


def shard_of(key: str, num_shards: int) -> int:
    """Stable across processes and runs (unlike hash())."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % num_shards


def shard_path(directory: str, shard: int, num_shards: int, suffix: str) -> str:
    return FileSystems.join(directory, f"part-{shard:05d}-of-{num_shards:05d}{suffix}")


POSTING_SORT_COLUMNS = ("posting_id", "source_uri", "source_record")
DEMAND_SORT_COLUMNS = ("period", "region_level", "region_code", "seniority", "rank", "skill_id")


def posting_sort_key(posting: dict) -> tuple:
    return (posting["posting_id"], posting.get("source_uri") or "", posting.get("source_record") or 0)


def demand_sort_key(row: dict) -> tuple:
    return (row["period"], row["region_level"], row["region_code"], row["seniority"],
            row["rank"], row["skill_id"])


def reject_sort_key(reject: Reject) -> tuple:
    record = -1 if reject.source_record is None else reject.source_record
    return (reject.source_uri, record, reject.stage, reject.reason, reject.detail)


def write_jsonl(path: str, rows: Sequence[dict]) -> None:
    with FileSystems.create(path) as sink:
        for row in rows:
            sink.write((json.dumps(row, ensure_ascii=False, default=str) + "\n").encode("utf-8"))


class _WriteShardFn(beam.DoFn):
    def __init__(self, directory: str, num_shards: int, suffix: str,
                 write_shard: Callable[[str, Iterable[bytes]], None]):
        self._directory = directory
        self._num_shards = num_shards
        self._suffix = suffix
        self._write_shard = write_shard

    def setup(self):
        prepare_process()  # this worker's, once (transforms/memory.py)

    def process(self, shard_batches):
        shard, batches = shard_batches
        path = shard_path(self._directory, shard, self._num_shards, self._suffix)
        # An empty value is the marker that makes an empty shard exist.
        self._write_shard(path, [batch for batch in batches if batch])
        yield path


def _shard_key(sort_key: Callable, num_shards: int) -> Callable[[dict], int]:
    return lambda row: shard_of(repr(sort_key(row)), num_shards)


def _write_sorted_rows(path: str, packed_batches: list, sort_key: Callable,
                       write: Callable[[str, list], None]) -> None:
    write(path, sorted(unpack_all(packed_batches), key=sort_key))


class WriteSortedShards(beam.PTransform):
    """Rows -> num_shards files, every shard written (empty ones too), rows sorted in each.
    Rows cross the shuffle in lists of up to WRITE_BATCH per shard and bundle."""

    def __init__(self, directory: str, num_shards: int, suffix: str,
                 sort_key: Callable, write: Callable[[str, list], None]):
        super().__init__()
        if num_shards < 1:
            raise ValueError("num_shards must be at least 1")
        self._directory = directory
        self._num_shards = num_shards
        self._suffix = suffix
        self._sort_key = sort_key
        self._write = write

    def batch_rows(self) -> beam.DoFn:
        """What turns rows into (shard, batch bytes)."""
        return BatchInBundleFn(WRITE_BATCH, key_of=_shard_key(self._sort_key, self._num_shards))

    def write_shard(self) -> Callable[[str, list], None]:
        """What writes one shard's batches to its path."""
        return functools.partial(_write_sorted_rows, sort_key=self._sort_key, write=self._write)

    def expand(self, rows):
        batches = rows | "BatchByShard" >> beam.ParDo(self.batch_rows())
        # One element fanned out (a Create of several would add a reshuffle stage).
        every_shard = (rows.pipeline
                       | "EveryShard" >> beam.Create([self._num_shards])
                       | "EmptyShards" >> beam.FlatMap(
                           lambda count: [(shard, b"") for shard in range(count)]))
        return (
            (batches, every_shard)
            | "FlattenShards" >> beam.Flatten()
            | "GroupShards" >> beam.GroupByKey()
            | "WriteShard" >> beam.ParDo(_WriteShardFn(
                self._directory, self._num_shards, self._suffix, self.write_shard()))
        )


def record_batch_bytes(rows: list, schema: pa.Schema) -> bytes:
    """Rows as one Arrow record batch in IPC form: converted to columns once, where they are
    made; the writer reads them back without decoding a Python object per value."""
    return pa.RecordBatch.from_pylist(rows, schema=schema).serialize().to_pybytes()


def sorted_table(table: pa.Table, sort_columns: Sequence[str]) -> pa.Table:
    """The table sorted as Python sorts `tuple(row[c] or <zero> for c in sort_columns)`: a
    null key sorts as the empty string or 0 (Arrow, like Python, orders strings by code
    point, UTF-8 bytes keeping that order)."""
    keys = {}
    for column in sort_columns:
        values = table[column]
        zero = "" if pa.types.is_string(values.type) else 0
        keys[column] = pc.fill_null(values, pa.scalar(zero, values.type))
    order = pc.sort_indices(pa.table(keys), sort_keys=[(c, "ascending") for c in sort_columns])
    return table.take(order).combine_chunks()


def _write_sorted_record_batches(path: str, batches: list, schema: pa.Schema,
                                 sort_columns: Sequence[str]) -> None:
    table = pa.Table.from_batches(
        [pa.ipc.read_record_batch(pa.py_buffer(batch), schema) for batch in batches],
        schema=schema)
    with FileSystems.create(path) as sink:
        pq.write_table(sorted_table(table, sort_columns), sink, compression="zstd")


class WriteSortedParquetShards(WriteSortedShards):
    """WriteSortedShards for Parquet: rows cross the shuffle as Arrow record batches and each
    shard is sorted by `sort_columns` in Arrow, which orders the rows as `sort_key` does
    (sort_key still decides the shard). A fifth of the CPU of pickled rows sorted in Python."""

    def __init__(self, directory: str, num_shards: int, schema: pa.Schema,
                 sort_key: Callable, sort_columns: Sequence[str]):
        super().__init__(directory, num_shards, ".parquet", sort_key, write=None)
        self._schema = schema
        self._sort_columns = tuple(sort_columns)

    def batch_rows(self) -> beam.DoFn:
        return BatchInBundleFn(WRITE_BATCH, key_of=_shard_key(self._sort_key, self._num_shards),
                               encode=functools.partial(record_batch_bytes, schema=self._schema))

    def write_shard(self) -> Callable[[str, list], None]:
        return functools.partial(_write_sorted_record_batches, schema=self._schema,
                                 sort_columns=self._sort_columns)


def _write_rejects(path: str, rejects: list) -> None:
    write_jsonl(path, [r.as_json_dict() for r in rejects])


class WritePostings(beam.PTransform):
    def __init__(self, output_dir: str, num_shards: int):
        super().__init__()
        self._directory = FileSystems.join(output_dir, POSTINGS_DIR)
        self._num_shards = num_shards

    def expand(self, postings):
        # Project first: descriptions and other internal keys never go through the shuffle.
        return (postings
                | "ProjectPostingColumns" >> beam.Map(posting_output_row)
                | "WritePostingShards" >> WriteSortedParquetShards(
            self._directory, self._num_shards, POSTINGS_SCHEMA, posting_sort_key,
            POSTING_SORT_COLUMNS))


class WriteSkillDemand(beam.PTransform):
    def __init__(self, output_dir: str, num_shards: int):
        super().__init__()
        self._directory = FileSystems.join(output_dir, SKILL_DEMAND_DIR)
        self._num_shards = num_shards

    def expand(self, demand_rows):
        return demand_rows | "WriteDemandShards" >> WriteSortedParquetShards(
            self._directory, self._num_shards, SKILL_DEMAND_SCHEMA, demand_sort_key,
            DEMAND_SORT_COLUMNS)


class WriteRejects(beam.PTransform):
    """The one sink every dead letter goes through."""

    def __init__(self, output_dir: str, num_shards: int = 1):
        super().__init__()
        self._directory = FileSystems.join(output_dir, REJECTS_DIR)
        self._num_shards = num_shards

    def expand(self, rejects):
        return rejects | "WriteRejectShards" >> WriteSortedShards(
            self._directory, self._num_shards, ".jsonl", reject_sort_key, _write_rejects)


def skill_evidence_row(posting: dict) -> dict:
    return {"posting_id": posting["posting_id"], "source_uri": posting.get("source_uri"),
            "source_record": posting.get("source_record"), "title": posting.get("title"),
            "skill_evidence": posting.get("skill_evidence") or []}


def _write_evidence(path: str, rows: list) -> None:
    write_jsonl(path, rows)


class WriteSkillEvidence(beam.PTransform):
    """--debug_skills: where in each posting every skill was found (skill_id@start-end:surface)."""

    def __init__(self, output_dir: str):
        super().__init__()
        self._directory = FileSystems.join(output_dir, SKILL_EVIDENCE_DIR)

    def expand(self, postings):
        return (postings
                | "ProjectEvidence" >> beam.Map(skill_evidence_row)
                | "WriteEvidenceShards" >> WriteSortedShards(
                    self._directory, 1, ".jsonl", posting_sort_key, _write_evidence))


# ---------------------------------------------------------------- summary and report

def build_summary(counts: dict, rejected_by_reason: dict, seniority_mix: dict,
                  run_info: dict, taxonomy: dict) -> dict:
    """The run's summary.json; `reconciles` checks the contract's two identities."""
    records_read = counts["raw_records"] + counts["read_rejects"]
    summary = {
        "records_read": records_read,
        "postings_parsed": counts["postings_parsed"],
        "rejected": counts["rejected"],
        "unique_postings": counts["unique_postings"],
        "duplicates_removed": counts["duplicates_removed"],
        "rejected_by_reason": dict(sorted(rejected_by_reason.items())),
        "locations_unresolved": counts["locations_unresolved"],
        "seniority_unknown": counts["seniority_unknown"],
        "postings_without_skills": counts["postings_without_skills"],
        "seniority_mix": dict(sorted(seniority_mix.items())),
        "taxonomy": taxonomy,
    }
    summary["reconciles"] = (
        records_read == summary["postings_parsed"] + summary["rejected"]
        and summary["postings_parsed"] == summary["unique_postings"] + summary["duplicates_removed"]
        and sum(rejected_by_reason.values()) == summary["rejected"]
    )
    summary.update(run_info)
    return summary


def check_reject_ratio(summary: dict, max_reject_ratio: Optional[float]) -> None:
    if max_reject_ratio is None or not summary["records_read"]:
        return
    ratio = summary["rejected"] / summary["records_read"]
    if ratio > max_reject_ratio:
        top = ", ".join(f"{reason}: {n}" for reason, n in
                        sorted(summary["rejected_by_reason"].items(), key=lambda kv: -kv[1])[:5])
        raise RejectRatioExceeded(
            f"{summary['rejected']} of {summary['records_read']} records rejected "
            f"({ratio:.1%}) exceeds --max_reject_ratio {max_reject_ratio:.1%}; "
            f"top reasons: {top}; see rejects/ for each record")


class _WriteSummaryFn(beam.DoFn):
    def __init__(self, output_dir: str, run_info: dict, taxonomy_path: Optional[str],
                 max_reject_ratio: Optional[float]):
        self._output_dir = output_dir
        self._run_info = run_info
        self._taxonomy_path = taxonomy_path
        self._max_reject_ratio = max_reject_ratio

    def process(self, _, merged_counts, report_row_batches):
        report_rows = list(unpack_all(report_row_batches))
        taxonomy = taxonomy_summary(get_extractor(self._taxonomy_path).taxonomy)
        run_info = dict(self._run_info)
        run_info["end_time"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        counts, rejected_by_reason, seniority_mix = split_counters(merged_counts)
        summary = build_summary(counts, rejected_by_reason, seniority_mix, run_info, taxonomy)
        if not summary["reconciles"]:
            LOG.error("summary counts do not reconcile: %s", summary)
        with FileSystems.create(FileSystems.join(self._output_dir, SUMMARY_FILE)) as sink:
            sink.write(json.dumps(summary, indent=2, sort_keys=False).encode("utf-8"))
        html = render_report(summary, report_rows, seniority_mix)
        with FileSystems.create(FileSystems.join(self._output_dir, REPORT_FILE)) as sink:
            sink.write(html.encode("utf-8"))
        check_reject_ratio(summary, self._max_reject_ratio)
        yield summary


REPORT_MAX_RANK = 50


def is_report_row(row: dict) -> bool:
    """The report reads only seniority "all" rows of its region levels: keeping just those
    (and the top ranks) bounds what the single summary step holds in memory."""
    return (row["seniority"] == "all" and row["region_level"] in REPORT_LEVELS
            and row["rank"] <= REPORT_MAX_RANK)


def location_unresolved(posting: dict) -> bool:
    """No country could be known: neither from a place nor from a remote scope."""
    return posting.get("country_code") is None and not posting.get("remote_scope")


def unique_posting_counters(posting: dict) -> list[str]:
    """The summary counters one unique posting adds to."""
    counters = ["unique_postings", f"seniority:{posting['seniority']}"]
    if location_unresolved(posting):
        counters.append("locations_unresolved")
    if posting["seniority"] == "unknown":
        counters.append("seniority_unknown")
    if not posting["skills"]:
        counters.append("postings_without_skills")
    return counters


def reject_counters(reject: Reject) -> list[str]:
    return ["rejected", f"reason:{reject.reason}"]


def split_counters(counts: dict) -> tuple[dict, dict, dict]:
    """(plain counts, rejects by reason, seniority mix) from the merged counters."""
    plain = {name: 0 for name in ("raw_records", "read_rejects", "postings_parsed", "rejected",
                                  "unique_postings", "duplicates_removed",
                                  "locations_unresolved", "seniority_unknown",
                                  "postings_without_skills")}
    by_reason, seniority_mix = {}, {}
    for name, value in counts.items():
        if name.startswith("reason:"):
            by_reason[name[len("reason:"):]] = value
        elif name.startswith("seniority:"):
            seniority_mix[name[len("seniority:"):]] = value
        else:
            plain[name] = value
    return plain, by_reason, seniority_mix


class _CountInBundleFn(beam.DoFn):
    """Adds up the counters of every element of a bundle and emits them once per bundle, so
    counting costs one step per element, not one combine per counter. `counters_of` is a
    function of the element, or the name of the one counter every element adds to."""

    def __init__(self, counters_of):
        self._counters_of = counters_of

    def start_bundle(self):
        self._counts = collections.Counter()
        self._elements = 0

    def process(self, element):
        if isinstance(self._counters_of, str):
            self._elements += 1
        else:
            self._counts.update(self._counters_of(element))
        return ()

    def finish_bundle(self):
        if self._elements:
            self._counts[self._counters_of] += self._elements
        if self._counts:
            yield GlobalWindows.windowed_value(dict(self._counts))


def _merge_counts(partials) -> dict:
    total = collections.Counter()
    for partial in partials:
        total.update(partial)
    return dict(total)


class WriteSummaryAndReport(beam.PTransform):
    """Counts from the same PCollections the records flow through -> summary.json, report.html.

    `streams` names the PCollections: raw_records, read_rejects, postings_parsed, rejects
    (all of them), unique_postings, duplicates, skill_demand.
    """

    def __init__(self, output_dir: str, run_info: dict, taxonomy_path: Optional[str],
                 max_reject_ratio: Optional[float]):
        super().__init__()
        self._output_dir = output_dir
        self._run_info = run_info
        self._taxonomy_path = taxonomy_path
        self._max_reject_ratio = max_reject_ratio

    def expand(self, streams: dict):
        counters_of = {
            "raw_records": "raw_records",
            "read_rejects": "read_rejects",
            "postings_parsed": "postings_parsed",
            "rejects": reject_counters,
            "unique_postings": unique_posting_counters,
            "duplicates": "duplicates_removed",
        }
        partials = [
            streams[name] | f"Count{_camel(name)}" >> beam.ParDo(_CountInBundleFn(counter))
            for name, counter in counters_of.items()
        ]
        counts = (partials
                  | "FlattenCounts" >> beam.Flatten()
                  | "MergeCounts" >> beam.CombineGlobally(_merge_counts))
        report_rows = (streams["skill_demand"]
                       | "RowsForReport" >> beam.Filter(is_report_row)
                       | "BatchReportRows" >> beam.ParDo(BatchInBundleFn(WRITE_BATCH)))
        return (
            streams["unique_postings"].pipeline
            | "SummaryTrigger" >> beam.Create([None])
            | "WriteSummaryAndReport" >> beam.ParDo(
                _WriteSummaryFn(self._output_dir, self._run_info, self._taxonomy_path,
                                self._max_reject_ratio),
                beam.pvalue.AsSingleton(counts),
                beam.pvalue.AsList(report_rows))
        )


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
