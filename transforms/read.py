"""First stage: find input files (local, globs, gs://), read each one whole with size caps,
undo gzip, decode, detect its format and hand it to the per-format parser.

Yields RawRecord rows (one per record found) and Reject rows (stage "read") for files or
records that cannot be read. Every file is read by one worker: a single huge file is not split.
"""
from __future__ import annotations

import logging
import re
import zlib
from typing import BinaryIO, Iterable, Iterator, Optional, Sequence, Union

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.metrics import Metrics

from schemas.posting import RawRecord
from schemas.rejects import REJECTS_TAG, Reject, make_reject
from transforms import formats

LOG = logging.getLogger(__name__)

INPUT_FORMATS = ("auto", "jsonl", "json", "csv", "html", "text", "greenhouse", "lever", "jobspy")
# Whole-file formats are parsed in memory, so one file is capped after decompression. A
# larger feed should be split into several files (which also spreads it across workers).
MAX_FILE_BYTES = 256 * 1024 * 1024
READ_CHUNK_BYTES = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
SNIFF_CHARS = 64 * 1024
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_SURROGATE = re.compile("[\udc80-\udcff]")


class FileTooLarge(Exception):
    """The file (after decompression) is over MAX_FILE_BYTES."""


def read_capped(stream: BinaryIO, limit: int = MAX_FILE_BYTES) -> tuple[bytes, Optional[str]]:
    """Read a whole stream, inflating gzip members on the fly without ever holding more than
    `limit` decompressed bytes (a gzip bomb stops at the cap). Returns (bytes, problem) where
    problem is None, "truncated_gzip" (bytes before the cut are kept) or "corrupt_gzip"."""
    first = stream.read(READ_CHUNK_BYTES)
    if not first.startswith(GZIP_MAGIC):
        chunks, size = [first], len(first)
        while True:
            chunk = stream.read(READ_CHUNK_BYTES)
            if not chunk:
                return b"".join(chunks), None
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(f"file is larger than {limit} bytes")
            chunks.append(chunk)
    out: list[bytes] = []
    size = 0
    inflater = zlib.decompressobj(wbits=31)
    pending = first
    while True:
        if not pending:
            pending = stream.read(READ_CHUNK_BYTES)
            if not pending:
                problem = None if inflater.eof else "truncated_gzip"
                return b"".join(out), problem
        try:
            block = inflater.decompress(pending, limit + 1 - size)
        except zlib.error:
            return b"".join(out), "corrupt_gzip"
        size += len(block)
        if size > limit:
            raise FileTooLarge(f"decompressed size is larger than {limit} bytes")
        out.append(block)
        pending = inflater.unconsumed_tail
        if inflater.eof:
            rest = inflater.unused_data  # concatenated gzip members, as `cat a.gz b.gz` makes
            if rest.startswith(GZIP_MAGIC):
                inflater = zlib.decompressobj(wbits=31)
                pending = rest + pending
            elif not pending:
                pending = b""


def looks_binary(head: bytes) -> bool:
    """True for content that is no text format: NULs or many control bytes early on."""
    if not head:
        return False
    sample = head[:8192]
    if sample.count(b"\x00") > len(sample) // 100 + 1:
        return True
    return len(_CONTROL_BYTES.findall(sample)) > len(sample) // 20 + 2


def decode_text(raw: bytes) -> tuple[str, bool]:
    """Decode bytes to text; returns (text, clean). UTF-8 (BOM dropped) first; an HTML page
    that declares another charset is decoded with it; otherwise undecodable bytes survive as
    lone surrogates so the record that holds them can be rejected alone (clean=False)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(raw[:4096])
    if declared:
        try:
            return raw.decode(declared.group(1).decode("ascii")), True
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("utf-8", errors="surrogateescape"), False


def _record_text(record: RawRecord) -> Iterable[str]:
    for value in record.fields.values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, str))


def screen_record(record: RawRecord, check_nul: bool, check_bytes: bool) -> Optional[Reject]:
    """Reject one parsed record that still carries NUL bytes or undecodable bytes."""
    for value in _record_text(record):
        if check_bytes and _SURROGATE.search(value):
            return make_reject(record.source_uri, record.source_record, "read", "invalid_utf8",
                               "record holds bytes that are not valid UTF-8", record.excerpt)
        if check_nul and "\x00" in value:
            return make_reject(record.source_uri, record.source_record, "read", "nul_bytes",
                               "record holds NUL bytes", record.excerpt)
    return None


def read_file_records(
    source_uri: str, stream: BinaryIO, input_format: str = "auto"
) -> Iterator[Union[RawRecord, Reject]]:
    """All records of one file, or rejects saying why a file or record could not be read."""
    try:
        raw, problem = read_capped(stream)
    except FileTooLarge as err:
        yield make_reject(source_uri, None, "read", "file_too_large", str(err), "")
        return
    except OSError as err:
        yield make_reject(source_uri, None, "read", "unreadable_file", f"{type(err).__name__}: {err}", "")
        return
    if looks_binary(raw[:8192]):
        yield make_reject(source_uri, None, "read", "binary_content",
                          "file content is binary, not a text posting format", raw[:200])
        return
    check_nul = b"\x00" in raw  # a byte search: far cheaper than searching the decoded text
    text, clean = decode_text(raw)
    del raw
    if problem:
        yield make_reject(source_uri, None, "read", problem,
                          f"{problem.replace('_', ' ')}: records before the damage are kept", "")
    if not text or text.isspace():
        return  # an empty file holds no records: nothing read, nothing lost
    source_format = input_format
    if source_format == "auto":
        source_format = formats.detect_format(source_uri, text[:SNIFF_CHARS])
    for item in formats.parse_file(source_uri, text, source_format):
        if isinstance(item, RawRecord) and (check_nul or not clean):
            reject = screen_record(item, check_nul, not clean)
            if reject is not None:
                yield reject
                continue
        yield item


class ReadFileRecordsFn(beam.DoFn):
    """Parses one ReadableFile into RawRecords (main) and Rejects (tagged)."""

    def __init__(self, input_format: str):
        self._input_format = input_format
        self._files = Metrics.counter("read", "files")
        self._records = Metrics.counter("read", "records")
        self._rejects = Metrics.counter("read", "rejects")

    def process(self, readable_file):
        source_uri = readable_file.metadata.path
        self._files.inc()
        emitted = 0
        try:
            with readable_file.open(compression_type=CompressionTypes.UNCOMPRESSED) as stream:
                for item in read_file_records(source_uri, stream, self._input_format):
                    emitted += 1
                    yield self._route(item)
        except Exception as err:  # noqa: BLE001 - one parser bug must not fail the whole job
            # Records already emitted stay; the rest of this file becomes one counted reject.
            LOG.exception("reading %s failed after %d records", source_uri, emitted)
            yield self._route(make_reject(source_uri, emitted, "read", "parser_error",
                                          f"{type(err).__name__}: {err}", ""))

    def _route(self, item):
        if isinstance(item, Reject):
            self._rejects.inc()
            return beam.pvalue.TaggedOutput(REJECTS_TAG, item)
        self._records.inc()
        return item


class ReadPostings(beam.PTransform):
    """Input patterns -> RawRecords ("records") and read Rejects ("rejects")."""

    def __init__(self, patterns: Sequence[str], input_format: str = "auto"):
        super().__init__()
        if not patterns:
            raise ValueError("ReadPostings needs at least one input pattern")
        if input_format not in INPUT_FORMATS:
            raise ValueError(f"input_format must be one of {INPUT_FORMATS}, not {input_format!r}")
        self._patterns = list(patterns)
        self._input_format = input_format

    def expand(self, pbegin):
        return (
            pbegin
            | "InputPatterns" >> beam.Create(self._patterns)
            | "MatchInputFiles" >> fileio.MatchAll(fileio.EmptyMatchTreatment.ALLOW_IF_WILDCARD)
            | "SpreadFiles" >> beam.Reshuffle()
            | "OpenInputFiles" >> fileio.ReadMatches()
            | "ParseFiles" >> beam.ParDo(ReadFileRecordsFn(self._input_format)).with_outputs(
                REJECTS_TAG, main="records")
        )
